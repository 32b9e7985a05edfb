//! The cryptographic suite a database was set up with: international algorithms (SHA-256,
//! HMAC-SHA-256, AES-256-GCM) or China's commercial cryptography (商用密码, GB/T 39786: SM3,
//! HMAC-SM3, SM4-GCM).
//!
//! The suite is chosen once, at `init`, before the first audit record, and recorded in the
//! database, so every later hash, seal and check uses the same algorithms and `verify` knows
//! which ones. A database set up before the choice existed uses [`CryptoSuite::Intl`], which is
//! what it was written with.
//!
//! This module is pure: the hash and MAC of bytes. The store applies the cipher (it holds the
//! key) and keeps the record of the choice.

use std::fmt;
use std::str::FromStr;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use sm3::Sm3;

/// Which algorithms a database uses for its audit chain, its sealed secrets and the integrity
/// codes of published scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CryptoSuite {
    /// SHA-256, HMAC-SHA-256 and AES-256-GCM.
    #[default]
    Intl,
    /// SM3, HMAC-SM3 and SM4-GCM (商用密码).
    Sm,
}

impl CryptoSuite {
    /// Both suites.
    pub const ALL: [CryptoSuite; 2] = [CryptoSuite::Intl, CryptoSuite::Sm];

    /// The stored name: `intl` or `sm`.
    pub fn as_str(self) -> &'static str {
        match self {
            CryptoSuite::Intl => "intl",
            CryptoSuite::Sm => "sm",
        }
    }

    /// The algorithms in words, for pages and the CLI.
    pub fn label_zh(self) -> &'static str {
        match self {
            CryptoSuite::Intl => "国际算法（SHA-256 / HMAC-SHA-256 / AES-256-GCM）",
            CryptoSuite::Sm => "商用密码（SM3 / HMAC-SM3 / SM4-GCM）",
        }
    }

    /// The hash's name as integrity codes carry it: `sha256` or `sm3`.
    pub fn hash_name(self) -> &'static str {
        match self {
            CryptoSuite::Intl => "sha256",
            CryptoSuite::Sm => "sm3",
        }
    }

    /// The 32-byte digest of `bytes`.
    pub fn digest(self, bytes: &[u8]) -> [u8; 32] {
        match self {
            CryptoSuite::Intl => Sha256::digest(bytes).into(),
            CryptoSuite::Sm => Sm3::digest(bytes).into(),
        }
    }

    /// The 32-byte HMAC of `bytes` under `key`.
    pub fn mac(self, key: &[u8], bytes: &[u8]) -> [u8; 32] {
        match self {
            CryptoSuite::Intl => {
                let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key)
                    .expect("HMAC takes a key of any length");
                mac.update(bytes);
                mac.finalize().into_bytes().into()
            }
            CryptoSuite::Sm => {
                let mut mac = <hmac::Hmac<Sm3> as KeyInit>::new_from_slice(key)
                    .expect("HMAC takes a key of any length");
                mac.update(bytes);
                mac.finalize().into_bytes().into()
            }
        }
    }

    /// A key for one purpose derived from a master key (`HMAC(master, "jianguan/" + purpose)`),
    /// so the key that seals secrets never also signs scores.
    pub fn subkey(self, master: &[u8], purpose: &str) -> [u8; 32] {
        self.mac(master, format!("jianguan/{purpose}").as_bytes())
    }
}

/// The suite of an audit chain: records from `from_seq` on are hashed with `suite`, any before
/// it with [`CryptoSuite::Intl`] — the few records (refused logins, a wrong setup token) a
/// server can write into an empty database before the city is set up and the suite chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainSuite {
    /// The chosen suite.
    pub suite: CryptoSuite,
    /// The first record hashed with it.
    pub from_seq: i64,
}

impl ChainSuite {
    /// The suite record `seq` is hashed with.
    pub fn at(self, seq: i64) -> CryptoSuite {
        if seq >= self.from_seq {
            self.suite
        } else {
            CryptoSuite::Intl
        }
    }
}

impl From<CryptoSuite> for ChainSuite {
    /// A chain hashed with `suite` from its first record.
    fn from(suite: CryptoSuite) -> ChainSuite {
        ChainSuite { suite, from_seq: 1 }
    }
}

impl fmt::Display for CryptoSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A suite name that is neither `intl` nor `sm`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "未知的密码算法套件 “{0}”，应为 sm（商用密码 SM3/SM4）或 intl（SHA-256/AES） (unknown crypto suite {0:?}: expected sm or intl)"
)]
pub struct UnknownSuite(pub String);

impl FromStr for CryptoSuite {
    type Err = UnknownSuite;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CryptoSuite::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| UnknownSuite(s.to_owned()))
    }
}

/// The integrity code (完整性校验码) of a published record, given its fields in a fixed order:
/// `hmac-sm3:`/`hmac-sha256:` and the hex MAC under `key` (the secret key's `score-integrity`
/// subkey), or — where the installation has no secret key — `sm3:`/`sha256:` and the plain
/// digest, which shows accidental change but not a forger's.
///
/// The fields are length-prefixed before hashing, so moving text from one field to the next
/// changes the code.
pub fn integrity_code(suite: CryptoSuite, key: Option<&[u8]>, fields: &[&str]) -> String {
    let bytes = integrity_bytes(fields);
    match key {
        Some(key) => format!(
            "hmac-{}:{}",
            suite.hash_name(),
            hex(&suite.mac(&suite.subkey(key, "score-integrity"), &bytes))
        ),
        None => format!("{}:{}", suite.hash_name(), hex(&suite.digest(&bytes))),
    }
}

/// What checking a stored integrity code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrityCheck {
    /// The code matches the fields under the key.
    Keyed,
    /// The code is a plain digest (made without a key) and matches.
    Unkeyed,
    /// The code does not match: the fields (or the code) changed since it was made.
    Broken,
    /// The code was made with a key and this process has none.
    NeedsKey,
    /// The code names no known algorithm: it is no code at all.
    Malformed,
}

/// Checks `code` (as [`integrity_code`] made it) against `fields`, with the suite the code names
/// (`hmac-sm3:`, `sha256:` …): a code keeps the algorithm it was made with.
pub fn check_integrity_code(key: Option<&[u8]>, code: &str, fields: &[&str]) -> IntegrityCheck {
    for suite in CryptoSuite::ALL {
        let keyed = code.starts_with(&format!("hmac-{}:", suite.hash_name()));
        let plain = code.starts_with(&format!("{}:", suite.hash_name()));
        if keyed {
            return match key {
                None => IntegrityCheck::NeedsKey,
                Some(_) if integrity_code(suite, key, fields) == code => IntegrityCheck::Keyed,
                Some(_) => IntegrityCheck::Broken,
            };
        }
        if plain {
            return if integrity_code(suite, None, fields) == code {
                IntegrityCheck::Unkeyed
            } else {
                IntegrityCheck::Broken
            };
        }
    }
    IntegrityCheck::Malformed
}

fn integrity_bytes(fields: &[&str]) -> Vec<u8> {
    let mut bytes = b"jianguan-integrity\x01".to_vec();
    for field in fields {
        bytes.extend_from_slice(&(field.len() as u64).to_be_bytes());
        bytes.extend_from_slice(field.as_bytes());
    }
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn the_digests_are_the_published_test_vectors() {
        // GB/T 32905-2016 (SM3) appendix A.1: "abc".
        assert_eq!(
            CryptoSuite::Sm.digest(b"abc").to_vec(),
            hex_of("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        );
        // FIPS 180-2 appendix B.1: "abc".
        assert_eq!(
            CryptoSuite::Intl.digest(b"abc").to_vec(),
            hex_of("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
    }

    #[test]
    fn hmac_sha256_is_the_rfc_4231_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            CryptoSuite::Intl
                .mac(b"Jefe", b"what do ya want for nothing?")
                .to_vec(),
            hex_of("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
        let sm = CryptoSuite::Sm.mac(b"Jefe", b"what do ya want for nothing?");
        assert_ne!(
            sm.to_vec(),
            CryptoSuite::Intl
                .mac(b"Jefe", b"what do ya want for nothing?")
                .to_vec()
        );
        assert_ne!(
            sm,
            CryptoSuite::Sm.mac(b"Jeff", b"what do ya want for nothing?")
        );
    }

    #[test]
    fn a_chain_suite_applies_from_its_first_record_on() {
        let chain = ChainSuite {
            suite: CryptoSuite::Sm,
            from_seq: 3,
        };
        assert_eq!(chain.at(1), CryptoSuite::Intl);
        assert_eq!(chain.at(2), CryptoSuite::Intl);
        assert_eq!(chain.at(3), CryptoSuite::Sm);
        assert_eq!(chain.at(i64::MAX), CryptoSuite::Sm);
        assert_eq!(ChainSuite::from(CryptoSuite::Sm).at(1), CryptoSuite::Sm);
    }

    #[test]
    fn a_suite_reads_back_from_its_name_and_nothing_else() {
        for suite in CryptoSuite::ALL {
            assert_eq!(suite.as_str().parse::<CryptoSuite>(), Ok(suite));
        }
        assert!("SM".parse::<CryptoSuite>().is_err());
        assert!("sha256".parse::<CryptoSuite>().is_err());
        assert_eq!(CryptoSuite::default(), CryptoSuite::Intl);
    }

    #[test]
    fn an_integrity_code_shows_any_change_and_needs_its_key() {
        let key = [7u8; 32];
        let fields = ["2026-10", "district", "1", "2026-11-05", "{\"scores\":[]}"];
        for suite in CryptoSuite::ALL {
            let code = integrity_code(suite, Some(&key), &fields);
            assert!(
                code.starts_with(&format!("hmac-{}:", suite.hash_name())),
                "{code}"
            );
            assert_eq!(
                check_integrity_code(Some(&key), &code, &fields),
                IntegrityCheck::Keyed
            );
            let mut changed = fields;
            changed[4] = "{\"scores\":[1]}";
            assert_eq!(
                check_integrity_code(Some(&key), &code, &changed),
                IntegrityCheck::Broken
            );
            // Text moved across a field boundary is a change too.
            let moved = ["2026-10", "district", "1", "2026-11-0", "5{\"scores\":[]}"];
            assert_eq!(
                check_integrity_code(Some(&key), &code, &moved),
                IntegrityCheck::Broken
            );
            assert_eq!(
                check_integrity_code(Some(&[8u8; 32]), &code, &fields),
                IntegrityCheck::Broken,
                "another key"
            );
            assert_eq!(
                check_integrity_code(None, &code, &fields),
                IntegrityCheck::NeedsKey
            );
            let plain = integrity_code(suite, None, &fields);
            assert_eq!(
                check_integrity_code(Some(&key), &plain, &fields),
                IntegrityCheck::Unkeyed
            );
            assert_eq!(
                check_integrity_code(None, &plain, &changed),
                IntegrityCheck::Broken
            );
        }
        // A code relabelled as the other suite's does not match.
        let sm = integrity_code(CryptoSuite::Sm, Some(&key), &fields);
        assert_eq!(
            check_integrity_code(
                Some(&key),
                &sm.replacen("hmac-sm3:", "hmac-sha256:", 1),
                &fields
            ),
            IntegrityCheck::Broken
        );
        assert_eq!(
            check_integrity_code(Some(&key), "", &fields),
            IntegrityCheck::Malformed
        );
        assert_eq!(
            check_integrity_code(Some(&key), "md5:00", &fields),
            IntegrityCheck::Malformed
        );
    }
}
