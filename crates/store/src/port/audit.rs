//! The audit trail.

use super::*;

impl AuditStore for Db {
    fn append_audit<'a>(
        &'a self,
        draft: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<AuditRecord, StoreError>> {
        Box::pin(async move { codec_call!(self, append_audit(draft)) })
    }

    fn audit_search<'a>(
        &'a self,
        query: &'a AuditQuery,
    ) -> BoxFuture<'a, Result<(Vec<AuditRecord>, i64), StoreError>> {
        Box::pin(async move { codec_call!(self, audit_search(query)) })
    }

    fn audit_head(&self) -> BoxFuture<'_, Result<Option<AuditRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, audit_head()) })
    }

    fn audit_records(
        &self,
        after: i64,
        limit: i64,
    ) -> BoxFuture<'_, Result<Vec<AuditRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, audit_records(after, limit)) })
    }

    fn missing_append_only_guards(&self) -> BoxFuture<'_, Result<Vec<String>, StoreError>> {
        Box::pin(async move {
            let (expected, present): (&[&str], Vec<String>) = match self {
                Db::Sqlite(pool) => (
                    crate::guards::SQLITE,
                    sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                        .fetch_all(pool)
                        .await
                        .map_err(backend_error)?,
                ),
                Db::Postgres(pool) => (
                    crate::guards::POSTGRES,
                    sqlx::query_scalar(
                        "SELECT t.tgname::text FROM pg_trigger t \
                         JOIN pg_class c ON c.oid = t.tgrelid \
                         WHERE c.relnamespace = current_schema()::regnamespace \
                         AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
                    )
                    .fetch_all(pool)
                    .await
                    .map_err(backend_error)?,
                ),
            };
            Ok(expected
                .iter()
                .filter(|name| !present.iter().any(|p| p == *name))
                .map(|name| (*name).to_string())
                .collect())
        })
    }

    fn crypto_suite(&self) -> BoxFuture<'_, Result<ChainSuite, StoreError>> {
        Box::pin(async move {
            match self {
                Db::Sqlite(pool) => {
                    let mut conn = pool.acquire().await.map_err(backend_error)?;
                    crate::codec::sqlite_codec::chain_suite(&mut conn).await
                }
                Db::Postgres(pool) => {
                    let mut conn = pool.acquire().await.map_err(backend_error)?;
                    crate::codec::postgres_codec::chain_suite(&mut conn).await
                }
            }
        })
    }

    fn choose_crypto_suite<'a>(
        &'a self,
        suite: CryptoSuite,
        by: &'a str,
        at_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, choose_crypto_suite(suite, by, at_ms)) })
    }

    fn check_score_integrity(&self) -> BoxFuture<'_, Result<ScoreIntegrity, StoreError>> {
        Box::pin(async move { assessment_call!(self, check_score_integrity()) })
    }
}
