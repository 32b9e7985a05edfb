//! The monthly assessment through the public API only, as the store, web and CLI layers use it:
//! check the entered values, score a month under the default scheme, keep the run as JSON,
//! publish it, object to a line, accept, correct.

use jianguan_domain::assessment::{
    AssessmentInput, DEFAULT_SCHEME_TOML, Decision, DisputedLine, EnteredValue, MediaLevel,
    MediaReport, Month, Objection, ObjectionStatus, RecordRef, Scheme, ScoreRun, SubjectKind,
    default_dictionary, measure_month, score_measured,
};
use jianguan_domain::filing::ReportIndex;
use jianguan_domain::followup::{EscalationLevel, IssuedAct, ItemId, ItemKind, TrackedItem};
use jianguan_domain::model::*;
use jianguan_domain::rates::InvestmentLedger;
use jianguan_domain::warnings::{WarningBook, WarningEvent, WarningLevel};
use jiff::civil::{Date, date};

fn unit(id: i64, kind: UnitKind, name: &str, parent: Option<i64>) -> Unit {
    Unit {
        id: UnitId(id),
        kind,
        name: name.into(),
        parent: parent.map(UnitId),
        active: true,
    }
}

fn project(id: i64, district: i64, milestones: &[(Date, Option<Date>)]) -> Project {
    Project {
        id: ProjectId(id),
        code: format!("JG2021-{id:04}"),
        name: format!("项目{id}"),
        category: CategoryId(1),
        sub_category: None,
        district: UnitId(district),
        street: "街道".into(),
        lead_unit: UnitId(2),
        responsible_unit: UnitId(district * 10),
        sub_hq: UnitId(3),
        build_type: BuildType::Renovation,
        scale: Scale::default(),
        total_investment: Money::from_wan(800.0),
        funding_source: "市级财政".into(),
        location: None,
        suspended_on: None,
        year_plans: vec![YearPlan {
            year: 2021,
            kind: PlanKind::Construction,
            planned_investment: Money::from_wan(400.0),
            status: jianguan_domain::model::PlanStatus::Approved,
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

#[test]
fn a_month_is_scored_kept_published_objected_to_and_corrected() {
    let portfolio = Portfolio {
        units: vec![
            unit(1, UnitKind::CommandHq, "指挥部办公室", None),
            unit(2, UnitKind::LeadUnit, "市住建局", Some(1)),
            unit(3, UnitKind::SubHq, "分指挥部", Some(1)),
            unit(4, UnitKind::District, "东区", None),
            unit(5, UnitKind::District, "西县", None),
            unit(40, UnitKind::ResponsibleUnit, "东区住建局", Some(4)),
            unit(50, UnitKind::ResponsibleUnit, "西县住建局", Some(5)),
        ],
        projects: vec![
            project(1, 4, &[(date(2021, 9, 1), Some(date(2021, 9, 1)))]),
            project(2, 5, &[(date(2021, 9, 1), None)]),
        ]
        .into_iter()
        .map(std::sync::Arc::new)
        .collect(),
        ..Portfolio::default()
    };
    let ledger = InvestmentLedger::new(&portfolio);
    let filings = ReportIndex::default();
    let warnings = WarningBook::new(vec![WarningEvent {
        id: 77,
        project: ProjectId(2),
        milestone: MilestoneId(201),
        unit: UnitId(50),
        district: UnitId(5),
        on: date(2021, 10, 1),
        previous: Some(WarningLevel::Reminder),
        level: Some(WarningLevel::Warning),
        reason: "逾期 15 天".into(),
        rules_version: 1,
    }]);
    // The office issued one 督办 notice to 西县住建局 about project 2 on 5 October.
    let notice = TrackedItem {
        id: ItemId(9),
        kind: ItemKind::Supervision,
        title: "督办：项目2节点逾期".into(),
        detail: "节点逾期 34 天".into(),
        project: Some(ProjectId(2)),
        district: Some(UnitId(5)),
        owner: UnitId(50),
        issuer: UnitId(1),
        bodies: vec![],
        topic: "节点逾期".into(),
        source: "督办建议 2021-10-05".into(),
        opened_on: date(2021, 10, 5),
        deadline: date(2021, 10, 19),
        level: EscalationLevel::Hq,
        events: vec![],
        act: Some(IssuedAct {
            document_number: "示建管督〔2021〕9号".into(),
            projects: vec![ProjectId(2)],
            ..IssuedAct::default()
        }),
    };
    let dictionary = default_dictionary();
    let month = Month::parse("2021-10").unwrap();
    let entered: Vec<EnteredValue> = [(4, 92.9), (5, 101.0)]
        .into_iter()
        .enumerate()
        .map(|(i, (subject, value))| EnteredValue {
            id: i as i64 + 1,
            indicator: "street_cleaning_marketisation".into(),
            subject: UnitId(subject),
            month,
            value,
            note: "市城管局报送".into(),
        })
        .collect();
    // The form refuses 101 %; only what passes the gate is stored.
    let stored: Vec<EnteredValue> = entered
        .into_iter()
        .filter(|e| dictionary.check_entry(e).is_ok())
        .collect();
    assert_eq!(stored.len(), 1);
    let media = vec![MediaReport {
        id: 1,
        outlet: "新华社".into(),
        level: MediaLevel::Central,
        date: date(2021, 10, 9),
        title: "东区老旧小区焕新颜".into(),
        projects: vec![ProjectId(1)],
        unit: UnitId(40),
    }];
    let input = AssessmentInput {
        portfolio: &portfolio,
        ledger: &ledger,
        filings: &filings,
        warnings: &warnings,
        items: std::slice::from_ref(&notice),
        entered: &stored,
        media: &media,
        dictionary: &dictionary,
        plan_changes: &[],
    };
    let scheme = Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap();
    scheme.check_units(&portfolio).unwrap();

    let measurements = measure_month(&input, SubjectKind::District, month);
    let scores = score_measured(&measurements, &scheme).unwrap();
    let names: Vec<(&str, Option<u32>)> = scores
        .subjects
        .iter()
        .map(|s| (s.subject.name.as_str(), s.rank))
        .collect();
    assert_eq!(names, [("东区", Some(1)), ("西县", Some(2))]);
    let west = scores.subject(UnitId(5)).unwrap();
    let supervised = west.deduction("supervised").unwrap();
    assert_eq!(supervised.points, 1.0);
    assert!(matches!(
        supervised.records[..],
        [RecordRef::Act {
            item: ItemId(9),
            ..
        }]
    ));
    // The 警示 the milestone reached is deducted once, as a 警示, not again as a 督办.
    let warned = west.deduction("warning").unwrap();
    assert!(matches!(
        warned.records[..],
        [RecordRef::Warning { event: 77, .. }]
    ));

    // Kept as JSON, read back, scored again from its inputs: identical.
    let run = ScoreRun::draft(measurements, scores)
        .unwrap()
        .publish(date(2021, 11, 3))
        .unwrap();
    let json = serde_json::to_string(&run).unwrap();
    let back: ScoreRun = serde_json::from_str(&json).unwrap();
    assert_eq!(back, run);
    assert_eq!(
        score_measured(&back.measurements, &scheme).unwrap(),
        run.scores
    );

    // 西县 objects to the 督办 deduction; the office accepts; the month is corrected.
    let objection = Objection {
        id: 1,
        subject: UnitId(5),
        kind: SubjectKind::District,
        month,
        run_version: run.version,
        line: DisputedLine::Deduction("supervised".into()),
        reason: "该节点已于 9 月底完成，系填报遗漏".into(),
        evidence: "竣工验收记录".into(),
        filed_on: date(2021, 11, 4),
        filed_by: "west".into(),
        decision: None,
    };
    objection.check_new(&run, &[]).unwrap();
    let accepted = objection
        .decide(Decision {
            accepted: true,
            on: date(2021, 11, 6),
            by: UnitId(1),
            reason: "经核实，节点已按期完成".into(),
        })
        .unwrap();
    assert_eq!(accepted.status(), ObjectionStatus::Accepted);
    let corrected = run
        .rescore(
            run.measurements.clone(),
            run.scores.clone(),
            accepted.correction_reason().as_deref(),
            date(2021, 11, 6),
        )
        .unwrap();
    assert_eq!((corrected.version, corrected.published), (2, true));
}
