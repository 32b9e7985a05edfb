//! The signed-in user's own account: its details and the optional second factor (TOTP), which
//! any user may turn on and administrators must have.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_access::totp::{Totp, TotpSecret};
use jianguan_audit::{AuditAction, AuditDraft, FieldChange, Outcome};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::{Fields, FromParams, TypedForm};
use crate::view;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    user: &'a str,
    username: &'a str,
    unit: &'a str,
    roles: String,
    has_totp: bool,
    /// A new secret offered for setting up, with its provisioning URI.
    offer: Option<(String, String)>,
    message: &'a str,
}

fn page(
    user: &CurrentUser,
    offer: Option<(String, String)>,
    message: &str,
) -> Result<Response, AppError> {
    let view = AccountPage {
        user: &user.account.display_name,
        username: &user.account.username,
        unit: user.unit_name.as_deref().unwrap_or(""),
        roles: user
            .roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、"),
        has_totp: user.account.totp_secret.is_some(),
        offer,
        message,
    };
    view::render(view)
}

fn offer(user: &CurrentUser) -> Result<(String, String), AppError> {
    let secret = TotpSecret::generate().map_err(|e| AppError::internal(e.to_string()))?;
    let uri = Totp::STANDARD.provisioning_uri(&secret, "jianguan", &user.account.username);
    Ok((secret.to_base32(), uri))
}

/// `GET /account`.
pub(crate) async fn show(Extension(user): Extension<CurrentUser>) -> Result<Response, AppError> {
    let offer = if user.account.totp_secret.is_none() {
        Some(offer(&user)?)
    } else {
        None
    };
    page(&user, offer, "")
}

/// The form of `POST /account/totp`.
pub(crate) struct TotpForm {
    /// `action=enable` (anything else turns the second factor off).
    enable: bool,
    /// The new secret, as the page offered it.
    secret: String,
    /// The code from the authenticator.
    code: String,
}

impl FromParams for TotpForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        TotpForm {
            enable: f.raw_opt("action").as_deref() == Some("enable"),
            secret: f.raw("secret"),
            code: f.raw("code"),
        }
    }
}

/// `POST /account/totp`: turns the second factor on once the user proves the new secret works
/// (the code from their authenticator), or off (not for administrators, who must keep it).
pub(crate) async fn totp(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<TotpForm>,
) -> Result<Response, AppError> {
    let mut account = user.account.clone();
    let enabling = form.enable;
    if enabling {
        let secret_text = form.secret;
        let secret = TotpSecret::from_base32(&secret_text)
            .map_err(|_| AppError::bad_parameter("secret", "密钥无效"))?;
        let now = state.now_ms();
        let code = form.code.trim();
        let Some(step) = Totp::STANDARD.verify(&secret, code, (now / 1000) as u64) else {
            return page(
                &user,
                Some((secret_text, String::new())),
                "动态口令不正确，请核对手机时间后重试",
            );
        };
        account.totp_secret = Some(secret.to_base32());
        // The code that proved the secret is spent: it cannot also log in.
        account.totp_last_step = Some(step as i64);
    } else {
        if jianguan_access::session::second_factor_required(&user.roles) {
            return page(&user, None, "管理员账户必须使用动态口令，不能关闭");
        }
        account.totp_secret = None;
        account.totp_last_step = None;
    }
    let record = AuditDraft {
        at_ms: state.now_ms(),
        actor: user.account.username.clone(),
        unit: user.unit_name.clone(),
        action: if enabling {
            AuditAction::TotpEnable
        } else {
            AuditAction::TotpDisable
        }
        .into(),
        object: format!("account:{}", account.id),
        result: Outcome::Success,
        client: user.client.clone(),
        changes: vec![FieldChange {
            field: "totp".into(),
            before: Some(user.account.totp_secret.is_some().to_string()),
            after: Some(enabling.to_string()),
        }],
    };
    state
        .store()
        .update_account(&account, false, &record)
        .await
        .map_err(AppError::store)?;
    Ok(Redirect::to("/account").into_response())
}
