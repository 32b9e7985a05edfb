//! Wall links (table `wall_links`, migration 0015): made and revoked by the office, each in one
//! transaction with its audit record; read by token hash on every request of the wall they
//! open. They are not records of the campaign: no write here moves the data version or logs a
//! change (no node's read model depends on them).

use jianguan_domain::model::UnitId;
use jianguan_domain::store::{RecordScope, StoreError, WallLinkRecord};

use crate::codec::unreadable;

/// The columns every read takes, in [`Row`]'s order.
pub(crate) const COLUMNS: &str = "id, token_hash, label, scope_kind, scope_unit, created_by, \
     created_at_ms, expires_on, revoked_at_ms, revoked_by, last_used_ms";

/// A stored row as read, in [`COLUMNS`]' order.
pub(crate) type Row = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// A scope as stored: its kind's code and its unit.
pub(crate) fn encode_scope(scope: RecordScope) -> (&'static str, Option<i64>) {
    match scope {
        RecordScope::All => ("all", None),
        RecordScope::District(u) => ("district", Some(u.0)),
        RecordScope::Line(u) => ("line", Some(u.0)),
        RecordScope::LeadUnit(u) => ("lead_unit", Some(u.0)),
        RecordScope::ResponsibleUnit(u) => ("responsible_unit", Some(u.0)),
        RecordScope::Nothing => ("nothing", None),
    }
}

/// The scope a stored kind and unit name.
fn decode_scope(id: i64, kind: &str, unit: Option<i64>) -> Result<RecordScope, StoreError> {
    let unit = || {
        unit.map(UnitId)
            .ok_or_else(|| unreadable(format!("wall link {id}: scope {kind} without a unit")))
    };
    Ok(match kind {
        "all" => RecordScope::All,
        "district" => RecordScope::District(unit()?),
        "line" => RecordScope::Line(unit()?),
        "lead_unit" => RecordScope::LeadUnit(unit()?),
        "responsible_unit" => RecordScope::ResponsibleUnit(unit()?),
        "nothing" => RecordScope::Nothing,
        other => return Err(unreadable(format!("wall link {id}: scope kind {other}"))),
    })
}

/// A stored row as the port returns it.
pub(crate) fn from_row(row: Row) -> Result<WallLinkRecord, StoreError> {
    let (
        id,
        token_hash,
        label,
        kind,
        unit,
        created_by,
        created_at_ms,
        expires,
        revoked_at_ms,
        revoked_by,
        last_used_ms,
    ) = row;
    let expires_on = expires
        .map(|d| {
            d.parse()
                .map_err(|_| unreadable(format!("wall link {id}: expiry {d}")))
        })
        .transpose()?;
    Ok(WallLinkRecord {
        id,
        token_hash,
        label,
        scope: decode_scope(id, &kind, unit)?,
        created_by,
        created_at_ms,
        expires_on,
        revoked_at_ms,
        revoked_by,
        last_used_ms,
    })
}

macro_rules! backend_wall_links {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use jianguan_audit::AuditDraft;
            use jianguan_domain::store::{StoreError, WallLinkRecord};
            use sqlx::Pool;

            use super::{COLUMNS, Row, encode_scope, from_row};
            use crate::backend_error;
            use crate::codec::$codec::{append_audit_tx, begin_write, next_id};

            type Db = $db;

            pub(crate) async fn create(
                pool: &Pool<Db>,
                link: &WallLinkRecord,
                audit: &AuditDraft,
            ) -> Result<i64, StoreError> {
                let mut tx = begin_write(pool).await?;
                let id = next_id(&mut tx, "wall_links").await?;
                let (kind, unit) = encode_scope(link.scope);
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO wall_links ({COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                )))
                .bind(id)
                .bind(&link.token_hash)
                .bind(&link.label)
                .bind(kind)
                .bind(unit)
                .bind(&link.created_by)
                .bind(link.created_at_ms)
                .bind(link.expires_on.map(|d| d.to_string()))
                .bind(link.revoked_at_ms)
                .bind(link.revoked_by.clone())
                .bind(link.last_used_ms)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                let mut audit = audit.clone();
                audit.object = format!("wall_link:{id}");
                append_audit_tx(&mut tx, vec![audit]).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(id)
            }

            pub(crate) async fn list(pool: &Pool<Db>) -> Result<Vec<WallLinkRecord>, StoreError> {
                let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM wall_links ORDER BY id DESC"
                )))
                .fetch_all(pool)
                .await
                .map_err(backend_error)?;
                rows.into_iter().map(from_row).collect()
            }

            pub(crate) async fn by_token(
                pool: &Pool<Db>,
                token_hash: &str,
            ) -> Result<Option<WallLinkRecord>, StoreError> {
                let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM wall_links WHERE token_hash = $1"
                )))
                .bind(token_hash)
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?;
                row.map(from_row).transpose()
            }

            pub(crate) async fn revoke(
                pool: &Pool<Db>,
                id: i64,
                by: &str,
                at_ms: i64,
                audit: &AuditDraft,
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                let revoked: Option<(Option<i64>,)> =
                    sqlx::query_as("SELECT revoked_at_ms FROM wall_links WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                match revoked {
                    None => return Err(StoreError::NotFound(format!("大屏链接（编号 {id}）"))),
                    Some((Some(_),)) => {
                        return Err(StoreError::Conflict(format!("大屏链接（编号 {id}）已撤销")));
                    }
                    Some((None,)) => {}
                }
                sqlx::query(
                    "UPDATE wall_links SET revoked_at_ms = $1, revoked_by = $2 \
                     WHERE id = $3 AND revoked_at_ms IS NULL",
                )
                .bind(at_ms)
                .bind(by)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                let mut audit = audit.clone();
                audit.object = format!("wall_link:{id}");
                append_audit_tx(&mut tx, vec![audit]).await?;
                tx.commit().await.map_err(backend_error)
            }

            pub(crate) async fn touch(
                pool: &Pool<Db>,
                id: i64,
                at_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE wall_links SET last_used_ms = $1 WHERE id = $2")
                    .bind(at_ms)
                    .bind(id)
                    .execute(pool)
                    .await
                    .map_err(backend_error)?;
                Ok(())
            }
        }
    };
}

backend_wall_links!(sqlite_wall_links, sqlite_codec, sqlx::Sqlite);
backend_wall_links!(postgres_wall_links, postgres_codec, sqlx::Postgres);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_reads_back_as_stored() {
        for scope in [
            RecordScope::All,
            RecordScope::District(UnitId(3)),
            RecordScope::Line(UnitId(4)),
            RecordScope::LeadUnit(UnitId(5)),
            RecordScope::ResponsibleUnit(UnitId(6)),
            RecordScope::Nothing,
        ] {
            let (kind, unit) = encode_scope(scope);
            assert_eq!(decode_scope(1, kind, unit).unwrap(), scope);
        }
        assert!(decode_scope(1, "district", None).is_err());
        assert!(decode_scope(1, "planet", None).is_err());
    }
}
