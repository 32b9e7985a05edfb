//! The warning rules' settings page: the rules in force with their version and history, and —
//! for the command office — a form of labelled fields (every threshold of [`WarningRules`] and
//! its `[proposals]`) to preview or save a new version, with the TOML file kept as import/export
//! for technical staff. Both paths build the same domain value, checked by
//! [`WarningRules::check`] (a refusal is shown beside the field it names, every typed value
//! kept), and save through `jianguan_app::cadence::save_warning_rules`, audited in the same
//! transaction. The preview counts what each rule set gives today
//! ([`warnings::count_levels`] over the current records) without saving anything.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_access::policy::{Action, Resource};
use jianguan_audit::AuditAction;
use jianguan_domain::acts::Trigger;
use jianguan_domain::store::AuditQuery;
use jianguan_domain::warnings::{
    self, AtRiskRule, DEFAULT_RULES_TOML, LevelCounts, LightRule, OverdueRung, RepeatRule,
    RulesError, WarningLevel, WarningRules,
};

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::cadence::{RulesSaveError, RulesSaved, WARNING_RULES_KEY};
use crate::error::AppError;
use crate::rule_form::{Field, Fieldset, FormValues, plain};
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
    /// The form's fields, filled with the rules in force or the values as typed.
    fieldsets: Vec<Fieldset>,
    /// The form's problems for the summary: (field id, message).
    problems: Vec<(String, String)>,
    /// The preview: (level, today under the rules in force, under the edited rules, change).
    preview: Option<Vec<(&'static str, u64, u64, String)>>,
    /// Whether the TOML section opens by itself (a refused file is shown in it).
    toml_open: bool,
}

/// What the page shows besides the rules in force.
#[derive(Default)]
struct Shown {
    /// The form as posted (none: filled from the rules in force).
    form: Option<FormValues>,
    /// A TOML text as typed, refused.
    typed: Option<String>,
    /// A TOML text's refusal.
    error: Option<String>,
    /// The preview table.
    preview: Option<Vec<(&'static str, u64, u64, String)>>,
    notice: String,
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
                .map(|d| crate::i18n::lang().date(d))
                .unwrap_or_default();
            (
                s.body,
                crate::i18n::lang().tn2("第 {n} 版，{m}", s.version, fmt::actor(&s.saved_by))
                    + &crate::i18n::lang().tn(" 于 {n} 保存", at),
                s.version,
            )
        }
        None => (
            DEFAULT_RULES_TOML.to_string(),
            crate::i18n::lang().t("默认规则（尚未修改）").to_string(),
            0,
        ),
    })
}

/// The rules as sentences, for readers who do not read TOML.
fn summary(rules: &WarningRules) -> Vec<(String, String)> {
    let lang = crate::i18n::lang();
    let mut out: Vec<(String, String)> = rules
        .overdue
        .iter()
        .map(|r| {
            (
                lang.tn("逾期 ≥ {n} 天", r.days),
                lang.t(r.level.label()).to_string(),
            )
        })
        .collect();
    if let Some(r) = rules.repeat {
        out.push((
            lang.tn2(
                "{n} 天内同一项目另有 {m} 个节点达到",
                r.within_days,
                r.count,
            ) + lang.t(r.from.label()),
            lang.tn("至少{n}", lang.t(r.level.label())),
        ));
    }
    if let Some(r) = rules.at_risk {
        out.push((
            lang.tn2(
                "到期前 {n} 天内，预测滞后 ≥ {m} 天",
                r.within_days,
                r.min_predicted_days,
            ),
            lang.t("风险").to_string(),
        ));
    }
    out.push((
        lang.tn2(
            "红灯项目占比 ≥ {n}% / 黄灯及以上占比 ≥ {m}%",
            format!("{:.0}", rules.lights.red_share * 100.0),
            format!("{:.0}", rules.lights.yellow_share * 100.0),
        ),
        lang.t("县区、类别亮红灯 / 黄灯").to_string(),
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
    shown: Shown,
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
    let form = shown.form.unwrap_or_else(|| rules_values(&rules));
    let mut fieldsets = rules_fieldsets(&form);
    form.fill(&mut fieldsets);
    view::render(SettingsPage {
        in_force: line + &crate::i18n::lang().tn("（规则版本号 {n}）", rules.version),
        summary: summary(&rules),
        toml_open: shown.typed.is_some(),
        body: shown.typed.unwrap_or(body),
        may_update: user.may(Resource::Settings, Action::Update),
        error: shown.error,
        notice: shown.notice,
        history: history(state).await?,
        problems: form.summary(),
        fieldsets,
        preview: shown.preview,
        layout,
    })
}

/// The levels a preview counts, lowest first, with their names.
fn preview_rows(now: LevelCounts, edited: LevelCounts) -> Vec<(&'static str, u64, u64, String)> {
    WarningLevel::ALL
        .into_iter()
        .map(|level| {
            let (a, b) = (now.get(level), edited.get(level));
            let change = match b.cmp(&a) {
                std::cmp::Ordering::Greater => format!("+{}", b - a),
                std::cmp::Ordering::Less => format!("−{}", a - b),
                std::cmp::Ordering::Equal => "—".to_string(),
            };
            (crate::i18n::lang().t(level.label()), a, b, change)
        })
        .collect()
}

/// The rules in force as the form's values (plus an empty rung to add one).
fn rules_values(rules: &WarningRules) -> FormValues {
    let mut v = FormValues::default();
    for (i, r) in rules.overdue.iter().enumerate() {
        v.set(format!("overdue.{i}.days"), r.days);
        v.set(format!("overdue.{i}.level"), r.level.code());
    }
    let extra = rules.overdue.len();
    v.set(format!("overdue.{extra}.days"), "");
    v.set(
        format!("overdue.{extra}.level"),
        WarningLevel::Warning.code(),
    );
    let repeat = rules.repeat.unwrap_or(RepeatRule {
        count: 2,
        from: WarningLevel::Warning,
        within_days: 60,
        level: WarningLevel::Warning,
    });
    if rules.repeat.is_some() {
        v.set("repeat.on", "on");
    }
    v.set("repeat.count", repeat.count);
    v.set("repeat.from", repeat.from.code());
    v.set("repeat.within_days", repeat.within_days);
    v.set("repeat.level", repeat.level.code());
    let at_risk = rules.at_risk.unwrap_or(AtRiskRule {
        within_days: 14,
        min_predicted_days: 7,
    });
    if rules.at_risk.is_some() {
        v.set("at_risk.on", "on");
    }
    v.set("at_risk.within_days", at_risk.within_days);
    v.set("at_risk.min_predicted_days", at_risk.min_predicted_days);
    v.set("lights.red_share", plain(rules.lights.red_share * 100.0));
    v.set(
        "lights.yellow_share",
        plain(rules.lights.yellow_share * 100.0),
    );
    v.set("proposals.quiet_days", rules.proposals.quiet_days);
    for (act, list) in [
        ("supervision", &rules.proposals.supervision),
        ("summons", &rules.proposals.summons),
    ] {
        for (i, t) in list.iter().enumerate() {
            let key = format!("proposals.{act}.{i}");
            let (when, count, days) = match *t {
                Trigger::MilestoneOverdue { days } => ("milestone_overdue", None, Some(days)),
                Trigger::RepeatedWarnings { count, within_days } => {
                    ("repeated_warnings", Some(count), Some(within_days))
                }
                Trigger::DistrictWarnings { count } => ("district_warnings", Some(count), None),
                Trigger::RepeatedSupervision { count, within_days } => {
                    ("repeated_supervision", Some(count), Some(within_days))
                }
            };
            v.set(format!("{key}.when"), when);
            if let Some(c) = count {
                v.set(format!("{key}.count"), c);
            }
            if let Some(d) = days {
                let field = if when == "milestone_overdue" {
                    "days"
                } else {
                    "within_days"
                };
                v.set(format!("{key}.{field}"), d);
            }
        }
    }
    v
}

/// The most rungs or triggers a form carries (the rules in force have a few).
const MAX_ROWS: usize = 12;

/// The rows `prefix.{i}.{field}` the form holds.
fn rows(form: &FormValues, prefix: &str, field: &str) -> Vec<usize> {
    (0..MAX_ROWS)
        .filter(|i| form.has(&format!("{prefix}.{i}.{field}")))
        .collect()
}

fn level_options(levels: &[WarningLevel]) -> Vec<(String, String)> {
    levels
        .iter()
        .map(|l| {
            (
                l.code().to_string(),
                crate::i18n::lang().t(l.label()).to_string(),
            )
        })
        .collect()
}

/// A trigger's fields: (field, label, suffix), in the reader's language.
type TriggerFields = Vec<(&'static str, &'static str, &'static str)>;

/// What a trigger kind's fields are called, in the reader's language: (its description,
/// [(field, label, suffix)]).
fn trigger_fields(when: &str) -> (&'static str, TriggerFields) {
    let lang = crate::i18n::lang();
    match when {
        "milestone_overdue" => (
            lang.t("项目有节点逾期达到天数"),
            vec![("days", lang.t("节点逾期天数 ≥"), lang.t("天"))],
        ),
        "repeated_warnings" => (
            lang.t("项目在统计天数内多个节点达到警示"),
            vec![
                ("count", lang.t("达到警示的节点数 ≥"), lang.t("个")),
                ("within_days", lang.t("统计天数"), lang.t("天")),
            ],
        ),
        "district_warnings" => (
            lang.t("县区同时有多个项目处于警示"),
            vec![("count", lang.t("处于警示的项目数 ≥"), lang.t("个"))],
        ),
        "repeated_supervision" => (
            lang.t("单位在统计天数内多次被督办"),
            vec![
                ("count", lang.t("被督办次数 ≥"), lang.t("次")),
                ("within_days", lang.t("统计天数"), lang.t("天")),
            ],
        ),
        _ => (lang.t("未知条件（请在 TOML 中修改）"), Vec::new()),
    }
}

/// The form's fields for the rows `form` holds.
fn rules_fieldsets(form: &FormValues) -> Vec<Fieldset> {
    let lang = crate::i18n::lang();
    let ladder = [WarningLevel::Reminder, WarningLevel::Warning];
    let mut overdue = Fieldset::new("overdue", lang.t("节点逾期 → 等级"))
        .note(lang.t("逾期天数达到即给该等级，天数和等级须逐级递增；最后一行留空则不增加一级。"));
    for i in rows(form, "overdue", "days") {
        overdue = overdue
            .field(Field::int(
                format!("overdue.{i}.days"),
                lang.tn("第 {n} 级：逾期天数 ≥", i + 1),
                lang.t("天"),
            ))
            .field(Field::select(
                format!("overdue.{i}.level"),
                lang.tn("第 {n} 级：等级", i + 1),
                level_options(&ladder),
            ));
    }
    let repeat =
        Fieldset::new("repeat", lang.t("同一项目反复警示"))
            .note(lang.t(
                "统计天数内同一项目已有若干个其他节点达到某等级时，当前逾期节点至少给到所选等级。",
            ))
            .field(Field::check("repeat.on".into(), lang.t("使用此规则")))
            .field(Field::int(
                "repeat.count".into(),
                lang.t("其他节点数 ≥"),
                lang.t("个"),
            ))
            .field(Field::select(
                "repeat.from".into(),
                lang.t("达到的等级"),
                level_options(&ladder),
            ))
            .field(Field::int(
                "repeat.within_days".into(),
                lang.t("统计天数"),
                lang.t("天"),
            ))
            .field(Field::select(
                "repeat.level".into(),
                lang.t("当前节点至少"),
                level_options(&ladder),
            ));
    let at_risk = Fieldset::new("at_risk", lang.t("到期前风险"))
        .note(lang.t("到期前若干天内，按进度预测将滞后达到天数的节点标记为风险。"))
        .field(Field::check("at_risk.on".into(), lang.t("使用此规则")))
        .field(Field::int(
            "at_risk.within_days".into(),
            lang.t("到期前天数"),
            lang.t("天"),
        ))
        .field(Field::int(
            "at_risk.min_predicted_days".into(),
            lang.t("预测滞后 ≥"),
            lang.t("天"),
        ));
    let lights = Fieldset::new("lights", lang.t("县区、类别亮灯"))
        .field(Field::num(
            "lights.red_share".into(),
            lang.t("红灯项目占比 ≥"),
            "%",
        ))
        .field(Field::num(
            "lights.yellow_share".into(),
            lang.t("黄灯及以上项目占比 ≥"),
            "%",
        ));
    let mut proposals =
        Fieldset::new("proposals", lang.t("督办、约谈建议"))
            .note(lang.t(
                "以下条件只向办公室提出建议，由办公室逐条签发或不予签发；增删条件请用下方 TOML。",
            ))
            .field(Field::int(
                "proposals.quiet_days".into(),
                lang.t("同一对象签发或不予签发后，不再提出的天数"),
                lang.t("天"),
            ));
    for (act, name) in [("supervision", lang.t("督办")), ("summons", lang.t("约谈"))] {
        for i in rows(form, &format!("proposals.{act}"), "when") {
            let key = format!("proposals.{act}.{i}");
            let (what, fields) = trigger_fields(form.get(&format!("{key}.when")));
            proposals = proposals.field(Field::hidden(format!("{key}.when")));
            for (field, label, suffix) in fields {
                proposals = proposals.field(Field::int(
                    format!("{key}.{field}"),
                    lang.tn2("{n}（{m}）：", name, what) + label,
                    suffix,
                ));
            }
        }
    }
    vec![overdue, repeat, at_risk, lights, proposals]
}

/// A level chosen in `name`.
fn level(form: &mut FormValues, name: &str) -> Option<WarningLevel> {
    let code = form.get(name).to_string();
    let level = WarningLevel::from_code(&code);
    if level.is_none() {
        form.refuse(name, crate::i18n::lang().t("请选择等级"));
    }
    level
}

/// The rules the form describes, as version `version`: numbers read (a malformed one recorded
/// beside its field), then checked by [`WarningRules::check`], whose refusal is placed beside the
/// field it names. `None` when anything is wrong.
fn rules_from_form(form: &mut FormValues, version: u32) -> Option<WarningRules> {
    // The rungs the form fills, and which form row each came from (an empty row is left out).
    let mut overdue = Vec::new();
    let mut overdue_rows = Vec::new();
    for i in rows(form, "overdue", "days") {
        let days_key = format!("overdue.{i}.days");
        if form.get(&days_key).is_empty() && i > 0 {
            continue;
        }
        let days = form.int(&days_key, crate::i18n::lang().t("逾期天数"));
        let level = level(form, &format!("overdue.{i}.level"));
        if let (Some(days), Some(level)) = (days, level) {
            overdue.push(OverdueRung { days, level });
            overdue_rows.push(i);
        }
    }
    let repeat = if form.get("repeat.on") == "on" {
        let count = form.count("repeat.count", crate::i18n::lang().t("其他节点数"));
        let from = level(form, "repeat.from");
        let within_days = form.int("repeat.within_days", crate::i18n::lang().t("统计天数"));
        let level = level(form, "repeat.level");
        match (count, from, within_days, level) {
            (Some(count), Some(from), Some(within_days), Some(level)) => Some(RepeatRule {
                count,
                from,
                within_days,
                level,
            }),
            _ => None,
        }
    } else {
        None
    };
    let at_risk = if form.get("at_risk.on") == "on" {
        let within_days = form.int("at_risk.within_days", crate::i18n::lang().t("到期前天数"));
        let min_predicted_days = form.int(
            "at_risk.min_predicted_days",
            crate::i18n::lang().t("预测滞后天数"),
        );
        match (within_days, min_predicted_days) {
            (Some(within_days), Some(min_predicted_days)) => Some(AtRiskRule {
                within_days,
                min_predicted_days,
            }),
            _ => None,
        }
    } else {
        None
    };
    let red = form.num("lights.red_share", crate::i18n::lang().t("红灯占比"));
    let yellow = form.num("lights.yellow_share", crate::i18n::lang().t("黄灯占比"));
    let quiet_days = form.int(
        "proposals.quiet_days",
        crate::i18n::lang().t("不再提出的天数"),
    );
    let mut triggers: [Vec<Trigger>; 2] = [Vec::new(), Vec::new()];
    for (n, act) in ["supervision", "summons"].into_iter().enumerate() {
        for i in rows(form, &format!("proposals.{act}"), "when") {
            let key = format!("proposals.{act}.{i}");
            let when = form.get(&format!("{key}.when")).to_string();
            let mut count = || form.count(&format!("{key}.count"), crate::i18n::lang().t("次数"));
            let trigger = match when.as_str() {
                "milestone_overdue" => form
                    .int(&format!("{key}.days"), crate::i18n::lang().t("逾期天数"))
                    .map(|days| Trigger::MilestoneOverdue { days }),
                "district_warnings" => count().map(|count| Trigger::DistrictWarnings { count }),
                "repeated_warnings" | "repeated_supervision" => {
                    let count = count();
                    let within = form.int(
                        &format!("{key}.within_days"),
                        crate::i18n::lang().t("统计天数"),
                    );
                    match (count, within) {
                        (Some(count), Some(within_days)) if when == "repeated_warnings" => {
                            Some(Trigger::RepeatedWarnings { count, within_days })
                        }
                        (Some(count), Some(within_days)) => {
                            Some(Trigger::RepeatedSupervision { count, within_days })
                        }
                        _ => None,
                    }
                }
                _ => {
                    form.refuse(
                        &key,
                        crate::i18n::lang().t("未知的建议条件，请在 TOML 中修改"),
                    );
                    None
                }
            };
            triggers[n].extend(trigger);
        }
    }
    if form.has_errors() {
        return None;
    }
    let [supervision, summons] = triggers;
    let rules = WarningRules {
        version,
        overdue,
        repeat,
        at_risk,
        lights: LightRule {
            red_share: red? / 100.0,
            yellow_share: yellow? / 100.0,
        },
        proposals: warnings_proposals(quiet_days?, supervision, summons),
    };
    if let Err(problem) = rules.check() {
        // The domain names rungs by their place among the filled ones; the form by its row.
        let field = match problem.field.strip_prefix("overdue.") {
            Some(rest) => {
                let (i, field) = rest.split_once('.').unwrap_or((rest, "days"));
                let row = i
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| overdue_rows.get(i).copied())
                    .unwrap_or(0);
                format!("overdue.{row}.{field}")
            }
            None => problem.field,
        };
        // The form takes shares in percent; the domain's message speaks of 0 to 1.
        let message = if field.starts_with("lights.") {
            crate::i18n::lang()
                .t("占比须在 0% 到 100% 之间")
                .to_string()
        } else {
            problem.message
        };
        form.refuse(field, message);
        return None;
    }
    Some(rules)
}

fn warnings_proposals(
    quiet_days: i64,
    supervision: Vec<Trigger>,
    summons: Vec<Trigger>,
) -> jianguan_domain::acts::ProposalRules {
    jianguan_domain::acts::ProposalRules {
        quiet_days,
        supervision,
        summons,
    }
}

/// `GET /settings/warnings`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let notice = match params.id("saved")? {
        Some(v) => crate::i18n::lang().tn("已保存为第 {n} 版，次日起的警示按新规则计算。", v),
        None => String::new(),
    };
    render_page(
        &state,
        &user,
        Shown {
            notice,
            ..Shown::default()
        },
    )
    .await
}

/// `POST /settings/warnings`: the form's fields (`action=preview` shows what they would give
/// today, anything else saves them), or the TOML file (field `rules`). Either is checked and
/// saved as a new version through the one use case; a refusal answers 422 with what was typed.
pub(crate) async fn save(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    crate::params::CheckedForm(form): crate::params::CheckedForm,
) -> Result<Response, AppError> {
    if let Some(body) = form.get("rules") {
        let body = body.replace("\r\n", "\n");
        return save_toml(&state, &user, body).await;
    }
    let preview = form.get("action").is_some_and(|a| a == "preview");
    let mut values = FormValues::posted(form);
    let (body, _, _) = in_force(&state).await?;
    let current = WarningRules::from_toml(&body).unwrap_or_default();
    let Some(edited) = rules_from_form(&mut values, current.version + 1) else {
        return view::unprocessable(
            render_page(
                &state,
                &user,
                Shown {
                    form: Some(values),
                    ..Shown::default()
                },
            )
            .await,
        );
    };
    if preview {
        let snap = view::snapshot(&state).await?;
        let records = super::records(&state).await?;
        let today = state.today();
        let count = |rules: &WarningRules| {
            warnings::count_levels(&snap.portfolio, rules, &records.warnings, today)
        };
        return render_page(
            &state,
            &user,
            Shown {
                form: Some(values),
                preview: Some(preview_rows(count(&current), count(&edited))),
                notice: crate::i18n::lang().tn(
                    "预览：按修改后的规则，{n} 的警示如下表；尚未保存，正在执行的规则不变。",
                    crate::i18n::lang().date(today),
                ),
                ..Shown::default()
            },
        )
        .await;
    }
    let unchanged = WarningRules {
        version: current.version,
        ..edited.clone()
    } == current;
    if unchanged {
        return render_page(
            &state,
            &user,
            Shown {
                notice: crate::i18n::lang().t("规则未作修改，未保存新版本。").into(),
                ..Shown::default()
            },
        )
        .await;
    }
    let saved = jianguan_app::cadence::save_warning_rules(
        state.store(),
        state.clock(),
        &edited.to_toml(),
        &user.account.username,
        user.unit_name.clone(),
    )
    .await;
    match saved {
        Ok(saved) => Ok(after_saving(saved)),
        Err(RulesSaveError::Rules(e)) => {
            values.refuse(
                "overdue",
                crate::i18n::lang()
                    .t("未保存，正在执行的规则不变。")
                    .to_string()
                    + &e.message,
            );
            view::unprocessable(
                render_page(
                    &state,
                    &user,
                    Shown {
                        form: Some(values),
                        ..Shown::default()
                    },
                )
                .await,
            )
        }
        Err(RulesSaveError::Store(e)) => Err(AppError::store(e)),
    }
}

/// The TOML path: `body` checked and saved, or shown again with its line and reason.
async fn save_toml(
    state: &AppState,
    user: &CurrentUser,
    body: String,
) -> Result<Response, AppError> {
    let refuse = |e: RulesError| {
        let body = body.clone();
        async move {
            view::unprocessable(
                render_page(
                    state,
                    user,
                    Shown {
                        typed: Some(body),
                        error: Some(
                            crate::i18n::lang()
                                .t("未保存，正在执行的规则不变。")
                                .to_string()
                                + &e.to_string(),
                        ),
                        ..Shown::default()
                    },
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
        Ok(saved) => Ok(after_saving(saved)),
        Err(RulesSaveError::Rules(e)) => refuse(e).await,
        Err(RulesSaveError::Store(e)) => Err(AppError::store(e)),
    }
}

/// Back to the rules after a save, from the form or the TOML: the new version is announced.
fn after_saving(saved: RulesSaved) -> Response {
    match saved {
        RulesSaved::Unchanged => Redirect::to("/settings/warnings").into_response(),
        RulesSaved::Saved { setting, .. } => {
            Redirect::to(&format!("/settings/warnings?saved={}", setting.version)).into_response()
        }
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

    #[test]
    fn the_form_filled_from_rules_builds_the_same_rules() {
        let rules = WarningRules::default();
        let mut form = rules_values(&rules);
        assert_eq!(rules_from_form(&mut form, rules.version), Some(rules));
    }

    #[test]
    fn a_rung_out_of_order_is_refused_beside_its_row() {
        let rules = WarningRules::default();
        let mut form = rules_values(&rules);
        form.set("overdue.1.days", "1");
        assert_eq!(rules_from_form(&mut form, 2), None);
        let mut sets = rules_fieldsets(&form);
        form.fill(&mut sets);
        let field = sets[0]
            .fields
            .iter()
            .find(|f| f.name == "overdue.1.days")
            .unwrap();
        assert!(field.error.as_deref().unwrap().contains("递增"));
        assert_eq!(field.value, "1");
    }
}
