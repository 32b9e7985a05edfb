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
}
