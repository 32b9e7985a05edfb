//! Streaming verification of a record chain against its anchors.
//!
//! Records are checked in the order given (the store should read them by `seq`), one at a time,
//! so memory stays constant whatever the chain length; only the anchors are held. For each
//! record, in this order:
//!
//! 1. its `seq` must be the next number (a gap is a deletion, or a reordering when the record
//!    after it goes back down; a repeat is an insertion);
//! 2. its hash must match its content, and its `prev_hash` the hash of the record before;
//! 3. if an anchor names its `seq`, the anchor's hash must be its hash (otherwise the chain was
//!    rewritten with recomputed hashes).
//!
//! After the last record, no anchor may lie beyond it (otherwise the tail was cut off).
//! The first failure stops verification and names the first bad record.

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};

use crate::anchor::Anchor;
use crate::encoding::chain_hash;
use crate::record::AuditRecord;
use crate::suite::ChainSuite;

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifySummary {
    /// Number of records checked.
    pub records: u64,
    /// `seq` of the first record, `None` for an empty chain.
    pub first_seq: Option<i64>,
    /// `seq` of the last record, `None` for an empty chain.
    pub last_seq: Option<i64>,
    /// Number of anchors matched against a record.
    pub anchors_checked: usize,
}

/// The first bad record found, with a message in Chinese then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The record's content no longer matches its hash: a field was edited.
    #[error("第 {seq} 条审计记录被修改 (record {seq} was altered)")]
    Altered {
        /// The edited record.
        seq: i64,
    },
    /// The record neither matches its own hash nor links to the record before it: it was
    /// edited (e.g. renumbered or re-pointed), or records before it were deleted or inserted.
    #[error(
        "第 {seq} 条审计记录与前一条不衔接：该记录被修改，或其前有记录被删除或插入 \
         (record {seq} does not chain to the record before it: it was altered, or records \
         before it were deleted or inserted)"
    )]
    BrokenLink {
        /// The record that does not link.
        seq: i64,
    },
    /// The record is self-consistent but the next one does not link to it: it was replaced,
    /// or edited and re-hashed.
    #[error(
        "第 {seq} 条审计记录被替换或修改后重算了哈希，第 {next} 条与之不衔接 \
         (record {seq} was replaced or altered and re-hashed: record {next} does not chain to it)",
        next = .seq + 1
    )]
    Replaced {
        /// The replaced record.
        seq: i64,
    },
    /// A record is missing: the next record present has a higher `seq`.
    #[error(
        "第 {seq} 条审计记录缺失或被移走，其位置上是第 {found} 条 \
         (record {seq} is missing or moved: record {found} comes in its place)"
    )]
    Missing {
        /// The first missing record.
        seq: i64,
        /// The `seq` found where it belongs.
        found: i64,
    },
    /// Records are out of order: a later record stands where this one belongs, and the
    /// sequence goes back down after it.
    #[error(
        "审计记录顺序被调换：第 {seq} 条的位置上是第 {found} 条 \
         (records were reordered: record {found} stands where record {seq} belongs)"
    )]
    Reordered {
        /// The record whose place is taken.
        seq: i64,
        /// The `seq` found in its place.
        found: i64,
    },
    /// A `seq` appears again: a record was inserted (or copied).
    #[error(
        "第 {seq} 条审计记录重复出现，有记录被插入 (record {seq} appears twice: a record was inserted)"
    )]
    Duplicate {
        /// The repeated `seq`.
        seq: i64,
    },
    /// The records end before an anchored record: the tail was cut off.
    #[error(
        "审计链被截断：第 {seq} 条起的记录缺失，而锚点记录了第 {anchor_seq} 条 \
         (the chain was cut off: records from {seq} on are missing, but an anchor vouches for \
         record {anchor_seq})"
    )]
    Truncated {
        /// The first missing record.
        seq: i64,
        /// The anchored `seq` beyond the end.
        anchor_seq: i64,
    },
    /// The record at an anchored `seq` has a different hash than the anchor: the chain was
    /// rewritten with recomputed hashes somewhere from `from` to `seq`.
    #[error(
        "第 {seq} 条审计记录与锚点不符，审计链在第 {from} 至 {seq} 条之间被重写 \
         (record {seq} does not match its anchor: the chain was rewritten between records \
         {from} and {seq})"
    )]
    Rewritten {
        /// The anchored record that does not match.
        seq: i64,
        /// First record that may have been rewritten (just after the last matching anchor).
        from: i64,
    },
}

impl VerifyError {
    /// The record the error names: the first record known to be bad (or missing).
    pub fn seq(&self) -> i64 {
        match *self {
            VerifyError::Altered { seq }
            | VerifyError::BrokenLink { seq }
            | VerifyError::Replaced { seq }
            | VerifyError::Missing { seq, .. }
            | VerifyError::Reordered { seq, .. }
            | VerifyError::Duplicate { seq }
            | VerifyError::Truncated { seq, .. }
            | VerifyError::Rewritten { seq, .. } => seq,
        }
    }
}

/// Verifies a whole chain, starting at record 1 from [`GENESIS_PREV_HASH`](crate::GENESIS_PREV_HASH).
///
/// `records` must come in storage order (by `seq`); owned records and references both work.
/// `anchors` may be in any order. An empty chain with no anchors passes.
pub fn verify<I>(
    records: I,
    anchors: &[Anchor],
    suite: impl Into<ChainSuite>,
) -> Result<VerifySummary, VerifyError>
where
    I: IntoIterator,
    I::Item: Borrow<AuditRecord>,
{
    verify_after(&Anchor::genesis(), records, anchors, suite)
}

/// Verifies a chain whose records up to `base.seq` have been pruned: the first record must be
/// `base.seq + 1` and chain to `base.hash`. Anchors at or before `base.seq` are ignored.
///
/// `base` must come from a trusted source, i.e. an anchor; [`verify`] is this with
/// [`Anchor::genesis`].
pub fn verify_after<I>(
    base: &Anchor,
    records: I,
    anchors: &[Anchor],
    suite: impl Into<ChainSuite>,
) -> Result<VerifySummary, VerifyError>
where
    I: IntoIterator,
    I::Item: Borrow<AuditRecord>,
{
    let suite = suite.into();
    let mut pending: Vec<&Anchor> = anchors.iter().filter(|a| a.seq > base.seq).collect();
    pending.sort_by_key(|a| a.seq);
    let mut pending = pending.into_iter().peekable();

    let mut summary = VerifySummary {
        records: 0,
        first_seq: None,
        last_seq: None,
        anchors_checked: 0,
    };
    let mut expected = base.seq.saturating_add(1);
    let mut prev_seq = base.seq;
    let mut prev_hash = base.hash.clone();
    let mut last_matching_anchor = base.seq;
    let mut scratch = Vec::new();

    let mut records = records.into_iter().peekable();
    while let Some(item) = records.next() {
        let record = item.borrow();
        let seq = record.seq;
        if seq > expected {
            let goes_back = records.peek().is_some_and(|n| n.borrow().seq < seq);
            return Err(if goes_back {
                VerifyError::Reordered {
                    seq: expected,
                    found: seq,
                }
            } else {
                VerifyError::Missing {
                    seq: expected,
                    found: seq,
                }
            });
        }
        if seq < expected {
            return Err(VerifyError::Duplicate { seq });
        }

        let intact = chain_hash(record, suite.at(seq), &mut scratch).as_str() == record.hash;
        let linked = record.prev_hash == prev_hash;
        match (intact, linked) {
            (true, true) => {}
            (false, true) => return Err(VerifyError::Altered { seq }),
            (true, false) if prev_seq > base.seq => {
                return Err(VerifyError::Replaced { seq: prev_seq });
            }
            _ => return Err(VerifyError::BrokenLink { seq }),
        }

        let mut anchored = false;
        while let Some(anchor) = pending.next_if(|a| a.seq == seq) {
            if anchor.hash != record.hash {
                return Err(VerifyError::Rewritten {
                    seq,
                    from: last_matching_anchor.saturating_add(1),
                });
            }
            summary.anchors_checked += 1;
            anchored = true;
        }
        if anchored {
            last_matching_anchor = seq;
        }

        prev_hash.clear();
        prev_hash.push_str(&record.hash);
        prev_seq = seq;
        expected = seq.saturating_add(1);
        summary.records += 1;
        summary.first_seq.get_or_insert(seq);
        summary.last_seq = Some(seq);
    }

    if let Some(anchor) = pending.next() {
        return Err(VerifyError::Truncated {
            seq: expected,
            anchor_seq: anchor.seq,
        });
    }
    Ok(summary)
}
