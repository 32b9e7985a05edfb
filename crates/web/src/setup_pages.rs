//! The first-run page (`/setup`): on an empty database the server prints a one-time token on
//! its console; from the administrators' address ranges, with that token, the page sets the
//! city up as `jianguan init` does and makes its three administrators and the office's first
//! account. Once the city exists the page is gone (404) and the token void. The route guard
//! enforces "only while empty, only from the admin ranges"; the token is checked here.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use jianguan_access::Role;
use jianguan_app::setup::{CityInput, FIRST_ROLES, FirstAccount, SetupError, set_up_city};
use jianguan_audit::{AuditAction, AuditDraft, CryptoSuite, Outcome};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::ClientAddr;
use crate::error::AppError;
use crate::params::{Fields, FromParams, Typed, TypedForm};
use crate::view;

/// The first-run page's path.
pub const SETUP_PATH: &str = "/setup";

/// One account field set of the form.
struct AccountField {
    code: &'static str,
    label: &'static str,
    username: String,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    display: crate::i18n::Display,
    token: String,
    city: String,
    year: String,
    issuer: String,
    doc_prefix: String,
    /// The chosen suite's name (`intl` or `sm`).
    crypto: String,
    accounts: Vec<AccountField>,
    message: String,
}

/// One account the page made, as the result shows it.
struct MadeRow {
    label: &'static str,
    username: String,
    totp_secret: String,
}

#[derive(Template)]
#[template(path = "setup_done.html")]
struct DonePage {
    display: crate::i18n::Display,
    city: String,
    year: i16,
    office: String,
    categories: usize,
    periods: usize,
    accounts: Vec<MadeRow>,
}

/// The form (and the query of `GET /setup`, which may carry the token).
pub(crate) struct SetupForm {
    token: String,
    city: String,
    year: Option<i16>,
    issuer: String,
    doc_prefix: String,
    crypto: String,
    accounts: Vec<(Role, String, String)>,
}

impl FromParams for SetupForm {
    fn from_params(f: &mut Fields<'_>) -> Self {
        SetupForm {
            token: f.text("token").unwrap_or_default(),
            city: f.text("city").unwrap_or_default(),
            year: f.year("year"),
            issuer: f.text("issuer").unwrap_or_default(),
            doc_prefix: f.text("doc_prefix").unwrap_or_default(),
            crypto: f.text("crypto").unwrap_or_default(),
            accounts: FIRST_ROLES
                .iter()
                .map(|r| {
                    (
                        *r,
                        f.text(&format!("username_{}", r.code()))
                            .unwrap_or_default(),
                        f.raw(&format!("password_{}", r.code())),
                    )
                })
                .collect(),
        }
    }
}

fn page_of(form: &SetupForm, message: &str) -> Result<Response, AppError> {
    view::render(SetupPage {
        display: crate::i18n::current(),
        token: form.token.clone(),
        city: form.city.clone(),
        year: form.year.map(|y| y.to_string()).unwrap_or_default(),
        issuer: form.issuer.clone(),
        doc_prefix: form.doc_prefix.clone(),
        crypto: if form.crypto.is_empty() {
            CryptoSuite::Intl.as_str().to_string()
        } else {
            form.crypto.clone()
        },
        accounts: form
            .accounts
            .iter()
            .map(|(role, username, _)| AccountField {
                code: role.code(),
                label: crate::i18n::lang().t(role.label()),
                username: username.clone(),
            })
            .collect(),
        message: message.to_string(),
    })
}

/// `GET /setup`: the form (the token prefilled when the link carries it).
pub(crate) async fn page(Typed(form): Typed<SetupForm>) -> Result<Response, AppError> {
    page_of(&form, "")
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// `POST /setup`: checks the token, then sets the city up and makes the four accounts.
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    Extension(client): Extension<ClientAddr>,
    TypedForm(form): TypedForm<SetupForm>,
) -> Result<Response, AppError> {
    let expected = state.setup_token();
    let good = expected.is_some_and(|t| digest(&t) == digest(&form.token));
    if !good {
        let record = AuditDraft {
            at_ms: state.now_ms(),
            actor: "anonymous".into(),
            unit: None,
            action: AuditAction::AccessDenied.code(),
            object: format!("POST {SETUP_PATH} (wrong one-time token)"),
            result: Outcome::Denied,
            client: client.0.clone(),
            changes: Vec::new(),
        };
        state
            .store()
            .append_audit(&record)
            .await
            .map_err(AppError::store)?;
        return Err(AppError::forbidden(
            "一次性口令不正确：请使用服务启动时控制台显示的口令",
        ));
    }
    let Some(year) = form.year else {
        return view::unprocessable(page_of(&form, crate::i18n::lang().t("年度：不能为空")));
    };
    let crypto = if form.crypto.is_empty() {
        CryptoSuite::Intl
    } else {
        match form.crypto.parse::<CryptoSuite>() {
            Ok(suite) => suite,
            Err(e) => {
                return view::unprocessable(page_of(
                    &form,
                    &crate::i18n::lang().tn("密码算法：{n}", e),
                ));
            }
        }
    };
    let input = CityInput {
        city: form.city.clone(),
        year,
        issuer: Some(form.issuer.clone()),
        doc_prefix: Some(form.doc_prefix.clone()),
        crypto,
    };
    let accounts: Vec<FirstAccount> = form
        .accounts
        .iter()
        .map(|(role, username, password)| FirstAccount {
            role: *role,
            username: username.clone(),
            display_name: String::new(),
            password: password.clone(),
        })
        .collect();
    match set_up_city(state.store(), state.clock(), "setup", &input, &accounts).await {
        Ok((city, made)) => {
            state.close_setup();
            view::render(DonePage {
                display: crate::i18n::current(),
                city: city.settings.city,
                year: city.settings.year,
                office: city.office.name,
                categories: city.categories,
                periods: city.periods,
                accounts: made
                    .into_iter()
                    .map(|m| MadeRow {
                        label: crate::i18n::lang().t(m.role.label()),
                        username: m.username,
                        totp_secret: m.totp_secret.unwrap_or_default(),
                    })
                    .collect(),
            })
        }
        Err(SetupError::Store(e)) => match jianguan_app::refusal(&e) {
            Some(why) => view::unprocessable(page_of(&form, &why)),
            None => Err(AppError::store(e)),
        },
        Err(SetupError::NotEmpty) => {
            state.close_setup();
            Err(AppError::not_found("该页面"))
        }
        Err(e) => view::unprocessable(page_of(&form, &e.to_string())),
    }
}
