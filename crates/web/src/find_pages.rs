//! Finding things and finding one's way: the header's search (`/search`: projects by code, name
//! or street, units by name, tracked items by title, topic or the bodies involved) and the help
//! page (`/help`: what each role does in a week and what each figure means).
//!
//! The search reads the project list's own selection (`pages::listed`, the same scope and
//! filter as `/projects?q=`), the units those projects name, and the tracked items the reader
//! sees by the list's own rule (`Viewer::sees_item`): a search shows nothing a list would hide.

use std::collections::HashSet;
use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use jianguan_access::Role;
use jianguan_access::policy::{Action, Resource};
use jianguan_domain::model::{UnitId, UnitKind};
use jianguan_domain::overview::ProjectQuery;
use jianguan_domain::rates::{DEFINITIONS, Definition};
use jianguan_domain::search::{self, MIN_CHARS, Needle, Refusal};

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::cadence_pages::{ProjectIndex, Viewer};
use crate::error::AppError;
use crate::params::urlencode;
use crate::view::{self, Layout};
use crate::{AppState, Params};

/// The most rows of a group the search page lists; the projects group links to the full list.
const SHOWN: usize = 20;
/// The longest search accepted (a name is at most 100 characters).
const MAX_CHARS: usize = 100;

/// One result: where it leads, what it is, and a line of context.
struct Hit {
    href: Option<String>,
    title: String,
    detail: String,
}

/// A group of results: its heading, how many matched, the first [`SHOWN`], and a link to all.
struct Group {
    heading: &'static str,
    total: usize,
    hits: Vec<Hit>,
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    /// Why nothing was searched, in Chinese, when nothing was.
    refusal: Option<String>,
    groups: Vec<Group>,
}

/// `GET /search?q=`: projects, units and tracked items matching `q`, within the reader's scope.
pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let visible = user.scope(Resource::Portfolio)?;
    let snap = view::snapshot(&state).await?;
    let scope = Scope::resolve(&params, &snap, state.today())?;
    let typed = params.get("q").unwrap_or("").to_string();
    let mut layout = Layout::new("搜索", "", scope, &snap, "/search", &user).crumb("搜索", None);
    layout.search = typed.clone();
    let qs = layout.qs.clone();
    let needle = if typed.chars().count() > MAX_CHARS {
        Err(format!("搜索内容过长：请少于 {MAX_CHARS} 个字。"))
    } else {
        Needle::parse(&typed).map_err(|r| match r {
            Refusal::Empty => {
                "请输入要查找的内容：项目编码、项目名称、街道、单位名称或督办事项。".to_string()
            }
            Refusal::TooShort => format!("请至少输入 {MIN_CHARS} 个字再搜索。"),
        })
    };
    let needle = match needle {
        Ok(n) => n,
        Err(refusal) => {
            return view::render(SearchPage {
                layout,
                q: typed,
                refusal: Some(refusal),
                groups: Vec::new(),
            });
        }
    };
    let p = &snap.portfolio;
    // Projects: the list's own rows for `q`.
    let query = ProjectQuery {
        search: Some(needle.text().to_string()),
        ..ProjectQuery::default()
    };
    let rows = crate::pages::listed(&snap, scope, &query, &visible);
    let projects = Group {
        heading: crate::i18n::lang().t("项目"),
        total: rows.len(),
        more: (rows.len() > SHOWN)
            .then(|| format!("/projects?{qs}&q={}", urlencode(needle.text()))),
        hits: rows
            .iter()
            .take(SHOWN)
            .map(|r| Hit {
                href: Some(format!("/projects/{}?{qs}", r.id)),
                title: format!("{} {}", r.code, r.name),
                detail: format!(
                    "{} · {} · {} · {}",
                    r.district_name,
                    r.street,
                    r.category_name,
                    r.status.label()
                ),
            })
            .collect(),
    };
    // Units: every unit for a reader who sees every project; otherwise those the reader's
    // projects name (a district liaison finds the units working in the district, not others).
    let named: Option<HashSet<UnitId>> = (visible != jianguan_access::Scope::All).then(|| {
        p.projects
            .iter()
            .filter(|pr| visible.covers(pr))
            .flat_map(|pr| [pr.district, pr.lead_unit, pr.responsible_unit, pr.sub_hq])
            .collect()
    });
    let may_items = user.may(Resource::TrackedItem, Action::Read);
    let units = search::units(p, &needle, |u| {
        named.as_ref().is_none_or(|n| n.contains(&u.id))
    });
    let units = Group {
        heading: crate::i18n::lang().t("单位"),
        total: units.len(),
        more: None,
        hits: units
            .iter()
            .take(SHOWN)
            .map(|u| Hit {
                href: match u.kind {
                    UnitKind::District => Some(format!("/districts/{}?{qs}", u.id)),
                    UnitKind::LeadUnit => Some(format!("/projects?{qs}&lead_unit={}", u.id)),
                    _ if may_items => Some(format!("/items?{qs}&owner={}", u.id)),
                    _ => None,
                },
                title: u.name.clone(),
                detail: format!(
                    "{}{}",
                    crate::i18n::lang().t(u.kind.label()),
                    if u.active {
                        ""
                    } else {
                        crate::i18n::lang().t("（已停用）")
                    }
                ),
            })
            .collect(),
    };
    let mut groups = vec![projects, units];
    if may_items {
        let viewer = Viewer::of(&user, Resource::TrackedItem)?;
        let cadence = crate::cadence_pages::records(&state).await?;
        let index = ProjectIndex::new(p);
        let found = search::items(&cadence.items, &needle, |i| {
            i.opened_on <= scope.as_of && viewer.sees_item(i, &index)
        });
        groups.push(Group {
            heading: crate::i18n::lang().t("督办事项"),
            total: found.len(),
            more: None,
            hits: found
                .iter()
                .take(SHOWN)
                .map(|i| {
                    let s = i.state_on(scope.as_of);
                    Hit {
                        href: Some(format!("/items/{}?{qs}", i.id)),
                        title: i.title.clone(),
                        detail: format!(
                            "{} · {} · {}",
                            crate::i18n::lang().t(i.kind.label()),
                            crate::i18n::lang().t(s.status.label()),
                            crate::i18n::lang().tn2(
                                "责任单位 {n} · 期限 {m}",
                                p.unit_name(i.owner),
                                s.deadline
                            )
                        ),
                    }
                })
                .collect(),
        });
    }
    view::render(SearchPage {
        layout,
        q: typed,
        refusal: None,
        groups,
    })
}

/// What one role does, as the help page says it.
struct RoleHelp {
    role: &'static str,
    mine: bool,
    /// Its week, in the reader's language.
    weekly: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    layout: Layout,
    roles: Vec<RoleHelp>,
    /// The figures' definitions, in the reader's language.
    definitions: Vec<Definition>,
}

/// The week of each role: what to open and do, in the order of the work cadence.
fn weekly(role: Role) -> &'static [&'static str] {
    match role {
        Role::HqLeader => &[
            "周一看“总览”：项目完成率、节点完成率、投资完成率和各县区、各类别排名。",
            "调度会前看“调度”页的本周调度材料（逾期与风险节点、卡壳的协调事项、新增警示、排名），可下载 Word 带到会上。",
            "看“警示”页的县区与类别亮灯，红灯单位重点督导；到现场巡查时打开项目页核对节点和照片。",
            "每月看“考评”的排名和奖优罚劣名单，每季度看“分析”。",
        ],
        Role::HqOffice => &[
            "周一查看“报送”：上期谁迟报、漏报，提醒到人；必要时代填。",
            "生成并下载本周“调度”材料，会后把会议决定录入为督办事项（责任单位、期限）。",
            "处理“督办”页：复查申请办结的事项，逾期的升级；在“督办约谈建议”中签发或说明理由不予签发。",
            "台账有变化时用“台账导入”，计划调整在“计划”页审批；每月评分、发布考评结果并处理异议。",
        ],
        Role::SubHqStaff => &[
            "查看本条线项目的进度和逾期节点（“项目”页筛选“仅看逾期”）。",
            "对需要协调的问题交办协调事项、对巡查发现交办整改事项，并跟踪办结。",
            "调度会前核对本条线的警示和卡壳事项，准备汇报。",
        ],
        Role::LeadUnitStaff => &[
            "查看牵头类别的项目进度和警示，督促责任单位按期填报。",
            "办理交给本单位的督办事项，办结后申请复查。",
            "每月查看考评得分，对有误的扣分提出异议；需要调整计划时提交计划调整申请。",
        ],
        Role::DistrictStaff => &[
            "周一看本县区的逾期节点和警示（“项目”页“仅看逾期”，“警示”页）。",
            "催办本县区责任单位两周一次的进度填报，查看“报送”页的迟报、漏报。",
            "办理交给本县区的督办、协调事项，办结后申请复查；每月查看考评得分和排名。",
        ],
        Role::UnitReporter => &[
            "每两周在“填报”页为每个项目填报一次：已完成的节点（实际日期）、截至本期累计完成投资、现场照片、需要协调的问题。",
            "填报截止日前完成；填错了提交更正（写明原因），原记录保留。",
            "查看交给本单位的事项并按期办理。",
        ],
        Role::SystemAdmin => &["管理账号（新建、停用），检查备份。不接触项目数据。"],
        Role::SecurityAdmin => &["分配角色，设置密码和会话等安全策略。"],
        Role::AuditAdmin => &["查看、校验并导出审计记录。"],
    }
}

/// `GET /help`: each role's week (the reader's own first) and the figures' definitions.
pub(crate) async fn help(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    params: Params,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    let scope = Scope::resolve(&params, &snap, state.today())?;
    let layout = Layout::new("帮助", "", scope, &snap, "/help", &user).crumb("帮助", None);
    let lang = crate::i18n::lang();
    let mut roles: Vec<RoleHelp> = Role::ALL
        .into_iter()
        .map(|r| RoleHelp {
            role: lang.t(r.label()),
            mine: user.roles.contains(&r),
            weekly: weekly(r).iter().map(|w| lang.t(w)).collect(),
        })
        .collect();
    // The reader's own roles first; the rest keep the command order.
    roles.sort_by_key(|r| !r.mine);
    view::render(HelpPage {
        layout,
        roles,
        definitions: DEFINITIONS
            .iter()
            .map(|d| Definition {
                name: lang.t(d.name),
                formula: lang.t(d.formula),
                note: lang.t(d.note),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use jianguan_access::Role;
    use jianguan_domain::i18n::has_entry;
    use jianguan_domain::rates::DEFINITIONS;

    /// The help page is shown in English too: every line of every role's week and every part of
    /// every definition needs an entry in the catalogue.
    #[test]
    fn every_weekly_line_and_definition_has_english() {
        let mut texts: Vec<&str> = Role::ALL
            .into_iter()
            .flat_map(super::weekly)
            .copied()
            .collect();
        for d in &DEFINITIONS {
            texts.extend([d.name, d.formula, d.note]);
        }
        let missing: Vec<&str> = texts.into_iter().filter(|t| !has_entry(t)).collect();
        assert!(missing.is_empty(), "no English for {missing:#?}");
    }
}
