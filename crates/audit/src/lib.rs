//! Tamper-evident audit trail for jianguan: hash-chained records, anchors and verification.
//!
//! Every audited action (a write, a login or failed login, a denial, an export, a role change)
//! becomes an [`AuditRecord`]. [`seal`] numbers it (1-based, gapless) and chains it to the record
//! before it: `hash = H(encoding)`, `H` being the database's [`CryptoSuite`] hash (SHA-256 or
//! SM3), where the [canonical encoding](encode) starts with the
//! previous record's hash and then carries every other field but `hash`. The first record chains
//! to [`GENESIS_PREV_HASH`] (64 zeros).
//!
//! The chain alone shows edits, deletions, insertions and reorderings, but not an attacker who
//! recomputes every hash or cuts the tail off. So the chain head is copied periodically, as an
//! [`Anchor`] line ([`anchor_line`]), into an append-only file outside the database; [`verify`]
//! checks the records against those anchors and names the first bad record.
//!
//! What anchors cannot cover: records appended after the newest anchor can be removed or
//! rewritten undetectably by someone who controls the database. Anchor often.
//!
//! This crate is pure: no I/O, no clock, no async. Callers read records and anchor files and
//! pass them in.

mod action;
mod anchor;
mod encoding;
mod record;
mod suite;
mod verify;

pub use action::AuditAction;
pub use anchor::{Anchor, AnchorParseError, anchor_line, parse_anchor_file, parse_anchor_line};
pub use encoding::{ENCODING_VERSION, GENESIS_PREV_HASH, encode, is_hash_hex, record_hash};
pub use record::{AuditDraft, AuditRecord, FieldChange, Outcome, UnknownOutcome, seal};
pub use suite::{
    ChainSuite, CryptoSuite, IntegrityCheck, UnknownSuite, check_integrity_code, integrity_code,
};
pub use verify::{VerifyError, VerifySummary, verify, verify_after};
