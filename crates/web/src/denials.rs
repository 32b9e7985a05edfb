//! Denials counted, not each written: a source (client address, actor, action, object) refused
//! again and again within one minute leaves two audit records, the first denial at once and one
//! record with the count of the rest when the minute is over (at the source's next denial after
//! it, by the server's flush task, or at shutdown). The trail loses nothing — the counts add up
//! to the denials — and an anonymous client cannot fill it at the request rate.

use std::collections::HashMap;
use std::sync::Mutex;

use jianguan_audit::{AuditDraft, FieldChange};
use jianguan_domain::store::Store;

/// The field of a summary record's change that holds how many denials it stands for.
pub const COUNT_FIELD: &str = "count";

/// Sources counted at once; past this, denials are written one by one (never dropped).
const MAX_SOURCES: usize = 100_000;

const MINUTE_MS: i64 = 60_000;

type Key = (Option<String>, String, String, String);

#[derive(Debug)]
struct Counting {
    minute: i64,
    /// Denials after the first in this minute, not yet written.
    more: u64,
    /// The first denial of the minute, the summary's template.
    first: AuditDraft,
}

/// The denials of this node being counted.
#[derive(Debug, Default)]
pub struct DenialLog {
    sources: Mutex<HashMap<Key, Counting>>,
}

/// The record that stands for `more` denials like `first` in its minute.
fn summary(first: &AuditDraft, more: u64, minute: i64) -> AuditDraft {
    let mut record = first.clone();
    record.at_ms = (minute + 1) * MINUTE_MS - 1;
    record.object = format!("{}（同一来源本分钟内又被拒绝 {more} 次）", first.object);
    record.changes = vec![FieldChange {
        field: COUNT_FIELD.into(),
        before: None,
        after: Some(more.to_string()),
    }];
    record
}

impl DenialLog {
    /// Counts `denial`; returns the records to write now (the first of a minute, and the summary
    /// of the source's previous minute if it had more).
    pub fn count(&self, denial: AuditDraft) -> Vec<AuditDraft> {
        let minute = denial.at_ms.div_euclid(MINUTE_MS);
        let key = (
            denial.client.clone(),
            denial.actor.clone(),
            denial.action.clone(),
            denial.object.clone(),
        );
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        let room = sources.len() < MAX_SOURCES;
        match sources.get_mut(&key) {
            Some(c) if c.minute == minute => {
                c.more += 1;
                return out;
            }
            Some(c) => {
                if c.more > 0 {
                    out.push(summary(&c.first, c.more, c.minute));
                }
                *c = Counting {
                    minute,
                    more: 0,
                    first: denial.clone(),
                };
            }
            None if room => {
                sources.insert(
                    key,
                    Counting {
                        minute,
                        more: 0,
                        first: denial.clone(),
                    },
                );
            }
            None => {}
        }
        out.push(denial);
        out
    }

    /// Takes the summaries of minutes ended before `now_ms` (all of them when `now_ms` is
    /// `None`), forgetting those sources.
    pub fn take_ended(&self, now_ms: Option<i64>) -> Vec<AuditDraft> {
        let minute = now_ms.map(|t| t.div_euclid(MINUTE_MS));
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        sources.retain(|_, c| {
            if minute.is_some_and(|m| c.minute >= m) {
                return true;
            }
            if c.more > 0 {
                out.push(summary(&c.first, c.more, c.minute));
            }
            false
        });
        out
    }

    /// Counts `denial` and writes what is due.
    pub async fn record(
        &self,
        store: &dyn Store,
        denial: AuditDraft,
    ) -> Result<(), jianguan_domain::store::StoreError> {
        for record in self.count(denial) {
            store.append_audit(&record).await?;
        }
        Ok(())
    }

    /// Writes the summaries of minutes ended before `now_ms`.
    pub async fn flush_ended(&self, store: &dyn Store, now_ms: i64) {
        write_all(store, self.take_ended(Some(now_ms))).await;
    }

    /// Writes every count still held (at shutdown).
    pub async fn flush_all(&self, store: &dyn Store) {
        write_all(store, self.take_ended(None)).await;
    }
}

async fn write_all(store: &dyn Store, records: Vec<AuditDraft>) {
    for record in records {
        if let Err(e) = store.append_audit(&record).await {
            tracing::error!(error = %e, action = %record.action, "a denial count was not written");
        }
    }
}

/// How many denials a record stands for: its count, or one.
pub fn denials_in(changes: &[FieldChange]) -> u64 {
    changes
        .iter()
        .find(|c| c.field == COUNT_FIELD)
        .and_then(|c| c.after.as_deref())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jianguan_audit::Outcome;

    fn denial(at_ms: i64, client: &str) -> AuditDraft {
        AuditDraft {
            at_ms,
            actor: "anonymous".into(),
            unit: None,
            action: jianguan_audit::AuditAction::CsrfDenied.code(),
            object: "POST /items/1/events".into(),
            result: Outcome::Denied,
            client: Some(client.into()),
            changes: Vec::new(),
        }
    }

    #[test]
    fn repeated_denials_in_a_minute_are_one_record_with_a_count_and_nothing_is_lost() {
        let log = DenialLog::default();
        let mut written = Vec::new();
        for i in 0..300 {
            written.extend(log.count(denial(60_000 + i * 100, "192.0.2.1")));
        }
        assert_eq!(written.len(), 1, "only the first is written at once");
        // Another source is counted apart.
        written.extend(log.count(denial(60_500, "192.0.2.2")));
        assert_eq!(written.len(), 2);
        // The next minute: the source's previous count is written before its new first denial.
        let next = log.count(denial(120_001, "192.0.2.1"));
        assert_eq!(next.len(), 2);
        assert_eq!(denials_in(&next[0].changes), 299);
        assert!(
            next[0].at_ms < 120_000,
            "the summary is dated in its minute"
        );
        written.extend(next);
        for i in 0..10 {
            written.extend(log.count(denial(120_100 + i, "192.0.2.1")));
        }
        assert!(log.take_ended(Some(150_000)).is_empty(), "minute not over");
        written.extend(log.take_ended(Some(180_000)));
        let total: u64 = written.iter().map(|r| denials_in(&r.changes)).sum();
        assert_eq!(total, 300 + 1 + 1 + 10);
        assert_eq!(written.len(), 5);
        assert!(log.take_ended(None).is_empty(), "everything flushed");
    }
}
