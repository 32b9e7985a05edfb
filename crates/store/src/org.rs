//! The organisation's writes: a city set up in an empty database, and units created, renamed,
//! moved, deactivated or reactivated (never deleted).

macro_rules! backend_org {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use jianguan_audit::AuditDraft;
            use jianguan_domain::store::{CityInit, StoreError, UnitWrite};
            use sqlx::Pool;

            use crate::backend_error;
            use crate::codec::$codec::{
                append_audit_tx, begin_write, bump_data_version, insert_records, log_change,
                record_crypto_suite, refuse_campaign_data,
            };
            use jianguan_domain::change::Change;

            type Db = $db;

            pub(crate) async fn init_city(
                pool: &Pool<Db>,
                city: &CityInit,
                saved_by: &str,
                audit: &[AuditDraft],
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                refuse_campaign_data(&mut tx).await?;
                let at_ms = crate::now_ms();
                record_crypto_suite(&mut tx, city.crypto, saved_by, at_ms).await?;
                insert_records(&mut tx, &city.records, &|_, _| {}).await?;
                for (key, body) in &city.settings {
                    let latest: Option<i64> =
                        sqlx::query_scalar("SELECT MAX(version) FROM settings WHERE key = $1")
                            .bind(key.clone())
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(backend_error)?;
                    sqlx::query(
                        "INSERT INTO settings (key, version, body, saved_at_ms, saved_by) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(key.clone())
                    .bind(latest.unwrap_or(0) + 1)
                    .bind(body.clone())
                    .bind(at_ms)
                    .bind(saved_by.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                }
                append_audit_tx(&mut tx, audit.to_vec()).await?;
                bump_data_version(&mut tx, &Change::everything()).await?;
                tx.commit().await.map_err(backend_error)
            }

            pub(crate) async fn save_units(
                pool: &Pool<Db>,
                write: &UnitWrite,
                audit: &[AuditDraft],
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                let found: i64 =
                    sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                if found != write.expected_version {
                    return Err(StoreError::Stale {
                        expected: write.expected_version,
                        found,
                    });
                }
                let change = Change {
                    units: true,
                    ..Change::default()
                };
                log_change(&mut tx, write.expected_version + 1, &change).await?;
                for u in &write.new {
                    sqlx::query(
                        "INSERT INTO units (id, kind, name, parent_id, active) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(u.id.0)
                    .bind(u.kind.code())
                    .bind(u.name.clone())
                    .bind(u.parent.map(|p| p.0))
                    .bind(u.active)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                }
                for u in &write.changed {
                    let changed = sqlx::query(
                        "UPDATE units SET name = $1, parent_id = $2, active = $3 WHERE id = $4",
                    )
                    .bind(u.name.clone())
                    .bind(u.parent.map(|p| p.0))
                    .bind(u.active)
                    .bind(u.id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?
                    .rows_affected();
                    if changed != 1 {
                        return Err(StoreError::NotFound(format!("单位（编号 {}）", u.id)));
                    }
                }
                append_audit_tx(&mut tx, audit.to_vec()).await?;
                // The bump is also the check that nothing changed since the write was planned:
                // a write committed meanwhile (on this node or another) moved the version on.
                let bumped = sqlx::query(
                    "UPDATE data_version SET version = version + 1 WHERE id = 1 AND version = $1",
                )
                .bind(write.expected_version)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?
                .rows_affected();
                if bumped != 1 {
                    let found: i64 =
                        sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(backend_error)?;
                    return Err(StoreError::Stale {
                        expected: write.expected_version,
                        found,
                    });
                }
                tx.commit().await.map_err(backend_error)
            }
        }
    };
}

backend_org!(sqlite_org, sqlite_codec, sqlx::Sqlite);
backend_org!(postgres_org, postgres_codec, sqlx::Postgres);
