//! The cadence's pages and API (工作机制): the weekly dispatch pack, the warnings ladder and its
//! lights, tracked items (督办、协调、整改) and their follow-up, biweekly filing with photos and
//! its compliance, the warning rules' settings, and the quarterly analysis.
//!
//! Like [`crate::pages`], handlers read the snapshot and the cadence's records, let the domain
//! compute, narrow by the user's scope and fill view models of formatted strings. What is shared
//! between the modules lives here: who sees which tracked item ([`Viewer`]), the badges of the
//! warning ladder, lights and item states, and the 422 answer of a refused form.

pub(crate) mod acts;
pub(crate) mod dispatch;
pub(crate) mod filing;
pub(crate) mod items;
pub mod photos;
pub(crate) mod quarterly;
pub(crate) mod settings;
pub(crate) mod warnings;

use std::collections::HashMap;
use std::sync::Arc;

use jianguan_access::Scope;
use jianguan_domain::Date;
use jianguan_domain::followup::{ItemStatus, TrackedItem};
use jianguan_domain::model::{Portfolio, Project, ProjectId, UnitId, UnitKind};
use jianguan_domain::warnings::{Light, WarningLevel};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::cadence::CadenceSnapshot;
use crate::error::AppError;
use crate::view::Choice;

/// The cadence's records at the current data version, or a 500.
pub(crate) async fn records(state: &AppState) -> Result<Arc<CadenceSnapshot>, AppError> {
    state.cadence().await.map_err(AppError::store)
}

/// Projects by id, looked up once per request.
pub(crate) struct ProjectIndex<'a> {
    by_id: HashMap<ProjectId, &'a Project>,
}

impl<'a> ProjectIndex<'a> {
    pub(crate) fn new(portfolio: &'a Portfolio) -> ProjectIndex<'a> {
        ProjectIndex {
            by_id: portfolio.projects.iter().map(|p| (p.id, &**p)).collect(),
        }
    }

    pub(crate) fn get(&self, id: ProjectId) -> Option<&'a Project> {
        self.by_id.get(&id).copied()
    }
}

/// Who is reading, for the cadence's records: the projects their scope covers, and their unit
/// (an item's owner and issuer see it whatever its project).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Viewer {
    pub(crate) scope: Scope,
    pub(crate) unit: Option<UnitId>,
}

impl Viewer {
    /// The viewer of `resource` (the policy must let the user read it).
    pub(crate) fn of(
        user: &CurrentUser,
        resource: jianguan_access::policy::Resource,
    ) -> Result<Viewer, AppError> {
        Ok(Viewer {
            scope: user.scope(resource)?,
            unit: user.account.unit,
        })
    }

    /// Whether the viewer sees the whole campaign.
    pub(crate) fn sees_all(&self) -> bool {
        self.scope == Scope::All
    }

    /// Whether the project (and so its warnings and reports) is in the viewer's scope.
    pub(crate) fn sees_project(&self, projects: &ProjectIndex<'_>, id: ProjectId) -> bool {
        self.sees_all() || projects.get(id).is_some_and(|p| self.scope.covers(p))
    }

    /// Whether the viewer sees a tracked item: HQ sees all; a unit sees the items it owns and
    /// those it issued, the items about projects in its scope, and (a district) the items about
    /// its district.
    pub(crate) fn sees_item(&self, item: &TrackedItem, projects: &ProjectIndex<'_>) -> bool {
        if self.sees_all() {
            return true;
        }
        if self
            .unit
            .is_some_and(|u| u == item.owner || u == item.issuer)
        {
            return true;
        }
        if item.project.is_some_and(|p| self.sees_project(projects, p)) {
            return true;
        }
        matches!(self.scope, Scope::District(d) if item.district == Some(d))
    }
}

/// A word with its colour class; the CSS adds a shape, so colour is never the only signal.
#[derive(Debug, Clone)]
pub(crate) struct Badge {
    pub(crate) label: String,
    pub(crate) class: String,
}

/// The badge of a warning level.
pub(crate) fn level_badge(level: WarningLevel) -> Badge {
    Badge {
        label: crate::i18n::lang().t(level.label()).to_string(),
        class: format!("lv lv-{}", level.code()),
    }
}

/// The badge of a red/yellow/blue light.
pub(crate) fn light_badge(light: Light) -> Badge {
    Badge {
        label: match light {
            Light::None => crate::i18n::lang().t("无灯").to_string(),
            other => crate::i18n::lang().t(other.label()).to_string(),
        },
        class: format!("light light-{}", light.code()),
    }
}

/// The badge of an item's status.
pub(crate) fn status_badge(status: ItemStatus) -> Badge {
    Badge {
        label: crate::i18n::lang().t(status.label()).to_string(),
        class: format!("item-st item-{}", status.code()),
    }
}

/// The units an item may be given to, grouped by kind for a select: (group label, options).
pub(crate) fn owner_choices(
    portfolio: &Portfolio,
    selected: Option<UnitId>,
) -> Vec<(&'static str, Vec<Choice>)> {
    [
        UnitKind::District,
        UnitKind::LeadUnit,
        UnitKind::SubHq,
        UnitKind::ResponsibleUnit,
    ]
    .into_iter()
    .map(|kind| {
        (
            crate::i18n::lang().t(kind.label()),
            portfolio
                .units_of(kind)
                .map(|u| Choice {
                    value: u.id.0.to_string(),
                    label: u.name.clone(),
                    selected: selected == Some(u.id),
                })
                .collect(),
        )
    })
    .collect()
}

/// Days from `from` to `to`.
pub(crate) fn days(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

pub(crate) use jianguan_domain::fmt::{delta, points};

/// The CSS class of a signed change: improvements and setbacks read differently in print too
/// (the text carries the sign).
pub(crate) fn trend_class(before: Option<f64>, after: Option<f64>) -> &'static str {
    match (before, after) {
        (Some(b), Some(a)) if a > b + 0.00005 => "up",
        (Some(b), Some(a)) if a + 0.00005 < b => "down",
        _ => "",
    }
}
