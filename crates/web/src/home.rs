//! Where each signed-in user lands (`GET /`): the page their work is on. Leaders, the office and
//! a campaign line see the overview; a district liaison their district; a lead unit its
//! category (when it leads one); a responsible unit's reporter the projects due this period;
//! the system and security administrators the accounts, the audit administrator the audit
//! trail. The overview's navigation entry follows the same choice, so nobody is offered a
//! page their role cannot use.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use jianguan_access::policy::{Action, Resource};
use jianguan_access::scope::Scope;
use jianguan_domain::model::Portfolio;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::params::Typed;
use crate::view;

/// A user's home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Home {
    /// The overview, served at `/` itself.
    Overview,
    /// Another page (a path without query), which `/` redirects to.
    Page(String),
}

impl Home {
    /// The navigation label of the home entry: 总览 where home is the overview, 首页 otherwise.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Home::Overview => "总览",
            Home::Page(_) => "首页",
        }
    }
}

/// The home of `user`, given the campaign's records (which category a lead unit leads).
pub(crate) fn home_of(user: &CurrentUser, portfolio: &Portfolio) -> Home {
    if let Ok(scope) = user.scope(Resource::Portfolio) {
        return match scope {
            Scope::All | Scope::Line(_) => Home::Overview,
            Scope::District(unit) => Home::Page(format!("/districts/{unit}")),
            Scope::LeadUnit(unit) => {
                let mut led = portfolio.categories.iter().filter(|c| c.lead_unit == unit);
                match (led.next(), led.next()) {
                    (Some(only), None) => Home::Page(format!("/categories/{}", only.id)),
                    _ => Home::Overview,
                }
            }
            Scope::ResponsibleUnit(_) => Home::Page("/filing".into()),
            Scope::None => Home::Page("/account".into()),
        };
    }
    if user.may(Resource::Users, Action::Read) {
        Home::Page("/admin/users".into())
    } else if user.may(Resource::Audit, Action::Read) {
        Home::Page("/audit".into())
    } else {
        Home::Page("/account".into())
    }
}

/// `GET /`: the overview for those whose home it is, else a redirect to their home (keeping the
/// year and as-of date of the link).
pub(crate) async fn home(
    State(state): State<Arc<AppState>>,
    Extension(user): Extension<CurrentUser>,
    RawQuery(raw): RawQuery,
    query: Typed<crate::pages::OverviewQuery>,
) -> Result<Response, AppError> {
    let snap = view::snapshot(&state).await?;
    match home_of(&user, &snap.portfolio) {
        Home::Overview => crate::pages::overview(State(state), Extension(user), query).await,
        Home::Page(path) => {
            let to = match raw.filter(|q| !q.is_empty()) {
                Some(q)
                    if path.starts_with("/districts/")
                        || path.starts_with("/categories/")
                        || path == "/filing" =>
                {
                    format!("{path}?{q}")
                }
                _ => path,
            };
            Ok(Redirect::to(&to).into_response())
        }
    }
}
