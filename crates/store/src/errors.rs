//! Database errors in the domain's terms, in one place: a unique violation names the field that
//! is taken, a foreign-key violation the reference (where the backend says which), anything else
//! is a backend failure whose text is for logs only.
//!
//! Both backends are read from what they report: SQLite's message names the columns
//! (`UNIQUE constraint failed: accounts.username_key`), PostgreSQL's detail does
//! (`Key (username_key)=(…) already exists.`), with the table alongside.

use jianguan_domain::store::{Field, StoreError};
use sqlx::error::DatabaseError;

/// The one mapping of sqlx errors to [`StoreError`].
pub(crate) fn backend_error(e: sqlx::Error) -> StoreError {
    let sqlx::Error::Database(db) = &e else {
        return StoreError::Backend(e.to_string());
    };
    if db.is_unique_violation() {
        let field = violated(db.as_ref())
            .map(|(table, columns)| unique_field(&table, &columns))
            .unwrap_or_else(|| Field::Other(db.constraint().unwrap_or("unknown").to_string()));
        return StoreError::Duplicate { field, value: None };
    }
    if db.is_foreign_key_violation() {
        // SQLite does not say which reference failed: the field stays unnamed.
        let field = violated(db.as_ref()).map(|(_, columns)| reference_field(&columns));
        return StoreError::MissingReference { field };
    }
    StoreError::Backend(e.to_string())
}

/// The table and columns a constraint violation is about, as the backend reports them.
fn violated(db: &dyn DatabaseError) -> Option<(String, Vec<String>)> {
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let table = pg.table()?.to_string();
        let columns = pg
            .detail()
            .and_then(detail_columns)
            .or_else(|| constraint_column(pg.constraint()?, &table).map(|c| vec![c]))?;
        return Some((table, columns));
    }
    sqlite_columns(db.message())
}

/// `UNIQUE constraint failed: t.a, t.b` → (`t`, [`a`, `b`]).
fn sqlite_columns(message: &str) -> Option<(String, Vec<String>)> {
    let (_, list) = message.split_once("constraint failed: ")?;
    let mut table = None;
    let mut columns = Vec::new();
    for item in list.split(',') {
        let (t, c) = item.trim().split_once('.')?;
        table.get_or_insert_with(|| t.to_string());
        columns.push(c.to_string());
    }
    Some((table?, columns))
}

/// PostgreSQL's `Key (a, b)=(…) …` → [`a`, `b`].
fn detail_columns(detail: &str) -> Option<Vec<String>> {
    let rest = detail.strip_prefix("Key (")?;
    let (list, _) = rest.split_once(")=(")?;
    Some(list.split(',').map(|c| c.trim().to_string()).collect())
}

/// A PostgreSQL constraint name as it names its one column by default: `accounts_username_key_key`
/// → `username_key`, `accounts_unit_id_fkey` → `unit_id`, `units_pkey` → `id`.
fn constraint_column(constraint: &str, table: &str) -> Option<String> {
    let rest = constraint.strip_prefix(table)?.strip_prefix('_')?;
    if rest == "pkey" {
        return Some("id".to_string());
    }
    rest.strip_suffix("_fkey")
        .or_else(|| rest.strip_suffix("_key"))
        .map(str::to_string)
}

/// What a unique constraint on `table`'s `columns` keeps unique.
fn unique_field(table: &str, columns: &[String]) -> Field {
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    match (table, columns.as_slice()) {
        ("accounts", ["username_key"]) => Field::Username,
        ("projects", ["code"]) => Field::ProjectCode,
        ("categories", ["code"]) => Field::CategoryCode,
        ("scoring_schemes", ["year", "version"]) => Field::SchemeVersion,
        ("score_runs", ["month", "kind", "version"]) => Field::RunVersion,
        ("progress_reports", ["project_id", "period_id", "version"]) => Field::ReportVersion,
        ("item_events", ["item_id", "seq"]) => Field::ItemEvent,
        ("settings", ["key", "version"]) => Field::SettingVersion,
        ("objection_decisions", ["objection_id"]) => Field::ObjectionDecision,
        ("units", ["id"]) => Field::Unit,
        ("projects", ["id"]) => Field::Project,
        ("categories", ["id"]) => Field::Category,
        ("milestones", ["id"]) => Field::Milestone,
        ("reporting_periods", ["id"]) => Field::Period,
        ("progress_reports", ["id"]) => Field::Report,
        ("accounts", ["id"]) => Field::Account,
        ("tracked_items", ["id"]) => Field::Item,
        _ => Field::Other(format!("{table}.{}", columns.join(","))),
    }
}

/// What a foreign key on `columns` refers to.
fn reference_field(columns: &[String]) -> Field {
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    match columns.as_slice() {
        [
            "unit_id"
            | "district_id"
            | "owner_id"
            | "issuer_id"
            | "lead_unit_id"
            | "responsible_unit_id"
            | "sub_hq_id"
            | "parent_id",
        ] => Field::Unit,
        ["project_id"] => Field::Project,
        ["category_id"] => Field::Category,
        ["milestone_id"] => Field::Milestone,
        ["period_id"] => Field::Period,
        ["report_id"] => Field::Report,
        ["account_id"] => Field::Account,
        ["item_id"] => Field::Item,
        ["scheme_year", "scheme_version"] => Field::SchemeVersion,
        ["month", "kind", "run_version"] => Field::RunVersion,
        _ => Field::Other(columns.join(",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_messages_name_table_and_columns() {
        let (table, columns) =
            sqlite_columns("UNIQUE constraint failed: accounts.username_key").unwrap();
        assert_eq!(unique_field(&table, &columns), Field::Username);
        let (table, columns) = sqlite_columns(
            "UNIQUE constraint failed: scoring_schemes.year, scoring_schemes.version",
        )
        .unwrap();
        assert_eq!(unique_field(&table, &columns), Field::SchemeVersion);
        assert_eq!(sqlite_columns("FOREIGN KEY constraint failed"), None);
    }

    #[test]
    fn postgres_details_and_constraint_names_name_the_columns() {
        assert_eq!(
            detail_columns("Key (username_key)=(alice) already exists.").unwrap(),
            ["username_key"]
        );
        assert_eq!(
            detail_columns("Key (year, version)=(2021, 1) already exists.").unwrap(),
            ["year", "version"]
        );
        assert_eq!(
            constraint_column("accounts_username_key_key", "accounts").unwrap(),
            "username_key"
        );
        assert_eq!(
            constraint_column("accounts_unit_id_fkey", "accounts").unwrap(),
            "unit_id"
        );
        assert_eq!(constraint_column("units_pkey", "units").unwrap(), "id");
        assert_eq!(reference_field(&["unit_id".to_string()]), Field::Unit);
        assert_eq!(
            unique_field("projects", &["code".to_string()]),
            Field::ProjectCode
        );
    }
}
