//! The roles an account can hold, and the rules on which roles may be held together.
//!
//! Six campaign roles follow the command structure (指挥部 → 分指挥部 / 牵头单位 / 县区 → 责任单位).
//! Three administrator roles follow 等保三级's separation of duties (三员分立): the system
//! administrator runs accounts and backups, the security administrator grants roles and sets
//! policies, the audit administrator reads the audit trail. Each is kept from the others' work so
//! that no single person can act and then hide the act.

use std::fmt;

use jianguan_domain::model::UnitKind;
use serde::{Deserialize, Serialize};

use crate::policy::{Action, Resource};

/// A role held by an account. What each role may do is declared in [`crate::policy::POLICY`];
/// which projects it may do it to follows from the account's unit, see [`crate::scope::Scope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 指挥部领导: reads everything, changes nothing.
    HqLeader,
    /// 指挥部办公室: manages all campaign data.
    HqOffice,
    /// 分指挥部: follows the projects of its campaign line (the projects whose `sub_hq` is its unit).
    SubHqStaff,
    /// 牵头单位: follows the projects it leads (whose `lead_unit` is its unit).
    LeadUnitStaff,
    /// 县区: follows the projects in its district.
    DistrictStaff,
    /// 责任单位填报员: files the progress reports of its own projects (whose `responsible_unit` is
    /// its unit).
    UnitReporter,
    /// 系统管理员: creates and disables accounts, takes backups. Cannot grant roles or read audit.
    SystemAdmin,
    /// 安全管理员: grants roles, sets security policies. Cannot create accounts or touch audit.
    SecurityAdmin,
    /// 审计管理员: reads, verifies and exports the audit trail, nothing else.
    AuditAdmin,
}

impl Role {
    /// Every role: the campaign roles in command order, then the three administrators.
    pub const ALL: [Role; 9] = [
        Role::HqLeader,
        Role::HqOffice,
        Role::SubHqStaff,
        Role::LeadUnitStaff,
        Role::DistrictStaff,
        Role::UnitReporter,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    /// The stable code used in storage, the API and the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::HqLeader => "hq_leader",
            Role::HqOffice => "hq_office",
            Role::SubHqStaff => "sub_hq_staff",
            Role::LeadUnitStaff => "lead_unit_staff",
            Role::DistrictStaff => "district_staff",
            Role::UnitReporter => "unit_reporter",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    /// Parses [`Role::code`].
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::HqLeader => "指挥部领导",
            Role::HqOffice => "指挥部办公室",
            Role::SubHqStaff => "分指挥部",
            Role::LeadUnitStaff => "牵头单位",
            Role::DistrictStaff => "县区",
            Role::UnitReporter => "责任单位填报员",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }

    /// Whether this is one of the three separated administrator roles. Administrators get shorter
    /// sessions and must use a second factor.
    pub fn is_administrator(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    /// The kind of unit an account must belong to for this role, or `None` for administrators,
    /// who may sit in any unit (often an information centre outside the command structure).
    ///
    /// Pinning the kind is what makes a scope meaningful: a district role on a lead unit's
    /// account would filter on the wrong column and show nothing, or the wrong things.
    pub fn unit_kind(self) -> Option<UnitKind> {
        match self {
            Role::HqLeader | Role::HqOffice => Some(UnitKind::CommandHq),
            Role::SubHqStaff => Some(UnitKind::SubHq),
            Role::LeadUnitStaff => Some(UnitKind::LeadUnit),
            Role::DistrictStaff => Some(UnitKind::District),
            Role::UnitReporter => Some(UnitKind::ResponsibleUnit),
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a role assignment or an action was refused. The messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// An account would hold two of the three administrator roles.
    #[error("同一账户不能同时担任{first}和{second}（三员分立）")]
    TwoAdministrators {
        /// One administrator role held.
        first: Role,
        /// Another administrator role held.
        second: Role,
    },
    /// An administrator account would also hold a campaign role.
    #[error("管理员账户不能兼任业务角色：{admin}不能同时担任{campaign}")]
    AdministratorWithCampaignRole {
        /// The administrator role held.
        admin: Role,
        /// The campaign role held.
        campaign: Role,
    },
    /// A campaign role given to an account of the wrong kind of unit.
    #[error("{role}角色只能授予{}的账户，该账户属于{}", .expected.label(), .actual.label())]
    WrongUnitKind {
        /// The role.
        role: Role,
        /// The kind of unit the role needs.
        expected: UnitKind,
        /// The kind of unit the account belongs to.
        actual: UnitKind,
    },
    /// No role of the account allows the action.
    #[error("无权{action}{resource}")]
    Denied {
        /// What was to be acted on.
        resource: Resource,
        /// What was to be done.
        action: Action,
    },
}

/// Checks that one account may hold all of `roles` together.
///
/// Refuses two of the three administrator roles (三员分立). Also refuses an administrator role
/// together with any campaign role: the simplest rule that keeps the people who run the system
/// apart from the people whose figures it scores, and it leaves no case where an administrator's
/// short session or second factor would have to be weighed against a campaign role's. Someone
/// who is both gets two accounts. An empty set is allowed: stripping every role is how the
/// security administrator withdraws access without deleting the account.
pub fn check_role_set(roles: &[Role]) -> Result<(), AccessError> {
    let mut admins = roles.iter().copied().filter(|r| r.is_administrator());
    if let Some(admin) = admins.next() {
        if let Some(second) = admins.find(|&r| r != admin) {
            return Err(AccessError::TwoAdministrators {
                first: admin,
                second,
            });
        }
        if let Some(&campaign) = roles.iter().find(|r| !r.is_administrator()) {
            return Err(AccessError::AdministratorWithCampaignRole { admin, campaign });
        }
    }
    Ok(())
}

/// Checks a whole assignment: [`check_role_set`], then that every campaign role fits the kind of
/// the account's unit (see [`Role::unit_kind`]).
///
/// Storage runs this before saving roles, so every account's roles agree on one scope.
pub fn check_assignment(roles: &[Role], unit_kind: UnitKind) -> Result<(), AccessError> {
    check_role_set(roles)?;
    for &role in roles {
        if let Some(expected) = role.unit_kind()
            && expected != unit_kind
        {
            return Err(AccessError::WrongUnitKind {
                role,
                expected,
                actual: unit_kind,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        let mut codes: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Role::ALL.len());
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn serde_uses_the_stable_code() {
        // The API writes roles with serde and the database with `code()`: they must agree.
        for role in Role::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.code()));
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
    }

    #[test]
    fn exactly_three_roles_are_administrators() {
        let admins: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.is_administrator())
            .collect();
        assert_eq!(
            admins,
            [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin]
        );
    }

    #[test]
    fn labels_are_chinese_and_distinct() {
        let mut labels: Vec<_> = Role::ALL.iter().map(|r| r.label()).collect();
        assert!(labels.iter().all(|l| !l.is_ascii()));
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Role::ALL.len());
    }

    #[test]
    fn any_two_administrator_roles_are_refused_together() {
        let admins = [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin];
        for a in admins {
            for b in admins {
                let result = check_role_set(&[a, b]);
                if a == b {
                    assert_eq!(result, Ok(()), "{a:?} twice is still one role");
                } else {
                    assert_eq!(
                        result,
                        Err(AccessError::TwoAdministrators {
                            first: a,
                            second: b
                        })
                    );
                }
            }
        }
        assert!(check_role_set(&admins).is_err());
    }

    #[test]
    fn an_administrator_cannot_also_hold_a_campaign_role() {
        for admin in Role::ALL.into_iter().filter(|r| r.is_administrator()) {
            for campaign in Role::ALL.into_iter().filter(|r| !r.is_administrator()) {
                assert_eq!(
                    check_role_set(&[campaign, admin]),
                    Err(AccessError::AdministratorWithCampaignRole { admin, campaign })
                );
            }
        }
    }

    #[test]
    fn campaign_roles_combine_and_an_empty_set_is_allowed() {
        assert_eq!(check_role_set(&[]), Ok(()));
        assert_eq!(check_role_set(&[Role::HqLeader, Role::HqOffice]), Ok(()));
        for role in Role::ALL {
            assert_eq!(check_role_set(&[role]), Ok(()));
        }
    }

    #[test]
    fn campaign_roles_must_match_the_unit_kind() {
        assert_eq!(
            check_assignment(&[Role::DistrictStaff], UnitKind::District),
            Ok(())
        );
        assert_eq!(
            check_assignment(&[Role::DistrictStaff], UnitKind::LeadUnit),
            Err(AccessError::WrongUnitKind {
                role: Role::DistrictStaff,
                expected: UnitKind::District,
                actual: UnitKind::LeadUnit
            })
        );
        assert_eq!(
            check_assignment(&[Role::HqLeader, Role::HqOffice], UnitKind::CommandHq),
            Ok(())
        );
        // Administrators may sit in any unit.
        for kind in UnitKind::ALL {
            assert_eq!(check_assignment(&[Role::AuditAdmin], kind), Ok(()));
        }
    }

    #[test]
    fn assignment_checks_separation_before_unit_kind() {
        assert!(matches!(
            check_assignment(&[Role::SystemAdmin, Role::AuditAdmin], UnitKind::District),
            Err(AccessError::TwoAdministrators { .. })
        ));
    }

    #[test]
    fn errors_read_in_chinese() {
        let e = AccessError::TwoAdministrators {
            first: Role::SystemAdmin,
            second: Role::AuditAdmin,
        };
        assert_eq!(
            e.to_string(),
            "同一账户不能同时担任系统管理员和审计管理员（三员分立）"
        );
        let e = AccessError::WrongUnitKind {
            role: Role::DistrictStaff,
            expected: UnitKind::District,
            actual: UnitKind::LeadUnit,
        };
        assert_eq!(
            e.to_string(),
            "县区角色只能授予县区的账户，该账户属于牵头单位"
        );
        let e = AccessError::Denied {
            resource: Resource::Audit,
            action: Action::Export,
        };
        assert_eq!(e.to_string(), "无权导出审计记录");
    }
}
