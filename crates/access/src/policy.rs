//! The authorization policy, declared once as data: which role may take which action on which
//! kind of resource.
//!
//! Handlers never test roles themselves; they ask [`require`] (or [`allows`]) with the resource
//! and action of the route, then fetch through the account's [`crate::scope::Scope`]. Keeping the
//! allowances in one table is what lets a test enumerate every role × resource × action and what
//! makes a change to the policy a one-line diff a reviewer can see.
//!
//! The table answers "may this role do this at all"; "to which projects" is the scope's job. An
//! allowance on a campaign resource (portfolio, project, progress report, dispatch pack, warnings,
//! tracked items) always applies within the account's scope; the campaign's settings (the warning
//! rules) are one citywide configuration; an allowance on an administrative resource (users,
//! roles, policies, audit, backups) is system-wide.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::roles::{AccessError, Role};

/// What is acted on: a kind of record or a function of the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// The overview, statistics and breakdowns (统计总览), computed over the projects in scope.
    Portfolio,
    /// Projects and their milestones (项目).
    Project,
    /// Progress reports (进度填报).
    ProgressReport,
    /// The weekly dispatch pack (调度), read by the people at the meeting.
    Dispatch,
    /// Warnings of the ladder and the red/yellow/blue lights (警示提醒). Raised by the daily job,
    /// never by a person, so no role creates or changes them.
    Warning,
    /// Tracked items: supervision items, coordination tickets, rectification orders (督办事项).
    /// Creating one is issuing it; updating one is adding an event to its history (progress, a
    /// claimed closure, a re-check, an escalation, an extension). Which unit may add which event
    /// (the owner reports and claims, the issuer re-checks) is the follow-up engine's rule, checked
    /// on every event.
    TrackedItem,
    /// The monthly assessment (月度考评): score runs, the scheme's application, entered
    /// indicator values and the media register. Create = score a month, Update = publish or
    /// correct it and enter values. League tables are read citywide; a unit's score card within
    /// the scope.
    Assessment,
    /// An objection (申诉) to a line of a unit's monthly score: Create = file one for one's own
    /// unit, Update = decide it (the office).
    Objection,
    /// Annual plans (年度计划): Create = submit a unit's drafts or request a plan change (计划调整)
    /// for a project in scope; Update = approve plans and decide changes (the office).
    Plan,
    /// The organisation's units (组织单位): the command office creates, renames, moves,
    /// deactivates and reactivates them. Citywide, like the settings.
    Organisation,
    /// The campaign's settings, e.g. the warning rules (业务配置): one citywide configuration, not
    /// narrowed by scope, and not administrative (administrators see no campaign data).
    Settings,
    /// User accounts (用户账户). Accounts are disabled, never deleted, so that audit records keep
    /// naming who acted.
    Users,
    /// Role assignments (角色授权).
    Roles,
    /// Security policies: password, session and lockout settings, administrator address ranges.
    SecurityPolicy,
    /// The audit trail (审计记录). Records are written by the system on every audited event, not by
    /// a role, so no role may create, change or delete them.
    Audit,
    /// Database backups (备份).
    Backup,
}

impl Resource {
    /// Every resource: the campaign ones, then the administrative ones.
    pub const ALL: [Resource; 16] = [
        Resource::Portfolio,
        Resource::Project,
        Resource::ProgressReport,
        Resource::Dispatch,
        Resource::Warning,
        Resource::TrackedItem,
        Resource::Assessment,
        Resource::Objection,
        Resource::Plan,
        Resource::Organisation,
        Resource::Settings,
        Resource::Users,
        Resource::Roles,
        Resource::SecurityPolicy,
        Resource::Audit,
        Resource::Backup,
    ];

    /// The stable code used in the API and in audit records.
    pub fn code(self) -> &'static str {
        match self {
            Resource::Portfolio => "portfolio",
            Resource::Project => "project",
            Resource::ProgressReport => "progress_report",
            Resource::Dispatch => "dispatch",
            Resource::Warning => "warning",
            Resource::TrackedItem => "tracked_item",
            Resource::Assessment => "assessment",
            Resource::Objection => "objection",
            Resource::Plan => "plan",
            Resource::Organisation => "organisation",
            Resource::Settings => "settings",
            Resource::Users => "users",
            Resource::Roles => "roles",
            Resource::SecurityPolicy => "security_policy",
            Resource::Audit => "audit",
            Resource::Backup => "backup",
        }
    }

    /// Parses [`Resource::code`].
    pub fn from_code(code: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Resource::Portfolio => "统计总览",
            Resource::Project => "项目",
            Resource::ProgressReport => "进度填报",
            Resource::Dispatch => "调度",
            Resource::Warning => "警示提醒",
            Resource::TrackedItem => "督办事项",
            Resource::Assessment => "月度考评",
            Resource::Objection => "考评申诉",
            Resource::Plan => "年度计划",
            Resource::Organisation => "组织单位",
            Resource::Settings => "业务配置",
            Resource::Users => "用户账户",
            Resource::Roles => "角色",
            Resource::SecurityPolicy => "安全策略",
            Resource::Audit => "审计记录",
            Resource::Backup => "备份",
        }
    }

    /// Whether this is a function of running the system rather than campaign data. Only
    /// administrators touch these, and administrators touch nothing else.
    pub fn is_administrative(self) -> bool {
        matches!(
            self,
            Resource::Users
                | Resource::Roles
                | Resource::SecurityPolicy
                | Resource::Audit
                | Resource::Backup
        )
    }

    /// Whether access is narrowed to the projects in the account's scope. True for campaign
    /// data; the campaign's settings and the administrative resources are system-wide.
    pub fn is_scoped(self) -> bool {
        matches!(
            self,
            Resource::Portfolio
                | Resource::Project
                | Resource::ProgressReport
                | Resource::Dispatch
                | Resource::Warning
                | Resource::TrackedItem
                | Resource::Assessment
                | Resource::Objection
                | Resource::Plan
        )
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What is done to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Look at it (list, page, API read).
    Read,
    /// Make a new one.
    Create,
    /// Change one (including disabling an account).
    Update,
    /// Remove one.
    Delete,
    /// Take a copy out of the system (xlsx, document, backup file). Audited as such.
    Export,
    /// Check integrity (the audit hash chain).
    Verify,
    /// Give or withdraw a role.
    Grant,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 7] = [
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Export,
        Action::Verify,
        Action::Grant,
    ];

    /// The stable code used in the API and in audit records.
    pub fn code(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Export => "export",
            Action::Verify => "verify",
            Action::Grant => "grant",
        }
    }

    /// Parses [`Action::code`].
    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The Chinese verb shown to users, e.g. in "无权导出审计记录".
    pub fn label(self) -> &'static str {
        match self {
            Action::Read => "查看",
            Action::Create => "新建",
            Action::Update => "修改",
            Action::Delete => "删除",
            Action::Export => "导出",
            Action::Verify => "校验",
            Action::Grant => "授予",
        }
    }

    /// Whether the action changes stored state. The web layer demands CSRF protection and writes
    /// before/after values to the audit trail for these.
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Action::Create | Action::Update | Action::Delete | Action::Grant
        )
    }

    /// One letter, for the compact matrix of [`render_matrix`].
    fn letter(self) -> char {
        match self {
            Action::Read => 'R',
            Action::Create => 'C',
            Action::Update => 'U',
            Action::Delete => 'D',
            Action::Export => 'E',
            Action::Verify => 'V',
            Action::Grant => 'G',
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One allowance: `role` may take `action` on `resource`. Anything not allowed is denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rule {
    /// Who.
    pub role: Role,
    /// On what.
    pub resource: Resource,
    /// Doing what.
    pub action: Action,
}

// Expands `Role { Resource: [Action, ..], .. }` blocks into the flat rule list, so the table
// below reads as the policy document rather than as 50 struct literals.
macro_rules! policy {
    ($($role:ident { $($resource:ident: [$($action:ident),* $(,)?]),* $(,)? })*) => {
        &[$($($(Rule {
            role: Role::$role,
            resource: Resource::$resource,
            action: Action::$action,
        },)*)*)*]
    };
}

/// The authorization policy: every allowance, and nothing else is allowed.
///
/// Campaign roles only ever read and export, except where their work is writing: the command
/// office manages the ledger and the warning rules (and the categories with their milestone
/// templates), districts and lead units keep their own projects' records by hand, responsible
/// units file their reports, the
/// office and the sub-headquarters issue tracked items (督办、协调、整改), and every unit that can
/// be an item's owner or issuer adds to its history (the follow-up engine decides which event
/// fits whom). No one deletes a progress report (a correction is a new version) or a tracked
/// item, and no one writes a warning: the daily job raises them. Responsible units are not at the
/// dispatch meeting and do not read its pack (their own overdue milestones, warnings and items
/// are on their pages). The three administrators are kept apart (三员分立):
/// the system administrator runs accounts and backups but cannot grant roles or see the audit
/// trail; the security administrator grants roles and sets policy but cannot create accounts or
/// touch the audit trail; the audit administrator reads, verifies and exports the audit trail and
/// nothing else. No administrator sees campaign data.
pub const POLICY: &[Rule] = policy! {
    HqLeader {
        Portfolio: [Read, Export],
        Project: [Read, Export],
        ProgressReport: [Read, Export],
        Dispatch: [Read, Export],
        Warning: [Read, Export],
        TrackedItem: [Read, Export],
        Assessment: [Read, Export],
        Objection: [Read],
        Plan: [Read],
        Settings: [Read],
    }
    HqOffice {
        Portfolio: [Read, Export],
        Project: [Read, Create, Update, Delete, Export],
        // The office files on a unit's behalf (代填) when a unit cannot.
        ProgressReport: [Read, Create, Update, Export],
        Dispatch: [Read, Export],
        Warning: [Read, Export],
        TrackedItem: [Read, Create, Update, Export],
        // The office scores, publishes and corrects the months, enters indicator values and
        // decides objections.
        Assessment: [Read, Create, Update, Export],
        Objection: [Read, Update],
        // The office approves the year's plans and decides plan changes.
        Plan: [Read, Create, Update],
        // The office keeps the organisation: units created, renamed, moved, deactivated.
        Organisation: [Read, Create, Update],
        Settings: [Read, Update],
    }
    SubHqStaff {
        Portfolio: [Read, Export],
        Project: [Read, Export],
        ProgressReport: [Read, Export],
        Dispatch: [Read, Export],
        Warning: [Read, Export],
        // A sub-headquarters issues coordination tickets and rectification orders on its line.
        TrackedItem: [Read, Create, Update, Export],
        Assessment: [Read, Export],
        Objection: [Read],
        Plan: [Read],
        Settings: [Read],
    }
    LeadUnitStaff {
        Portfolio: [Read, Export],
        // A lead unit and a district keep their own projects' records by hand (new ones and
        // changes, within their scope); the ledger import (Create) stays the office's.
        Project: [Read, Update, Export],
        ProgressReport: [Read, Export],
        Dispatch: [Read, Export],
        Warning: [Read, Export],
        TrackedItem: [Read, Update, Export],
        // A lead unit and a district are scored: they read their results and dispute a line.
        Assessment: [Read, Export],
        Objection: [Read, Create],
        // Lead units, districts and responsible units submit plans and request changes.
        Plan: [Read, Create],
        Settings: [Read],
    }
    DistrictStaff {
        Portfolio: [Read, Export],
        Project: [Read, Update, Export],
        ProgressReport: [Read, Export],
        Dispatch: [Read, Export],
        Warning: [Read, Export],
        TrackedItem: [Read, Update, Export],
        Assessment: [Read, Export],
        Objection: [Read, Create],
        Plan: [Read, Create],
        Settings: [Read],
    }
    UnitReporter {
        Portfolio: [Read, Export],
        Project: [Read, Export],
        ProgressReport: [Read, Create, Update, Export],
        Warning: [Read, Export],
        TrackedItem: [Read, Update, Export],
        Plan: [Read, Create],
        Settings: [Read],
    }
    SystemAdmin {
        Users: [Read, Create, Update],
        Backup: [Read, Create, Export],
    }
    SecurityAdmin {
        // Reading accounts is how the security administrator finds whom to grant a role.
        Users: [Read],
        Roles: [Read, Grant],
        SecurityPolicy: [Read, Update],
    }
    AuditAdmin {
        Audit: [Read, Verify, Export],
    }
};

/// Every allowance of the policy, in declaration order.
pub fn all_rules() -> &'static [Rule] {
    POLICY
}

/// Whether `role` may take `action` on `resource`.
pub fn allows(role: Role, resource: Resource, action: Action) -> bool {
    POLICY
        .iter()
        .any(|r| r.role == role && r.resource == resource && r.action == action)
}

/// Whether any of `roles` may take `action` on `resource`.
pub fn allows_any(roles: &[Role], resource: Resource, action: Action) -> bool {
    roles.iter().any(|&role| allows(role, resource, action))
}

/// As [`allows_any`], as a `Result` for handlers to `?`: the error carries the Chinese message
/// to show and the resource and action to audit the denial with.
pub fn require(roles: &[Role], resource: Resource, action: Action) -> Result<(), AccessError> {
    if allows_any(roles, resource, action) {
        Ok(())
    } else {
        Err(AccessError::Denied { resource, action })
    }
}

/// The actions any of `roles` may take on `resource`, in [`Action::ALL`] order: for showing only
/// the buttons and menu entries that will work.
pub fn allowed_actions(roles: &[Role], resource: Resource) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|&a| allows_any(roles, resource, a))
        .collect()
}

/// The policy as a text table, a row per role and a column per resource, each cell the letters
/// of the allowed actions (R read, C create, U update, D delete, E export, V verify, G grant)
/// and `-` for none.
/// For documentation, the command line and the review snapshot in the tests.
pub fn render_matrix() -> String {
    let cells: Vec<Vec<String>> = Role::ALL
        .iter()
        .map(|&role| {
            Resource::ALL
                .iter()
                .map(|&resource| {
                    let letters: String = Action::ALL
                        .iter()
                        .filter(|&&a| allows(role, resource, a))
                        .map(|a| a.letter())
                        .collect();
                    if letters.is_empty() {
                        "-".to_owned()
                    } else {
                        letters
                    }
                })
                .collect()
        })
        .collect();
    let role_width = Role::ALL.iter().map(|r| r.code().len()).max().unwrap_or(0);
    let widths: Vec<usize> = Resource::ALL
        .iter()
        .enumerate()
        .map(|(i, r)| {
            cells
                .iter()
                .map(|row| row[i].len())
                .chain([r.code().len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{:role_width$}", "role");
    for (r, w) in Resource::ALL.iter().zip(&widths) {
        out.push_str(&format!(" {:w$}", r.code()));
    }
    out = out.trim_end().to_owned();
    out.push('\n');
    for (role, row) in Role::ALL.iter().zip(&cells) {
        let mut line = format!("{:role_width$}", role.code());
        for (cell, w) in row.iter().zip(&widths) {
            line.push_str(&format!(" {cell:w$}"));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Every role × resource × action, so each invariant below is checked over the whole space
    /// rather than over the cases someone thought of.
    fn every_triple() -> impl Iterator<Item = (Role, Resource, Action)> {
        Role::ALL.into_iter().flat_map(|role| {
            Resource::ALL.into_iter().flat_map(move |resource| {
                Action::ALL
                    .into_iter()
                    .map(move |action| (role, resource, action))
            })
        })
    }

    #[test]
    fn the_matrix_covers_every_role_resource_and_action() {
        assert_eq!(every_triple().count(), 9 * 16 * 7);
        let allowed = every_triple()
            .filter(|&(r, res, a)| allows(r, res, a))
            .count();
        assert_eq!(
            allowed,
            POLICY.len(),
            "every allowance is a distinct triple"
        );
    }

    #[test]
    fn no_rule_is_declared_twice() {
        let unique: HashSet<_> = POLICY.iter().collect();
        assert_eq!(unique.len(), POLICY.len());
    }

    #[test]
    fn every_role_and_every_resource_appears_in_the_policy() {
        for role in Role::ALL {
            assert!(
                POLICY.iter().any(|r| r.role == role),
                "{role:?} can do nothing"
            );
        }
        for resource in Resource::ALL {
            assert!(
                POLICY.iter().any(|r| r.resource == resource),
                "no one can reach {resource:?}"
            );
        }
    }

    #[test]
    fn administrators_touch_only_administrative_resources_and_no_one_else_does() {
        for (role, resource, action) in every_triple() {
            if allows(role, resource, action) {
                assert_eq!(
                    role.is_administrator(),
                    resource.is_administrative(),
                    "{role:?} may {action:?} {resource:?}"
                );
            }
        }
    }

    #[test]
    fn campaign_roles_cannot_touch_users_roles_policies_audit_or_backups() {
        for (role, resource, action) in every_triple() {
            if !role.is_administrator() && resource.is_administrative() {
                assert!(
                    !allows(role, resource, action),
                    "{role:?} {action:?} {resource:?}"
                );
            }
        }
    }

    #[test]
    fn system_admin_cannot_grant_roles_nor_read_audit() {
        assert!(!allows(Role::SystemAdmin, Resource::Roles, Action::Grant));
        for action in Action::ALL {
            assert!(!allows(Role::SystemAdmin, Resource::Audit, action));
            assert!(!allows(Role::SystemAdmin, Resource::Roles, action));
            assert!(!allows(Role::SystemAdmin, Resource::SecurityPolicy, action));
        }
        assert!(allows(Role::SystemAdmin, Resource::Users, Action::Create));
        assert!(allows(Role::SystemAdmin, Resource::Backup, Action::Create));
    }

    #[test]
    fn security_admin_cannot_create_users_nor_touch_audit() {
        assert!(!allows(
            Role::SecurityAdmin,
            Resource::Users,
            Action::Create
        ));
        assert!(!allows(
            Role::SecurityAdmin,
            Resource::Users,
            Action::Update
        ));
        for action in Action::ALL {
            assert!(!allows(Role::SecurityAdmin, Resource::Audit, action));
            assert!(!allows(Role::SecurityAdmin, Resource::Backup, action));
        }
        assert!(allows(Role::SecurityAdmin, Resource::Roles, Action::Grant));
        assert!(allows(
            Role::SecurityAdmin,
            Resource::SecurityPolicy,
            Action::Update
        ));
    }

    #[test]
    fn audit_admin_can_only_read_verify_and_export_audit() {
        let allowed: Vec<_> = every_triple()
            .filter(|&(role, res, a)| role == Role::AuditAdmin && allows(role, res, a))
            .map(|(_, res, a)| (res, a))
            .collect();
        assert_eq!(
            allowed,
            [
                (Resource::Audit, Action::Read),
                (Resource::Audit, Action::Export),
                (Resource::Audit, Action::Verify),
            ]
        );
    }

    #[test]
    fn only_the_audit_admin_reaches_the_audit_trail_and_no_one_writes_it() {
        for (role, _, action) in every_triple().filter(|t| t.1 == Resource::Audit) {
            if allows(role, Resource::Audit, action) {
                assert_eq!(role, Role::AuditAdmin);
                assert!(!action.is_write(), "{action:?} on audit");
            }
        }
    }

    #[test]
    fn grant_applies_only_to_roles_and_verify_only_to_audit() {
        for rule in POLICY {
            if rule.action == Action::Grant {
                assert_eq!(rule.resource, Resource::Roles);
            }
            if rule.action == Action::Verify {
                assert_eq!(rule.resource, Resource::Audit);
            }
        }
    }

    #[test]
    fn hq_leader_only_reads_and_exports() {
        for rule in POLICY.iter().filter(|r| r.role == Role::HqLeader) {
            assert!(!rule.action.is_write(), "{rule:?}");
        }
    }

    #[test]
    fn only_office_and_reporters_write_the_ledger_and_no_one_deletes_a_report() {
        for rule in POLICY {
            if matches!(rule.resource, Resource::Project | Resource::ProgressReport)
                && rule.action.is_write()
            {
                // Districts and lead units edit their own projects by hand (Update, within
                // their scope); importing the ledger (Create) and deleting stay the office's.
                let by_hand = rule.resource == Resource::Project
                    && rule.action == Action::Update
                    && matches!(rule.role, Role::DistrictStaff | Role::LeadUnitStaff);
                assert!(
                    by_hand || matches!(rule.role, Role::HqOffice | Role::UnitReporter),
                    "{rule:?}"
                );
            }
        }
        for role in [Role::DistrictStaff, Role::LeadUnitStaff, Role::SubHqStaff] {
            assert!(!allows(role, Resource::Project, Action::Create), "{role:?}");
        }
        for role in Role::ALL {
            assert!(!allows(role, Resource::ProgressReport, Action::Delete));
        }
        assert!(allows(
            Role::UnitReporter,
            Resource::ProgressReport,
            Action::Create
        ));
        assert!(!allows(
            Role::UnitReporter,
            Resource::Project,
            Action::Update
        ));
    }

    #[test]
    fn no_one_writes_a_warning_and_only_the_office_changes_the_rules() {
        for rule in POLICY {
            if rule.resource == Resource::Warning {
                assert!(!rule.action.is_write(), "{rule:?}");
            }
            if rule.resource == Resource::Settings && rule.action.is_write() {
                assert_eq!(rule.role, Role::HqOffice, "{rule:?}");
            }
        }
    }

    #[test]
    fn items_are_issued_by_the_office_and_sub_hq_and_never_deleted() {
        for role in Role::ALL {
            assert_eq!(
                allows(role, Resource::TrackedItem, Action::Create),
                matches!(role, Role::HqOffice | Role::SubHqStaff),
                "{role:?} issuing an item"
            );
            assert!(!allows(role, Resource::TrackedItem, Action::Delete));
        }
        // Every unit that can own an item can answer it.
        for role in [
            Role::SubHqStaff,
            Role::LeadUnitStaff,
            Role::DistrictStaff,
            Role::UnitReporter,
        ] {
            assert!(
                allows(role, Resource::TrackedItem, Action::Update),
                "{role:?}"
            );
        }
    }

    #[test]
    fn settings_are_campaign_wide_neither_scoped_nor_administrative() {
        for citywide in [Resource::Settings, Resource::Organisation] {
            assert!(!citywide.is_scoped());
            assert!(!citywide.is_administrative());
        }
        for resource in Resource::ALL {
            if resource != Resource::Settings && resource != Resource::Organisation {
                assert_ne!(
                    resource.is_scoped(),
                    resource.is_administrative(),
                    "{resource:?}"
                );
            }
        }
    }

    #[test]
    fn require_names_the_denied_action_and_combines_roles() {
        assert_eq!(
            require(&[Role::DistrictStaff], Resource::Project, Action::Delete),
            Err(AccessError::Denied {
                resource: Resource::Project,
                action: Action::Delete
            })
        );
        assert!(require(&[], Resource::Portfolio, Action::Read).is_err());
        assert_eq!(
            require(
                &[Role::HqLeader, Role::HqOffice],
                Resource::Project,
                Action::Update
            ),
            Ok(())
        );
        assert_eq!(
            allowed_actions(&[Role::AuditAdmin], Resource::Audit),
            [Action::Read, Action::Export, Action::Verify]
        );
    }

    #[test]
    fn codes_round_trip() {
        for r in Resource::ALL {
            assert_eq!(Resource::from_code(r.code()), Some(r));
        }
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(a));
        }
        assert_eq!(Resource::from_code("everything"), None);
    }

    // The matrix as a reviewer sees it: any change to `POLICY` changes this snapshot, so a
    // widened allowance cannot slip through a review unnoticed.
    #[test]
    fn the_policy_matrix_is_as_reviewed() {
        insta::assert_snapshot!(render_matrix(), @r"
    role            portfolio project progress_report dispatch warning tracked_item assessment objection plan organisation settings users roles security_policy audit backup
    hq_leader       RE        RE      RE              RE       RE      RE           RE         R         R    -            R        -     -     -               -     -
    hq_office       RE        RCUDE   RCUE            RE       RE      RCUE         RCUE       RU        RCU  RCU          RU       -     -     -               -     -
    sub_hq_staff    RE        RE      RE              RE       RE      RCUE         RE         R         R    -            R        -     -     -               -     -
    lead_unit_staff RE        RUE     RE              RE       RE      RUE          RE         RC        RC   -            R        -     -     -               -     -
    district_staff  RE        RUE     RE              RE       RE      RUE          RE         RC        RC   -            R        -     -     -               -     -
    unit_reporter   RE        RE      RCUE            -        RE      RUE          -          -         RC   -            R        -     -     -               -     -
    system_admin    -         -       -               -        -       -            -          -         -    -            -        RCU   -     -               -     RCE
    security_admin  -         -       -               -        -       -            -          -         -    -            -        R     RG    RU              -     -
    audit_admin     -         -       -               -        -       -            -          -         -    -            -        -     -     -               REV   -
    ");
    }
}
