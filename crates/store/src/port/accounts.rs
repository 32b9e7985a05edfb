//! Accounts, logins and sessions.

use super::*;

impl AccountStore for Db {
    fn create_account<'a>(
        &'a self,
        account: &'a AccountRecord,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(async move { codec_call!(self, create_account(account, audit)) })
    }

    fn account_by_key<'a>(
        &'a self,
        username_key: &'a str,
    ) -> BoxFuture<'a, Result<Option<AccountRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, account_by_key(username_key)) })
    }

    fn list_accounts(&self) -> BoxFuture<'_, Result<Vec<AccountRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, list_accounts()) })
    }

    fn update_account<'a>(
        &'a self,
        account: &'a AccountRecord,
        end_sessions: bool,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, update_account(account, end_sessions, audit)) })
    }

    fn account(&self, id: i64) -> BoxFuture<'_, Result<Option<AccountRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, account(id)) })
    }

    fn account_lang(&self, account_id: i64) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        Box::pin(async move { codec_call!(self, account_lang(account_id)) })
    }

    fn set_account_lang<'a>(
        &'a self,
        account_id: i64,
        lang: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, set_account_lang(account_id, lang)) })
    }

    fn record_login<'a>(
        &'a self,
        account: &'a AccountRecord,
        session: Option<&'a SessionRecord>,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, record_login(account, session, audit)) })
    }

    fn login_throttle<'a>(
        &'a self,
        username_key: &'a str,
        source: &'a str,
    ) -> BoxFuture<'a, Result<Option<LoginThrottleRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, login_throttle(username_key, source)) })
    }

    fn record_login_failure<'a>(
        &'a self,
        username_key: &'a str,
        source: &'a str,
        state: LoginThrottleRecord,
        prune_before_ms: i64,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            codec_call!(
                self,
                record_login_failure(username_key, source, state, prune_before_ms, audit)
            )
        })
    }

    fn record_login_success<'a>(
        &'a self,
        account: &'a AccountRecord,
        session: &'a SessionRecord,
        keep_sessions: u32,
        source: &'a str,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(async move {
            codec_call!(
                self,
                record_login_success(account, session, keep_sessions, source, audit)
            )
        })
    }

    fn set_password<'a>(
        &'a self,
        account_id: i64,
        password_hash: &'a str,
        changed_at_ms: i64,
        must_change: bool,
        keep_session: Option<&'a str>,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            codec_call!(
                self,
                set_password(
                    account_id,
                    password_hash,
                    changed_at_ms,
                    must_change,
                    keep_session,
                    audit
                )
            )
        })
    }

    fn session<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, StoreError>> {
        Box::pin(async move { codec_call!(self, session(token_hash)) })
    }

    fn touch_session<'a>(
        &'a self,
        token_hash: &'a str,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, touch_session(token_hash, now_ms)) })
    }

    fn end_sessions<'a>(
        &'a self,
        account_id: i64,
        token_hash: Option<&'a str>,
        audit: &'a AuditDraft,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { codec_call!(self, end_sessions(account_id, token_hash, audit)) })
    }
}
