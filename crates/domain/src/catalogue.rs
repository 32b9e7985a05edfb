//! The office's catalogue: categories (类别) with their lead unit, campaign line and milestone
//! template, checked as the office types them. [`check_category`] reads a form's text (numbers
//! included, so a mistyped number is named like any other problem) into a [`Category`] or every
//! problem at once, each in Chinese naming the step and field.
//!
//! A template is copied into a project's milestones when the project is made, so a saved
//! template never changes a plan that exists: the check is about the template alone.

use std::collections::HashSet;

use crate::model::{
    Category, CategoryId, Portfolio, ProjectStatus, TemplateStep, UnitId, UnitKind,
};

/// The longest category name, in characters.
pub const NAME_MAX: usize = 50;
/// The longest category code, in characters.
pub const CODE_MAX: usize = 40;

/// One row of a template as typed: every field text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepInput {
    /// The step's name, e.g. 开工.
    pub name: String,
    /// Its weight in percent complete (an integer; the weights add up to 100).
    pub weight: String,
    /// Its share of the duration in percent (an integer; the shares add up to 100).
    pub share: String,
    /// The code of the status it enters ([`ProjectStatus::code`]), or blank.
    pub enters: String,
}

impl StepInput {
    /// Whether the row was left empty (the form's spare rows).
    pub fn is_blank(&self) -> bool {
        [&self.name, &self.weight, &self.share, &self.enters]
            .iter()
            .all(|f| f.trim().is_empty())
    }
}

/// A category as typed in the office's form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryInput {
    /// The stable code; blank for a new category takes the next generated one
    /// ([`next_category_code`]). A stored category keeps its code whatever is typed.
    pub code: String,
    /// The name (non-empty, at most [`NAME_MAX`] characters, unique among the categories).
    pub name: String,
    /// The id of the 分指挥部 that follows the line, as text.
    pub sub_hq: String,
    /// The id of the 牵头单位, as text.
    pub lead_unit: String,
    /// The template's steps in order (blank rows are skipped).
    pub steps: Vec<StepInput>,
}

impl CategoryInput {
    /// The form of a stored category.
    pub fn of(category: &Category) -> CategoryInput {
        CategoryInput {
            code: category.code.clone(),
            name: category.name.clone(),
            sub_hq: category.sub_hq.to_string(),
            lead_unit: category.lead_unit.to_string(),
            steps: category
                .template
                .iter()
                .map(|s| StepInput {
                    name: s.name.clone(),
                    weight: s.weight.to_string(),
                    share: s.share.to_string(),
                    enters: s.enters.map(|e| e.code().to_string()).unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// The code a new category gets when none is typed: `category_N`, N the first number from the
/// count of categories plus one whose code is free.
pub fn next_category_code(portfolio: &Portfolio) -> String {
    let taken: HashSet<&str> = portfolio
        .categories
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    (portfolio.categories.len() + 1..)
        .map(|n| format!("category_{n}"))
        .find(|code| !taken.contains(code.as_str()))
        .expect("some number is free")
}

fn percent(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok().filter(|v| *v <= 100)
}

fn unit_of_kind(
    portfolio: &Portfolio,
    text: &str,
    kind: UnitKind,
    field: &str,
    problems: &mut Vec<String>,
) -> UnitId {
    let found = text
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| portfolio.unit(UnitId(id)))
        .filter(|u| u.kind == kind && u.active);
    match found {
        Some(u) => u.id,
        None => {
            problems.push(format!("{field}：请选择一个在用的{}", kind.label()));
            UnitId(0)
        }
    }
}

/// Reads `input` into a category: `existing` is the stored category being edited (its id and
/// code kept, its version not yet raised — the store does that), `None` for a new one (id 0,
/// version 1). Every problem is returned at once, each naming its field or step.
pub fn check_category(
    input: &CategoryInput,
    existing: Option<&Category>,
    portfolio: &Portfolio,
) -> Result<Category, Vec<String>> {
    let mut problems = Vec::new();
    let id = existing.map_or(CategoryId(0), |c| c.id);
    let others = || portfolio.categories.iter().filter(move |c| c.id != id);

    let name = input.name.trim().to_string();
    if name.is_empty() {
        problems.push("类别名称：不能为空".to_string());
    } else if name.chars().count() > NAME_MAX {
        problems.push(format!(
            "类别名称：不能超过 {NAME_MAX} 个字，现为 {} 个字",
            name.chars().count()
        ));
    } else if others().any(|c| c.name == name) {
        problems.push(format!("类别名称：已有名为「{name}」的类别"));
    }

    let code = match existing {
        Some(c) => c.code.clone(),
        None => {
            let typed = input.code.trim();
            if typed.is_empty() {
                next_category_code(portfolio)
            } else {
                if typed.chars().count() > CODE_MAX
                    || !typed
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
                {
                    problems.push(format!(
                        "类别代码：须为不超过 {CODE_MAX} 个字符的小写字母、数字或下划线，如 old_community"
                    ));
                } else if others().any(|c| c.code == typed) {
                    problems.push(format!("类别代码：「{typed}」已被其他类别使用"));
                }
                typed.to_string()
            }
        }
    };

    let sub_hq = unit_of_kind(
        portfolio,
        &input.sub_hq,
        UnitKind::SubHq,
        "所属分指挥部",
        &mut problems,
    );
    let lead_unit = unit_of_kind(
        portfolio,
        &input.lead_unit,
        UnitKind::LeadUnit,
        "牵头单位",
        &mut problems,
    );

    let template = check_template(&input.steps, &mut problems);

    if problems.is_empty() {
        Ok(Category {
            id,
            code,
            name,
            sub_hq,
            lead_unit,
            template,
            template_version: existing.map_or(1, |c| c.template_version),
        })
    } else {
        Err(problems)
    }
}

/// Checks the template's rows (blank ones skipped), pushing each problem.
fn check_template(rows: &[StepInput], problems: &mut Vec<String>) -> Vec<TemplateStep> {
    let rows: Vec<&StepInput> = rows.iter().filter(|r| !r.is_blank()).collect();
    if rows.is_empty() {
        problems.push("节点模板：至少需要一个节点".to_string());
        return Vec::new();
    }
    let mut steps = Vec::with_capacity(rows.len());
    let mut names = HashSet::new();
    let mut weights_ok = true;
    let mut shares_ok = true;
    let mut last_enters: Option<(usize, ProjectStatus)> = None;
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        let name = row.name.trim().to_string();
        let label = if name.is_empty() {
            format!("第{n}个节点")
        } else {
            format!("第{n}个节点「{name}」")
        };
        if name.is_empty() {
            problems.push(format!("{label}：名称不能为空"));
        } else if name.chars().count() > NAME_MAX {
            problems.push(format!("{label}：名称不能超过 {NAME_MAX} 个字"));
        } else if !names.insert(name.clone()) {
            problems.push(format!("{label}：名称与前面的节点重复"));
        }
        let weight = percent(&row.weight).unwrap_or_else(|| {
            weights_ok = false;
            problems.push(format!("{label}：权重须为 0–100 的整数"));
            0
        });
        let share = percent(&row.share).unwrap_or_else(|| {
            shares_ok = false;
            problems.push(format!("{label}：工期占比须为 0–100 的整数"));
            0
        });
        let code = row.enters.trim();
        let enters = if code.is_empty() {
            None
        } else {
            match ProjectStatus::from_code(code) {
                Some(ProjectStatus::Suspended) => {
                    problems.push(format!("{label}：进入状态不能是「暂缓」（暂缓另行登记）"));
                    None
                }
                Some(status) => {
                    if let Some((before, earlier)) = last_enters
                        && earlier >= status
                    {
                        problems.push(format!(
                            "{label}：进入状态「{}」须在第{before}个节点的「{}」之后（按前期、在建、完工、验收、移交管养的顺序）",
                            status.label(),
                            earlier.label()
                        ));
                    }
                    last_enters = Some((n, status));
                    Some(status)
                }
                None => {
                    problems.push(format!("{label}：进入状态无法识别"));
                    None
                }
            }
        };
        steps.push(TemplateStep {
            name,
            weight,
            enters,
            share,
        });
    }
    if weights_ok {
        let sum: u32 = steps.iter().map(|s| s.weight).sum();
        if sum != 100 {
            problems.push(format!("各节点权重之和须为 100，现为 {sum}"));
        }
    }
    if shares_ok {
        let sum: u32 = steps.iter().map(|s| s.share).sum();
        if sum != 100 {
            problems.push(format!("各节点工期占比之和须为 100，现为 {sum}"));
        }
    }
    steps
}

/// What changed between two versions of a category, as (field, before, after) for the audit
/// trail: name, code, line, lead unit and the template (as one summary line).
pub fn category_changes(
    before: Option<&Category>,
    after: &Category,
) -> Vec<(String, Option<String>, String)> {
    let mut out = Vec::new();
    let mut field = |name: &str, old: Option<String>, new: String| {
        if old.as_ref() != Some(&new) {
            out.push((name.to_string(), old, new));
        }
    };
    field("name", before.map(|c| c.name.clone()), after.name.clone());
    field("code", before.map(|c| c.code.clone()), after.code.clone());
    field(
        "sub_hq_id",
        before.map(|c| c.sub_hq.to_string()),
        after.sub_hq.to_string(),
    );
    field(
        "lead_unit_id",
        before.map(|c| c.lead_unit.to_string()),
        after.lead_unit.to_string(),
    );
    field(
        "template",
        before.map(|c| template_summary(&c.template)),
        template_summary(&after.template),
    );
    out
}

/// A template in one line: `方案设计 5%/0%、…、移交管养 10%/5%→移交管养` (weight / share, and the
/// status entered).
pub fn template_summary(template: &[TemplateStep]) -> String {
    template
        .iter()
        .map(|s| {
            let enters = s
                .enters
                .map(|e| format!("→{}", e.label()))
                .unwrap_or_default();
            format!("{} {}%/{}%{enters}", s.name, s.weight, s.share)
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Unit;

    fn unit(id: i64, kind: UnitKind, name: &str) -> Unit {
        Unit {
            id: UnitId(id),
            kind,
            name: name.into(),
            parent: None,
            active: true,
        }
    }

    fn city() -> Portfolio {
        let mut p = Portfolio {
            units: vec![
                unit(1, UnitKind::SubHq, "老旧小区分指挥部"),
                unit(2, UnitKind::LeadUnit, "市住建局"),
                unit(3, UnitKind::District, "映湖区"),
            ],
            ..Portfolio::default()
        };
        p.categories.push(Category {
            id: CategoryId(1),
            code: "old_community".into(),
            name: "老旧小区改造".into(),
            sub_hq: UnitId(1),
            lead_unit: UnitId(2),
            template: Vec::new(),
            template_version: 1,
        });
        p
    }

    fn step(name: &str, weight: &str, share: &str, enters: &str) -> StepInput {
        StepInput {
            name: name.into(),
            weight: weight.into(),
            share: share.into(),
            enters: enters.into(),
        }
    }

    fn input(steps: Vec<StepInput>) -> CategoryInput {
        CategoryInput {
            code: String::new(),
            name: "口袋公园".into(),
            sub_hq: "1".into(),
            lead_unit: "2".into(),
            steps,
        }
    }

    fn good_steps() -> Vec<StepInput> {
        vec![
            step("立项", "10", "0", ""),
            step("开工", "20", "0", "under_construction"),
            step("完工", "50", "80", "built"),
            step("验收", "20", "20", "accepted"),
        ]
    }

    #[test]
    fn a_good_category_is_read_with_a_generated_code() {
        let c = check_category(&input(good_steps()), None, &city()).expect("valid");
        assert_eq!(c.code, "category_2");
        assert_eq!(c.template.len(), 4);
        assert_eq!(c.template[1].enters, Some(ProjectStatus::UnderConstruction));
        assert_eq!(c.template_version, 1);
        assert_eq!(c.id, CategoryId(0));
    }

    #[test]
    fn blank_rows_are_skipped() {
        let mut steps = good_steps();
        steps.insert(2, StepInput::default());
        steps.push(step("  ", "", " ", ""));
        let c = check_category(&input(steps), None, &city()).expect("valid");
        assert_eq!(c.template.len(), 4);
    }

    #[test]
    fn shares_must_add_up_to_100() {
        let mut steps = good_steps();
        steps[3].share = "15".into();
        let e = check_category(&input(steps), None, &city()).unwrap_err();
        assert_eq!(e, vec!["各节点工期占比之和须为 100，现为 95".to_string()]);
    }

    #[test]
    fn weights_must_add_up_to_100() {
        let mut steps = good_steps();
        steps[0].weight = "11".into();
        let e = check_category(&input(steps), None, &city()).unwrap_err();
        assert_eq!(e, vec!["各节点权重之和须为 100，现为 101".to_string()]);
    }

    #[test]
    fn a_share_outside_0_to_100_or_not_a_number_names_the_step() {
        for bad in ["101", "-5", "2.5", "十"] {
            let mut steps = good_steps();
            steps[0].share = bad.into();
            let e = check_category(&input(steps), None, &city()).unwrap_err();
            assert_eq!(
                e,
                vec!["第1个节点「立项」：工期占比须为 0–100 的整数".to_string()],
                "{bad}"
            );
        }
        // 0 and 100 are the edges and fine.
        let steps = vec![
            step("立项", "0", "0", ""),
            step("完工", "100", "100", "built"),
        ];
        assert!(check_category(&input(steps), None, &city()).is_ok());
    }

    #[test]
    fn step_names_are_required_and_unique() {
        let mut steps = good_steps();
        steps[2].name = "开工".into();
        steps[3].name = String::new();
        let e = check_category(&input(steps), None, &city()).unwrap_err();
        assert!(
            e.contains(&"第3个节点「开工」：名称与前面的节点重复".to_string()),
            "{e:?}"
        );
        assert!(e.contains(&"第4个节点：名称不能为空".to_string()), "{e:?}");
    }

    #[test]
    fn statuses_must_follow_the_life_cycle() {
        let mut steps = good_steps();
        steps[2].enters = "accepted".into();
        steps[3].enters = "built".into();
        let e = check_category(&input(steps), None, &city()).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("第4个节点「验收」：进入状态「完工」须在第3个节点的「验收」之后"));
        let mut steps = good_steps();
        steps[3].enters = "suspended".into();
        assert!(check_category(&input(steps), None, &city()).is_err());
        let mut steps = good_steps();
        steps[3].enters = "built".into();
        assert!(
            check_category(&input(steps), None, &city()).is_err(),
            "the same status twice"
        );
    }

    #[test]
    fn name_code_and_units_are_checked() {
        let mut i = input(good_steps());
        i.name = "老旧小区改造".into();
        i.code = "old_community".into();
        i.sub_hq = "2".into();
        i.lead_unit = "x".into();
        let e = check_category(&i, None, &city()).unwrap_err();
        assert_eq!(
            e,
            vec![
                "类别名称：已有名为「老旧小区改造」的类别".to_string(),
                "类别代码：「old_community」已被其他类别使用".to_string(),
                "所属分指挥部：请选择一个在用的分指挥部".to_string(),
                "牵头单位：请选择一个在用的牵头单位".to_string(),
            ]
        );
        i.name = "园".repeat(51);
        i.code = "Bad Code".into();
        let e = check_category(&i, None, &city()).unwrap_err();
        assert!(e[0].contains("不能超过 50 个字"), "{e:?}");
        assert!(e[1].starts_with("类别代码：须为"), "{e:?}");
        i.name = "园".repeat(50);
        i.code = String::new();
        i.sub_hq = "1".into();
        i.lead_unit = "2".into();
        assert!(check_category(&i, None, &city()).is_ok());
        i.name = "  ".into();
        assert_eq!(
            check_category(&i, None, &city()).unwrap_err(),
            vec!["类别名称：不能为空".to_string()]
        );
    }

    #[test]
    fn editing_keeps_id_code_and_version_and_may_keep_its_own_name() {
        let p = city();
        let stored = &p.categories[0];
        let mut i = input(good_steps());
        i.name = stored.name.clone();
        i.code = "changed".into();
        let c = check_category(&i, Some(stored), &p).expect("valid");
        assert_eq!(
            (c.id, c.code.as_str(), c.template_version),
            (stored.id, "old_community", 1)
        );
        let changes = category_changes(Some(stored), &c);
        assert_eq!(changes.len(), 1, "only the template changed: {changes:?}");
        assert_eq!(changes[0].0, "template");
    }

    #[test]
    fn the_demo_conventions_hold_weights_and_shares_each_add_up_to_100() {
        let c = Category {
            template: vec![
                TemplateStep {
                    name: "a".into(),
                    weight: 40,
                    enters: None,
                    share: 0,
                },
                TemplateStep {
                    name: "b".into(),
                    weight: 60,
                    enters: None,
                    share: 100,
                },
            ],
            ..city().categories[0].clone()
        };
        let back = check_category(&CategoryInput::of(&c), Some(&city().categories[0]), &city());
        assert_eq!(back.expect("round trip").template, c.template);
    }
}
