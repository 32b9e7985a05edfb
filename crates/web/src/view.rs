//! What every page shares: the layout around it (title, breadcrumbs, navigation, the as-of
//! form), the options of filter selects, and the one way a page is rendered. Page modules
//! import this module, never each other's furniture.

use std::sync::Arc;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use jianguan_access::policy::{Action, Resource};

use crate::api::Scope;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::home::Home;
use crate::i18n::{Display, Lang};
use crate::{AppState, Snapshot, fmt};

/// Page furniture shared by every page: title, breadcrumbs and the as-of form.
pub(crate) struct Layout {
    pub(crate) title: String,
    /// Breadcrumbs after the home link: (label, link).
    pub(crate) crumbs: Vec<(String, Option<String>)>,
    /// The home link's label (总览, or 首页 where home is another page).
    pub(crate) home_label: &'static str,
    /// The navigation entry to mark current.
    pub(crate) nav: &'static str,
    /// The navigation entries the user's roles may open: (key, label, link).
    pub(crate) nav_links: Vec<(&'static str, &'static str, String)>,
    pub(crate) year: i16,
    pub(crate) years: Vec<i16>,
    pub(crate) as_of_iso: String,
    pub(crate) as_of_cn: String,
    /// `year=…&as_of=…`, appended to links so a pasted URL shows the same figures.
    pub(crate) qs: String,
    /// The path the as-of form submits to.
    pub(crate) path: String,
    /// Extra hidden fields the as-of form carries (e.g. the week of the dispatch page).
    pub(crate) keep: Vec<(&'static str, String)>,
    /// Who is signed in, as the top bar shows them.
    pub(crate) user: String,
    /// A class on `<body>`, e.g. `printview` for a page laid out for printing.
    pub(crate) body_class: &'static str,
    /// Whether the header offers the search box (the user may read the portfolio).
    pub(crate) may_search: bool,
    /// What the header's search box holds (the search page's query).
    pub(crate) search: String,
    /// The request's language and type size.
    pub(crate) display: Display,
    /// How many things wait for the user (the header's 待办 count).
    pub(crate) todo_total: usize,
    /// The to-do lines a home page shows first (empty elsewhere).
    pub(crate) todo_lines: Vec<crate::todo_pages::TodoLine>,
}

/// The left navigation by job (UI.md "Layout"): each entry with the policy that opens it, so a
/// user sees only the pages their roles may open.
const NAV: &[(&str, &str, &str, Resource, Action)] = &[
    // The home entry (`/`): labelled and kept or dropped by `home::home_of`.
    ("overview", "总览", "/", Resource::Portfolio, Action::Read),
    (
        "projects",
        "项目",
        "/projects",
        Resource::Portfolio,
        Action::Read,
    ),
    ("map", "地图", "/map", Resource::Portfolio, Action::Read),
    ("plans", "计划", "/plans", Resource::Plan, Action::Read),
    (
        "filing",
        "填报",
        "/filing",
        Resource::ProgressReport,
        Action::Create,
    ),
    (
        "compliance",
        "报送",
        "/compliance",
        Resource::ProgressReport,
        Action::Read,
    ),
    (
        "dispatch",
        "调度",
        "/dispatch",
        Resource::Dispatch,
        Action::Read,
    ),
    (
        "warnings",
        "警示",
        "/warnings",
        Resource::Warning,
        Action::Read,
    ),
    (
        "items",
        "督办",
        "/items",
        Resource::TrackedItem,
        Action::Read,
    ),
    (
        "assessment",
        "考评",
        "/assessment",
        Resource::Assessment,
        Action::Read,
    ),
    (
        "quarterly",
        "分析",
        "/quarterly",
        Resource::Portfolio,
        Action::Read,
    ),
    (
        "coverage",
        "覆盖",
        "/coverage",
        Resource::Portfolio,
        Action::Read,
    ),
    (
        "categories",
        "类别",
        "/categories",
        Resource::Settings,
        Action::Read,
    ),
    (
        "settings",
        "设置",
        "/settings/warnings",
        Resource::Settings,
        Action::Read,
    ),
];

impl Layout {
    pub(crate) fn new(
        title: impl Into<String>,
        nav: &'static str,
        scope: Scope,
        snap: &Snapshot,
        path: &str,
        user: &CurrentUser,
    ) -> Layout {
        let mut years = snap.portfolio.years();
        if !years.contains(&scope.year) {
            years.push(scope.year);
            years.sort_unstable();
        }
        let qs = format!("year={}&as_of={}", scope.year, scope.as_of);
        // The first entry is the user's home: 总览 where that is the overview, 首页 where it is
        // their district or category, none where it is the filing page (its own entry).
        let home = crate::home::home_of(user, &snap.portfolio);
        let display = crate::i18n::current();
        let lang = display.lang;
        let nav_links = NAV
            .iter()
            .filter(|(_, _, _, resource, action)| user.may(*resource, *action))
            .filter(|(key, ..)| *key != "overview" || home != Home::Page("/filing".into()))
            .map(|(key, label, path, _, _)| {
                let label = if *key == "overview" {
                    home.label()
                } else {
                    *label
                };
                (*key, lang.t(label), format!("{path}?{qs}"))
            })
            .collect();
        // A title or crumb the catalogue holds is a UI string (项目, 总览); any other is data (a
        // project's or district's name) and is shown as stored.
        let title = title.into();
        let (todos, today) = crate::todo_pages::current();
        let at_home = match &home {
            Home::Overview => path == "/",
            Home::Page(home_path) => home_path == path,
        };
        Layout {
            title: lang.t(&title).to_string(),
            crumbs: Vec::new(),
            home_label: lang.t(home.label()),
            nav,
            nav_links,
            year: scope.year,
            years,
            as_of_iso: scope.as_of.to_string(),
            as_of_cn: lang.date(scope.as_of),
            qs,
            path: path.to_string(),
            keep: Vec::new(),
            body_class: "",
            may_search: user.may(Resource::Portfolio, Action::Read),
            search: String::new(),
            display,
            todo_total: todos.iter().map(|t| t.count).sum(),
            // A user's home page shows their to-do list first.
            todo_lines: if at_home {
                crate::todo_pages::lines(&todos, today)
            } else {
                Vec::new()
            },
            user: match &user.unit_name {
                Some(unit) => format!("{} · {}", unit, user.account.display_name),
                None => user.account.display_name.clone(),
            },
        }
    }

    /// `key` (a Chinese UI string) in the reader's language.
    pub(crate) fn t<'a>(&self, key: &'a str) -> &'a str {
        self.display.lang.t(key)
    }

    /// `key` in the reader's language with `{n}` replaced by `n`.
    pub(crate) fn tn(&self, key: &str, n: impl std::fmt::Display) -> String {
        self.display.lang.tn(key, n)
    }

    /// `key` in the reader's language with `{n}` and `{m}` replaced by `n` and `m`.
    pub(crate) fn tn2(
        &self,
        key: &str,
        n: impl std::fmt::Display,
        m: impl std::fmt::Display,
    ) -> String {
        self.display.lang.tn2(key, n, m)
    }

    /// A message built at run time (a refusal, a notice) in the reader's language:
    /// [`Lang::message`].
    pub(crate) fn msg<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.display.lang.message(text)
    }

    /// The reader's language.
    pub(crate) fn lang(&self) -> Lang {
        self.display.lang
    }

    /// This page's path and as-of query, to come back to after a display toggle.
    pub(crate) fn here(&self) -> String {
        format!("{}?{}", self.path, self.qs)
    }

    pub(crate) fn crumb(mut self, label: impl Into<String>, href: Option<String>) -> Layout {
        let label = label.into();
        let label = self.display.lang.t(&label).to_string();
        self.crumbs.push((label, href));
        self
    }
}

/// The links in the header of the pages outside the campaign layout (accounts, audit trail, my
/// account): what the user's roles open, so an administrator moves between their own pages and a
/// campaign user finds the way back to their home.
pub(crate) fn admin_nav(user: &CurrentUser) -> Vec<(&'static str, &'static str)> {
    let lang = crate::i18n::lang();
    admin_nav_keys(user)
        .into_iter()
        .map(|(label, href)| (lang.t(label), href))
        .collect()
}

/// The links of [`admin_nav`], labelled in Chinese (the catalogue's keys).
fn admin_nav_keys(user: &CurrentUser) -> Vec<(&'static str, &'static str)> {
    let mut links = Vec::new();
    if user.may(Resource::Portfolio, Action::Read) {
        links.push(("首页", "/"));
    }
    if user.may(Resource::Users, Action::Read) {
        links.push(("账户管理", "/admin/users"));
    }
    if user.may(Resource::Audit, Action::Read) {
        links.push(("审计记录", "/audit"));
    }
    links.push(("我的账户", "/account"));
    links
}

/// The districts, categories and lead units holding a project a reader may see: the filters of
/// a list offer only these (a district liaison is not offered the other districts).
pub(crate) struct Reach {
    pub(crate) districts: std::collections::HashSet<jianguan_domain::model::UnitId>,
    pub(crate) categories: std::collections::HashSet<jianguan_domain::model::CategoryId>,
    pub(crate) lead_units: std::collections::HashSet<jianguan_domain::model::UnitId>,
}

impl Reach {
    pub(crate) fn of(
        portfolio: &jianguan_domain::model::Portfolio,
        visible: &jianguan_access::scope::Scope,
    ) -> Reach {
        let mut reach = Reach {
            districts: Default::default(),
            categories: Default::default(),
            lead_units: Default::default(),
        };
        for p in portfolio.projects.iter().filter(|p| visible.covers(p)) {
            reach.districts.insert(p.district);
            reach.categories.insert(p.category);
            reach.lead_units.insert(p.lead_unit);
        }
        reach
    }
}

/// An option of a filter select.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// The choice of coordinate system on the forms that take coordinates, `chosen` selected.
pub(crate) fn coordinate_choices(chosen: jianguan_domain::coords::CoordinateSystem) -> Vec<Choice> {
    jianguan_domain::coords::CoordinateSystem::ALL
        .into_iter()
        .map(|c| Choice {
            value: c.code().to_string(),
            label: crate::i18n::lang().t(c.label()).to_string(),
            selected: c == chosen,
        })
        .collect()
}

pub(crate) fn choices<'a>(
    items: impl Iterator<Item = (i64, &'a str)>,
    selected: Option<i64>,
) -> Vec<Choice> {
    items
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name.to_string(),
            selected: selected == Some(id),
        })
        .collect()
}

/// A list's pager: where the reader is, how many pages and rows there are, and links to the
/// neighbouring and numbered pages (the first, the last and two either side of the current one,
/// with gaps shown as "…").
pub(crate) struct Pager {
    /// The page shown (from 1; a page beyond the last was clamped to it).
    pub(crate) page: u32,
    pub(crate) pages: u32,
    /// Rows across all pages, written for people (1,362).
    pub(crate) total: String,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
    /// (number, link, whether it is the current page); a number 0 is a gap.
    pub(crate) numbers: Vec<(u32, String, bool)>,
}

impl Pager {
    /// The pager of `total` rows at `per_page` a page, the reader asking for `asked`; `link`
    /// makes a page's URL. Returns the page to show (clamped to the last) with it.
    pub(crate) fn new(
        asked: u32,
        total: u64,
        per_page: u32,
        link: impl Fn(u32) -> String,
    ) -> Pager {
        let pages = jianguan_domain::overview::pages_for(total, per_page);
        let page = asked.clamp(1, pages);
        let mut numbers = Vec::new();
        let mut last_shown = 0;
        for n in 1..=pages {
            let near = n.abs_diff(page) <= 2;
            if n == 1 || n == pages || near {
                if n > last_shown + 1 {
                    numbers.push((0, String::new(), false));
                }
                numbers.push((n, link(n), n == page));
                last_shown = n;
            } else if n < page {
                continue;
            } else {
                // Past the window: jump straight to the last page.
                if pages > n {
                    numbers.push((0, String::new(), false));
                    numbers.push((pages, link(pages), false));
                }
                break;
            }
        }
        Pager {
            page,
            pages,
            total: fmt::count(total),
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
            numbers,
        }
    }

    /// The index of the first row of the page shown, from 0.
    pub(crate) fn skip(&self, per_page: u32) -> usize {
        (self.page as usize - 1) * per_page as usize
    }
}

/// Renders a page's template as HTML (200).
pub(crate) fn render(t: impl Template) -> Result<Response, AppError> {
    Ok(Html(t.render().map_err(AppError::render)?).into_response())
}

/// A form refused: the page again, with the errors, as 422.
pub(crate) fn unprocessable(page: Result<Response, AppError>) -> Result<Response, AppError> {
    let mut response = page?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// `page` answered 409: a form shown again because the write lost a race to another writer.
pub(crate) fn conflict(page: Result<Response, AppError>) -> Result<Response, AppError> {
    let mut response = page?;
    *response.status_mut() = StatusCode::CONFLICT;
    Ok(response)
}

/// The current snapshot, or a 500.
pub(crate) async fn snapshot(state: &AppState) -> Result<Arc<Snapshot>, AppError> {
    state.snapshot().await.map_err(AppError::store)
}

/// A column header of a list; a sortable one links to the list in its order.
pub(crate) struct Head {
    pub label: &'static str,
    pub num: bool,
    pub href: Option<String>,
    /// ▲ or ▼ on the column the list is sorted by.
    pub mark: &'static str,
    /// The `aria-sort` of the column the list is sorted by, empty on the others.
    pub aria_sort: &'static str,
}

/// Makes a list's link in a sort order (the sort, and whether descending).
pub(crate) type SortLinkFn<'a, S> = &'a dyn Fn(S, bool) -> String;

/// A list's column headers from its columns (label, numeric, the sort it offers). With `sorting`
/// (the current sort and direction, and a link maker) the sortable ones link: the current column
/// to its other direction, another column to ascending.
pub(crate) fn sort_heads<S: Copy + PartialEq>(
    columns: &[(&'static str, bool, Option<S>)],
    sorting: Option<((S, bool), SortLinkFn<'_, S>)>,
) -> Vec<Head> {
    columns
        .iter()
        .map(|(label, num, sort)| {
            let mut head = Head {
                label: crate::i18n::lang().t(label),
                num: *num,
                href: None,
                mark: "",
                aria_sort: "",
            };
            if let (Some(sort), Some(((current, descending), link))) = (sort, sorting) {
                let is_current = current == *sort;
                head.href = Some(link(*sort, is_current && !descending));
                if is_current {
                    (head.mark, head.aria_sort) = if descending {
                        (" ▼", "descending")
                    } else {
                        (" ▲", "ascending")
                    };
                }
            }
            head
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Pager;

    fn numbers(p: &Pager) -> Vec<u32> {
        p.numbers.iter().map(|(n, _, _)| *n).collect()
    }

    #[test]
    fn a_page_beyond_the_last_is_the_last_with_its_neighbours_and_the_first() {
        let p = Pager::new(999, 1362, 20, |n| format!("?page={n}"));
        assert_eq!((p.page, p.pages), (69, 69));
        assert_eq!(numbers(&p), [1, 0, 67, 68, 69]);
        assert_eq!(p.prev.as_deref(), Some("?page=68"));
        assert_eq!(p.next, None);
        assert_eq!(p.total, "1,362");
        assert_eq!(p.skip(20), 68 * 20);
    }

    #[test]
    fn a_middle_page_shows_two_either_side_and_both_ends() {
        let p = Pager::new(10, 1362, 20, |n| n.to_string());
        assert_eq!(numbers(&p), [1, 0, 8, 9, 10, 11, 12, 0, 69]);
        assert!(p.numbers.iter().any(|(n, _, current)| *n == 10 && *current));
    }

    #[test]
    fn no_rows_is_one_empty_page() {
        let p = Pager::new(3, 0, 20, |n| n.to_string());
        assert_eq!((p.page, p.pages), (1, 1));
        assert_eq!(numbers(&p), [1]);
        assert_eq!((p.prev, p.next), (None, None));
    }
}
