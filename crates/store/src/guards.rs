//! The append-only guards: the triggers the migrations create so that audit records and the
//! other histories (warning and item events, entered values, published score runs, objections
//! and decisions, acts) cannot be changed or deleted through SQL. `audit verify` reports any that
//! are missing or disabled (`AuditStore::missing_append_only_guards`); a test checks these lists
//! against the migrations.

/// The guards on SQLite.
pub(crate) const SQLITE: &[&str] = &[
    "audit_log_no_update",
    "audit_log_no_delete",
    "warning_events_no_update",
    "warning_events_no_delete",
    "item_events_no_update",
    "item_events_no_delete",
    "tracked_items_no_delete",
    "indicator_values_no_update",
    "indicator_values_no_delete",
    "score_runs_published_no_update",
    "score_runs_published_no_delete",
    "objections_no_update",
    "objections_no_delete",
    "objection_decisions_no_update",
    "objection_decisions_no_delete",
    "item_acts_no_update",
    "item_acts_no_delete",
    "act_dismissals_no_update",
    "act_dismissals_no_delete",
    "crypto_suite_no_update",
    "crypto_suite_no_delete",
];

/// The guards on PostgreSQL.
pub(crate) const POSTGRES: &[&str] = &[
    "audit_log_no_update",
    "audit_log_no_delete",
    "audit_log_no_truncate",
    "warning_events_no_change",
    "item_events_no_change",
    "tracked_items_no_delete",
    "indicator_values_no_change",
    "score_runs_published_frozen",
    "objections_no_change",
    "objection_decisions_no_change",
    "item_acts_no_change",
    "act_dismissals_no_change",
    "crypto_suite_no_change",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Every trigger the migrations of `backend` create.
    fn created(backend: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut names = BTreeSet::new();
        for entry in std::fs::read_dir(dir).expect("migrations") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("sql");
            for line in text.lines() {
                if let Some(rest) = line.trim().strip_prefix("CREATE TRIGGER ") {
                    names.insert(rest.split_whitespace().next().unwrap_or("").to_string());
                }
            }
        }
        names
    }

    #[test]
    fn the_lists_name_every_trigger_the_migrations_create() {
        for (backend, list) in [("sqlite", super::SQLITE), ("postgres", super::POSTGRES)] {
            let listed: BTreeSet<String> = list.iter().map(|s| s.to_string()).collect();
            assert_eq!(listed, created(backend), "{backend}");
        }
    }
}
