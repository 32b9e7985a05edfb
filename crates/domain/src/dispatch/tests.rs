use std::sync::Arc;

use jiff::civil::date;

use super::*;
use crate::acts::ActKind;
use crate::fixture::{portfolio, project};
use crate::followup::{EscalationLevel, ItemAction, ItemEvent, ItemId};
use crate::warnings::replay;

#[test]
fn weeks_parse_and_step_by_iso_rules() {
    let w = Week::parse("2021-W40").unwrap();
    assert_eq!(
        (w.monday(), w.sunday()),
        (date(2021, 10, 4), date(2021, 10, 10))
    );
    assert_eq!(w.to_string(), "2021-W40");
    assert_eq!(w.previous().to_string(), "2021-W39");
    assert_eq!(Week::parse("2021-W01").unwrap().monday(), date(2021, 1, 4));
    assert_eq!(
        Week::parse("2021-W01").unwrap().previous().to_string(),
        "2020-W53"
    );
    assert_eq!(Week::of(date(2021, 1, 3)).to_string(), "2020-W53");
    assert!(Week::parse("2021-W54").is_err());
    assert!(Week::parse("2021-40").is_err());
    assert!(Week::parse("twenty").is_err());
}

fn supervision(id: i64, opened: Date, deadline: Date) -> TrackedItem {
    TrackedItem {
        id: ItemId(id),
        kind: ItemKind::Supervision,
        title: format!("督办{id}"),
        detail: String::new(),
        project: Some(ProjectId(1)),
        district: Some(UnitId(1)),
        owner: UnitId(3),
        issuer: UnitId(9),
        bodies: vec![],
        topic: "进度滞后".into(),
        source: Week::of(opened).previous().to_string(),
        opened_on: opened,
        deadline,
        level: EscalationLevel::Hq,
        events: vec![],
        act: None,
    }
}

#[test]
fn the_pack_lists_what_the_meeting_needs_and_carries_open_supervision_items() {
    let mut p = portfolio(vec![
        // Overdue since 1 September.
        project(1, &[(date(2021, 9, 1), None)]),
        // Reached in week 40.
        project(2, &[(date(2021, 10, 5), Some(date(2021, 10, 6)))]),
    ]);
    Arc::make_mut(&mut p.projects[1]).responsible_unit = UnitId(3);
    let rules = WarningRules::default();
    let mut book = WarningBook::default();
    replay(
        &p,
        &rules,
        &mut book,
        date(2021, 8, 1),
        date(2021, 10, 10),
        1,
    );
    let mut closed = supervision(2, date(2021, 9, 6), date(2021, 9, 30));
    closed.events.push(ItemEvent {
        on: date(2021, 9, 20),
        unit: UnitId(3),
        by: "t".into(),
        action: ItemAction::ClaimClosure {
            evidence: "完成".into(),
        },
    });
    closed.events.push(ItemEvent {
        on: date(2021, 9, 21),
        unit: UnitId(9),
        by: "t".into(),
        action: ItemAction::Verify {
            note: "通过".into(),
        },
    });
    let items = vec![
        supervision(1, date(2021, 9, 6), date(2021, 9, 30)),
        closed,
        // Decided at this week's meeting: not carried into this week's pack.
        supervision(3, date(2021, 10, 11), date(2021, 10, 31)),
    ];
    let ledger = InvestmentLedger::new(&p);
    let filings = ReportIndex::default();
    let input = DispatchInput {
        portfolio: &p,
        ledger: &ledger,
        filings: &filings,
        warnings: &book,
        rules: &rules,
        items: &items,
        dismissals: &[],
        follow_up: FollowUpRules::default(),
        plan_changes: &[],
    };
    let pack = DispatchPack::build(&input, Week::parse("2021-W40").unwrap(), 2021);
    assert_eq!(pack.overdue_milestones.len(), 1);
    assert_eq!(pack.overdue_milestones[0].days_overdue, 39);
    assert_eq!(
        pack.overdue_milestones[0].level,
        Some(WarningLevel::Warning)
    );
    // 1 Sept + 39 days overdue crossed no rung in week 40 (15 was on 16 Sept, week 37).
    assert!(pack.new_warnings.is_empty());
    assert!(pack.escalated_warnings.is_empty());
    let w37 = DispatchPack::build(&input, Week::parse("2021-W37").unwrap(), 2021);
    assert_eq!(w37.escalated_warnings.len(), 1);
    assert_eq!(w37.escalated_warnings[0].level, WarningLevel::Warning);
    // 39 days overdue would propose a 督办, but the project is under one (item 1) already.
    assert!(pack.proposals.is_empty(), "{:?}", pack.proposals);
    // Item 1 was issued in week 36, item 3 in week 41: none in week 40.
    assert!(pack.acts_issued.is_empty());
    let w36 = DispatchPack::build(&input, Week::parse("2021-W36").unwrap(), 2021);
    assert_eq!(
        w36.acts_issued.iter().map(|i| i.id).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        pack.open_supervision_items
            .iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        vec![1]
    );
    assert_eq!(pack.items_past_deadline.len(), 1);
    assert_eq!(pack.items_past_deadline[0].days_overdue, 10);
    assert_eq!(pack.changes.milestones_reached, 1);
    assert_eq!(pack.changes.projects_finished.len(), 1);
    assert_eq!(pack.changes.items_closed, 0);
    assert_eq!(pack.district_league.len(), 1);
    // Red: project 1 is under an open 督办 (1 of the district's 2 projects).
    assert_eq!(pack.district_league[0].light, Light::Red);
    let without_acts = DispatchInput {
        items: &[],
        ..input
    };
    let plain = DispatchPack::build(&without_acts, Week::parse("2021-W40").unwrap(), 2021);
    // Without the act it is the 警示's yellow, and the rules propose a 督办 for project 1.
    assert_eq!(plain.district_league[0].light, Light::Yellow);
    assert_eq!(plain.proposals.len(), 1);
    assert_eq!(plain.proposals[0].key, "supervision:project:1");
    assert_eq!(plain.proposals[0].act, ActKind::Supervision);
    // Filing: both projects were expected for the period closed before 10 October; none filed.
    let f = pack.filing.as_ref().unwrap();
    assert_eq!((f.expected, f.missing), (2, 2));
    // Twice the same.
    assert_eq!(
        pack,
        DispatchPack::build(&input, Week::parse("2021-W40").unwrap(), 2021)
    );
}
