//! Small hand-built portfolios for the unit tests of the cadence modules.

use jiff::civil::Date;

use crate::model::*;

/// A project in district 1 (responsible unit 3) with one milestone per `(planned, actual)`.
pub fn project(id: i64, milestones: &[(Date, Option<Date>)]) -> Project {
    Project {
        id: ProjectId(id),
        code: format!("T-{id}"),
        name: format!("测试项目{id}"),
        category: CategoryId(1),
        sub_category: None,
        district: UnitId(1),
        street: "测试街道".into(),
        lead_unit: UnitId(2),
        responsible_unit: UnitId(3),
        sub_hq: UnitId(4),
        build_type: BuildType::Renovation,
        scale: Scale::default(),
        total_investment: Money::from_wan(1000.0),
        funding_source: "市级财政".into(),
        location: None,
        suspended_on: None,
        year_plans: vec![YearPlan {
            year: 2021,
            kind: PlanKind::Construction,
            planned_investment: Money::from_wan(500.0),
            status: crate::model::PlanStatus::Approved,
            adjusted_investment: None,
            cancelled_on: None,
        }],
        milestones: milestones
            .iter()
            .enumerate()
            .map(|(i, (planned, actual))| Milestone {
                id: MilestoneId(id * 100 + i as i64 + 1),
                seq: i as u16 + 1,
                name: format!("节点{}", i + 1),
                weight: 1,
                enters: None,
                planned: *planned,
                actual: *actual,
                derived: false,
                adjusted: None,
            })
            .collect(),
    }
}

/// A portfolio of `projects` with district 1, lead unit 2, responsible unit 3, sub-HQ 4 and
/// the office 9, and the biweekly periods of 2021.
pub fn portfolio(projects: Vec<Project>) -> Portfolio {
    let unit = |id, kind, name: &str| Unit {
        id: UnitId(id),
        kind,
        name: name.into(),
        parent: None,
        active: true,
    };
    Portfolio {
        units: vec![
            unit(1, UnitKind::District, "甲区"),
            unit(2, UnitKind::LeadUnit, "市住建局"),
            unit(3, UnitKind::ResponsibleUnit, "甲区住建局"),
            unit(4, UnitKind::SubHq, "老旧小区分指挥部"),
            unit(9, UnitKind::CommandHq, "指挥部办公室"),
        ],
        categories: vec![Category {
            id: CategoryId(1),
            code: "old".into(),
            name: "老旧小区改造".into(),
            sub_hq: UnitId(4),
            lead_unit: UnitId(2),
            template: vec![],
            template_version: 1,
        }],
        projects: projects.into_iter().map(std::sync::Arc::new).collect(),
        periods: crate::calendar::periods_of_year(2021, Default::default(), 1),
        reports: vec![],
        district_boundaries: Default::default(),
    }
}
