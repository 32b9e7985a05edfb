//! Anchors: copies of the chain head kept outside the database, one text line each.
//!
//! An anchor file is append-only text with one `seq hash at_ms` line per anchor, e.g.
//! `1234 9f86d081…0f00a08 1700000000000`. Blank lines and lines starting with `#` are ignored
//! when the file is read back.

use serde::{Deserialize, Serialize};

use crate::encoding::{GENESIS_PREV_HASH, is_hash_hex};
use crate::record::AuditRecord;

/// The chain head at one point in time: the record at `seq` must have hash `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// Sequence number of the anchored record.
    pub seq: i64,
    /// Hash of the anchored record, lowercase hex.
    pub hash: String,
    /// Time of the anchored record (ms since the Unix epoch); informative, not verified.
    pub at_ms: i64,
}

impl Anchor {
    /// The anchor for `record`, taken as the chain head.
    pub fn of(record: &AuditRecord) -> Self {
        Anchor {
            seq: record.seq,
            hash: record.hash.clone(),
            at_ms: record.at_ms,
        }
    }

    /// The position before the first record: seq 0 with hash [`GENESIS_PREV_HASH`].
    pub fn genesis() -> Self {
        Anchor {
            seq: 0,
            hash: GENESIS_PREV_HASH.to_owned(),
            at_ms: 0,
        }
    }

    /// This anchor as one line of an anchor file, `seq hash at_ms`, without the newline.
    pub fn to_line(&self) -> String {
        format!("{} {} {}", self.seq, self.hash, self.at_ms)
    }
}

/// The anchor line for `record` as chain head, `seq hash at_ms`, without the newline.
pub fn anchor_line(record: &AuditRecord) -> String {
    Anchor::of(record).to_line()
}

/// Why a line of an anchor file could not be read. `line` is 1-based (1 for
/// [`parse_anchor_line`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorParseError {
    /// The line does not have exactly three space-separated fields.
    #[error(
        "锚点文件第 {line} 行格式错误，应为“序号 哈希 时间” (anchor line {line}: expected `seq hash at_ms`)"
    )]
    Fields {
        /// 1-based line number.
        line: usize,
    },
    /// The sequence number is not a positive integer.
    #[error("锚点文件第 {line} 行的序号无效 (anchor line {line}: seq is not a positive integer)")]
    Seq {
        /// 1-based line number.
        line: usize,
    },
    /// The hash is not 64 lowercase hex digits.
    #[error(
        "锚点文件第 {line} 行的哈希无效 (anchor line {line}: hash is not 64 lowercase hex digits)"
    )]
    Hash {
        /// 1-based line number.
        line: usize,
    },
    /// The time is not an integer.
    #[error("锚点文件第 {line} 行的时间无效 (anchor line {line}: at_ms is not an integer)")]
    Time {
        /// 1-based line number.
        line: usize,
    },
}

impl AnchorParseError {
    /// The 1-based line number the error is about.
    pub fn line(&self) -> usize {
        match *self {
            AnchorParseError::Fields { line }
            | AnchorParseError::Seq { line }
            | AnchorParseError::Hash { line }
            | AnchorParseError::Time { line } => line,
        }
    }
}

/// Reads one anchor line, `seq hash at_ms` (surrounding whitespace, including `\r`, allowed).
pub fn parse_anchor_line(line: &str) -> Result<Anchor, AnchorParseError> {
    parse_numbered(line, 1)
}

/// Reads a whole anchor file, skipping blank lines and `#` comments, in file order.
///
/// Any malformed line is an error naming its line number: a damaged anchor file must not
/// silently weaken verification.
pub fn parse_anchor_file(text: &str) -> Result<Vec<Anchor>, AnchorParseError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .map(|(i, l)| parse_numbered(l, i + 1))
        .collect()
}

fn parse_numbered(text: &str, line: usize) -> Result<Anchor, AnchorParseError> {
    let mut fields = text.split_ascii_whitespace();
    let (Some(seq), Some(hash), Some(at_ms), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(AnchorParseError::Fields { line });
    };
    let seq = seq
        .parse::<i64>()
        .ok()
        .filter(|s| *s >= 1)
        .ok_or(AnchorParseError::Seq { line })?;
    if !is_hash_hex(hash) {
        return Err(AnchorParseError::Hash { line });
    }
    let at_ms = at_ms
        .parse::<i64>()
        .map_err(|_| AnchorParseError::Time { line })?;
    Ok(Anchor {
        seq,
        hash: hash.to_owned(),
        at_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn anchor_line_round_trips() {
        let a = Anchor {
            seq: 1234,
            hash: H.into(),
            at_ms: 1_700_000_000_000,
        };
        let line = a.to_line();
        assert_eq!(line, format!("1234 {H} 1700000000000"));
        assert_eq!(parse_anchor_line(&line), Ok(a));
    }

    #[test]
    fn anchor_line_tolerates_surrounding_whitespace_and_crlf() {
        let a = parse_anchor_line(&format!("  7 {H} -5\r\n")).expect("parses");
        assert_eq!((a.seq, a.at_ms), (7, -5));
    }

    #[test]
    fn malformed_anchor_lines_are_rejected_with_the_reason() {
        assert_eq!(
            parse_anchor_line(&format!("7 {H}")),
            Err(AnchorParseError::Fields { line: 1 })
        );
        assert_eq!(
            parse_anchor_line(&format!("7 {H} 1 extra")),
            Err(AnchorParseError::Fields { line: 1 })
        );
        assert_eq!(
            parse_anchor_line(&format!("0 {H} 1")),
            Err(AnchorParseError::Seq { line: 1 })
        );
        assert_eq!(
            parse_anchor_line(&format!("x {H} 1")),
            Err(AnchorParseError::Seq { line: 1 })
        );
        assert_eq!(
            parse_anchor_line(&format!("7 {} 1", H.to_uppercase())),
            Err(AnchorParseError::Hash { line: 1 })
        );
        assert_eq!(
            parse_anchor_line(&format!("7 {} 1", &H[1..])),
            Err(AnchorParseError::Hash { line: 1 })
        );
        assert_eq!(
            parse_anchor_line(&format!("7 {H} soon")),
            Err(AnchorParseError::Time { line: 1 })
        );
    }

    #[test]
    fn anchor_file_skips_blank_and_comment_lines_and_keeps_order() {
        let text = format!("# jianguan audit anchors\n\n3 {H} 30\n   \n1 {H} 10\n");
        let anchors = parse_anchor_file(&text).expect("parses");
        assert_eq!(anchors.iter().map(|a| a.seq).collect::<Vec<_>>(), [3, 1]);
    }

    #[test]
    fn anchor_file_error_names_the_line() {
        let text = format!("1 {H} 10\n\n2 {H}\n");
        let err = parse_anchor_file(&text).expect_err("line 3 is torn");
        assert_eq!(err, AnchorParseError::Fields { line: 3 });
        assert_eq!(err.line(), 3);
        let msg = err.to_string();
        assert!(
            msg.contains("第 3 行") && msg.contains("anchor line 3"),
            "{msg}"
        );
    }

    #[test]
    fn genesis_anchor_is_seq_zero_with_zero_hash() {
        let g = Anchor::genesis();
        assert_eq!((g.seq, g.hash.as_str()), (0, GENESIS_PREV_HASH));
    }
}
