use jiff::civil::date;

use super::*;

const OWNER: UnitId = UnitId(3);
const ISSUER: UnitId = UnitId(9);

fn ticket() -> TrackedItem {
    TrackedItem {
        id: ItemId(1),
        kind: ItemKind::Coordination,
        title: "高压线迁改".into(),
        detail: "项目红线内 110kV 线路需迁改".into(),
        project: Some(ProjectId(1)),
        district: Some(UnitId(1)),
        owner: OWNER,
        issuer: ISSUER,
        bodies: vec!["国网供电公司".into()],
        topic: "管线迁改".into(),
        source: "第12期填报".into(),
        opened_on: date(2021, 5, 1),
        deadline: date(2021, 5, 31),
        level: EscalationLevel::District,
        events: vec![],
        act: None,
    }
}

fn event(on: Date, unit: UnitId, action: ItemAction) -> ItemEvent {
    ItemEvent {
        on,
        unit,
        by: "tester".into(),
        action,
    }
}

fn push(item: &mut TrackedItem, e: ItemEvent) {
    item.check(&e).unwrap();
    item.events.push(e);
}

#[test]
fn a_rejected_closure_reopens_and_a_verified_one_closes() {
    let mut t = ticket();
    let claim = |on| {
        event(
            on,
            OWNER,
            ItemAction::ClaimClosure {
                evidence: "已迁改，附照片".into(),
            },
        )
    };
    push(&mut t, claim(date(2021, 5, 20)));
    assert_eq!(t.state().status, ItemStatus::AwaitingCheck);
    // The owner cannot verify its own closure.
    let own = event(
        date(2021, 5, 21),
        OWNER,
        ItemAction::Verify { note: "好".into() },
    );
    assert_eq!(t.check(&own), Err(ItemError::NotIssuer));
    push(
        &mut t,
        event(
            date(2021, 5, 22),
            ISSUER,
            ItemAction::Reject {
                reason: "杆塔基础未拆除".into(),
            },
        ),
    );
    assert_eq!(t.state().status, ItemStatus::Open);
    assert_eq!(t.passed_first_check(), Some(false));
    push(&mut t, claim(date(2021, 5, 28)));
    push(
        &mut t,
        event(
            date(2021, 5, 29),
            ISSUER,
            ItemAction::Verify {
                note: "现场复查通过".into(),
            },
        ),
    );
    let s = t.state();
    assert_eq!(
        (s.status, s.closed_on, s.rejections),
        (ItemStatus::Closed, Some(date(2021, 5, 29)), 1)
    );
    // Nothing moves a closed item.
    let late = event(
        date(2021, 6, 1),
        OWNER,
        ItemAction::Progress { note: "x".into() },
    );
    assert!(matches!(t.check(&late), Err(ItemError::WrongStatus { .. })));
    assert_eq!(t.age_days(date(2021, 12, 31)), 28);
    assert_eq!(t.overdue_days(date(2021, 6, 30)), None);
}

#[test]
fn the_gate_refuses_empty_texts_backdating_and_wrong_units() {
    let mut t = ticket();
    let e = event(
        date(2021, 5, 10),
        OWNER,
        ItemAction::ClaimClosure {
            evidence: " ".into(),
        },
    );
    assert_eq!(t.check(&e), Err(ItemError::Empty("办结佐证")));
    let e = event(
        date(2021, 4, 30),
        OWNER,
        ItemAction::Progress { note: "早".into() },
    );
    assert!(matches!(t.check(&e), Err(ItemError::OutOfOrder { .. })));
    let e = event(
        date(2021, 5, 10),
        UnitId(77),
        ItemAction::Progress {
            note: "他人".into(),
        },
    );
    assert_eq!(t.check(&e), Err(ItemError::NotOwner("报告进展")));
    let e = event(
        date(2021, 5, 10),
        ISSUER,
        ItemAction::Verify {
            note: "未申请".into(),
        },
    );
    assert!(matches!(t.check(&e), Err(ItemError::WrongStatus { .. })));
    let e = event(
        date(2021, 5, 10),
        ISSUER,
        ItemAction::Extend {
            to: date(2021, 5, 30),
            reason: "提前".into(),
        },
    );
    assert!(matches!(t.check(&e), Err(ItemError::Invalid(_))));
    push(
        &mut t,
        event(
            date(2021, 5, 10),
            ISSUER,
            ItemAction::Escalate {
                to: EscalationLevel::Hq,
                reason: "涉及央企".into(),
            },
        ),
    );
    let down = event(
        date(2021, 5, 11),
        ISSUER,
        ItemAction::Escalate {
            to: EscalationLevel::SubHq,
            reason: "降".into(),
        },
    );
    assert!(matches!(t.check(&down), Err(ItemError::Invalid(_))));
}

#[test]
fn overdue_items_escalate_a_level_a_week_up_to_the_city_leader() {
    let t = ticket();
    let rules = FollowUpRules::default();
    assert!(due_escalations(std::slice::from_ref(&t), date(2021, 5, 31), rules).is_empty());
    assert_eq!(t.overdue_days(date(2021, 6, 7)), Some(7));
    let due = due_escalations(std::slice::from_ref(&t), date(2021, 6, 7), rules);
    assert_eq!(due.len(), 1);
    assert!(matches!(
        due[0].1.action,
        ItemAction::Escalate {
            to: EscalationLevel::SubHq,
            ..
        }
    ));
    // Months later, capped at the city leader.
    let due = due_escalations(std::slice::from_ref(&t), date(2021, 12, 1), rules);
    assert!(matches!(
        due[0].1.action,
        ItemAction::Escalate {
            to: EscalationLevel::CityLeader,
            ..
        }
    ));
    // An extension moves the deadline, so nothing is overdue.
    let mut t2 = ticket();
    push(
        &mut t2,
        event(
            date(2021, 5, 30),
            ISSUER,
            ItemAction::Extend {
                to: date(2021, 6, 30),
                reason: "待省厅批复".into(),
            },
        ),
    );
    assert_eq!(t2.overdue_days(date(2021, 6, 7)), None);
}

#[test]
fn no_movement_for_fourteen_days_is_stuck_and_counts_by_owner() {
    let mut t = ticket();
    assert!(!t.is_stuck(date(2021, 5, 14), 14));
    assert!(t.is_stuck(date(2021, 5, 15), 14));
    push(
        &mut t,
        event(
            date(2021, 5, 14),
            OWNER,
            ItemAction::Progress {
                note: "已对接".into(),
            },
        ),
    );
    assert!(!t.is_stuck(date(2021, 5, 27), 14));
    assert!(t.is_stuck(date(2021, 5, 28), 14));
    let mut r = ticket();
    r.id = ItemId(2);
    r.kind = ItemKind::Rectification;
    push(
        &mut r,
        event(
            date(2021, 5, 3),
            OWNER,
            ItemAction::ClaimClosure {
                evidence: "已更换".into(),
            },
        ),
    );
    push(
        &mut r,
        event(
            date(2021, 5, 4),
            ISSUER,
            ItemAction::Verify {
                note: "通过".into(),
            },
        ),
    );
    let counts = counts_by_owner(&[t, r], date(2021, 6, 10), FollowUpRules::default());
    let c = counts[&OWNER];
    assert_eq!(
        (
            c.open,
            c.overdue,
            c.stuck,
            c.closed,
            c.rectifications_checked,
            c.rectifications_first_pass,
            c.oldest_open_days
        ),
        (1, 1, 1, 1, 1, 1, 40)
    );
}

#[test]
fn only_the_issuer_extends_and_only_owner_or_issuer_escalates() {
    let t = ticket();
    let extend = |unit| {
        event(
            date(2021, 5, 10),
            unit,
            ItemAction::Extend {
                to: date(2021, 6, 30),
                reason: "待批复".into(),
            },
        )
    };
    assert!(matches!(
        t.check(&extend(OWNER)),
        Err(ItemError::Invalid(_))
    ));
    assert!(t.check(&extend(ISSUER)).is_ok());
    let escalate = |unit| {
        event(
            date(2021, 5, 10),
            unit,
            ItemAction::Escalate {
                to: EscalationLevel::Hq,
                reason: "涉及央企".into(),
            },
        )
    };
    assert!(t.check(&escalate(OWNER)).is_ok());
    assert!(t.check(&escalate(ISSUER)).is_ok());
    assert!(matches!(
        t.check(&escalate(UnitId(77))),
        Err(ItemError::Invalid(_))
    ));
}

#[test]
fn an_item_awaiting_the_re_check_is_not_the_owners_delay() {
    let mut t = ticket();
    push(
        &mut t,
        event(
            date(2021, 5, 30),
            OWNER,
            ItemAction::ClaimClosure {
                evidence: "已完成".into(),
            },
        ),
    );
    assert_eq!(t.overdue_days(date(2021, 6, 20)), None);
    assert!(
        due_escalations(
            std::slice::from_ref(&t),
            date(2021, 6, 20),
            FollowUpRules::default()
        )
        .is_empty()
    );
    // A slow re-check shows up as stuck instead.
    assert!(t.is_stuck(date(2021, 6, 20), 14));
    // Rejected: the owner's clock runs again.
    push(
        &mut t,
        event(
            date(2021, 6, 21),
            ISSUER,
            ItemAction::Reject {
                reason: "未完成".into(),
            },
        ),
    );
    assert_eq!(t.overdue_days(date(2021, 6, 22)), Some(22));
}
