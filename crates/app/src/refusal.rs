//! What a person is told when the database refuses a write: one Chinese message per
//! [`StoreError`] that refused (a rule, a conflict, a duplicate, a stale plan, a missing record),
//! shared by the pages and the CLI. A failure is not a refusal: its text is only logged.

use jianguan_domain::store::{Field, StoreError};

/// How a refusing [`StoreError`] reads, and what kind of refusal it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreRefusal {
    /// The write conflicts with what is stored (a page answers 409).
    Conflict(String),
    /// The record is missing; names what (404).
    NotFound(String),
    /// The write breaks a rule (422).
    Refused(String),
}

/// The refusal a store error is, or `None` for a failure (unreachable database, unreadable data).
pub fn classify(e: &StoreError) -> Option<StoreRefusal> {
    Some(match e {
        StoreError::Invalid(m) => StoreRefusal::Refused(m.clone()),
        StoreError::Conflict(m) => StoreRefusal::Conflict(m.clone()),
        StoreError::Stale { .. } => StoreRefusal::Conflict(
            "操作期间数据已有变化，本次未写入任何数据，请重新操作".to_string(),
        ),
        StoreError::Duplicate { field, value } => StoreRefusal::Conflict(match value {
            Some(v) => format!("{}“{v}”已存在", field_name(field)),
            None => format!("{}已存在", field_name(field)),
        }),
        StoreError::NotFound(what) => StoreRefusal::NotFound(what.clone()),
        StoreError::MissingReference { field } => StoreRefusal::Refused(match field {
            Some(f) => format!("引用的{}不存在", field_name(f)),
            None => "引用的记录不存在".to_string(),
        }),
        StoreError::NotEmpty => StoreRefusal::Conflict("数据库中已有项目数据".to_string()),
        StoreError::NotJianguan(_) | StoreError::NewerSchema { .. } | StoreError::Backend(_) => {
            return None;
        }
    })
}

/// The message to show for a store error that refused the request, or `None` for a failure.
pub fn refusal(e: &StoreError) -> Option<String> {
    classify(e).map(|r| match r {
        StoreRefusal::Conflict(m) | StoreRefusal::Refused(m) => m,
        StoreRefusal::NotFound(what) => format!("未找到{what}"),
    })
}

/// A field's name in messages.
pub fn field_name(field: &Field) -> &'static str {
    match field {
        Field::Username => "用户名",
        Field::ProjectCode => "项目编号",
        Field::CategoryCode => "类别编码",
        Field::SchemeVersion => "考评办法版本",
        Field::RunVersion => "考评结果版本",
        Field::ReportVersion => "进度填报版本",
        Field::ItemEvent => "事项记录",
        Field::SettingVersion => "设置版本",
        Field::ObjectionDecision => "申诉的处理决定",
        Field::Unit => "单位",
        Field::Project => "项目",
        Field::Category => "类别",
        Field::Milestone => "节点",
        Field::Period => "填报周期",
        Field::Report => "进度报告",
        Field::Account => "账号",
        Field::Item => "督办事项",
        Field::Other(_) => "记录",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_user_name_reads_in_chinese_and_a_failure_is_not_a_refusal() {
        let dup = StoreError::Duplicate {
            field: Field::Username,
            value: None,
        };
        assert_eq!(refusal(&dup).as_deref(), Some("用户名已存在"));
        assert_eq!(refusal(&StoreError::Backend("disk".into())), None);
    }
}
