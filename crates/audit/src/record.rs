//! The audit record, its draft (what callers fill in) and [`seal`], which chains a draft.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::encoding::{GENESIS_PREV_HASH, chain_hash};
use crate::suite::ChainSuite;

/// How the audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The action was carried out.
    Success,
    /// The action was attempted and failed (wrong password, invalid input, …).
    Failure,
    /// The action was refused by access control (out of scope, missing role, CSRF, …).
    Denied,
}

impl Outcome {
    /// Every outcome, in encoding order.
    pub const ALL: [Outcome; 3] = [Outcome::Success, Outcome::Failure, Outcome::Denied];

    /// Stable lowercase name, for storage: `success`, `failure`, `denied`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }

    /// Chinese label for pages and exports: 成功, 失败, 拒绝.
    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Success => "成功",
            Outcome::Failure => "失败",
            Outcome::Denied => "拒绝",
        }
    }

    /// The byte that stands for this outcome in the canonical encoding.
    pub(crate) fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::Denied => 2,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored outcome name that is not one of `success`, `failure`, `denied`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的审计结果 “{0}” (unknown audit outcome {0:?})")]
pub struct UnknownOutcome(pub String);

impl FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownOutcome(s.to_owned()))
    }
}

/// One changed field of the audited object, with its value before and after the action.
///
/// `None` means the field had no value (was absent or unset), which is distinct from `Some("")`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Field name, e.g. `progress_pct`.
    pub field: String,
    /// Value before the action, as text.
    pub before: Option<String>,
    /// Value after the action, as text.
    pub after: Option<String>,
}

/// An audit record as the caller describes it, before [`seal`] numbers and chains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDraft {
    /// When the action happened, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Who acted: a user name, or `system` for automatic actions.
    pub actor: String,
    /// The actor's organisation unit, if any.
    pub unit: Option<String>,
    /// What was done, e.g. `login.failed`, `project.update`, `access.denied`, `export.xlsx`.
    pub action: String,
    /// What it was done to, e.g. `project:123`.
    pub object: String,
    /// How it ended.
    pub result: Outcome,
    /// The client address, if the action came over the network.
    pub client: Option<String>,
    /// Before/after values of the fields the action changed.
    pub changes: Vec<FieldChange>,
}

impl AuditDraft {
    /// A successful `action` by `actor` on `object` at `at_ms`, with no unit, client or changes
    /// (set those fields as needed).
    pub fn new(
        at_ms: i64,
        actor: impl Into<String>,
        action: crate::AuditAction,
        object: impl Into<String>,
    ) -> AuditDraft {
        AuditDraft {
            at_ms,
            actor: actor.into(),
            unit: None,
            action: action.code(),
            object: object.into(),
            result: Outcome::Success,
            client: None,
            changes: Vec::new(),
        }
    }

    /// The draft with `field` changed from `before` to `after` added.
    pub fn change(
        mut self,
        field: &str,
        before: Option<String>,
        after: impl ToString,
    ) -> AuditDraft {
        self.changes.push(FieldChange {
            field: field.to_string(),
            before,
            after: Some(after.to_string()),
        });
        self
    }
}

/// A sealed audit record: a draft plus its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the chain: 1-based and gapless.
    pub seq: i64,
    /// When the action happened, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Who acted: a user name, or `system` for automatic actions.
    pub actor: String,
    /// The actor's organisation unit, if any.
    pub unit: Option<String>,
    /// What was done, e.g. `login.failed`, `project.update`, `access.denied`, `export.xlsx`.
    pub action: String,
    /// What it was done to, e.g. `project:123`.
    pub object: String,
    /// How it ended.
    pub result: Outcome,
    /// The client address, if the action came over the network.
    pub client: Option<String>,
    /// Before/after values of the fields the action changed.
    pub changes: Vec<FieldChange>,
    /// Hash of the previous record (lowercase hex); [`GENESIS_PREV_HASH`] for the first one.
    pub prev_hash: String,
    /// Hash (SHA-256 or SM3, by the database's suite) of this record's
    /// [canonical encoding](crate::encode), lowercase hex.
    pub hash: String,
}

impl AuditRecord {
    /// The caller-supplied part of the record, without its chain position and hashes.
    pub fn draft(&self) -> AuditDraft {
        AuditDraft {
            at_ms: self.at_ms,
            actor: self.actor.clone(),
            unit: self.unit.clone(),
            action: self.action.clone(),
            object: self.object.clone(),
            result: self.result,
            client: self.client.clone(),
            changes: self.changes.clone(),
        }
    }
}

/// Chains `draft` after `prev` (the current chain head, `None` for an empty chain): assigns
/// `seq = prev.seq + 1` (or 1), `prev_hash = prev.hash` (or [`GENESIS_PREV_HASH`]) and computes
/// `hash` with the chain's `suite` (the database's, for this record's `seq`).
///
/// The caller must pass the real head and store the result in the same transaction, so that two
/// concurrent writers cannot both chain to the same head.
pub fn seal(
    draft: AuditDraft,
    prev: Option<&AuditRecord>,
    suite: impl Into<ChainSuite>,
) -> AuditRecord {
    let (seq, prev_hash) = match prev {
        Some(p) => (p.seq.saturating_add(1), p.hash.clone()),
        None => (1, GENESIS_PREV_HASH.to_owned()),
    };
    let AuditDraft {
        at_ms,
        actor,
        unit,
        action,
        object,
        result,
        client,
        changes,
    } = draft;
    let mut record = AuditRecord {
        seq,
        at_ms,
        actor,
        unit,
        action,
        object,
        result,
        client,
        changes,
        prev_hash,
        hash: String::new(),
    };
    record.hash = chain_hash(&record, suite.into().at(seq), &mut Vec::new()).to_string();
    record
}
