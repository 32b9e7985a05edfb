//! Passwords: the rules a new password must meet, and how passwords are hashed and checked.
//!
//! The rules ([`PasswordPolicy`]) follow 等保三级 and OWASP ASVS 5.0 level 2: at least 12
//! characters, three of four character classes, not a common password or an obvious variation
//! of one, and not containing the username. Every problem is named in Chinese.
//!
//! Hashing sits behind one trait, [`PasswordHasher`], producing and reading PHC strings
//! (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). The algorithm id at the front of a stored hash
//! chooses the implementation ([`hasher_for`]), so a national-algorithm KDF (an SM3-based one, say)
//! can be added as one more implementation and one more arm there, and accounts move over as they
//! log in ([`PasswordHasher::needs_rehash`]), without touching any caller.
//!
//! Passwords are NFKC-normalised before hashing and before the rules are applied: Chinese input
//! methods switch to full-width characters, and `Ｐａｓｓ１` typed by mistake must still be `Pass1`.

use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use unicode_normalization::UnicodeNormalization;

use crate::username::Username;

/// The rules for choosing a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// The fewest characters (after normalisation).
    pub min_chars: usize,
    /// The most characters: generous enough for passphrases, small enough to bound the work an
    /// unauthenticated request can cause.
    pub max_chars: usize,
    /// How many of the four classes (lower case, upper case, digits, others) must appear.
    pub min_classes: usize,
}

impl PasswordPolicy {
    /// The policy of the issue: 12 characters, 3 of 4 classes, at most 128 characters.
    pub const STANDARD: PasswordPolicy = PasswordPolicy {
        min_chars: 12,
        max_chars: 128,
        min_classes: 3,
    };

    /// Every rule `password` breaks, in the order they are best fixed (length first), for
    /// showing all of them at once. Empty when the password is acceptable.
    pub fn problems(&self, password: &str, username: &Username) -> Vec<PasswordError> {
        let password = normalize(password);
        let mut problems = Vec::new();
        let chars = password.chars().count();
        if chars < self.min_chars {
            problems.push(PasswordError::TooShort {
                min: self.min_chars,
            });
        }
        if chars > self.max_chars {
            problems.push(PasswordError::TooLong {
                max: self.max_chars,
            });
        }
        let found = classes(&password);
        if found < self.min_classes {
            problems.push(PasswordError::TooFewClasses {
                required: self.min_classes,
                found,
            });
        }
        let lower = password.to_lowercase();
        if lower.contains(username.key()) {
            problems.push(PasswordError::ContainsUsername);
        }
        if is_common(&lower) {
            problems.push(PasswordError::Common);
        }
        problems
    }

    /// Whether `password` is acceptable for the account `username`; the first problem if not.
    pub fn check(&self, password: &str, username: &Username) -> Result<(), PasswordError> {
        match self.problems(password, username).into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy::STANDARD
    }
}

/// What is wrong with a proposed password. The messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too few characters.
    #[error("密码至少需要 {min} 个字符")]
    TooShort {
        /// The minimum.
        min: usize,
    },
    /// Too many characters.
    #[error("密码不能超过 {max} 个字符")]
    TooLong {
        /// The maximum.
        max: usize,
    },
    /// Too few character classes.
    #[error(
        "密码需要包含小写字母、大写字母、数字、其他符号中的至少 {required} 类（现在只有 {found} 类）"
    )]
    TooFewClasses {
        /// Classes required.
        required: usize,
        /// Classes present.
        found: usize,
    },
    /// The password contains the username.
    #[error("密码不能包含用户名")]
    ContainsUsername,
    /// A common password or an obvious variation of one.
    #[error("密码过于常见或容易猜到（如 Password1234、Admin@123456），请换一个")]
    Common,
}

/// NFKC normalisation, applied to every password before it is checked or hashed.
pub fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

/// How many of lower case, upper case, digits and everything else appear. Chinese characters
/// count as "everything else": they have no case and add to the search space like a symbol.
fn classes(password: &str) -> usize {
    let (mut lower, mut upper, mut digit, mut other) = (false, false, false, false);
    for c in password.chars() {
        if c.is_lowercase() {
            lower = true;
        } else if c.is_uppercase() {
            upper = true;
        } else if c.is_numeric() {
            digit = true;
        } else {
            other = true;
        }
    }
    [lower, upper, digit, other]
        .into_iter()
        .filter(|&b| b)
        .count()
}

/// Whole passwords (lower case) that pass the class rule yet are in every cracking list: keyboard
/// walks and the like that the word rule below does not see.
const COMMON_PASSWORDS: &[&str] = &[
    "1qaz2wsx3edc",
    "1qaz@wsx3edc",
    "1qaz!qaz1qaz",
    "1q2w3e4r5t6y",
    "1q2w3e4r5t6y7u",
    "q1w2e3r4t5y6",
    "zaq12wsxcde3",
    "zaq1@wsxcde3",
    "!qaz2wsx#edc",
    "1234qwerasdf",
    "qwer1234asdf",
    "asdf1234qwer",
    "a1b2c3d4e5f6",
    "abcd1234!@#$",
    "aa123456789!",
    "aaa123456789",
    "a123456789!@",
    "woaini1314520",
    "woaini5201314",
    "5201314woaini",
];

/// Words that common passwords are built from, compared after stripping digits and symbols from
/// the ends and undoing look-alike substitutions inside words (`P@ssw0rd`). A password whose
/// letters are one of these plus at most three more letters is refused, which catches
/// `Password1234`, `Admin@123456`, `Qwerty123456`, `jianguan2021!` and `MyPassword1!` while
/// leaving passphrases that merely contain such a word alone.
const COMMON_WORDS: &[&str] = &[
    // International favourites.
    "password",
    "passwd",
    "pass",
    "admin",
    "administrator",
    "root",
    "user",
    "guest",
    "test",
    "login",
    "welcome",
    "changeme",
    "default",
    "secret",
    "system",
    "letmein",
    "iloveyou",
    "monkey",
    "dragon",
    "master",
    "shadow",
    "sunshine",
    "superman",
    "football",
    "baseball",
    "princess",
    "trustno",
    // Keyboard walks, once the digits between the letters are gone.
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "asdfghjkl",
    "zxcvbn",
    "zxcvbnm",
    "qazwsx",
    "qazwsxedc",
    "qweasd",
    "qweasdzxc",
    "abc",
    "abcd",
    "abcdef",
    // Pinyin favourites.
    "woaini",
    "aini",
    "nihao",
    "zhongguo",
    "china",
    "beijing",
    "wangluo",
    // This system and its users: the first thing anyone would try.
    "jianguan",
    "jiangguan",
    "zhihuibu",
    "jianshe",
    "chengjian",
    "chengguan",
    "zhengfu",
    "gov",
];

/// Letters of the alphabet and of keyboard rows, to refuse `Abcdefg12345` and `Asdfghjk1!`.
const RUNS: &[&str] = &[
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
];

fn is_common(lower: &str) -> bool {
    if COMMON_PASSWORDS.contains(&lower) {
        return true;
    }
    let chars: Vec<char> = lower.chars().collect();
    // Very few distinct characters: `Aa1!Aa1!Aa1!` meets the class rule with four.
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 4 {
        return true;
    }
    let letters = letters_of(&chars);
    if letters.len() >= 4 {
        let is_run = RUNS.iter().any(|run| {
            run.contains(letters.as_str())
                || run
                    .chars()
                    .rev()
                    .collect::<String>()
                    .contains(letters.as_str())
        });
        if is_run {
            return true;
        }
    }
    COMMON_WORDS.iter().any(|word| {
        letters
            .find(word)
            .is_some_and(|_| letters.chars().count() - word.chars().count() <= 3)
    })
}

/// The letters of a password, with look-alike digits and symbols that sit between two letters
/// read as the letters they imitate (`p@ssw0rd` → `password`), and everything else dropped.
/// Only characters between letters are read that way, so the `123` of `Admin123` stays a suffix.
fn letters_of(chars: &[char]) -> String {
    let is_letter = |i: usize| chars.get(i).is_some_and(|c| c.is_alphabetic());
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphabetic() {
            out.push(c);
        } else if i > 0 && is_letter(i - 1) && is_letter(i + 1) {
            let imitated = match c {
                '@' | '4' => Some('a'),
                '0' => Some('o'),
                '1' | '!' | '|' => Some('i'),
                '3' => Some('e'),
                '$' | '5' => Some('s'),
                '7' | '+' => Some('t'),
                _ => None,
            };
            out.extend(imitated);
        }
    }
    out
}

/// Why a stored hash could not be used. These are faults of the data or the system, for the log,
/// never for the person logging in (who sees only "用户名或密码错误").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// The PHC string names an algorithm no hasher here implements.
    #[error("不支持的密码哈希算法：{0}")]
    UnknownAlgorithm(String),
    /// The stored string is not a valid PHC string for its algorithm.
    #[error("密码哈希格式错误：{0}")]
    Malformed(String),
    /// The hashing itself failed (the OS random source, say).
    #[error("密码哈希计算失败：{0}")]
    Failed(String),
}

/// One password hashing algorithm, reading and writing PHC strings.
///
/// Implementations normalise the password with [`normalize`] before hashing and verifying, and
/// draw a fresh random salt for every hash. To add an algorithm (an SM3-based KDF for 国密
/// compliance, say), implement this trait and give its PHC id an arm in [`hasher_for`]; callers
/// keep calling [`hasher_for`] to verify and [`default_hasher`] to hash.
pub trait PasswordHasher: Send + Sync {
    /// The PHC algorithm id this hasher writes, e.g. `argon2id`.
    fn algorithm(&self) -> &'static str;

    /// Hashes `password` with a fresh salt, giving the PHC string to store.
    fn hash(&self, password: &str) -> Result<String, HashError>;

    /// Whether `password` matches the stored PHC string. `Ok(false)` is a wrong password; an
    /// error means the stored string itself is unusable.
    fn verify(&self, password: &str, phc: &str) -> Result<bool, HashError>;

    /// Whether a stored hash was made with another algorithm or weaker parameters than this
    /// hasher would use now. After a successful login the caller re-hashes and stores the
    /// password, so accounts move to current settings without anyone resetting a password.
    fn needs_rehash(&self, phc: &str) -> bool;
}

/// Argon2id (RFC 9106), the algorithm OWASP recommends first.
#[derive(Debug, Clone)]
pub struct Argon2idHasher {
    params: Params,
}

impl Argon2idHasher {
    /// Memory cost of [`Argon2idHasher::production`], in KiB: 19 MiB, OWASP's minimum
    /// configuration.
    pub const M_COST_KIB: u32 = 19_456;
    /// Passes of [`Argon2idHasher::production`].
    pub const T_COST: u32 = 2;
    /// Lanes of [`Argon2idHasher::production`].
    pub const P_COST: u32 = 1;

    /// The production parameters: Argon2id, m = 19456 KiB, t = 2, p = 1 (OWASP Password Storage
    /// Cheat Sheet). Tens of milliseconds per hash in a release build.
    pub const fn production() -> Argon2idHasher {
        Argon2idHasher {
            params: match Params::new(Self::M_COST_KIB, Self::T_COST, Self::P_COST, None) {
                Ok(params) => params,
                Err(_) => panic!("the OWASP parameters are valid Argon2 parameters"),
            },
        }
    }

    /// The cheapest parameters Argon2 accepts (8 KiB, one pass), for tests and demo seeding that
    /// hash many passwords. Never for real accounts: [`PasswordHasher::needs_rehash`] reports
    /// such hashes, so a demo account moved to production is upgraded at its next login.
    pub const fn for_tests() -> Argon2idHasher {
        Argon2idHasher {
            params: match Params::new(Params::MIN_M_COST, 1, 1, None) {
                Ok(params) => params,
                Err(_) => panic!("the minimum Argon2 parameters are valid"),
            },
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }
}

impl PasswordHasher for Argon2idHasher {
    fn algorithm(&self) -> &'static str {
        ARGON2ID
    }

    fn hash(&self, password: &str) -> Result<String, HashError> {
        // The salt comes from the operating system's random source (getrandom), the one outside
        // effect of this crate: a salt must be unpredictable, and no caller should have to
        // supply one.
        self.argon2()
            .hash_password(normalize(password).as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| HashError::Failed(e.to_string()))
    }

    fn verify(&self, password: &str, phc: &str) -> Result<bool, HashError> {
        let hash = PasswordHash::new(phc).map_err(|e| HashError::Malformed(e.to_string()))?;
        if hash.algorithm.as_str() != ARGON2ID {
            return Err(HashError::UnknownAlgorithm(hash.algorithm.to_string()));
        }
        // The cost parameters are read from the stored hash, not from `self`, so hashes made
        // with older or test parameters still verify.
        match self
            .argon2()
            .verify_password(normalize(password).as_bytes(), &hash)
        {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
            Err(e) => Err(HashError::Malformed(e.to_string())),
        }
    }

    fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(hash) = PasswordHash::new(phc) else {
            return true;
        };
        if hash.algorithm.as_str() != ARGON2ID || hash.version != Some(Version::V0x13.into()) {
            return true;
        }
        match Params::try_from(&hash) {
            Ok(stored) => {
                stored.m_cost() < self.params.m_cost()
                    || stored.t_cost() < self.params.t_cost()
                    || stored.p_cost() < self.params.p_cost()
            }
            Err(_) => true,
        }
    }
}

/// The PHC id of Argon2id.
const ARGON2ID: &str = "argon2id";

static PRODUCTION: Argon2idHasher = Argon2idHasher::production();

/// The hasher new passwords are hashed with: Argon2id at production parameters.
pub fn default_hasher() -> &'static dyn PasswordHasher {
    &PRODUCTION
}

/// The algorithm id of a PHC string (`argon2id` in `$argon2id$v=19$…`), if it has one.
pub fn algorithm_of(phc: &str) -> Option<&str> {
    let rest = phc.strip_prefix('$')?;
    let id = rest.split('$').next()?;
    (!id.is_empty()).then_some(id)
}

/// The hasher that can verify `phc`, chosen by its algorithm id. This is the one place that
/// knows which algorithms exist; an SM3-based KDF would be one more arm.
pub fn hasher_for(phc: &str) -> Result<&'static dyn PasswordHasher, HashError> {
    match algorithm_of(phc) {
        Some(ARGON2ID) => Ok(&PRODUCTION),
        Some(other) => Err(HashError::UnknownAlgorithm(other.to_owned())),
        None => Err(HashError::Malformed("缺少算法标识".to_owned())),
    }
}

/// Verifies `password` against a stored PHC string with the hasher its algorithm id names.
pub fn verify(password: &str, phc: &str) -> Result<bool, HashError> {
    hasher_for(phc)?.verify(password, phc)
}

/// Does the work of one production verification against a hash no password matches, and
/// returns nothing.
///
/// Call it when the username is unknown, so a login for a non-existent account takes as long
/// as one with a wrong password and response times do not reveal which usernames exist.
pub fn verify_nobody(password: &str) {
    static NOBODY: OnceLock<String> = OnceLock::new();
    // The hashed text does not matter: this hash belongs to no account, so matching it grants
    // nothing. Only its cost does.
    let phc = NOBODY.get_or_init(|| {
        PRODUCTION
            .hash("no account has this password")
            .unwrap_or_default()
    });
    let _ = PRODUCTION.verify(password, phc);
}

/// A temporary password for a reset, shown once to the security administrator: 16 characters
/// from OS randomness, with lower and upper case letters, digits and a symbol (so it passes
/// [`PasswordPolicy::STANDARD`]); look-alike characters (0/O, 1/l/I) left out.
pub fn temporary_password() -> Result<String, getrandom::Error> {
    const LOWER: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const ALL: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    let pick = |set: &[u8], b: u8| set[usize::from(b) % set.len()] as char;
    let mut out = String::with_capacity(17);
    out.push(pick(UPPER, bytes[0]));
    out.push(pick(LOWER, bytes[1]));
    out.push(pick(DIGITS, bytes[2]));
    for &b in &bytes[3..] {
        out.push(pick(ALL, b));
    }
    out.insert(8, '-');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Username {
        Username::parse("alice").unwrap()
    }

    fn check(password: &str) -> Result<(), PasswordError> {
        PasswordPolicy::STANDARD.check(password, &alice())
    }

    #[test]
    fn a_long_mixed_password_is_accepted() {
        assert_eq!(check("Tuo-jiang7Qiao"), Ok(()));
        assert_eq!(check("walnut Ferry 1987"), Ok(()));
        // Chinese characters count as the "other" class.
        assert_eq!(check("映湖区Walnut2021"), Ok(()));
    }

    #[test]
    fn twelve_characters_is_the_minimum() {
        assert_eq!(
            check("Tuo-jiang7Q"),
            Err(PasswordError::TooShort { min: 12 })
        );
        assert_eq!(check("Tuo-jiang7Qx"), Ok(()));
        // Characters, not bytes.
        assert_eq!(check("映湖区映湖区Walnut1"), Ok(()));
    }

    #[test]
    fn more_than_128_characters_is_refused() {
        let long = format!("Aa1-{}", "xyzw".repeat(32));
        assert_eq!(long.chars().count(), 132);
        assert_eq!(check(&long), Err(PasswordError::TooLong { max: 128 }));
    }

    #[test]
    fn three_of_four_classes_are_required() {
        assert_eq!(
            check("walnutferrybridge"),
            Err(PasswordError::TooFewClasses {
                required: 3,
                found: 1
            })
        );
        assert_eq!(
            check("walnutferry1987"),
            Err(PasswordError::TooFewClasses {
                required: 3,
                found: 2
            })
        );
        assert_eq!(check("walnutferry1987!"), Ok(()));
        assert_eq!(check("WalnutFerry1987"), Ok(()));
        assert_eq!(check("WalnutFerry!-="), Ok(()));
    }

    #[test]
    fn common_passwords_that_pass_the_class_rule_are_refused() {
        for common in [
            "Password1234",
            "Admin@123456",
            "Qwerty123456",
            "jianguan2021!",
            "P@ssw0rd2024!",
            "MyPassword1!",
            "1qaz2wsx3EDC",
            "Abcdefg12345",
            "Asdfghjk1234!",
            "Aa1!Aa1!Aa1!Aa1!",
            "Woaini5201314",
            "Zhihuibu@2021",
        ] {
            assert_eq!(check(common), Err(PasswordError::Common), "{common}");
        }
    }

    #[test]
    fn passphrases_merely_containing_a_common_word_are_accepted() {
        assert_eq!(check("Dragonfly over Lake 9"), Ok(()));
        assert_eq!(check("Password-of-the-Ferry-42"), Ok(()));
    }

    #[test]
    fn a_password_containing_the_username_is_refused_in_any_case_or_width() {
        assert_eq!(
            check("Xy7-aliceWonder"),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(
            check("Xy7-ALICEWonder"),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(
            check("Xy7-ＡｌｉｃｅWonder"),
            Err(PasswordError::ContainsUsername)
        );
    }

    #[test]
    fn problems_lists_every_broken_rule() {
        assert_eq!(
            PasswordPolicy::STANDARD.problems("alice", &alice()),
            [
                PasswordError::TooShort { min: 12 },
                PasswordError::TooFewClasses {
                    required: 3,
                    found: 1
                },
                PasswordError::ContainsUsername,
            ]
        );
    }

    #[test]
    fn errors_read_in_chinese() {
        assert_eq!(
            PasswordError::TooShort { min: 12 }.to_string(),
            "密码至少需要 12 个字符"
        );
        assert_eq!(
            PasswordError::TooFewClasses {
                required: 3,
                found: 2
            }
            .to_string(),
            "密码需要包含小写字母、大写字母、数字、其他符号中的至少 3 类（现在只有 2 类）"
        );
        assert_eq!(
            PasswordError::ContainsUsername.to_string(),
            "密码不能包含用户名"
        );
    }

    const FAST: Argon2idHasher = Argon2idHasher::for_tests();

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let phc = FAST.hash("Tuo-jiang7Qiao").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert_eq!(FAST.verify("Tuo-jiang7Qiao", &phc), Ok(true));
        assert_eq!(FAST.verify("Tuo-jiang7Qiap", &phc), Ok(false));
        assert_eq!(FAST.verify("", &phc), Ok(false));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(FAST.hash("Tuo-jiang7Qiao"), FAST.hash("Tuo-jiang7Qiao"));
    }

    #[test]
    fn a_full_width_password_matches_its_half_width_hash() {
        let phc = FAST.hash("Pass-word-12").unwrap();
        assert_eq!(FAST.verify("Ｐａｓｓ－ｗｏｒｄ－１２", &phc), Ok(true));
    }

    #[test]
    fn production_parameters_are_owasps_and_verify_with_the_stored_parameters() {
        let phc = Argon2idHasher::production().hash("Tuo-jiang7Qiao").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        // A hash made cheaply verifies through the production hasher, which reads the cost from
        // the hash, and is reported for re-hashing.
        let cheap = FAST.hash("Tuo-jiang7Qiao").unwrap();
        assert_eq!(verify("Tuo-jiang7Qiao", &cheap), Ok(true));
        assert!(default_hasher().needs_rehash(&cheap));
        assert!(!default_hasher().needs_rehash(&phc));
        assert_eq!(verify("Tuo-jiang7Qiao", &phc), Ok(true));
    }

    #[test]
    fn the_hasher_is_chosen_by_the_phc_algorithm_id() {
        assert_eq!(
            algorithm_of("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"),
            Some("argon2id")
        );
        assert_eq!(algorithm_of("plain"), None);
        assert_eq!(
            hasher_for("$argon2id$v=19$...").unwrap().algorithm(),
            "argon2id"
        );
        assert_eq!(
            hasher_for("$sm3kdf$v=1$i=10000$c2FsdA$aGFzaA").err(),
            Some(HashError::UnknownAlgorithm("sm3kdf".into()))
        );
        assert!(matches!(
            hasher_for("5f4dcc3b5aa7"),
            Err(HashError::Malformed(_))
        ));
        assert!(default_hasher().needs_rehash("$2b$12$bcrypt"));
    }

    #[test]
    fn a_damaged_hash_is_an_error_not_a_wrong_password() {
        assert!(matches!(
            FAST.verify("x", "$argon2id$v=19$m=8,t=1,p=1$"),
            Err(HashError::Malformed(_))
        ));
        assert!(matches!(
            FAST.verify(
                "x",
                "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
            ),
            Err(HashError::UnknownAlgorithm(_))
        ));
    }

    #[test]
    fn verifying_for_an_unknown_user_returns_quietly() {
        verify_nobody("Tuo-jiang7Qiao");
    }

    #[test]
    fn a_temporary_password_passes_the_policy_and_differs_each_time() {
        let name = Username::parse("zhangsan").unwrap();
        let a = temporary_password().unwrap();
        let b = temporary_password().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 17);
        assert_eq!(PasswordPolicy::STANDARD.check(&a, &name), Ok(()));
    }
}
