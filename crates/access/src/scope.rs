//! Which projects an account may see and change: its scope, derived from its role and its unit.
//!
//! The campaign is cut two ways: by district (县区) and by campaign line (a sub-headquarters, and
//! within it the lead unit of each category). An account sees along the axis its unit sits on: a
//! district user only its district's projects, a sub-HQ user only the projects of its line, a lead
//! unit only the projects it leads, a responsible unit only the projects it builds. Everything
//! hangs off the project: a progress report, a milestone or a figure is in scope when its project
//! is.
//!
//! Storage enforces the scope in the query itself (it takes [`Scope::record_scope`] and writes
//! the predicate; SQL lives only in the store), so an out-of-scope record is never fetched, not
//! fetched and then hidden: a guessed ID finds nothing.

use jianguan_domain::model::{Project, UnitId};
use serde::{Deserialize, Serialize};

use crate::policy::{self, Action, Resource};
use crate::roles::{AccessError, Role};

/// The projects an account's role reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "unit")]
pub enum Scope {
    /// Every project (the command HQ).
    All,
    /// The projects of one campaign line: those whose `sub_hq` is this unit.
    Line(UnitId),
    /// The projects one lead unit leads: those whose `lead_unit` is this unit.
    LeadUnit(UnitId),
    /// The projects in one district: those whose `district` is this unit.
    District(UnitId),
    /// The projects one responsible unit builds: those whose `responsible_unit` is this unit.
    ResponsibleUnit(UnitId),
    /// No project (administrators, who run the system but see no campaign data).
    None,
}

impl Scope {
    /// The scope `role` gives an account belonging to `unit`.
    ///
    /// The unit is taken to be of the kind the role expects; [`crate::roles::check_assignment`]
    /// guarantees it when roles are saved.
    pub fn for_account(role: Role, unit: UnitId) -> Scope {
        match role {
            Role::HqLeader | Role::HqOffice => Scope::All,
            Role::SubHqStaff => Scope::Line(unit),
            Role::LeadUnitStaff => Scope::LeadUnit(unit),
            Role::DistrictStaff => Scope::District(unit),
            Role::UnitReporter => Scope::ResponsibleUnit(unit),
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => Scope::None,
        }
    }

    /// Whether `project` (and so its milestones and reports) is in this scope.
    pub fn covers(&self, project: &Project) -> bool {
        match *self {
            Scope::All => true,
            Scope::Line(unit) => project.sub_hq == unit,
            Scope::LeadUnit(unit) => project.lead_unit == unit,
            Scope::District(unit) => project.district == unit,
            Scope::ResponsibleUnit(unit) => project.responsible_unit == unit,
            Scope::None => false,
        }
    }

    /// The same test as [`Scope::covers`], in the form the storage port takes, so a read by id
    /// never returns a project outside the scope.
    pub fn record_scope(&self) -> jianguan_domain::store::RecordScope {
        use jianguan_domain::store::RecordScope;
        match *self {
            Scope::All => RecordScope::All,
            Scope::Line(unit) => RecordScope::Line(unit),
            Scope::LeadUnit(unit) => RecordScope::LeadUnit(unit),
            Scope::District(unit) => RecordScope::District(unit),
            Scope::ResponsibleUnit(unit) => RecordScope::ResponsibleUnit(unit),
            Scope::None => RecordScope::Nothing,
        }
    }
}

impl From<jianguan_domain::store::RecordScope> for Scope {
    /// The scope a stored [`RecordScope`] names (the inverse of [`Scope::record_scope`]).
    fn from(scope: jianguan_domain::store::RecordScope) -> Scope {
        use jianguan_domain::store::RecordScope;
        match scope {
            RecordScope::All => Scope::All,
            RecordScope::Line(unit) => Scope::Line(unit),
            RecordScope::LeadUnit(unit) => Scope::LeadUnit(unit),
            RecordScope::District(unit) => Scope::District(unit),
            RecordScope::ResponsibleUnit(unit) => Scope::ResponsibleUnit(unit),
            RecordScope::Nothing => Scope::None,
        }
    }
}

/// Decides a request in one step: whether any of `roles` may take `action` on `resource`, and if
/// so, over which projects.
///
/// The scope comes from the roles that allow the action, the widest first (an HQ role gives
/// [`Scope::All`]). An account's campaign roles all fit the kind of its one unit
/// ([`crate::roles::check_assignment`]), so they never name different scopes. Administrative
/// resources are not about projects; for them an allowed request gets [`Scope::All`], meaning
/// system-wide.
pub fn authorize(
    roles: &[Role],
    unit: UnitId,
    resource: Resource,
    action: Action,
) -> Result<Scope, AccessError> {
    policy::require(roles, resource, action)?;
    if !resource.is_scoped() {
        return Ok(Scope::All);
    }
    let mut scopes = roles
        .iter()
        .filter(|&&role| policy::allows(role, resource, action))
        .map(|&role| Scope::for_account(role, unit));
    let first = scopes.next().unwrap_or(Scope::None);
    if first == Scope::All || scopes.any(|s| s == Scope::All) {
        Ok(Scope::All)
    } else {
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use jianguan_domain::model::{
        BuildType, CategoryId, Money, PlanKind, ProjectId, Scale, YearPlan,
    };

    use super::*;

    const DISTRICT_A: UnitId = UnitId(11);
    const DISTRICT_B: UnitId = UnitId(12);
    const SUB_HQ: UnitId = UnitId(21);
    const LEAD: UnitId = UnitId(31);
    const BUILDER: UnitId = UnitId(41);

    fn project(district: UnitId, sub_hq: UnitId, lead: UnitId, builder: UnitId) -> Project {
        Project {
            id: ProjectId(1),
            code: "JG2021-0001".into(),
            name: "示例项目".into(),
            category: CategoryId(1),
            sub_category: None,
            district,
            street: "街道".into(),
            lead_unit: lead,
            responsible_unit: builder,
            sub_hq,
            build_type: BuildType::Renovation,
            scale: Scale::default(),
            total_investment: Money(0),
            funding_source: String::new(),
            location: None,
            suspended_on: None,
            year_plans: vec![YearPlan {
                year: 2021,
                kind: PlanKind::Construction,
                planned_investment: Money(0),
                status: jianguan_domain::model::PlanStatus::Approved,
                adjusted_investment: None,
                cancelled_on: None,
            }],
            milestones: vec![],
        }
    }

    fn ours() -> Project {
        project(DISTRICT_A, SUB_HQ, LEAD, BUILDER)
    }

    #[test]
    fn each_role_scopes_along_its_own_axis() {
        let u = UnitId(7);
        assert_eq!(Scope::for_account(Role::HqLeader, u), Scope::All);
        assert_eq!(Scope::for_account(Role::HqOffice, u), Scope::All);
        assert_eq!(Scope::for_account(Role::SubHqStaff, u), Scope::Line(u));
        assert_eq!(
            Scope::for_account(Role::LeadUnitStaff, u),
            Scope::LeadUnit(u)
        );
        assert_eq!(
            Scope::for_account(Role::DistrictStaff, u),
            Scope::District(u)
        );
        assert_eq!(
            Scope::for_account(Role::UnitReporter, u),
            Scope::ResponsibleUnit(u)
        );
        for admin in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            assert_eq!(Scope::for_account(admin, u), Scope::None);
        }
    }

    #[test]
    fn a_district_sees_its_own_projects_and_not_another_districts() {
        assert!(Scope::District(DISTRICT_A).covers(&ours()));
        assert!(!Scope::District(DISTRICT_B).covers(&ours()));
    }

    #[test]
    fn a_sub_hq_sees_only_its_line_whatever_the_district() {
        assert!(Scope::Line(SUB_HQ).covers(&ours()));
        assert!(Scope::Line(SUB_HQ).covers(&project(DISTRICT_B, SUB_HQ, LEAD, BUILDER)));
        assert!(!Scope::Line(UnitId(22)).covers(&ours()));
    }

    #[test]
    fn a_lead_unit_and_a_responsible_unit_see_only_their_projects() {
        assert!(Scope::LeadUnit(LEAD).covers(&ours()));
        assert!(!Scope::LeadUnit(UnitId(32)).covers(&ours()));
        assert!(Scope::ResponsibleUnit(BUILDER).covers(&ours()));
        assert!(!Scope::ResponsibleUnit(UnitId(42)).covers(&ours()));
    }

    #[test]
    fn a_scope_matches_its_unit_only_on_its_own_axis() {
        // The ids are shared across unit kinds in one table, but a district scope must not match
        // a project merely because its lead unit has the same number.
        let odd = project(DISTRICT_B, UnitId(99), DISTRICT_A, DISTRICT_A);
        assert!(!Scope::District(DISTRICT_A).covers(&odd));
        assert!(!Scope::Line(DISTRICT_A).covers(&odd));
    }

    #[test]
    fn all_covers_everything_and_none_covers_nothing() {
        assert!(Scope::All.covers(&ours()));
        assert!(!Scope::None.covers(&ours()));
    }

    #[test]
    fn record_scope_names_the_same_unit_on_the_same_axis() {
        use jianguan_domain::store::RecordScope;
        let cases = [
            (Scope::Line(SUB_HQ), RecordScope::Line(SUB_HQ)),
            (Scope::LeadUnit(LEAD), RecordScope::LeadUnit(LEAD)),
            (
                Scope::District(DISTRICT_A),
                RecordScope::District(DISTRICT_A),
            ),
            (
                Scope::ResponsibleUnit(BUILDER),
                RecordScope::ResponsibleUnit(BUILDER),
            ),
        ];
        for (scope, record) in cases {
            assert_eq!(scope.record_scope(), record);
        }
    }

    #[test]
    fn record_scope_never_confuses_all_with_none() {
        use jianguan_domain::store::RecordScope;
        assert_eq!(Scope::All.record_scope(), RecordScope::All);
        assert_eq!(Scope::None.record_scope(), RecordScope::Nothing);
    }

    #[test]
    fn authorize_denies_what_the_policy_denies() {
        assert_eq!(
            authorize(
                &[Role::DistrictStaff],
                DISTRICT_A,
                Resource::Project,
                Action::Create
            ),
            Err(AccessError::Denied {
                resource: Resource::Project,
                action: Action::Create
            })
        );
        assert!(
            authorize(
                &[Role::SystemAdmin],
                UnitId(1),
                Resource::Project,
                Action::Read
            )
            .is_err()
        );
    }

    #[test]
    fn authorize_returns_the_scope_of_the_role_that_allows() {
        assert_eq!(
            authorize(
                &[Role::DistrictStaff],
                DISTRICT_A,
                Resource::Project,
                Action::Read
            ),
            Ok(Scope::District(DISTRICT_A))
        );
        assert_eq!(
            authorize(
                &[Role::HqLeader, Role::HqOffice],
                UnitId(1),
                Resource::Project,
                Action::Update
            ),
            Ok(Scope::All)
        );
    }

    #[test]
    fn administrative_resources_are_system_wide_once_allowed() {
        assert_eq!(
            authorize(
                &[Role::AuditAdmin],
                UnitId(1),
                Resource::Audit,
                Action::Verify
            ),
            Ok(Scope::All)
        );
    }
}
