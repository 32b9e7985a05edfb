use super::*;
use crate::overview::Overview;

fn measure(kind: SubjectKind) -> (World, Measurements) {
    let w = world();
    let m = measure_month(&w.input(), kind, october());
    (w, m)
}

fn measure_in(kind: SubjectKind, month: &str) -> (World, Measurements) {
    let w = world();
    let m = measure_month(&w.input(), kind, Month::parse(month).unwrap());
    (w, m)
}

fn milestone(project: i64, milestone: i64, planned: Date, actual: Option<Date>) -> RecordRef {
    RecordRef::Milestone {
        project: ProjectId(project),
        milestone: MilestoneId(milestone),
        planned,
        actual,
    }
}

fn act_ids(m: &Measurements, subject: UnitId, code: &str) -> Vec<i64> {
    m.subject(subject)
        .unwrap()
        .get(code)
        .unwrap()
        .records
        .iter()
        .map(|r| match r {
            RecordRef::Act { item, .. } => item.0,
            other => panic!("not an act: {other:?}"),
        })
        .collect()
}

fn event_ids(m: &Measurements, subject: UnitId, code: &str) -> Vec<i64> {
    m.subject(subject)
        .unwrap()
        .get(code)
        .unwrap()
        .records
        .iter()
        .map(|r| match r {
            RecordRef::Warning { event, .. } => *event,
            other => panic!("not a warning: {other:?}"),
        })
        .collect()
}

#[test]
fn subjects_are_the_districts_or_lead_units_in_id_order() {
    let (w, m) = measure(SubjectKind::District);
    let ids: Vec<UnitId> = m.subjects.iter().map(|s| s.subject.id).collect();
    assert_eq!(ids, [JIA, YI, BING]);
    assert_eq!(m.as_of, date(2021, 10, 31));
    let leads: Vec<String> = subjects(&w.portfolio, SubjectKind::LeadUnit)
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(leads, ["市住建局", "市城管局"]);
    // Every indicator of the dictionary is measured for every subject.
    assert!(
        m.subjects
            .iter()
            .all(|s| s.values.len() == w.dictionary.indicators.len())
    );
}

#[test]
fn rates_are_the_overview_rates_with_the_milestones_that_fell_short_behind_them() {
    let (w, m) = measure(SubjectKind::District);
    let jia = m.subject(JIA).unwrap();
    let node = jia.get("node_completion").unwrap();
    assert_eq!(
        node.fraction,
        Some(Fraction {
            numerator: 2,
            denominator: 3
        })
    );
    assert_eq!(node.value, Some(66.666667));
    // The milestone due on 15 October and not reached; December's is not due yet.
    assert_eq!(node.records, [milestone(1, 103, date(2021, 10, 15), None)]);
    let on_time = jia.get("on_time").unwrap();
    assert_eq!(on_time.value, Some(33.333333));
    // The rate is for the year to date (102 was reached late in September); the records are
    // what is open or happened in October.
    assert_eq!(
        on_time.records,
        [milestone(1, 103, date(2021, 10, 15), None)]
    );
    let september = measure_month(&w.input(), SubjectKind::District, october().previous());
    assert_eq!(
        september
            .subject(JIA)
            .unwrap()
            .get("on_time")
            .unwrap()
            .records,
        [milestone(1, 102, date(2021, 9, 1), Some(date(2021, 9, 20)))]
    );
    // The same figures as the overview's.
    let overview = Overview::compute(&w.portfolio, 2021, date(2021, 10, 31));
    let figures = &overview
        .districts
        .iter()
        .find(|b| b.id == JIA)
        .unwrap()
        .figures;
    assert_eq!(node.fraction, Some(figures.node_completion.into()));
    assert_eq!(
        jia.value("project_completion"),
        figures.project_completion.value().map(|v| v * 100.0)
    );
    let yi = m.subject(YI).unwrap();
    assert_eq!(yi.value("node_completion"), Some(100.0));
    assert!(yi.get("node_completion").unwrap().records.is_empty());
}

#[test]
fn filing_counts_the_reports_due_in_the_month_judged_at_its_end() {
    let (w, m) = measure(SubjectKind::District);
    let periods = october_periods(&w.portfolio);
    let (p21, due21) = periods[1];
    let jia = m.subject(JIA).unwrap();
    let late = RecordRef::Filing {
        project: ProjectId(1),
        period: p21,
        seq: 21,
        deadline: due21,
        status: FilingStatus::Late { days: 2 },
    };
    assert_eq!(jia.value("filing_timeliness"), Some(50.0));
    assert_eq!(
        jia.get("filing_timeliness").unwrap().records,
        std::slice::from_ref(&late)
    );
    assert_eq!(jia.get("filings_late").unwrap().records, [late]);
    assert_eq!(jia.value("filings_missing"), Some(0.0));
    let yi = m.subject(YI).unwrap();
    assert_eq!(
        yi.get("filings_missing").unwrap().records,
        [RecordRef::Filing {
            project: ProjectId(2),
            period: p21,
            seq: 21,
            deadline: due21,
            status: FilingStatus::Missing,
        }]
    );
    assert_eq!(
        m.subject(BING).unwrap().value("filing_timeliness"),
        Some(100.0)
    );
}

#[test]
fn acts_count_what_the_office_issued_in_the_month_each_once() {
    let (_, m) = measure(SubjectKind::District);
    // 乙县: the 约谈 of 6 October, once, though its milestone also reached 警示.
    assert_eq!(act_ids(&m, YI, "acts_summons"), [5]);
    assert!(act_ids(&m, YI, "acts_supervision").is_empty());
    // 丙区's 督办 was issued in September; 甲区's meeting 督办 too.
    assert!(act_ids(&m, BING, "acts_supervision").is_empty());
    assert!(act_ids(&m, JIA, "acts_supervision").is_empty());
    let (_, sept) = measure_in(SubjectKind::District, "2021-09");
    assert_eq!(act_ids(&sept, BING, "acts_supervision"), [6]);
    assert_eq!(act_ids(&sept, JIA, "acts_supervision"), [1]);
    assert!(act_ids(&sept, YI, "acts_summons").is_empty());
}

#[test]
fn warnings_count_what_reached_a_level_in_the_month() {
    let (_, m) = measure(SubjectKind::District);
    // 甲区: the October 警示 only (September's, and October's 提醒, are not counted).
    assert_eq!(event_ids(&m, JIA, "warnings_warning"), [12]);
    assert_eq!(event_ids(&m, YI, "warnings_warning"), [20]);
    // 丙区: a de-escalation reaches nothing; its 警示 was in September.
    assert!(event_ids(&m, BING, "warnings_warning").is_empty());
    assert_eq!(
        m.subject(BING).unwrap().value("warnings_warning"),
        Some(0.0)
    );
    let RecordRef::Warning { level, on, .. } = m
        .subject(JIA)
        .unwrap()
        .get("warnings_warning")
        .unwrap()
        .records[0]
    else {
        panic!("a warning record")
    };
    assert_eq!((level, on), (WarningLevel::Warning, date(2021, 10, 30)));
}

#[test]
fn a_lead_units_warnings_are_those_of_the_projects_it_leads() {
    let (_, m) = measure(SubjectKind::LeadUnit);
    assert_eq!(event_ids(&m, HOUSING, "warnings_warning"), [12, 20]);
    assert_eq!(act_ids(&m, HOUSING, "acts_summons"), [5]);
    assert!(event_ids(&m, URBAN_MGMT, "warnings_warning").is_empty());
    let housing = m.subject(HOUSING).unwrap();
    // Projects 1 and 2: 4 of 5 milestones due were reached.
    assert_eq!(
        housing.get("node_completion").unwrap().fraction,
        Some(Fraction {
            numerator: 4,
            denominator: 5
        })
    );
}

#[test]
fn items_overdue_at_the_months_end_and_rectifications_first_checked_in_it() {
    let (_, m) = measure(SubjectKind::District);
    let jia = m.subject(JIA).unwrap();
    assert_eq!(
        jia.get("items_overdue").unwrap().records,
        [RecordRef::OverdueItem {
            item: ItemId(1),
            deadline: date(2021, 10, 10),
            days: 21,
        }]
    );
    // 甲区's rectification was re-checked in September: nothing to measure in October.
    let first_pass = jia.get("rectification_first_pass").unwrap();
    assert_eq!(first_pass.value, None);
    let yi = m.subject(YI).unwrap();
    assert_eq!(yi.value("items_overdue"), Some(0.0));
    let first_pass = yi.get("rectification_first_pass").unwrap();
    assert_eq!(first_pass.value, Some(50.0));
    assert_eq!(
        first_pass.records,
        [
            RecordRef::Rectification {
                item: ItemId(2),
                checked_on: date(2021, 10, 8),
                passed: true,
            },
            RecordRef::Rectification {
                item: ItemId(3),
                checked_on: date(2021, 10, 6),
                passed: false,
            },
        ]
    );
}

#[test]
fn media_reports_count_for_the_unit_credited_and_the_district_of_its_units() {
    let (_, m) = measure(SubjectKind::District);
    let jia = m.subject(JIA).unwrap();
    // Five credited to 甲区, one to its 住建局; September's is not October's.
    assert_eq!(jia.value("media_central"), Some(6.0));
    let reports: Vec<i64> = jia
        .get("media_central")
        .unwrap()
        .records
        .iter()
        .map(|r| match r {
            RecordRef::Media { report, .. } => *report,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(reports, [41, 42, 43, 44, 45, 46]);
    assert_eq!(
        m.subject(BING).unwrap().value("media_provincial"),
        Some(1.0)
    );
    assert_eq!(m.subject(BING).unwrap().value("media_central"), Some(0.0));
}

#[test]
fn the_last_entered_value_counts_and_a_value_not_entered_is_missing() {
    let (_, m) = measure(SubjectKind::District);
    let jia = m.subject(JIA).unwrap();
    let v = jia.get("street_cleaning_marketisation").unwrap();
    assert_eq!(v.value, Some(92.9));
    assert_eq!(v.records, [RecordRef::Entry { entry: 4 }]);
    assert_eq!(jia.value("mechanised_cleaning"), Some(98.5));
    assert_eq!(m.subject(YI).unwrap().value("mechanised_cleaning"), None);
    assert_eq!(m.subject(YI).unwrap().value("public_satisfaction"), None);
}
