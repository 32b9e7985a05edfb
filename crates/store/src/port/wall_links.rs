//! Wall links: made, listed, found by token hash, revoked, noted as used.

use jianguan_domain::store::{WallLinkRecord, WallLinkStore};

use super::*;
use crate::wall_links::{postgres_wall_links as pg, sqlite_wall_links as lite};

/// Calls the backend's expansion of a wall-link function.
macro_rules! wall_call {
    ($db:expr, $f:ident ( $($arg:expr),* )) => {
        match $db {
            Db::Sqlite(pool) => lite::$f(pool, $($arg),*).await,
            Db::Postgres(pool) => pg::$f(pool, $($arg),*).await,
        }
    };
}

impl WallLinkStore for Db {
    fn create_wall_link<'a>(
        &'a self,
        link: &'a WallLinkRecord,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(async move { wall_call!(self, create(link, audit)) })
    }

    fn wall_links(&self) -> BoxFuture<'_, Result<Vec<WallLinkRecord>, StoreError>> {
        Box::pin(async move { wall_call!(self, list()) })
    }

    fn wall_link_by_token<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<WallLinkRecord>, StoreError>> {
        Box::pin(async move { wall_call!(self, by_token(token_hash)) })
    }

    fn revoke_wall_link<'a>(
        &'a self,
        id: i64,
        by: &'a str,
        at_ms: i64,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { wall_call!(self, revoke(id, by, at_ms, audit)) })
    }

    fn touch_wall_link(&self, id: i64, at_ms: i64) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move { wall_call!(self, touch(id, at_ms)) })
    }
}
