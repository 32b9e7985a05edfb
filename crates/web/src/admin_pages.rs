//! Account administration, split as 等保 requires: the system administrator creates, disables
//! and sets expiry of accounts (but grants no role); the security administrator grants roles
//! (but creates no account), resets passwords and sets the security settings (password age,
//! session limit, second factor for all). Every change is audited with its before and after
//! values.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_access::Role;
use jianguan_access::policy::{Action, Resource};
use jianguan_access::session::SecuritySettings;
use jianguan_audit::{AuditAction, AuditDraft, FieldChange, Outcome};
use jianguan_domain::Date;
use jianguan_domain::model::UnitId;
use jianguan_domain::store::AccountRecord;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::{Fields, FromParams, TypedForm};
use crate::view;
use crate::{AppState, Params, fmt};

/// One account as the list shows it.
struct AccountRow {
    id: i64,
    username: String,
    name: String,
    unit: String,
    roles: String,
    role_codes: Vec<String>,
    last_login: String,
    expires_on: String,
    status: &'static str,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    display: crate::i18n::Display,
    user: String,
    admin_nav: Vec<(&'static str, &'static str)>,
    rows: Vec<AccountRow>,
    roles: Vec<(&'static str, &'static str)>,
    /// The active units an account may belong to, by kind: (kind, [(id, name)]).
    unit_groups: Vec<(&'static str, Vec<(i64, String)>)>,
    /// What the new-account form shows: what was typed, after a refusal.
    typed: Typed,
    may_create: bool,
    may_update: bool,
    may_grant: bool,
    /// The security administrator: resets passwords, edits the security settings.
    may_reset: bool,
    security: SecuritySettings,
    /// A password just reset, shown this once: (user name, temporary password).
    temporary: Option<(String, String)>,
    message: String,
    /// A write that succeeded, said once.
    notice: String,
}

/// The new-account form's fields as typed (never the password), kept after a refusal.
#[derive(Default)]
struct Typed {
    username: String,
    name: String,
    unit: Option<i64>,
}

fn last_login(at: Option<i64>) -> String {
    at.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| fmt::date_cn(jiff::tz::offset(8).to_datetime(t).date()))
        .unwrap_or_else(|| crate::i18n::lang().t("从未").into())
}

async fn users_page(
    state: &AppState,
    user: &CurrentUser,
    message: &str,
) -> Result<Response, AppError> {
    users_page_with(state, user, message, None, Typed::default(), String::new()).await
}

async fn users_page_with(
    state: &AppState,
    user: &CurrentUser,
    message: &str,
    temporary: Option<(String, String)>,
    typed: Typed,
    notice: String,
) -> Result<Response, AppError> {
    let security = jianguan_app::accounts::security_settings(state.store())
        .await
        .map_err(AppError::store)?;
    let accounts = state
        .store()
        .list_accounts()
        .await
        .map_err(AppError::store)?;
    let snap = state.snapshot().await.map_err(AppError::store)?;
    let rows = accounts
        .iter()
        .map(|a| AccountRow {
            id: a.id,
            username: a.username.clone(),
            name: a.display_name.clone(),
            unit: a
                .unit
                .map(|u| snap.portfolio.unit_name(u).to_string())
                .unwrap_or_default(),
            roles: a
                .roles
                .iter()
                .filter_map(|r| Role::from_code(r))
                .map(|r| crate::i18n::lang().t(r.label()))
                .collect::<Vec<_>>()
                .join(crate::i18n::lang().t("、")),
            role_codes: a.roles.clone(),
            last_login: last_login(a.last_login_ms),
            expires_on: a.expires_on.map(|d| d.to_string()).unwrap_or_default(),
            status: crate::i18n::lang().t(if a.disabled_at_ms.is_some() {
                "停用"
            } else {
                "正常"
            }),
            disabled: a.disabled_at_ms.is_some(),
        })
        .collect();
    let page = UsersPage {
        display: crate::i18n::current(),
        user: user.account.display_name.clone(),
        admin_nav: view::admin_nav(user),
        rows,
        roles: Role::ALL
            .iter()
            .map(|r| (r.code(), crate::i18n::lang().t(r.label())))
            .collect(),
        unit_groups: unit_groups(&snap.portfolio.units),
        typed,
        may_create: user.may(Resource::Users, Action::Create),
        may_update: user.may(Resource::Users, Action::Update),
        may_grant: user.may(Resource::Roles, Action::Grant),
        may_reset: user.may(Resource::SecurityPolicy, Action::Update),
        security,
        temporary,
        message: message.to_string(),
        notice,
    };
    view::render(page)
}

/// The active units grouped by kind, in the order kinds first appear (the office first).
fn unit_groups(units: &[jianguan_domain::model::Unit]) -> Vec<(&'static str, Vec<(i64, String)>)> {
    let mut groups: Vec<(&'static str, Vec<(i64, String)>)> = Vec::new();
    for u in units.iter().filter(|u| u.active) {
        let kind = crate::i18n::lang().t(u.kind.label());
        match groups.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, members)) => members.push((u.id.0, u.name.clone())),
            None => groups.push((kind, vec![(u.id.0, u.name.clone())])),
        }
    }
    groups
}

/// `GET /admin/users` (`?created=ID`, `?saved=ID` or `?security=saved` after a write, to
/// confirm it).
pub(crate) async fn users(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let named = |id: i64| {
        let state = &state;
        async move {
            Ok::<_, AppError>(
                match state.store().account(id).await.map_err(AppError::store)? {
                    Some(a) => format!("{}（{}）", a.display_name, a.username),
                    None => crate::i18n::lang().tn("编号 {n}", id),
                },
            )
        }
    };
    let notice = if let Some(id) = params.id("created")? {
        crate::i18n::lang().tn(
            "已创建账户 {n}。新账户没有角色，请安全管理员授予。",
            named(id).await?,
        )
    } else if let Some(id) = params.id("saved")? {
        crate::i18n::lang().tn("已保存账户 {n} 的修改。", named(id).await?)
    } else if params.get("security") == Some("saved") {
        crate::i18n::lang().t("已保存安全设置。").to_string()
    } else {
        String::new()
    };
    users_page_with(&state, &user, "", None, Typed::default(), notice).await
}

/// The form of `POST /admin/users`.
pub(crate) struct NewAccountForm {
    username: String,
    name: String,
    unit: Option<UnitId>,
    /// As typed (a password is not trimmed).
    password: String,
}

impl FromParams for NewAccountForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        NewAccountForm {
            username: f.text("username").unwrap_or_default(),
            name: f.text("name").unwrap_or_default(),
            unit: f.choice("unit", |v| v.parse().ok().map(UnitId), "应为单位"),
            password: f.raw("password"),
        }
    }
}

/// `POST /admin/users`: a new account without roles (the security administrator grants them).
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<NewAccountForm>,
) -> Result<Response, AppError> {
    let created = jianguan_app::accounts::create_account(
        state.store(),
        state.clock(),
        &user.account.username,
        jianguan_app::accounts::NewAccount {
            username: &form.username,
            display_name: &form.name,
            unit: form.unit,
            roles: &[],
            password: &form.password,
            totp_secret: None,
        },
    )
    .await;
    let refused = match created {
        Ok(id) => return Ok(Redirect::to(&format!("/admin/users?created={id}")).into_response()),
        Err(jianguan_app::accounts::AccountError::Store(e)) => {
            match crate::error::store_refusal(&e) {
                Some(m) => m,
                None => return Err(AppError::store(e)),
            }
        }
        Err(e) => e.to_string(),
    };
    // The form comes back as typed (but for the password), so one mistake costs one field.
    let typed = Typed {
        username: form.username,
        name: form.name,
        unit: form.unit.map(|u| u.0),
    };
    view::unprocessable(
        users_page_with(
            &state,
            &user,
            &format!("未能创建账户：{refused}"),
            None,
            typed,
            String::new(),
        )
        .await,
    )
}

async fn load(state: &AppState, id: &str) -> Result<AccountRecord, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found("该账户"))?;
    state
        .store()
        .account(id)
        .await
        .map_err(AppError::store)?
        .ok_or_else(|| AppError::not_found("该账户"))
}

fn change(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
    FieldChange {
        field: field.into(),
        before,
        after,
    }
}

fn draft(
    state: &AppState,
    user: &CurrentUser,
    action: AuditAction,
    account: &AccountRecord,
    changes: Vec<FieldChange>,
) -> AuditDraft {
    AuditDraft {
        at_ms: state.now_ms(),
        actor: user.account.username.clone(),
        unit: user.unit_name.clone(),
        action: action.code(),
        object: format!("account:{}", account.id),
        result: Outcome::Success,
        client: user.client.clone(),
        changes,
    }
}

/// The form of `POST /admin/users/{id}/status`.
pub(crate) struct StatusForm {
    /// `disable` or `enable`; anything else leaves the account's state.
    action: Option<String>,
    /// A new expiry date (`Some(None)`: a blank field clears it; `None`: not sent, unchanged).
    expires_on: Option<Option<Date>>,
}

impl FromParams for StatusForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        let sent = f.present("expires_on");
        let date = f.choice("expires_on", |v| v.parse().ok(), "应为日期 YYYY-MM-DD");
        StatusForm {
            action: f.raw_opt("action"),
            expires_on: sent.then_some(date),
        }
    }
}

/// `POST /admin/users/{id}/status`: disable or enable an account, set or clear its expiry date.
pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    TypedForm(form): TypedForm<StatusForm>,
) -> Result<Response, AppError> {
    let before = load(&state, &id).await?;
    let mut after = before.clone();
    match form.action.as_deref() {
        Some("disable") => after.disabled_at_ms = Some(state.now_ms()),
        Some("enable") => after.disabled_at_ms = None,
        _ => {}
    }
    if let Some(expiry) = form.expires_on {
        after.expires_on = expiry;
    }
    let changes = vec![
        change(
            "disabled",
            Some(before.disabled_at_ms.is_some().to_string()),
            Some(after.disabled_at_ms.is_some().to_string()),
        ),
        change(
            "expires_on",
            before.expires_on.map(|d| d.to_string()),
            after.expires_on.map(|d| d.to_string()),
        ),
    ];
    let record = draft(&state, &user, AuditAction::AccountUpdate, &after, changes);
    state
        .store()
        .update_account(&after, after.disabled_at_ms.is_some(), &record)
        .await
        .map_err(AppError::store)?;
    Ok(Redirect::to(&format!("/admin/users?saved={}", after.id)).into_response())
}

/// The form of `POST /admin/users/{id}/roles`: the roles checked (`role`, repeated; unknown
/// codes ignored).
pub(crate) struct RolesForm(Vec<Role>);

impl FromParams for RolesForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        RolesForm(
            f.all("role")
                .iter()
                .filter_map(|v| Role::from_code(v))
                .collect(),
        )
    }
}

/// `POST /admin/users/{id}/roles`: sets the account's roles (form fields `role`, repeated). The
/// separation of the three administrators and the fit of roles to the account's unit are
/// checked; the account's sessions end so the new roles apply at once.
pub(crate) async fn roles(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    TypedForm(RolesForm(roles)): TypedForm<RolesForm>,
) -> Result<Response, AppError> {
    let before = load(&state, &id).await?;
    let unit_kind = match before.unit {
        Some(unit) => state
            .snapshot()
            .await
            .map_err(AppError::store)?
            .portfolio
            .unit(unit)
            .map(|u| u.kind),
        None => None,
    };
    let checked = match unit_kind {
        Some(kind) => jianguan_access::roles::check_assignment(&roles, kind),
        None => jianguan_access::roles::check_role_set(&roles),
    };
    if let Err(e) = checked {
        return users_page(&state, &user, &format!("未能授予角色：{e}")).await;
    }
    let mut after = before.clone();
    after.roles = roles.iter().map(|r| r.code().to_string()).collect();
    let record = draft(
        &state,
        &user,
        AuditAction::RoleGrant,
        &after,
        vec![change(
            "roles",
            Some(before.roles.join(",")),
            Some(after.roles.join(",")),
        )],
    );
    state
        .store()
        .update_account(&after, true, &record)
        .await
        .map_err(AppError::store)?;
    Ok(Redirect::to(&format!("/admin/users?saved={}", after.id)).into_response())
}

/// The form of `POST /admin/users/{id}/password`.
pub(crate) struct ResetForm {
    /// The button sends `confirm=1`; a reset is never a side effect of an empty request.
    confirmed: bool,
}

impl FromParams for ResetForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        ResetForm {
            confirmed: f.raw_opt("confirm").as_deref() == Some("1"),
        }
    }
}

/// `POST /admin/users/{id}/password`: the security administrator resets a password. The new
/// temporary password is shown once on the page that answers; the account must change it at
/// its next login, and its sessions end now.
pub(crate) async fn reset_password(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    TypedForm(form): TypedForm<ResetForm>,
) -> Result<Response, AppError> {
    let account = load(&state, &id).await?;
    if !form.confirmed {
        return view::unprocessable(
            users_page(&state, &user, "请使用“重置密码”按钮确认重置").await,
        );
    }
    let temporary = jianguan_app::accounts::reset_password(
        state.store(),
        state.clock(),
        &user.account.username,
        account.id,
    )
    .await
    .map_err(|e| match e {
        jianguan_app::accounts::AccountError::Store(e) => AppError::store(e),
        other => AppError::internal(other.to_string()),
    })?;
    let message = format!(
        "已重置 {} 的密码。临时密码只显示这一次，请当面或通过安全渠道交给本人；下次登录须修改。",
        account.username
    );
    users_page_with(
        &state,
        &user,
        "",
        Some((account.username.clone(), temporary)),
        Typed::default(),
        message,
    )
    .await
}

/// The form of `POST /admin/security`.
pub(crate) struct SecurityForm {
    max_password_age_days: Option<u32>,
    max_sessions: Option<u32>,
    second_factor_for_all: bool,
}

impl FromParams for SecurityForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        SecurityForm {
            max_password_age_days: f.choice(
                "max_password_age_days",
                |v| v.parse().ok(),
                "应为天数（0 表示不限）",
            ),
            max_sessions: f.choice("max_sessions", |v| v.parse().ok(), "应为正整数"),
            second_factor_for_all: f.flag("second_factor_for_all"),
        }
    }
}

/// `POST /admin/security`: the security settings saved as a new version (audited).
pub(crate) async fn security(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<SecurityForm>,
) -> Result<Response, AppError> {
    let (Some(max_password_age_days), Some(max_sessions)) =
        (form.max_password_age_days, form.max_sessions)
    else {
        return view::unprocessable(
            users_page(&state, &user, "请填写口令最长使用天数和同时在线会话数").await,
        );
    };
    let settings = SecuritySettings {
        max_password_age_days,
        max_sessions,
        second_factor_for_all: form.second_factor_for_all,
    };
    match jianguan_app::accounts::save_security_settings(
        state.store(),
        state.clock(),
        &user.account.username,
        settings,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/admin/users?security=saved").into_response()),
        Err(jianguan_app::accounts::AccountError::Store(e)) => Err(AppError::store(e)),
        Err(e) => view::unprocessable(users_page(&state, &user, &e.to_string()).await),
    }
}
