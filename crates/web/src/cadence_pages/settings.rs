//! The warning rules' settings page: the rules in force (TOML) with their version and history,
//! and — for the command office — a form to save a new version. A file that does not parse or
//! validate ([`WarningRules::from_toml`]) is refused with its line and reason, and the running
//! rules stay as they are; a saved version is audited in the same transaction.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_access::policy::{Action, Resource};
use jianguan_audit::AuditAction;
use jianguan_domain::store::AuditQuery;
use jianguan_domain::warnings::{DEFAULT_RULES_TOML, RulesError, WarningRules};

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::cadence::{RulesSaveError, RulesSaved, WARNING_RULES_KEY};
use crate::error::AppError;
use crate::view::{self, Layout};
use crate::{AppState, Params, fmt};

/// One saved version, as the history lists it.
struct HistoryRow {
    at: String,
    by: String,
    version: String,
    rules_version: String,
}

#[derive(Template)]
#[template(path = "settings_warnings.html")]
struct SettingsPage {
    layout: Layout,
    body: String,
    in_force: String,
    summary: Vec<(String, String)>,
    may_update: bool,
    error: Option<String>,
    notice: String,
    history: Vec<HistoryRow>,
}

/// The text of the rules in force and a line saying which version they are.
async fn in_force(state: &AppState) -> Result<(String, String, i64), AppError> {
    let saved = state
        .store()
        .setting(WARNING_RULES_KEY)
        .await
        .map_err(AppError::store)?;
    Ok(match saved {
        Some(s) => {
            let at = jiff::Timestamp::from_millisecond(s.saved_at_ms)
                .map(|t| jiff::tz::offset(8).to_datetime(t).date())
                .map(fmt::date_cn)
                .unwrap_or_default();
            (
                s.body,
                format!(
                    "第 {} 版，{} 于 {at} 保存",
                    s.version,
                    fmt::actor(&s.saved_by)
                ),
                s.version,
            )
        }
        None => (
            DEFAULT_RULES_TOML.to_string(),
            "默认规则（尚未修改）".to_string(),
            0,
        ),
    })
}

/// The rules as sentences, for readers who do not read TOML.
fn summary(rules: &WarningRules) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rules
        .overdue
        .iter()
        .map(|r| (format!("逾期 ≥ {} 天", r.days), r.level.label().to_string()))
        .collect();
    if let Some(r) = rules.repeat {
        out.push((
            format!(
                "{} 天内同一项目另有 {} 个节点达到{}",
                r.within_days, r.count, r.from
            ),
            format!("至少{}", r.level.label()),
        ));
    }
    if let Some(r) = rules.at_risk {
        out.push((
            format!(
                "到期前 {} 天内，预测滞后 ≥ {} 天",
                r.within_days, r.min_predicted_days
            ),
            "风险".to_string(),
        ));
    }
    out.push((
        format!(
            "红灯项目占比 ≥ {:.0}% / 黄灯及以上占比 ≥ {:.0}%",
            rules.lights.red_share * 100.0,
            rules.lights.yellow_share * 100.0
        ),
        "县区、类别亮红灯 / 黄灯".to_string(),
    ));
    out
}

async fn history(state: &AppState) -> Result<Vec<HistoryRow>, AppError> {
    let (records, _) = state
        .store()
        .audit_search(&AuditQuery {
            action_prefix: Some(AuditAction::SettingsWarningRules.code()),
            limit: 50,
            ..AuditQuery::default()
        })
        .await
        .map_err(AppError::store)?;
    let after = |r: &jianguan_audit::AuditRecord, field: &str| {
        r.changes
            .iter()
            .find(|c| c.field == field)
            .and_then(|c| c.after.clone())
            .unwrap_or_default()
    };
    Ok(records
        .iter()
        .map(|r| HistoryRow {
            at: jiff::Timestamp::from_millisecond(r.at_ms)
                .map(|t| {
                    jiff::tz::offset(8)
                        .to_datetime(t)
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            by: fmt::actor(&r.actor),
            version: after(r, "setting_version"),
            rules_version: after(r, "rules_version"),
        })
        .collect())
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    typed: Option<String>,
    error: Option<String>,
    notice: String,
) -> Result<Response, AppError> {
    let snap = view::snapshot(state).await?;
    let today = state.today();
    let year = snap.portfolio.default_year(today);
    let scope = Scope {
        year,
        as_of: jianguan_domain::calendar::default_as_of(year, today),
    };
    let layout = Layout::new(
        "警示规则",
        "settings",
        scope,
        &snap,
        "/settings/warnings",
        user,
    )
    .crumb("设置", None)
    .crumb("警示规则", None);
    let (body, line, _) = in_force(state).await?;
    let rules = WarningRules::from_toml(&body).unwrap_or_default();
    view::render(SettingsPage {
        in_force: format!("{line}（规则版本号 {}）", rules.version),
        summary: summary(&rules),
        body: typed.unwrap_or(body),
        may_update: user.may(Resource::Settings, Action::Update),
        error,
        notice,
        history: history(state).await?,
        layout,
    })
}

/// `GET /settings/warnings`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let notice = match params.id("saved")? {
        Some(v) => format!("已保存为第 {v} 版，次日起的警示按新规则计算。"),
        None => String::new(),
    };
    render_page(&state, &user, None, None, notice).await
}

/// `POST /settings/warnings` (form field `rules`): validates and saves a new version.
pub(crate) async fn save(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    crate::params::CheckedForm(form): crate::params::CheckedForm,
) -> Result<Response, AppError> {
    let body = form
        .get("rules")
        .map(|b| b.replace("\r\n", "\n"))
        .unwrap_or_default();
    let refuse = |e: RulesError| {
        let state = &state;
        let user = &user;
        let body = body.clone();
        async move {
            view::unprocessable(
                render_page(
                    state,
                    user,
                    Some(body),
                    Some(format!("未保存，正在执行的规则不变。{e}")),
                    String::new(),
                )
                .await,
            )
        }
    };
    let saved = jianguan_app::cadence::save_warning_rules(
        state.store(),
        state.clock(),
        &body,
        &user.account.username,
        user.unit_name.clone(),
    )
    .await;
    match saved {
        Ok(RulesSaved::Unchanged) => Ok(Redirect::to("/settings/warnings").into_response()),
        Ok(RulesSaved::Saved { setting, .. }) => Ok(Redirect::to(&format!(
            "/settings/warnings?saved={}",
            setting.version
        ))
        .into_response()),
        Err(RulesSaveError::Rules(e)) => refuse(e).await,
        Err(RulesSaveError::Store(e)) => Err(AppError::store(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_read_as_sentences() {
        let lines = summary(&WarningRules::default());
        assert_eq!(lines[0], ("逾期 ≥ 1 天".to_string(), "提醒".to_string()));
        assert!(lines.iter().any(|(_, l)| l == "风险"));
    }
}
