//! The offline basemap: its description in `basemap` (one row), its levels' encoded features
//! in `basemap_levels` and the city's walking inputs read with it in `basemap_walk_city`,
//! replaced as a whole in one transaction. The store keeps the levels as
//! bytes; `jianguan_geo::basemap` encodes and reads them.

macro_rules! backend_basemap {
    ($module:ident, $codec:ident, $db:ty) => {
        pub(crate) mod $module {
            use jianguan_audit::AuditDraft;
            use jianguan_domain::change::Change;
            use jianguan_domain::store::{BasemapInfo, BasemapWrite, StoreError, StoredLevel};
            use sqlx::Pool;

            use crate::backend_error;
            use crate::codec::$codec::{append_audit_tx, begin_write, bump_data_version};

            type Db = $db;

            pub(crate) async fn info(pool: &Pool<Db>) -> Result<Option<BasemapInfo>, StoreError> {
                let row: Option<(i64, String, String, i64, String)> = sqlx::query_as(
                    "SELECT revision, source, summary, prepared_at_ms, prepared_by \
                     FROM basemap WHERE id = 1",
                )
                .fetch_optional(pool)
                .await
                .map_err(backend_error)?;
                Ok(
                    row.map(|(revision, source, summary, prepared_at_ms, prepared_by)| {
                        BasemapInfo {
                            revision,
                            source,
                            summary,
                            prepared_at_ms,
                            prepared_by,
                        }
                    }),
                )
            }

            pub(crate) async fn levels(pool: &Pool<Db>) -> Result<Vec<StoredLevel>, StoreError> {
                let rows: Vec<(i64, Vec<u8>)> =
                    sqlx::query_as("SELECT min_zoom, body FROM basemap_levels ORDER BY min_zoom")
                        .fetch_all(pool)
                        .await
                        .map_err(backend_error)?;
                rows.into_iter()
                    .map(|(zoom, body)| {
                        let zoom = u8::try_from(zoom).map_err(|_| {
                            crate::codec::unreadable(format!("basemap level zoom {zoom}"))
                        })?;
                        Ok((zoom, body))
                    })
                    .collect()
            }

            pub(crate) async fn walk_city(pool: &Pool<Db>) -> Result<Option<Vec<u8>>, StoreError> {
                sqlx::query_scalar("SELECT body FROM basemap_walk_city WHERE id = 1")
                    .fetch_optional(pool)
                    .await
                    .map_err(backend_error)
            }

            pub(crate) async fn replace(
                pool: &Pool<Db>,
                write: &BasemapWrite,
                audit: &[AuditDraft],
            ) -> Result<(), StoreError> {
                let mut tx = begin_write(pool).await?;
                let revision: Option<i64> =
                    sqlx::query_scalar("SELECT revision FROM basemap WHERE id = 1")
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                for statement in [
                    "DELETE FROM basemap_levels",
                    "DELETE FROM basemap_walk_city",
                    "DELETE FROM basemap",
                ] {
                    sqlx::query(statement)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                }
                sqlx::query(
                    "INSERT INTO basemap \
                     (id, revision, source, summary, prepared_at_ms, prepared_by) \
                     VALUES (1, $1, $2, $3, $4, $5)",
                )
                .bind(revision.unwrap_or(0) + 1)
                .bind(&write.source)
                .bind(&write.summary)
                .bind(crate::now_ms())
                .bind(&write.prepared_by)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
                for (zoom, body) in &write.levels {
                    sqlx::query("INSERT INTO basemap_levels (min_zoom, body) VALUES ($1, $2)")
                        .bind(i64::from(*zoom))
                        .bind(body.as_slice())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| match e {
                            sqlx::Error::Database(d) if d.is_unique_violation() => {
                                StoreError::Invalid(format!("底图第 {zoom} 级出现了两次"))
                            }
                            e => backend_error(e),
                        })?;
                }
                if let Some(body) = &write.walk_city {
                    sqlx::query("INSERT INTO basemap_walk_city (id, body) VALUES (1, $1)")
                        .bind(body.as_slice())
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_error)?;
                }
                append_audit_tx(&mut tx, audit.to_vec()).await?;
                // Nothing in the read model changes; the bump makes every node look at the
                // basemap's revision again (see `App::basemap`).
                bump_data_version(&mut tx, &Change::default()).await?;
                tx.commit().await.map_err(backend_error)
            }
        }
    };
}

backend_basemap!(sqlite_basemap, sqlite_codec, sqlx::Sqlite);
backend_basemap!(postgres_basemap, postgres_codec, sqlx::Postgres);
