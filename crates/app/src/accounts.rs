//! Accounts: the one way an account is made (pages, `jianguan user add` and the demo), and the
//! daily job that disables accounts unused for too long or past their expiry.

use jianguan_access::Role;
use jianguan_access::password::{self, default_hasher};
use jianguan_access::username::Username;
use jianguan_audit::AuditAction;
use jianguan_domain::model::UnitId;
use jianguan_domain::store::{AccountRecord, Store, StoreError};

use crate::Clock;
use crate::clock::start_of_day_ms;

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// The user name as typed (normalised before it is stored).
    pub username: &'a str,
    /// The person's name.
    pub display_name: &'a str,
    /// The unit the account belongs to (none for administrators).
    pub unit: Option<UnitId>,
    /// Its roles (a valid set: administrators hold one role each).
    pub roles: &'a [Role],
    /// The initial password.
    pub password: &'a str,
    /// The second factor's secret, when the roles need one.
    pub totp_secret: Option<String>,
}

/// Why an account was not created.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The user name, password or role set breaks a rule; the message names which.
    #[error("{0}")]
    Invalid(String),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates an account after checking its user name, password and role set; audited as
/// `account.create` by `actor`. Returns the new account's id.
pub async fn create_account(
    store: &dyn Store,
    clock: Clock,
    actor: &str,
    new: NewAccount<'_>,
) -> Result<i64, AccountError> {
    let invalid = AccountError::Invalid;
    let name = Username::parse(new.username).map_err(|e| invalid(format!("用户名：{e}")))?;
    password::PasswordPolicy::STANDARD
        .check(new.password, &name)
        .map_err(|e| invalid(format!("密码：{e}")))?;
    jianguan_access::roles::check_role_set(new.roles).map_err(|e| invalid(e.to_string()))?;
    let hash = default_hasher()
        .hash(new.password)
        .map_err(|e| invalid(format!("密码散列失败：{e}")))?;
    let now_ms = clock.now_ms();
    let account = AccountRecord {
        id: 0,
        username: name.display().to_string(),
        username_key: name.key().to_string(),
        display_name: new.display_name.to_string(),
        unit: new.unit,
        roles: new.roles.iter().map(|r| r.code().to_string()).collect(),
        password_hash: hash,
        totp_secret: new.totp_secret,
        totp_last_step: None,
        created_at_ms: now_ms,
        last_login_ms: None,
        expires_on: None,
        disabled_at_ms: None,
        failed_logins: 0,
        locked_until_ms: None,
    };
    let record = crate::client::draft(now_ms, actor, AuditAction::AccountCreate, String::new())
        .change("username", None, &account.username)
        .change("roles", None, account.roles.join(","));
    Ok(store.create_account(&account, &record).await?)
}

/// The daily account job: disables accounts unused for 90 days or past their expiry date, each
/// with an audit record. Returns how many it disabled.
pub async fn disable_unused_accounts(store: &dyn Store, now_ms: i64) -> Result<usize, StoreError> {
    use jianguan_access::session::{AccountBlock, AccountPolicy};
    let mut disabled = 0;
    for mut account in store.list_accounts().await? {
        if account.disabled_at_ms.is_some() {
            continue;
        }
        let expires_at = account
            .expires_on
            .and_then(|d| d.tomorrow().ok())
            .and_then(start_of_day_ms);
        let Err(block) = AccountPolicy::STANDARD.check(
            account.created_at_ms,
            account.last_login_ms,
            expires_at,
            now_ms,
        ) else {
            continue;
        };
        account.disabled_at_ms = Some(now_ms);
        let action = match block {
            AccountBlock::Dormant { .. } => AuditAction::AccountDisableDormant,
            AccountBlock::Expired => AuditAction::AccountDisableExpired,
        };
        let record =
            crate::client::draft(now_ms, "system", action, format!("account:{}", account.id))
                .change("disabled", Some("false".into()), "true");
        store.update_account(&account, true, &record).await?;
        disabled += 1;
    }
    Ok(disabled)
}
