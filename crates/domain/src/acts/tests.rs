use std::sync::Arc;

use jiff::civil::date;

use super::*;
use crate::fixture::{portfolio, project};
use crate::followup::{ItemAction, ItemEvent};
use crate::warnings::{WarningRules, replay};

fn rules() -> WarningRules {
    WarningRules::default()
}

/// Projects 1–3 of district 1 (responsible unit 3); project 1 overdue from 1 September.
fn city() -> Portfolio {
    portfolio(vec![
        project(1, &[(date(2021, 9, 1), None)]),
        project(2, &[(date(2021, 9, 20), Some(date(2021, 9, 20)))]),
        project(3, &[(date(2021, 12, 1), None)]),
    ])
}

fn book_for(p: &Portfolio, to: Date) -> WarningBook {
    let mut book = WarningBook::default();
    replay(p, &rules(), &mut book, date(2021, 8, 1), to, 1);
    book
}

fn proposals(
    p: &Portfolio,
    items: &[TrackedItem],
    dismissals: &[Dismissal],
    on: Date,
) -> Vec<Proposal> {
    propose(
        p,
        &rules().proposals,
        &book_for(p, on),
        items,
        dismissals,
        on,
    )
}

fn form(on: Date) -> IssueForm {
    IssueForm {
        document_number: "示建管督〔2021〕12号".into(),
        deadline: on + jiff::Span::new().days(14),
        detail: "限期完成".into(),
        attendees: String::new(),
        minutes: String::new(),
    }
}

#[test]
fn a_project_thirty_days_overdue_is_proposed_a_supervision_notice_to_its_unit() {
    let p = city();
    // 29 days overdue on 30 September: nothing yet.
    assert!(proposals(&p, &[], &[], date(2021, 9, 30)).is_empty());
    let list = proposals(&p, &[], &[], date(2021, 10, 1));
    assert_eq!(list.len(), 1, "{list:?}");
    let x = &list[0];
    assert_eq!(x.key, "supervision:project:1");
    assert_eq!(x.act, ActKind::Supervision);
    assert_eq!(x.unit, UnitId(3));
    assert_eq!(x.district, Some(UnitId(1)));
    assert_eq!(x.projects, [ProjectId(1)]);
    assert!(x.reason.contains("逾期 30 天"), "{}", x.reason);
    // A suspended project is not proposed anything.
    let mut suspended = city();
    Arc::make_mut(&mut suspended.projects[0]).suspended_on = Some(date(2021, 9, 25));
    assert!(proposals(&suspended, &[], &[], date(2021, 10, 1)).is_empty());
}

#[test]
fn an_issued_act_is_followed_up_and_not_proposed_again_while_open() {
    let p = city();
    let on = date(2021, 10, 1);
    let x = proposals(&p, &[], &[], on).remove(0);
    let mut item = x.issue(&form(on), UnitId(9), on).unwrap();
    assert_eq!(item.kind, ItemKind::Supervision);
    assert_eq!(item.project, Some(ProjectId(1)));
    assert_eq!(item.owner, UnitId(3));
    let act = item.act.clone().unwrap();
    assert_eq!(act.document_number, "示建管督〔2021〕12号");
    assert_eq!(act.proposal.as_deref(), Some("supervision:project:1"));
    item.id = ItemId(1);
    // While the 督办 is open the project is not proposed another, even past the quiet period.
    assert!(proposals(&p, std::slice::from_ref(&item), &[], date(2021, 11, 20)).is_empty());
    assert_eq!(
        projects_under_acts(std::slice::from_ref(&item), on),
        [ProjectId(1)]
    );
    // Closed on 25 October (claimed, verified): proposed again once the quiet period from its
    // issue has passed (30 days: from 31 October).
    for (day, action) in [
        (
            date(2021, 10, 20),
            ItemAction::ClaimClosure {
                evidence: "已整改".into(),
            },
        ),
        (
            date(2021, 10, 25),
            ItemAction::Verify {
                note: "核实".into(),
            },
        ),
    ] {
        let unit = if matches!(action, ItemAction::Verify { .. }) {
            UnitId(9)
        } else {
            UnitId(3)
        };
        let e = ItemEvent {
            on: day,
            unit,
            by: "t".into(),
            action,
        };
        item.check(&e).unwrap();
        item.events.push(e);
    }
    let items = [item];
    assert!(proposals(&p, &items, &[], date(2021, 10, 30)).is_empty());
    assert_eq!(proposals(&p, &items, &[], date(2021, 10, 31)).len(), 1);
    assert!(projects_under_acts(&items, date(2021, 10, 31)).is_empty());
}

#[test]
fn a_dismissed_proposal_is_quiet_for_the_period_then_made_again() {
    let p = city();
    let on = date(2021, 10, 1);
    let x = proposals(&p, &[], &[], on).remove(0);
    assert_eq!(
        x.dismiss(on, "office", "  ").unwrap_err(),
        ActError::Empty("不予签发理由")
    );
    let d = x.dismiss(on, "office", "已列入调度会议定事项").unwrap();
    assert_eq!(
        (d.act, d.unit, d.by.as_str()),
        (ActKind::Supervision, UnitId(3), "office")
    );
    let ds = [d];
    assert!(proposals(&p, &[], &ds, date(2021, 10, 30)).is_empty());
    assert_eq!(proposals(&p, &[], &ds, date(2021, 10, 31)).len(), 1);
}

#[test]
fn issuing_refuses_what_the_document_lacks_naming_the_field() {
    let p = city();
    let on = date(2021, 10, 1);
    let x = proposals(&p, &[], &[], on).remove(0);
    let mut f = form(on);
    f.document_number = " ".into();
    assert_eq!(
        x.issue(&f, UnitId(9), on).unwrap_err(),
        ActError::Empty("文号")
    );
    let mut f = form(on);
    f.deadline = date(2021, 9, 30);
    assert!(matches!(
        x.issue(&f, UnitId(9), on).unwrap_err(),
        ActError::DeadlineBefore { .. }
    ));
    // A 约谈 needs who attended and the minutes.
    let summons = Proposal {
        act: ActKind::Summons,
        key: "summons:unit:1".into(),
        project: None,
        ..x.clone()
    };
    assert_eq!(
        summons.issue(&form(on), UnitId(9), on).unwrap_err(),
        ActError::Empty("参加人员")
    );
    let f = IssueForm {
        attendees: "区政府分管副区长、区住建局局长".into(),
        ..form(on)
    };
    assert_eq!(
        summons.issue(&f, UnitId(9), on).unwrap_err(),
        ActError::Empty("约谈纪要")
    );
    let f = IssueForm {
        minutes: "责成一个月内整改到位".into(),
        ..f
    };
    let item = summons.issue(&f, UnitId(9), on).unwrap();
    assert_eq!(item.kind, ItemKind::Summons);
    // A unit's 约谈 names no main project.
    assert_eq!(item.project, None);
}

#[test]
fn a_district_with_many_projects_at_warning_is_proposed_a_summons() {
    let mut r = rules().proposals;
    r.summons = vec![Trigger::DistrictWarnings { count: 2 }];
    r.supervision.clear();
    let p = portfolio(vec![
        project(1, &[(date(2021, 9, 1), None)]),
        project(2, &[(date(2021, 9, 5), None)]),
        project(3, &[(date(2021, 9, 25), None)]),
    ]);
    let book = book_for(&p, date(2021, 9, 30));
    // Projects 1 and 2 are at 警示 (≥ 15 days); project 3 only at 提醒.
    let list = propose(&p, &r, &book, &[], &[], date(2021, 9, 30));
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].key, "summons:unit:1");
    assert_eq!(list[0].unit, UnitId(1));
    assert_eq!(list[0].projects, [ProjectId(1), ProjectId(2)]);
    // One at 警示 on 19 September: below the threshold.
    let book = book_for(&p, date(2021, 9, 19));
    assert!(propose(&p, &r, &book, &[], &[], date(2021, 9, 19)).is_empty());
}

#[test]
fn a_unit_supervised_again_and_again_is_proposed_a_summons() {
    let mut r = rules().proposals;
    r.supervision.clear();
    r.summons = vec![Trigger::RepeatedSupervision {
        count: 2,
        within_days: 30,
    }];
    let p = city();
    let notice = |id: i64, on: Date| TrackedItem {
        id: ItemId(id),
        kind: ItemKind::Supervision,
        title: "督办".into(),
        detail: String::new(),
        project: Some(ProjectId(id)),
        district: Some(UnitId(1)),
        owner: UnitId(3),
        issuer: UnitId(9),
        bodies: vec![],
        topic: "节点逾期".into(),
        source: "2021-W36".into(),
        opened_on: on,
        deadline: on + jiff::Span::new().days(14),
        level: crate::followup::EscalationLevel::Hq,
        events: vec![],
        act: None,
    };
    let items = [notice(1, date(2021, 9, 6)), notice(2, date(2021, 9, 27))];
    let book = WarningBook::default();
    let list = propose(&p, &r, &book, &items, &[], date(2021, 10, 1));
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].key, "summons:unit:3");
    assert_eq!(list[0].projects, [ProjectId(1), ProjectId(2)]);
    // 30 days after 6 September the first no longer counts.
    assert!(propose(&p, &r, &book, &items, &[], date(2021, 10, 6)).is_empty());
}
