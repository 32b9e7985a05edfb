//! Tests of the monthly assessment, over a small hand-built city of three districts
//! (甲区 1, 乙县 5, 丙区 6) and two lead units (市住建局 2, 市城管局 10) in October 2021.

use jiff::civil::{Date, date};

use super::*;
use crate::filing::{Filed, ReportIndex};
use crate::fixture;
use crate::followup::{EscalationLevel, ItemAction, ItemEvent, ItemId, ItemKind, TrackedItem};
use crate::model::{MilestoneId, PeriodId, Portfolio, ProjectId, Unit, UnitId, UnitKind};
use crate::rates::InvestmentLedger;
use crate::warnings::{WarningBook, WarningEvent, WarningLevel};

mod measuring;
mod methods;
mod records;
mod scheme;
mod scoring;

const JIA: UnitId = UnitId(1);
const YI: UnitId = UnitId(5);
const BING: UnitId = UnitId(6);
const HOUSING: UnitId = UnitId(2);
const URBAN_MGMT: UnitId = UnitId(10);
const OFFICE: UnitId = UnitId(9);

fn october() -> Month {
    Month::parse("2021-10").unwrap()
}

/// Everything a month is measured from, owned.
struct World {
    portfolio: Portfolio,
    ledger: InvestmentLedger,
    filings: ReportIndex,
    warnings: WarningBook,
    items: Vec<TrackedItem>,
    entered: Vec<EnteredValue>,
    media: Vec<MediaReport>,
    dictionary: Dictionary,
}

impl World {
    fn input(&self) -> AssessmentInput<'_> {
        AssessmentInput {
            portfolio: &self.portfolio,
            ledger: &self.ledger,
            filings: &self.filings,
            warnings: &self.warnings,
            items: &self.items,
            entered: &self.entered,
            media: &self.media,
            dictionary: &self.dictionary,
            plan_changes: &[],
        }
    }
}

/// The period ids whose deadline falls in October 2021 (biweekly from 1 January, due two
/// days after the end: the 20th, due 9 October, and the 21st, due 23 October).
fn october_periods(p: &Portfolio) -> Vec<(PeriodId, Date)> {
    p.periods
        .iter()
        .filter(|x| october().contains(x.deadline))
        .map(|x| (x.id, x.deadline))
        .collect()
}

fn warning(
    id: i64,
    project: i64,
    milestone: i64,
    district: UnitId,
    on: Date,
    previous: Option<WarningLevel>,
    level: Option<WarningLevel>,
) -> WarningEvent {
    WarningEvent {
        id,
        project: ProjectId(project),
        milestone: MilestoneId(milestone),
        unit: UnitId(3),
        district,
        on,
        previous,
        level,
        reason: "测试".into(),
        rules_version: 1,
    }
}

fn item(
    id: i64,
    kind: ItemKind,
    district: UnitId,
    owner: UnitId,
    opened_on: Date,
    deadline: Date,
    events: Vec<(Date, UnitId, ItemAction)>,
) -> TrackedItem {
    TrackedItem {
        id: ItemId(id),
        kind,
        title: format!("事项{id}"),
        detail: String::new(),
        project: None,
        district: Some(district),
        owner,
        issuer: OFFICE,
        bodies: vec![],
        topic: "测试".into(),
        source: "测试".into(),
        opened_on,
        deadline,
        level: EscalationLevel::District,
        events: events
            .into_iter()
            .map(|(on, unit, action)| ItemEvent {
                on,
                unit,
                by: "tester".into(),
                action,
            })
            .collect(),
        act: None,
    }
}

fn claim() -> ItemAction {
    ItemAction::ClaimClosure {
        evidence: "已整改".into(),
    }
}

fn verify() -> ItemAction {
    ItemAction::Verify {
        note: "复查通过".into(),
    }
}

fn reject() -> ItemAction {
    ItemAction::Reject {
        reason: "未整改到位".into(),
    }
}

fn media(id: i64, level: MediaLevel, on: Date, unit: UnitId) -> MediaReport {
    MediaReport {
        id,
        outlet: "人民日报".into(),
        level,
        date: on,
        title: format!("报道{id}"),
        projects: vec![],
        unit,
    }
}

fn entry(id: i64, indicator: &str, subject: UnitId, value: f64) -> EnteredValue {
    EnteredValue {
        id,
        indicator: indicator.into(),
        subject,
        month: october(),
        value,
        note: "市城管局报送".into(),
    }
}

/// The city of October 2021:
/// - 甲区: project 1 with milestones reached on 1 March, reached late (1 September → 20
///   September), overdue since 15 October, and due in December; its report of period 20 on
///   time, of period 21 two days late; a supervision item overdue; a 警示 on 30 October;
///   six central media reports (one credited to its 住建局); marketisation entered twice
///   (90, then corrected to 92.9).
/// - 乙县: project 2 on time; report of period 21 missing; two rectifications first re-checked
///   in October (one passed, one rejected); a 约谈 on 5 October.
/// - 丙区: project 3 on time, reports on time; a 督办 de-escalated to 警示 (not counted).
/// - 市住建局 leads projects 1 and 2, 市城管局 project 3.
fn world() -> World {
    let d = |m, day| date(2021, m, day);
    let mut p1 = fixture::project(
        1,
        &[
            (d(3, 1), Some(d(3, 1))),
            (d(9, 1), Some(d(9, 20))),
            (d(10, 15), None),
            (d(12, 1), None),
        ],
    );
    p1.district = JIA;
    let mut p2 = fixture::project(2, &[(d(3, 1), Some(d(3, 1))), (d(10, 10), Some(d(10, 10)))]);
    p2.district = YI;
    p2.responsible_unit = UnitId(7);
    let mut p3 = fixture::project(3, &[(d(3, 1), Some(d(3, 1))), (d(6, 1), Some(d(6, 1)))]);
    p3.district = BING;
    p3.responsible_unit = UnitId(8);
    p3.lead_unit = URBAN_MGMT;
    let mut portfolio = fixture::portfolio(vec![p1, p2, p3]);
    portfolio.units[2].parent = Some(JIA);
    let unit = |id, kind, name: &str, parent| Unit {
        id: UnitId(id),
        kind,
        name: name.into(),
        parent,
        active: true,
    };
    portfolio.units.extend([
        unit(5, UnitKind::District, "乙县", None),
        unit(6, UnitKind::District, "丙区", None),
        unit(7, UnitKind::ResponsibleUnit, "乙县住建局", Some(YI)),
        unit(8, UnitKind::ResponsibleUnit, "丙区城管局", Some(BING)),
        unit(10, UnitKind::LeadUnit, "市城管局", None),
    ]);

    let periods = october_periods(&portfolio);
    let filed = |project: i64, period: PeriodId, on: Date| Filed {
        project: ProjectId(project),
        period,
        version: 1,
        filed_on: on,
    };
    let (p20, p21) = (periods[0].0, periods[1].0);
    let filings = ReportIndex::new([
        filed(1, p20, d(10, 8)),
        filed(1, p21, d(10, 25)),
        filed(2, p20, d(10, 9)),
        filed(3, p20, d(10, 9)),
        filed(3, p21, d(10, 22)),
    ]);

    use WarningLevel::*;
    let warnings = WarningBook::new(vec![
        // 甲区 in September: raised, escalated to 警示, lifted (not October's).
        warning(5, 1, 102, JIA, d(9, 2), None, Some(Reminder)),
        warning(6, 1, 102, JIA, d(9, 16), Some(Reminder), Some(Warning)),
        warning(7, 1, 102, JIA, d(9, 20), Some(Warning), None),
        // 甲区 in October: a reminder (not scored), then 警示.
        warning(11, 1, 103, JIA, d(10, 16), None, Some(Reminder)),
        warning(12, 1, 103, JIA, d(10, 30), Some(Reminder), Some(Warning)),
        // 乙县: up to 警示 in October.
        warning(20, 2, 202, YI, d(10, 5), Some(Reminder), Some(Warning)),
        // 丙区: 警示 in September, down to 提醒 in October (a de-escalation reaches nothing).
        warning(30, 3, 302, BING, d(9, 25), None, Some(Warning)),
        warning(31, 3, 302, BING, d(10, 3), Some(Warning), Some(Reminder)),
    ]);

    let items = vec![
        item(
            1,
            ItemKind::Supervision,
            JIA,
            UnitId(3),
            d(9, 20),
            d(10, 10),
            vec![],
        ),
        item(
            2,
            ItemKind::Rectification,
            YI,
            UnitId(7),
            d(9, 1),
            d(9, 30),
            vec![(d(10, 5), UnitId(7), claim()), (d(10, 8), OFFICE, verify())],
        ),
        item(
            3,
            ItemKind::Rectification,
            YI,
            UnitId(7),
            d(9, 1),
            d(9, 30),
            vec![
                (d(10, 3), UnitId(7), claim()),
                (d(10, 6), OFFICE, reject()),
                (d(10, 10), UnitId(7), claim()),
                (d(10, 12), OFFICE, verify()),
            ],
        ),
        item(
            4,
            ItemKind::Rectification,
            JIA,
            UnitId(3),
            d(9, 1),
            d(9, 30),
            vec![(d(9, 18), UnitId(3), claim()), (d(9, 20), OFFICE, verify())],
        ),
        // 乙县's head summoned on 6 October about project 2 (an act the office issued).
        TrackedItem {
            project: Some(ProjectId(2)),
            ..item(5, ItemKind::Summons, YI, YI, d(10, 6), d(11, 6), vec![])
        },
        // 丙区 given a 督办 in September: not October's.
        item(
            6,
            ItemKind::Supervision,
            BING,
            BING,
            d(9, 26),
            d(10, 26),
            vec![],
        ),
    ];

    let mut media_list: Vec<MediaReport> = (41..=45)
        .map(|id| media(id, MediaLevel::Central, d(10, 12), JIA))
        .collect();
    media_list.push(media(46, MediaLevel::Central, d(10, 20), UnitId(3)));
    media_list.push(media(47, MediaLevel::Central, d(9, 30), JIA));
    media_list.push(media(48, MediaLevel::Provincial, d(10, 2), BING));

    World {
        ledger: InvestmentLedger::new(&portfolio),
        portfolio,
        filings,
        warnings,
        items,
        entered: vec![
            entry(1, "street_cleaning_marketisation", JIA, 90.0),
            entry(2, "street_cleaning_marketisation", YI, 95.0),
            entry(3, "street_cleaning_marketisation", BING, 88.0),
            entry(4, "street_cleaning_marketisation", JIA, 92.9),
            entry(5, "mechanised_cleaning", JIA, 98.5),
        ],
        media: media_list,
        dictionary: default_dictionary(),
    }
}

/// Hand-built measurements: per subject (id, name), the values of some indicators, each with
/// records ids as `Entry` records.
/// One subject's row for [`measured`]: id, name, and values by indicator code.
type Row<'a> = (i64, &'a str, &'a [(&'a str, Option<f64>)]);

fn measured(kind: SubjectKind, rows: &[Row<'_>]) -> Measurements {
    let month = october();
    Measurements {
        month,
        kind,
        as_of: month.last_day(),
        subjects: rows
            .iter()
            .map(|(id, name, values)| SubjectMeasures {
                subject: Subject {
                    id: UnitId(*id),
                    name: (*name).into(),
                },
                values: values
                    .iter()
                    .map(|(code, value)| {
                        let records = match value {
                            Some(v) if default_dictionary().get(code).unwrap().is_count() => (0
                                ..*v as i64)
                                .map(|n| RecordRef::Entry {
                                    entry: id * 100 + n,
                                })
                                .collect(),
                            _ => vec![],
                        };
                        (
                            (*code).to_string(),
                            Measure {
                                value: *value,
                                fraction: None,
                                records,
                            },
                        )
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A one-system scheme scoring satisfaction against 100 (so the base is the value), with a
/// 警示 deduction of 0.5 capped at 1 and a central-media bonus of 1 capped at 2; tiers 好 ≥ 90,
/// 较好 80–90, 差 < 80; the best one rewarded, the worst one and any 约谈 accountable.
const SMALL_SCHEME: &str = r#"year = 2021
version = 3
name = "测试办法"

[[system]]
code = "s"
name = "体系"
weight = 1

  [[system.indicator]]
  code = "public_satisfaction"
  weight = 1
  method = "ratio_to_target"
  target = 100

[[deduction]]
code = "warning"
name = "警示扣分"
indicator = "warnings_warning"
points = 0.5
cap = 1

[[bonus]]
code = "media_central"
name = "中央媒体报道加分"
indicator = "media_central"
points = 1
cap = 2

[tiers]
by = "score"

  [[tiers.tier]]
  name = "好"
  min = 90

  [[tiers.tier]]
  name = "较好"
  min = 80
  max = 90

  [[tiers.tier]]
  name = "差"
  max = 80

[lists]
reward_top = 1
accountability_bottom = 1
accountability_if = "acts_summons"
reward_excludes_flagged = true
"#;

fn small_scheme() -> Scheme {
    Scheme::from_toml(SMALL_SCHEME).unwrap()
}
