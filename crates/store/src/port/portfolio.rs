//! The campaign's records.

use super::*;
use crate::basemap;
use crate::boundaries;
use crate::catalogue;
use jianguan_domain::change::Change;
use jianguan_domain::model::{Category, CategoryId};
use jianguan_domain::store::CategoryVersion;
use jianguan_domain::store::ReadModelPart;
use jianguan_domain::store::ReportVersions;
use jianguan_domain::store::{
    BasemapInfo, BasemapWrite, BoundaryWrite, StoredBoundary, StoredLevel,
};

impl PortfolioStore for Db {
    fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    fn data_version(&self) -> BoxFuture<'_, Result<i64, StoreError>> {
        Box::pin(async move {
            dispatch!(self, pool => sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                .fetch_one(pool)
                .await
                .map_err(backend_error))
        })
    }

    fn probe_write(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            dispatch!(self, pool => {
                let mut tx = pool.begin().await.map_err(backend_error)?;
                sqlx::query("UPDATE data_version SET version = version WHERE id = 1")
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
                tx.rollback().await.map_err(backend_error)
            })
        })
    }

    fn pool_stats(&self) -> Option<(u32, usize)> {
        Some(dispatch!(self, pool => (pool.size(), pool.num_idle())))
    }

    fn write_commits(&self) -> Option<(u64, u64)> {
        self.group_commits().map(|g| (g.writes, g.commits))
    }

    fn is_empty(&self) -> BoxFuture<'_, Result<bool, StoreError>> {
        Box::pin(async move {
            let count: i64 = dispatch!(self, pool => sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM projects)",
            )
            .fetch_one(pool)
            .await
            .map_err(backend_error)?);
            Ok(count == 0)
        })
    }

    fn load_portfolio(&self) -> BoxFuture<'_, Result<Portfolio, StoreError>> {
        Box::pin(async move { codec_call!(self, load_portfolio()) })
    }

    // SQLite reads these in bulk on a blocking thread (`codec::bulk`); PostgreSQL as written.
    fn load_read_model(&self) -> BoxFuture<'_, Result<ReadModel, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => crate::codec::bulk::load_read_model(pool).await,
                Db::Postgres(pool) => crate::codec::postgres_codec::load_read_model(pool).await,
            }
        })
    }

    fn changes_since(
        &self,
        version: i64,
    ) -> BoxFuture<'_, Result<Option<(i64, Change)>, StoreError>> {
        Box::pin(async move { codec_call!(self, changes_since(version)) })
    }

    fn load_read_model_part<'a>(
        &'a self,
        change: &'a Change,
    ) -> BoxFuture<'a, Result<ReadModelPart, StoreError>> {
        Box::pin(async move { codec_call!(self, load_read_model_part(change)) })
    }

    fn load_records(&self) -> BoxFuture<'_, Result<Portfolio, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => crate::codec::bulk::load_records(pool).await,
                Db::Postgres(pool) => crate::codec::postgres_codec::load_records(pool).await,
            }
        })
    }

    fn load_project(
        &self,
        id: ProjectId,
        scope: RecordScope,
        versions: ReportVersions,
    ) -> BoxFuture<'_, Result<Option<ProjectRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, load_project(id, scope, versions)) })
    }

    fn create_portfolio<'a>(
        &'a self,
        portfolio: &'a Portfolio,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(
            async move { codec_call!(self, insert_portfolio(portfolio, actor, progress, true)) },
        )
    }

    fn append_portfolio<'a>(
        &'a self,
        portfolio: &'a Portfolio,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(
            async move { codec_call!(self, insert_portfolio(portfolio, actor, progress, false)) },
        )
    }

    fn import_projects<'a>(
        &'a self,
        import: &'a ProjectImport,
        actor: &'a Actor,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<Vec<ProjectId>, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => {
                    ledger::sqlite_ledger::import_projects(pool, import, actor, progress).await
                }
                Db::Postgres(pool) => {
                    ledger::postgres_ledger::import_projects(pool, import, actor, progress).await
                }
            }
        })
    }

    fn save_category<'a>(
        &'a self,
        category: &'a Category,
        saved_by: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<Category, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => {
                    catalogue::sqlite_catalogue::save_category(pool, category, saved_by, audit)
                        .await
                }
                Db::Postgres(pool) => {
                    catalogue::postgres_catalogue::save_category(pool, category, saved_by, audit)
                        .await
                }
            }
        })
    }

    fn load_units(&self) -> BoxFuture<'_, Result<Vec<Unit>, StoreError>> {
        Box::pin(async move { codec_call!(self, load_units()) })
    }

    fn init_city<'a>(
        &'a self,
        city: &'a CityInit,
        saved_by: &'a str,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => org::sqlite_org::init_city(pool, city, saved_by, audit).await,
                Db::Postgres(pool) => {
                    org::postgres_org::init_city(pool, city, saved_by, audit).await
                }
            }
        })
    }

    fn category_versions(
        &self,
        id: CategoryId,
    ) -> BoxFuture<'_, Result<Vec<CategoryVersion>, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => catalogue::sqlite_catalogue::category_versions(pool, id).await,
                Db::Postgres(pool) => {
                    catalogue::postgres_catalogue::category_versions(pool, id).await
                }
            }
        })
    }

    fn save_units<'a>(
        &'a self,
        write: &'a UnitWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => org::sqlite_org::save_units(pool, write, audit).await,
                Db::Postgres(pool) => org::postgres_org::save_units(pool, write, audit).await,
            }
        })
    }

    fn district_boundaries(&self) -> BoxFuture<'_, Result<Vec<StoredBoundary>, StoreError>> {
        Box::pin(async move { codec_call!(self, load_district_boundaries()) })
    }

    fn replace_district_boundaries<'a>(
        &'a self,
        write: &'a BoundaryWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => {
                    boundaries::sqlite_boundaries::replace(pool, write, audit).await
                }
                Db::Postgres(pool) => {
                    boundaries::postgres_boundaries::replace(pool, write, audit).await
                }
            }
        })
    }

    fn basemap_info(&self) -> BoxFuture<'_, Result<Option<BasemapInfo>, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => basemap::sqlite_basemap::info(pool).await,
                Db::Postgres(pool) => basemap::postgres_basemap::info(pool).await,
            }
        })
    }

    fn basemap_levels(&self) -> BoxFuture<'_, Result<Vec<StoredLevel>, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => basemap::sqlite_basemap::levels(pool).await,
                Db::Postgres(pool) => basemap::postgres_basemap::levels(pool).await,
            }
        })
    }

    fn basemap_walk_city(&self) -> BoxFuture<'_, Result<Option<Vec<u8>>, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => basemap::sqlite_basemap::walk_city(pool).await,
                Db::Postgres(pool) => basemap::postgres_basemap::walk_city(pool).await,
            }
        })
    }

    fn replace_basemap<'a>(
        &'a self,
        write: &'a BasemapWrite,
        audit: &'a [AuditDraft],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => basemap::sqlite_basemap::replace(pool, write, audit).await,
                Db::Postgres(pool) => basemap::postgres_basemap::replace(pool, write, audit).await,
            }
        })
    }
}
