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
    /// The districts' boundaries imported (the whole set replaced).
    DistrictBoundariesImport,
    /// The basemap prepared (the stored one replaced).
    BasemapPrepare,
    /// A wall link made (it opens the wall display without a login).
    WallLinkCreate,
    /// A wall link revoked.
    WallLinkRevoke,
}

impl AuditAction {
    /// The stored code, e.g. `login.failed`.
    pub fn code(self) -> String {
        match self {
            AuditAction::ItemEvent(event) => format!("item.{event}"),
            other => other.fixed_code().to_string(),
        }
    }

    /// The action in Chinese, as the audit pages show it beside the code: `访问被拒绝`.
    pub fn label_zh(self) -> &'static str {
        match self {
            AuditAction::AccessDenied => "访问被拒绝",
            AuditAction::CsrfDenied => "跨站请求被拒绝",
            AuditAction::RateLimited => "请求过于频繁被拒绝",
            AuditAction::RequestTooLarge => "提交内容过大被拒绝",
            AuditAction::LoginSuccess => "登录成功",
            AuditAction::LoginFailed => "登录失败",
            AuditAction::LoginRefused => "登录被拒绝",
            AuditAction::LoginLocked => "登录被锁定",
            AuditAction::Logout => "退出登录",
            AuditAction::LogoutAll => "退出全部会话",
            AuditAction::SessionExpired => "会话过期",
            AuditAction::AccountCreate => "新建账户",
            AuditAction::AccountUpdate => "修改账户",
            AuditAction::AccountDisableDormant => "停用长期未用账户",
            AuditAction::AccountDisableExpired => "停用过期账户",
            AuditAction::RoleGrant => "授予角色",
            AuditAction::TotpEnable => "启用动态口令",
            AuditAction::TotpDisable => "停用动态口令",
            AuditAction::PasswordChange => "修改密码",
            AuditAction::PasswordReset => "重置密码",
            AuditAction::SecuritySettingsSave => "保存安全设置",
            AuditAction::PortfolioCreate => "写入项目库",
            AuditAction::PortfolioAppend => "追加项目库",
            AuditAction::ProjectCreate => "新建项目",
            AuditAction::ProjectUpdate => "修改项目",
            AuditAction::CategoryCreate => "新建类别",
            AuditAction::CategorySave => "保存类别",
            AuditAction::ProjectImportCreate => "台账导入新建项目",
            AuditAction::ProjectImportUpdate => "台账导入修改项目",
            AuditAction::PlanSubmit => "报送年度计划",
            AuditAction::PlanApprove => "批准年度计划",
            AuditAction::PlanChangeRequest => "申请计划调整",
            AuditAction::PlanChangeDecide => "审批计划调整",
            AuditAction::PlanCarryOver => "结转下年计划",
            AuditAction::UnitImportCreate => "台账导入新建单位",
            AuditAction::ReportFile => "进度填报",
            AuditAction::WarningsDaily => "每日警示计算",
            AuditAction::CadenceDemo => "写入示例调度数据",
            AuditAction::ItemOpen => "新建事项",
            AuditAction::ItemEvent(event) => item_event_label(event),
            AuditAction::ActIssue => "签发督办/约谈",
            AuditAction::ActDismiss => "不予签发督办/约谈",
            AuditAction::SettingsWarningRules => "保存警示规则",
            AuditAction::SettingsReportingCalendar => "保存填报日历",
            AuditAction::SettingsScoringScheme => "保存考评办法",
            AuditAction::IndicatorEnter => "录入指标值",
            AuditAction::MediaAdd => "登记媒体报道",
            AuditAction::BackupCreate => "备份",
            AuditAction::BackupRestore => "恢复备份",
            AuditAction::BackupVerify => "恢复演练",
            AuditAction::SecretsSeal => "加密动态口令密钥",
            AuditAction::ScoreDraft => "考评计分（草稿）",
            AuditAction::ScorePublish => "发布考评结果",
            AuditAction::ScoreCorrect => "更正考评结果",
            AuditAction::ObjectionFile => "提出申诉",
            AuditAction::ObjectionDecide => "处理申诉",
            AuditAction::ExportXlsx => "导出审计记录",
            AuditAction::CityInit => "初始化城市",
            AuditAction::UnitCreate => "新建单位",
            AuditAction::UnitRename => "单位更名",
            AuditAction::UnitMove => "调整上级单位",
            AuditAction::UnitDeactivate => "停用单位",
            AuditAction::UnitReactivate => "恢复单位",
            AuditAction::OrgImport => "导入组织机构",
            AuditAction::DistrictBoundariesImport => "导入区划边界",
            AuditAction::BasemapPrepare => "生成底图",
            AuditAction::WallLinkCreate => "新建大屏链接",
            AuditAction::WallLinkRevoke => "撤销大屏链接",
        }
    }

    /// The Chinese label of a stored code (`access.denied` → 访问被拒绝, `item.close` → …);
    /// `None` for a code this version does not know (a page shows the code alone).
    pub fn label_of_code(code: &str) -> Option<&'static str> {
        if let Some(event) = code.strip_prefix("item.")
            && code != "item.open"
        {
            return ITEM_EVENTS
                .iter()
                .find(|(c, _)| *c == event)
                .map(|(_, label)| *label);
        }
        FIXED
            .iter()
            .find(|a| a.fixed_code() == code)
            .map(|a| a.label_zh())
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
            AuditAction::DistrictBoundariesImport => "district_boundaries.import",
            AuditAction::BasemapPrepare => "basemap.prepare",
            AuditAction::WallLinkCreate => "wall_link.create",
            AuditAction::WallLinkRevoke => "wall_link.revoke",
        }
    }
}

/// Every action with a fixed code, for reading a stored code back.
const FIXED: [AuditAction; 67] = [
    AuditAction::AccessDenied,
    AuditAction::CsrfDenied,
    AuditAction::RateLimited,
    AuditAction::RequestTooLarge,
    AuditAction::LoginSuccess,
    AuditAction::LoginFailed,
    AuditAction::LoginRefused,
    AuditAction::LoginLocked,
    AuditAction::Logout,
    AuditAction::LogoutAll,
    AuditAction::SessionExpired,
    AuditAction::AccountCreate,
    AuditAction::AccountUpdate,
    AuditAction::AccountDisableDormant,
    AuditAction::AccountDisableExpired,
    AuditAction::RoleGrant,
    AuditAction::TotpEnable,
    AuditAction::TotpDisable,
    AuditAction::PasswordChange,
    AuditAction::PasswordReset,
    AuditAction::SecuritySettingsSave,
    AuditAction::PortfolioCreate,
    AuditAction::PortfolioAppend,
    AuditAction::ProjectCreate,
    AuditAction::ProjectUpdate,
    AuditAction::CategoryCreate,
    AuditAction::CategorySave,
    AuditAction::ProjectImportCreate,
    AuditAction::ProjectImportUpdate,
    AuditAction::PlanSubmit,
    AuditAction::PlanApprove,
    AuditAction::PlanChangeRequest,
    AuditAction::PlanChangeDecide,
    AuditAction::PlanCarryOver,
    AuditAction::UnitImportCreate,
    AuditAction::ReportFile,
    AuditAction::WarningsDaily,
    AuditAction::CadenceDemo,
    AuditAction::ItemOpen,
    AuditAction::ActIssue,
    AuditAction::ActDismiss,
    AuditAction::SettingsWarningRules,
    AuditAction::SettingsReportingCalendar,
    AuditAction::SettingsScoringScheme,
    AuditAction::IndicatorEnter,
    AuditAction::MediaAdd,
    AuditAction::BackupCreate,
    AuditAction::BackupRestore,
    AuditAction::BackupVerify,
    AuditAction::SecretsSeal,
    AuditAction::ScoreDraft,
    AuditAction::ScorePublish,
    AuditAction::ScoreCorrect,
    AuditAction::ObjectionFile,
    AuditAction::ObjectionDecide,
    AuditAction::ExportXlsx,
    AuditAction::CityInit,
    AuditAction::UnitCreate,
    AuditAction::UnitRename,
    AuditAction::UnitMove,
    AuditAction::UnitDeactivate,
    AuditAction::UnitReactivate,
    AuditAction::OrgImport,
    AuditAction::DistrictBoundariesImport,
    AuditAction::BasemapPrepare,
    AuditAction::WallLinkCreate,
    AuditAction::WallLinkRevoke,
];

/// The events of a tracked item (`item.{event}`), by the code the follow-up records use.
const ITEM_EVENTS: [(&str, &str); 6] = [
    ("progress", "事项进展"),
    ("escalate", "事项升级"),
    ("extend", "事项延期"),
    ("claim_closure", "申请办结"),
    ("verify", "复查通过"),
    ("reject", "复查未通过"),
];

/// An item event's label by its code; events this version does not know read as 事项办理.
fn item_event_label(event: &str) -> &'static str {
    ITEM_EVENTS
        .iter()
        .find(|(c, _)| *c == event)
        .map_or("事项办理", |(_, label)| *label)
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

    #[test]
    fn every_stored_code_reads_back_as_its_chinese_label() {
        for action in FIXED {
            assert_eq!(
                AuditAction::label_of_code(&action.code()),
                Some(action.label_zh()),
                "{action}"
            );
            assert!(!action.label_zh().is_ascii(), "{action}");
        }
        assert_eq!(
            AuditAction::label_of_code("access.denied"),
            Some("访问被拒绝")
        );
        assert_eq!(AuditAction::label_of_code("item.verify"), Some("复查通过"));
        assert_eq!(AuditAction::label_of_code("no.such"), None);
    }
}
