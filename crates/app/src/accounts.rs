//! Accounts: the one way an account is made (pages, `jianguan user add` and the demo), and the
//! daily job that disables accounts unused for too long or past their expiry; passwords changed
//! by their owner or reset by the security administrator; the security settings.

use jianguan_access::Role;
use jianguan_access::password::{self, default_hasher};
use jianguan_access::session::SecuritySettings;
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
    if jianguan_domain::fmt::SOFTWARE_ACTORS.contains(&name.key()) {
        return Err(invalid(format!(
            "用户名：{} 是系统保留的名称，请换一个",
            name.display()
        )));
    }
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
        password_changed_at_ms: None,
        must_change_password: false,
    };
    let record = crate::client::draft(now_ms, actor, AuditAction::AccountCreate, String::new())
        .change("username", None, &account.username)
        .change("roles", None, account.roles.join(","));
    match store.create_account(&account, &record).await {
        Ok(id) => Ok(id),
        // An account refers to nothing but its unit.
        Err(StoreError::MissingReference { .. }) => {
            Err(invalid("单位：所选单位不存在，请从列表中选择".into()))
        }
        Err(e) => Err(e.into()),
    }
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

/// The setting holding [`SecuritySettings`] (TOML).
pub const SECURITY_KEY: &str = "security";

/// The security settings in force: the saved ones, or the standard ones if never saved (or
/// unreadable, which the save path prevents).
pub async fn security_settings(store: &dyn Store) -> Result<SecuritySettings, StoreError> {
    Ok(match store.setting(SECURITY_KEY).await? {
        Some(saved) => toml::from_str(&saved.body).unwrap_or_default(),
        None => SecuritySettings::STANDARD,
    })
}

/// The settings as the TOML text stored (read back by [`security_settings`]).
fn settings_toml(s: &SecuritySettings) -> String {
    format!(
        "max_password_age_days = {}\nmax_sessions = {}\nsecond_factor_for_all = {}\n",
        s.max_password_age_days, s.max_sessions, s.second_factor_for_all
    )
}

/// Saves the security settings as a new version, audited as `security.settings.save`.
pub async fn save_security_settings(
    store: &dyn Store,
    clock: Clock,
    actor: &str,
    settings: SecuritySettings,
) -> Result<(), AccountError> {
    if settings.max_sessions == 0 || settings.max_sessions > 100 {
        return Err(AccountError::Invalid(
            "同时在线会话数须在 1 到 100 之间".into(),
        ));
    }
    if settings.max_password_age_days > 3650 {
        return Err(AccountError::Invalid(
            "口令最长使用期限不能超过 3650 天（0 表示不限）".into(),
        ));
    }
    let before = security_settings(store).await?;
    let body = settings_toml(&settings);
    let record = crate::client::draft(
        clock.now_ms(),
        actor,
        AuditAction::SecuritySettingsSave,
        format!("setting:{SECURITY_KEY}"),
    )
    .change("security", Some(settings_toml(&before)), body.clone());
    store
        .save_setting(SECURITY_KEY, &body, actor, &record)
        .await?;
    Ok(())
}

/// A user changes their own password: the old one must be right, the new one pass the policy
/// and differ from it. The account's other sessions end (`keep_session` is the caller's own,
/// a token hash); audited as `password.change`.
pub async fn change_password(
    store: &dyn Store,
    clock: Clock,
    account: &AccountRecord,
    old: &str,
    new: &str,
    keep_session: &str,
) -> Result<(), AccountError> {
    let invalid = AccountError::Invalid;
    if !password::verify(old, &account.password_hash).unwrap_or(false) {
        return Err(invalid("原密码不正确".into()));
    }
    let name = Username::parse(&account.username).map_err(|e| invalid(e.to_string()))?;
    password::PasswordPolicy::STANDARD
        .check(new, &name)
        .map_err(|e| invalid(format!("新密码：{e}")))?;
    if password::normalize(new) == password::normalize(old) {
        return Err(invalid("新密码不能与原密码相同".into()));
    }
    let hash = default_hasher()
        .hash(new)
        .map_err(|e| invalid(format!("密码散列失败：{e}")))?;
    let now_ms = clock.now_ms();
    let record = crate::client::draft(
        now_ms,
        &account.username,
        AuditAction::PasswordChange,
        format!("account:{}", account.id),
    )
    .change("password", None, "changed");
    store
        .set_password(
            account.id,
            &hash,
            now_ms,
            false,
            Some(keep_session),
            &record,
        )
        .await?;
    Ok(())
}

/// The security administrator resets an account's password: a new temporary password, returned
/// to be shown once, that must be changed at the next login; every session of the account
/// ends. Audited as `password.reset` by `actor`.
pub async fn reset_password(
    store: &dyn Store,
    clock: Clock,
    actor: &str,
    account_id: i64,
) -> Result<String, AccountError> {
    let account = store
        .account(account_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("账号（id {account_id}）")))?;
    let temporary = password::temporary_password()
        .map_err(|e| AccountError::Invalid(format!("无法生成临时密码：{e}")))?;
    let hash = default_hasher()
        .hash(&temporary)
        .map_err(|e| AccountError::Invalid(format!("密码散列失败：{e}")))?;
    let now_ms = clock.now_ms();
    let record = crate::client::draft(
        now_ms,
        actor,
        AuditAction::PasswordReset,
        format!("account:{}", account.id),
    )
    .change("must_change_password", None, "true");
    store
        .set_password(account.id, &hash, now_ms, true, None, &record)
        .await?;
    Ok(temporary)
}
