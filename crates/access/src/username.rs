//! Usernames, unique after Unicode normalisation and case folding.
//!
//! Chinese input methods switch between half-width and full-width characters, so the same person
//! may type `admin` one day and `ａｄｍｉｎ` the next; an attacker may register `Admin` to pass for
//! `admin`. Both are closed by comparing usernames through one key: NFKC (which folds full-width
//! and other compatibility forms), then lower case, then NFKC again. `str::to_lowercase` is
//! simple lower-casing rather than Unicode's full case folding; they differ only for a handful of
//! letters (`ß` stays `ß`, for instance), which does not matter for names of 3–32 characters in a
//! Chinese government system, and it needs no extra table. The second NFKC pass is there because
//! lower-casing can produce a sequence that normalises further.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// A valid username: how it is shown, and the key it is unique by.
///
/// Equality and hashing use the key only, so `Username::parse("Admin") ==
/// Username::parse("ａｄｍｉｎ")`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username {
    display: String,
    key: String,
}

/// Why a username was refused. The messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Fewer than [`Username::MIN_CHARS`] characters.
    #[error("用户名至少需要 {min} 个字符")]
    TooShort {
        /// The minimum.
        min: usize,
    },
    /// More than [`Username::MAX_CHARS`] characters.
    #[error("用户名不能超过 {max} 个字符")]
    TooLong {
        /// The maximum.
        max: usize,
    },
    /// A character outside letters, digits and `. _ - @`.
    #[error("用户名不能包含{}：只能使用字母、数字、汉字和 . _ - @", describe(*.0))]
    BadChar(char),
}

// Zero-width spaces and joiners, direction marks, the byte-order mark: format characters that
// render as nothing.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

// Spaces and invisible characters cannot be shown between quotes, so they are named instead.
fn describe(c: char) -> String {
    if c.is_whitespace() {
        "空格".to_owned()
    } else if c.is_control() || is_invisible_format(c) {
        format!("不可见字符 U+{:04X}", u32::from(c))
    } else {
        format!("字符“{c}”")
    }
}

impl Username {
    /// The fewest characters a username may have (after trimming and normalisation).
    pub const MIN_CHARS: usize = 3;
    /// The most characters a username may have (after trimming and normalisation).
    pub const MAX_CHARS: usize = 32;

    /// Validates and normalises `input`.
    ///
    /// Surrounding whitespace is trimmed. What remains must be 3–32 characters of letters (any
    /// script, so 张小明 works), digits, and `.`, `_`, `-`, `@`: no inner spaces, control or
    /// invisible formatting characters, which could make two names look alike. Lengths are
    /// counted after NFKC, which can change them (`㎏` becomes `kg`).
    pub fn parse(input: &str) -> Result<Username, UsernameError> {
        let display: String = input.trim().nfkc().collect::<String>().trim().to_owned();
        let chars = display.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(UsernameError::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if chars > Self::MAX_CHARS {
            return Err(UsernameError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if let Some(bad) = display
            .chars()
            .find(|&c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
        {
            return Err(UsernameError::BadChar(bad));
        }
        let key = key_of(&display);
        Ok(Username { display, key })
    }

    /// The name as shown: trimmed and NFKC-normalised (so full-width letters show as ordinary
    /// ones), with its letter case kept.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The key usernames are unique by and looked up by: stored in a unique column.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// NFKC, lower case, NFKC: see the module documentation.
fn key_of(normalised: &str) -> String {
    normalised.to_lowercase().nfkc().collect()
}

impl PartialEq for Username {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Username {}

impl Hash for Username {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl TryFrom<String> for Username {
    type Error = UsernameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Username::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> String {
        value.display
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        Username::parse(s).unwrap().key().to_owned()
    }

    #[test]
    fn case_and_full_width_variants_share_one_key() {
        assert_eq!(key("admin"), "admin");
        assert_eq!(key("Admin"), "admin");
        assert_eq!(key("ａｄｍｉｎ"), "admin");
        assert_eq!(key("ＡＤＭＩＮ"), "admin");
        assert_eq!(Username::parse("Admin"), Username::parse("ａｄｍｉｎ"));
    }

    #[test]
    fn compatibility_letters_fold_to_their_plain_form() {
        // U+212A KELVIN SIGN looks like K and normalises to it.
        assert_eq!(key("\u{212A}ate"), "kate");
        // The ﬁ ligature becomes two letters.
        assert_eq!(key("\u{FB01}sh"), "fish");
    }

    #[test]
    fn display_keeps_case_but_drops_full_width_and_surrounding_space() {
        let u = Username::parse("  ＺhangSan\u{3000}").unwrap();
        assert_eq!(u.display(), "ZhangSan");
        assert_eq!(u.key(), "zhangsan");
        assert_eq!(u.to_string(), "ZhangSan");
    }

    #[test]
    fn chinese_names_are_usernames() {
        assert_eq!(key("张小明"), "张小明");
        assert_eq!(key("映湖区.li_01"), "映湖区.li_01");
    }

    #[test]
    fn length_is_three_to_thirty_two_characters() {
        assert_eq!(
            Username::parse("ab"),
            Err(UsernameError::TooShort { min: 3 })
        );
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert_eq!(
            Username::parse(&"a".repeat(33)),
            Err(UsernameError::TooLong { max: 32 })
        );
        // Characters, not bytes: 32 Chinese characters are 96 bytes.
        assert!(Username::parse(&"张".repeat(32)).is_ok());
        assert_eq!(
            Username::parse("   "),
            Err(UsernameError::TooShort { min: 3 })
        );
    }

    #[test]
    fn length_is_counted_after_normalisation() {
        // "㎏㎏" is two characters typed but four once normalised.
        assert_eq!(key("㎏㎏"), "kgkg");
        assert_eq!(
            Username::parse(&format!("{}㎏", "a".repeat(31))),
            Err(UsernameError::TooLong { max: 32 })
        );
    }

    #[test]
    fn inner_spaces_controls_and_invisible_characters_are_refused() {
        assert_eq!(
            Username::parse("zhang san"),
            Err(UsernameError::BadChar(' '))
        );
        assert_eq!(
            Username::parse("adm\u{200B}in"),
            Err(UsernameError::BadChar('\u{200B}'))
        );
        assert_eq!(
            Username::parse("adm\u{7}in"),
            Err(UsernameError::BadChar('\u{7}'))
        );
        assert_eq!(
            Username::parse("admin;drop"),
            Err(UsernameError::BadChar(';'))
        );
    }

    #[test]
    fn errors_read_in_chinese() {
        assert_eq!(
            UsernameError::TooShort { min: 3 }.to_string(),
            "用户名至少需要 3 个字符"
        );
        assert_eq!(
            UsernameError::BadChar(' ').to_string(),
            "用户名不能包含空格：只能使用字母、数字、汉字和 . _ - @"
        );
        assert_eq!(
            UsernameError::BadChar('\u{200B}').to_string(),
            "用户名不能包含不可见字符 U+200B：只能使用字母、数字、汉字和 . _ - @"
        );
        assert_eq!(
            UsernameError::BadChar(';').to_string(),
            "用户名不能包含字符“;”：只能使用字母、数字、汉字和 . _ - @"
        );
    }

    #[test]
    fn serde_writes_the_display_form_and_validates_on_read() {
        let u = Username::parse("Admin").unwrap();
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"Admin\"");
        let back: Username = serde_json::from_str("\"ａｄｍｉｎ\"").unwrap();
        assert_eq!(back, u);
        assert!(serde_json::from_str::<Username>("\"a b\"").is_err());
    }
}
