//! The signed-in user's own account: its details, the optional second factor (TOTP, offered as
//! a QR code drawn on the server), which any user may turn on and administrators must have, and
//! the password change form (`/account/password`), which a reset or expired password forces.

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
use crate::i18n::{Display, LARGE_TYPE_COOKIE, Lang};
use crate::params::{Fields, FromParams, TypedForm};
use crate::view;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    user: &'a str,
    admin_nav: Vec<(&'static str, &'static str)>,
    username: &'a str,
    unit: &'a str,
    roles: String,
    has_totp: bool,
    /// A new secret offered for setting up, with its provisioning URI drawn as an SVG QR code.
    offer: Option<(String, String)>,
    message: &'a str,
    /// The language choices: (code, name, whether it is the stored choice); the empty code
    /// follows the browser.
    languages: Vec<(&'static str, &'static str, bool)>,
    display: Display,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    offer: Option<(String, String)>,
    message: &str,
) -> Result<Response, AppError> {
    let display = crate::i18n::current();
    let chosen = state
        .store()
        .account_lang(user.account.id)
        .await
        .map_err(AppError::store)?;
    let chosen = chosen.as_deref().and_then(Lang::from_code);
    let mut languages = vec![("", display.lang.t("跟随浏览器"), chosen.is_none())];
    languages.extend(
        Lang::ALL
            .iter()
            .map(|lang| (lang.code(), lang.name(), chosen == Some(*lang))),
    );
    let view = AccountPage {
        user: &user.account.display_name,
        admin_nav: view::admin_nav(user),
        username: &user.account.username,
        unit: user.unit_name.as_deref().unwrap_or(""),
        roles: user
            .roles
            .iter()
            .map(|r| crate::i18n::lang().t(r.label()))
            .collect::<Vec<_>>()
            .join(crate::i18n::lang().t("、")),
        has_totp: user.account.totp_secret.is_some(),
        offer,
        message,
        languages,
        display,
    };
    view::render(view)
}

fn offer(user: &CurrentUser) -> Result<(String, String), AppError> {
    let secret = TotpSecret::generate().map_err(|e| AppError::internal(e.to_string()))?;
    let uri = Totp::STANDARD.provisioning_uri(&secret, "jianguan", &user.account.username);
    Ok((secret.to_base32(), qr_svg(&uri)?))
}

/// `text` as a QR code in SVG (medium error correction, dark modules on white), for an
/// authenticator app's camera. Drawn here, so no secret leaves the server for a QR service.
pub(crate) fn qr_svg(text: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::internal(format!("二维码生成失败：{e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Inline in the page: the XML declaration has no place in HTML.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |at| svg[at..].to_string()))
}

/// `GET /account`.
pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    let offer = if user.account.totp_secret.is_none() {
        Some(offer(&user)?)
    } else {
        None
    };
    page(&state, &user, offer, "").await
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
                &state,
                &user,
                Some((secret_text, String::new())),
                "动态口令不正确，请核对手机时间后重试",
            )
            .await;
        };
        account.totp_secret = Some(secret.to_base32());
        // The code that proved the secret is spent: it cannot also log in.
        account.totp_last_step = Some(step as i64);
    } else {
        if jianguan_access::session::second_factor_required(&user.roles) {
            return page(&state, &user, None, "管理员账户必须使用动态口令，不能关闭").await;
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

/// The password change form's path: every page leads here while a password must be changed.
/// The form of `POST /account/language`.
pub(crate) struct LanguageForm {
    /// `zh`, `en`, or empty (follow the browser).
    lang: String,
}

impl FromParams for LanguageForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        LanguageForm {
            lang: f.raw("lang"),
        }
    }
}

/// `POST /account/language`: stores the interface language the user reads (or clears it, so
/// their browser's language applies again). A code that is no language is refused (400).
pub(crate) async fn language(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<LanguageForm>,
) -> Result<Response, AppError> {
    let lang = match form.lang.as_str() {
        "" => None,
        code => Some(
            Lang::from_code(code)
                .ok_or_else(|| AppError::bad_parameter("lang", "zh、en 或留空（跟随浏览器）"))?,
        ),
    };
    state
        .store()
        .set_account_lang(user.account.id, lang.map(Lang::code))
        .await
        .map_err(AppError::store)?;
    Ok(Redirect::to("/account").into_response())
}

/// The form of `POST /account/large-type`.
pub(crate) struct LargeTypeForm {
    /// Whether to turn the larger type on (`1`) or off.
    large: bool,
    /// The page to return to.
    next: String,
}

impl FromParams for LargeTypeForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        LargeTypeForm {
            large: f.raw_opt("large").as_deref() == Some("1"),
            next: f.raw("next"),
        }
    }
}

/// How long the large-type cookie lasts: a year (it is a choice of this device, not a session).
const LARGE_TYPE_MAX_AGE_S: u32 = 365 * 24 * 3600;

/// `POST /account/large-type`: turns the larger type (适老化) on or off on this device (a
/// cookie, so it holds on the login page too) and returns to the page the toggle was on.
pub(crate) async fn large_type(TypedForm(form): TypedForm<LargeTypeForm>) -> Response {
    let cookie = if form.large {
        format!("{LARGE_TYPE_COOKIE}=1; Path=/; Max-Age={LARGE_TYPE_MAX_AGE_S}; SameSite=Lax")
    } else {
        format!("{LARGE_TYPE_COOKIE}=0; Path=/; Max-Age=0; SameSite=Lax")
    };
    let mut response = Redirect::to(&crate::auth::safe_next(&form.next)).into_response();
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        response
            .headers_mut()
            .insert(axum::http::header::SET_COOKIE, value);
    }
    response
}

pub const PASSWORD_PATH: &str = "/account/password";

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage<'a> {
    user: &'a str,
    /// Whether the change is forced (a reset or expired password).
    forced: bool,
    message: &'a str,
    display: Display,
}

fn password_page(user: &CurrentUser, message: &str) -> Result<Response, AppError> {
    view::render(PasswordPage {
        user: &user.account.display_name,
        forced: user.account.must_change_password,
        message,
        display: crate::i18n::current(),
    })
}

/// `GET /account/password`.
pub(crate) async fn password_form(
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    password_page(&user, "")
}

/// The form of `POST /account/password`.
pub(crate) struct PasswordForm {
    old: String,
    new: String,
    confirm: String,
}

impl FromParams for PasswordForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        PasswordForm {
            old: f.raw("old"),
            new: f.raw("new"),
            confirm: f.raw("confirm"),
        }
    }
}

/// `POST /account/password`: the user's own password changed (the old one required, the policy
/// applied); the account's other sessions end, this one stays. A refused change shows the form
/// again (422) with the reason.
pub(crate) async fn change_password(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    TypedForm(form): TypedForm<PasswordForm>,
) -> Result<Response, AppError> {
    let refuse = |message: &str| view::unprocessable(password_page(&user, message));
    if form.old.is_empty() || form.new.is_empty() {
        return refuse("请填写原密码和新密码");
    }
    if form.new != form.confirm {
        return refuse("两次输入的新密码不一致");
    }
    match jianguan_app::accounts::change_password(
        state.store(),
        state.clock(),
        &user.account,
        &form.old,
        &form.new,
        &user.token_hash,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/account?changed=1").into_response()),
        Err(jianguan_app::accounts::AccountError::Invalid(message)) => refuse(&message),
        Err(jianguan_app::accounts::AccountError::Store(e)) => Err(AppError::store(e)),
    }
}
