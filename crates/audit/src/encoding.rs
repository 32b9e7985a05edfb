//! The canonical byte encoding of a record and its chained hash (SHA-256 or SM3).
//!
//! Layout (all integers big-endian; a *string* is its UTF-8 length as `u64` then its bytes; an
//! *optional string* is `0x00` for `None` or `0x01` then the string):
//!
//! | part      | bytes                                                            |
//! |-----------|------------------------------------------------------------------|
//! | prev_hash | string (the stored hex text)                                     |
//! | tag       | `b"jianguan-audit"` then the version byte [`ENCODING_VERSION`]   |
//! | seq       | `i64`                                                            |
//! | at_ms     | `i64`                                                            |
//! | actor     | string                                                           |
//! | unit      | optional string                                                  |
//! | action    | string                                                           |
//! | object    | string                                                           |
//! | result    | one byte: 0 success, 1 failure, 2 denied                         |
//! | client    | optional string                                                  |
//! | changes   | count as `u64`, then per change: field string, before and after optional strings |
//!
//! Every variable-length part is length-prefixed, so the encoding is injective: two records
//! that differ in any field but `hash` (even only in where one string ends and the next starts,
//! or in `None` versus `Some("")`) encode differently. `hash = H(encoding)`, i.e. the hash of the
//! previous hash followed by the encoding of the rest, where `H` is the database's
//! [suite](crate::CryptoSuite)'s hash: SHA-256, or SM3 (商用密码).

use std::fmt;

use crate::record::AuditRecord;
use crate::suite::{ChainSuite, CryptoSuite};

/// Version byte of the canonical encoding; bumped if the layout ever changes.
pub const ENCODING_VERSION: u8 = 1;

/// Domain tag written before the version byte.
const TAG: &[u8] = b"jianguan-audit";

/// `prev_hash` of the first record in a chain: 64 zeros.
pub const GENESIS_PREV_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The canonical encoding of every field of `record` except `hash`; its SHA-256 is the hash.
pub fn encode(record: &AuditRecord) -> Vec<u8> {
    let mut buf = Vec::new();
    encode_into(record, &mut buf);
    buf
}

/// The hash `record` should carry given its contents and `prev_hash`, as lowercase hex.
///
/// A record is intact when `record.hash == record_hash(&record, CryptoSuite::Intl)`.
pub fn record_hash(record: &AuditRecord, suite: impl Into<ChainSuite>) -> String {
    chain_hash(record, suite.into().at(record.seq), &mut Vec::new()).to_string()
}

/// Whether `s` has the shape of a stored hash: exactly 64 lowercase hex digits.
pub fn is_hash_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Writes the canonical encoding of `record` into `buf`, replacing its contents.
pub(crate) fn encode_into(record: &AuditRecord, buf: &mut Vec<u8>) {
    buf.clear();
    put_str(buf, &record.prev_hash);
    buf.extend_from_slice(TAG);
    buf.push(ENCODING_VERSION);
    buf.extend_from_slice(&record.seq.to_be_bytes());
    buf.extend_from_slice(&record.at_ms.to_be_bytes());
    put_str(buf, &record.actor);
    put_opt(buf, record.unit.as_deref());
    put_str(buf, &record.action);
    put_str(buf, &record.object);
    buf.push(record.result.code());
    put_opt(buf, record.client.as_deref());
    put_len(buf, record.changes.len());
    for change in &record.changes {
        put_str(buf, &change.field);
        put_opt(buf, change.before.as_deref());
        put_opt(buf, change.after.as_deref());
    }
}

/// Computes the hash of `record` with the database's suite (SHA-256 or SM3), using `buf` as
/// scratch space for the encoding.
pub(crate) fn chain_hash(record: &AuditRecord, suite: CryptoSuite, buf: &mut Vec<u8>) -> HexHash {
    encode_into(record, buf);
    HexHash::of(&suite.digest(buf.as_slice()))
}

fn put_len(buf: &mut Vec<u8>, len: usize) {
    // usize is at most 64 bits on every supported target.
    buf.extend_from_slice(&(len as u64).to_be_bytes());
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    put_len(buf, s.len());
    buf.extend_from_slice(s.as_bytes());
}

fn put_opt(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => buf.push(0),
        Some(s) => {
            buf.push(1);
            put_str(buf, s);
        }
    }
}

/// A SHA-256 digest as 64 lowercase hex digits, without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct HexHash([u8; 64]);

impl HexHash {
    fn of(digest: &[u8]) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        HexHash(out)
    }

    /// The hex digits as text.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written into the array.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for HexHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{AuditDraft, FieldChange, Outcome, seal};
    use sha2::Digest;

    fn base() -> AuditRecord {
        seal(
            AuditDraft {
                at_ms: 1_700_000_000_000,
                actor: "张三".into(),
                unit: Some("越秀区".into()),
                action: "project.update".into(),
                object: "project:123".into(),
                result: Outcome::Success,
                client: Some("10.0.0.7".into()),
                changes: vec![FieldChange {
                    field: "progress_pct".into(),
                    before: Some("40".into()),
                    after: Some("55".into()),
                }],
            },
            None,
            CryptoSuite::Intl,
        )
    }

    #[test]
    fn genesis_prev_hash_is_64_zeros() {
        assert_eq!(GENESIS_PREV_HASH.len(), 64);
        assert!(GENESIS_PREV_HASH.bytes().all(|b| b == b'0'));
    }

    #[test]
    fn hash_is_sha256_of_the_encoding_in_lowercase_hex() {
        let r = base();
        let digest = sha2::Sha256::digest(encode(&r));
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(r.hash, hex);
        assert_eq!(record_hash(&r, CryptoSuite::Intl), hex);
        assert!(is_hash_hex(&r.hash));
    }

    #[test]
    fn under_the_sm_suite_the_hash_is_sm3_of_the_same_encoding() {
        let intl = base();
        let sm = seal(intl.draft(), None, CryptoSuite::Sm);
        let digest = sm3::Sm3::digest(encode(&sm));
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(sm.hash, hex);
        assert_eq!(encode(&sm), encode(&intl), "one encoding, two hashes");
        assert_ne!(sm.hash, intl.hash);
        assert!(is_hash_hex(&sm.hash));
        assert_eq!(record_hash(&sm, CryptoSuite::Intl), intl.hash);
    }

    #[test]
    fn encoding_starts_with_prev_hash_then_versioned_tag() {
        let r = base();
        let e = encode(&r);
        assert_eq!(&e[..8], &64u64.to_be_bytes());
        assert_eq!(&e[8..72], GENESIS_PREV_HASH.as_bytes());
        assert_eq!(&e[72..72 + TAG.len()], TAG);
        assert_eq!(e[72 + TAG.len()], ENCODING_VERSION);
    }

    #[test]
    fn moving_a_string_boundary_changes_the_encoding() {
        let mut a = base();
        a.actor = "ab".into();
        a.unit = None;
        a.action = "c".into();
        let mut b = a.clone();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(encode(&a), encode(&b));

        let mut c = base();
        c.action = "x".into();
        c.object = "yz".into();
        let mut d = c.clone();
        d.action = "xy".into();
        d.object = "z".into();
        assert_ne!(encode(&c), encode(&d));
    }

    #[test]
    fn absent_and_empty_values_encode_differently() {
        let mut a = base();
        a.unit = None;
        let mut b = a.clone();
        b.unit = Some(String::new());
        assert_ne!(encode(&a), encode(&b));

        let mut c = base();
        c.changes[0].before = None;
        let mut d = c.clone();
        d.changes[0].before = Some(String::new());
        assert_ne!(encode(&c), encode(&d));
    }

    #[test]
    fn splitting_or_merging_changes_changes_the_encoding() {
        let ch = |f: &str| FieldChange {
            field: f.into(),
            before: None,
            after: None,
        };
        let mut a = base();
        a.changes = vec![ch("a"), ch("b")];
        let mut b = a.clone();
        b.changes = vec![ch("ab")];
        let mut c = a.clone();
        c.changes = vec![ch("b"), ch("a")];
        assert_ne!(encode(&a), encode(&b));
        assert_ne!(encode(&a), encode(&c));
        assert_ne!(encode(&b), encode(&c));
    }

    #[test]
    fn every_outcome_has_its_own_code() {
        let codes: Vec<u8> = Outcome::ALL.iter().map(|o| o.code()).collect();
        assert_eq!(codes, [0, 1, 2]);
    }

    #[test]
    fn hash_hex_shape_rejects_uppercase_short_and_non_hex() {
        assert!(is_hash_hex(GENESIS_PREV_HASH));
        assert!(!is_hash_hex(&GENESIS_PREV_HASH.replace('0', "A")));
        assert!(!is_hash_hex(&GENESIS_PREV_HASH[1..]));
        assert!(!is_hash_hex(&GENESIS_PREV_HASH.replacen('0', "g", 1)));
    }
}
