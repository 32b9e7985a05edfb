//! What an audit record says was done: one enum, so every writer names its action the same way
//! and the audit pages can say it in Chinese. Stored as its code (`login.failed`), which is what
//! the hash chain covers; records read back keep the stored text.

use std::fmt;

/// An audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A request refused by access control (role, scope or network address).
    AccessDenied,
    /// A state-changing request from another origin, refused.
    CsrfDenied,
    /// A client over its request rate, refused.
    RateLimited,
    /// A request body over the route's limit, refused.
    RequestTooLarge,
    /// A successful login.
    LoginSuccess,
    /// A login with a wrong password or second factor.
    LoginFailed,
    /// A login refused (disabled, expired or dormant account).
    LoginRefused,
    /// An account locked after repeated failures.
    LoginLocked,
    /// A session ended by the user.
    Logout,
    /// Every session of an account ended by its user.
    LogoutAll,
    /// A session past its idle or absolute limit.
    SessionExpired,
    /// An account created.
    AccountCreate,
    /// An account's status or details changed by an administrator.
    AccountUpdate,
    /// An account disabled for being unused.
    AccountDisableDormant,
    /// An account disabled past its expiry date.
    AccountDisableExpired,
    /// Roles granted or withdrawn.
    RoleGrant,
    /// A second factor enabled.
    TotpEnable,
    /// A second factor disabled.
    TotpDisable,
    /// A user changed their own password.
    PasswordChange,
    /// The security administrator reset an account's password (a change forced at next login).
    PasswordReset,
    /// The security settings (password age, session limit, second factor for all) saved.
    SecuritySettingsSave,
    /// A whole portfolio written into an empty database (demo, `gen`).
    PortfolioCreate,
    /// A chunk of a portfolio appended (`gen`).
    PortfolioAppend,
    /// A project created.
    ProjectCreate,
    /// A project changed.
    ProjectUpdate,
    /// A category made (name, line, lead unit, milestone template).
    CategoryCreate,
    /// A category or its milestone template saved as a new version.
    CategorySave,
    /// A project created by a ledger import.
    ProjectImportCreate,
    /// A project changed by a ledger import.
    ProjectImportUpdate,
    /// Annual plans submitted to the office.
    PlanSubmit,
    /// Annual plans approved by the office (their baseline frozen).
    PlanApprove,
    /// A plan change (计划调整) requested.
    PlanChangeRequest,
    /// A plan change approved or rejected.
    PlanChangeDecide,
    /// Unfinished projects carried into the next year's plan.
    PlanCarryOver,
    /// A responsible unit created by a ledger import that named it.
    UnitImportCreate,
    /// A progress report filed.
    ReportFile,
    /// The daily warning job's run for a day.
    WarningsDaily,
    /// The demo's cadence history written.
    CadenceDemo,
    /// A tracked item opened.
    ItemOpen,
    /// An event appended to a tracked item (its action's code: `item.close`, …).
    ItemEvent(&'static str),
    /// A 督办 or 约谈 issued from a proposal.
    ActIssue,
    /// A proposal of an act dismissed with a reason.
    ActDismiss,
    /// New warning rules saved.
    SettingsWarningRules,
    /// A reporting calendar saved.
    SettingsReportingCalendar,
    /// A scoring scheme saved.
    SettingsScoringScheme,
    /// Indicator values entered.
    IndicatorEnter,
    /// Media reports added to the register.
    MediaAdd,
    /// A backup of the database, photos and anchors written.
    BackupCreate,
    /// A backup restored into an empty database (recorded in the restored one).
    BackupRestore,
    /// A restore drill: a backup restored into a scratch database and checked.
    BackupVerify,
    /// TOTP seeds stored before there was a key, sealed with it.
    SecretsSeal,
    /// A month scored as a draft.
    ScoreDraft,
    /// A month's scores published.
    ScorePublish,
    /// A published month corrected.
    ScoreCorrect,
    /// An objection filed.
    ObjectionFile,
    /// An objection decided.
    ObjectionDecide,
    /// The audit trail exported as a workbook.
    ExportXlsx,
    /// A city set up in an empty database (`jianguan init`, the first-run page).
    CityInit,
    /// An organisation unit created.
    UnitCreate,
    /// An organisation unit renamed.
    UnitRename,
    /// An organisation unit moved under another parent.
    UnitMove,
    /// An organisation unit deactivated.
    UnitDeactivate,
    /// An organisation unit reactivated.
    UnitReactivate,
    /// An organisation file imported (its units created in the same write).
    OrgImport,
}

impl AuditAction {
    /// The stored code, e.g. `login.failed`.
    pub fn code(self) -> String {
        match self {
            AuditAction::ItemEvent(event) => format!("item.{event}"),
            other => other.fixed_code().to_string(),
        }
    }

    fn fixed_code(self) -> &'static str {
        match self {
            AuditAction::AccessDenied => "access.denied",
            AuditAction::CsrfDenied => "csrf.denied",
            AuditAction::RateLimited => "rate.limited",
            AuditAction::RequestTooLarge => "request.too_large",
            AuditAction::LoginSuccess => "login.success",
            AuditAction::LoginFailed => "login.failed",
            AuditAction::LoginRefused => "login.refused",
            AuditAction::LoginLocked => "login.locked",
            AuditAction::Logout => "logout",
            AuditAction::LogoutAll => "logout.all",
            AuditAction::SessionExpired => "session.expired",
            AuditAction::AccountCreate => "account.create",
            AuditAction::AccountUpdate => "account.update",
            AuditAction::AccountDisableDormant => "account.disable.dormant",
            AuditAction::AccountDisableExpired => "account.disable.expired",
            AuditAction::RoleGrant => "role.grant",
            AuditAction::TotpEnable => "totp.enable",
            AuditAction::TotpDisable => "totp.disable",
            AuditAction::PasswordChange => "password.change",
            AuditAction::PasswordReset => "password.reset",
            AuditAction::SecuritySettingsSave => "security.settings.save",
            AuditAction::PortfolioCreate => "portfolio.create",
            AuditAction::PortfolioAppend => "portfolio.append",
            AuditAction::ProjectCreate => "project.create",
            AuditAction::ProjectUpdate => "project.update",
            AuditAction::CategoryCreate => "category.create",
            AuditAction::CategorySave => "category.save",
            AuditAction::ProjectImportCreate => "project.import.create",
            AuditAction::ProjectImportUpdate => "project.import.update",
            AuditAction::PlanSubmit => "plan.submit",
            AuditAction::PlanApprove => "plan.approve",
            AuditAction::PlanChangeRequest => "plan.change.request",
            AuditAction::PlanChangeDecide => "plan.change.decide",
            AuditAction::PlanCarryOver => "plan.carry_over",
            AuditAction::UnitImportCreate => "unit.import.create",
            AuditAction::ReportFile => "report.file",
            AuditAction::WarningsDaily => "warnings.daily",
            AuditAction::CadenceDemo => "cadence.demo",
            AuditAction::ItemOpen => "item.open",
            AuditAction::ItemEvent(_) => "item",
            AuditAction::ActIssue => "act.issue",
            AuditAction::ActDismiss => "act.dismiss",
            AuditAction::SettingsWarningRules => "settings.warning_rules",
            AuditAction::SettingsReportingCalendar => "settings.reporting_calendar",
            AuditAction::SettingsScoringScheme => "settings.scoring_scheme",
            AuditAction::IndicatorEnter => "indicator.enter",
            AuditAction::MediaAdd => "media.add",
            AuditAction::BackupCreate => "backup.create",
            AuditAction::BackupRestore => "backup.restore",
            AuditAction::BackupVerify => "backup.verify",
            AuditAction::SecretsSeal => "secrets.seal",
            AuditAction::ScoreDraft => "score.draft",
            AuditAction::ScorePublish => "score.publish",
            AuditAction::ScoreCorrect => "score.correct",
            AuditAction::ObjectionFile => "objection.file",
            AuditAction::ObjectionDecide => "objection.decide",
            AuditAction::ExportXlsx => "export.xlsx",
            AuditAction::CityInit => "city.init",
            AuditAction::UnitCreate => "unit.create",
            AuditAction::UnitRename => "unit.rename",
            AuditAction::UnitMove => "unit.move",
            AuditAction::UnitDeactivate => "unit.deactivate",
            AuditAction::UnitReactivate => "unit.reactivate",
            AuditAction::OrgImport => "org.import",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl From<AuditAction> for String {
    fn from(action: AuditAction) -> String {
        action.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_stored_names() {
        assert_eq!(AuditAction::LoginFailed.code(), "login.failed");
        assert_eq!(
            AuditAction::AccountDisableDormant.code(),
            "account.disable.dormant"
        );
        assert_eq!(AuditAction::ItemEvent("close").code(), "item.close");
        assert_eq!(String::from(AuditAction::ExportXlsx), "export.xlsx");
    }
}
