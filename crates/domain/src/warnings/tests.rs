use jiff::civil::date;

use super::*;
use crate::fixture::{portfolio, project};

fn rules() -> WarningRules {
    WarningRules::default()
}

#[test]
fn the_default_rules_are_the_speech_ladder() {
    let r = rules();
    assert_eq!(r.level_for_overdue(0), None);
    assert_eq!(r.level_for_overdue(1), Some(WarningLevel::Reminder));
    assert_eq!(r.level_for_overdue(14), Some(WarningLevel::Reminder));
    assert_eq!(r.level_for_overdue(15), Some(WarningLevel::Warning));
    assert_eq!(r.level_for_overdue(29), Some(WarningLevel::Warning));
    // 督办 and 约谈 are acts the office issues, not rungs: the ladder stops at 警示 and the
    // rules only propose acts.
    assert_eq!(r.level_for_overdue(400), Some(WarningLevel::Warning));
    assert_eq!(r.proposals.supervision.len(), 2);
    assert_eq!(r.proposals.summons.len(), 2);
}

#[test]
fn a_rung_asking_for_supervised_or_summoned_is_refused_naming_its_line() {
    let text = DEFAULT_RULES_TOML.replace(
        "level = \"warning\"      # 警示",
        "level = \"warning\"\n\n[[overdue]]\ndays = 30\nlevel = \"supervised\"",
    );
    let err = WarningRules::from_toml(&text).unwrap_err();
    let expected = text.lines().position(|l| l.contains("supervised")).unwrap() + 1;
    assert_eq!(err.line, Some(expected), "{err}");
    // A proposal rule with a zero threshold names the field.
    let bad = DEFAULT_RULES_TOML.replace("count = 35", "count = 0");
    let err = WarningRules::from_toml(&bad).unwrap_err();
    assert!(
        err.message.contains("proposals.summons") && err.message.contains("count"),
        "{err}"
    );
    assert_eq!(
        err.line,
        bad.lines()
            .position(|l| l.contains("[proposals]"))
            .map(|n| n + 1)
    );
    // An unknown trigger is refused.
    let bad = DEFAULT_RULES_TOML.replace("when = \"district_warnings\"", "when = \"district_red\"");
    assert!(WarningRules::from_toml(&bad).is_err());
}

#[test]
fn a_rules_file_out_of_order_is_refused_naming_a_line() {
    let text = DEFAULT_RULES_TOML.replace("days = 15", "days = 1");
    let err = WarningRules::from_toml(&text).unwrap_err();
    assert!(err.message.contains("递增"), "{err}");
    assert!(err.line.is_some());
}

#[test]
fn a_typo_in_a_level_names_its_line() {
    let text = DEFAULT_RULES_TOML.replace("level = \"warning\"      # 警示", "level = \"warnign\"");
    let err = WarningRules::from_toml(&text).unwrap_err();
    let expected = text.lines().position(|l| l.contains("warnign")).unwrap() + 1;
    assert_eq!(err.line, Some(expected), "{err}");
}

#[test]
fn an_unknown_key_is_refused() {
    let text = format!("threshold = 3\n{DEFAULT_RULES_TOML}");
    let err = WarningRules::from_toml(&text).unwrap_err();
    assert_eq!(err.line, Some(1), "{err}");
    let bad = DEFAULT_RULES_TOML.replace("red_share = 0.05", "red_share = 5");
    assert!(
        WarningRules::from_toml(&bad)
            .unwrap_err()
            .message
            .contains("占比")
    );
}

#[test]
fn a_milestone_climbs_the_ladder_and_the_warning_lifts_when_reached() {
    let p = portfolio(vec![project(
        1,
        &[(date(2021, 3, 1), Some(date(2021, 5, 10)))],
    )]);
    let mut book = WarningBook::default();
    let events = replay(
        &p,
        &rules(),
        &mut book,
        date(2021, 2, 1),
        date(2021, 6, 1),
        1,
    );
    let steps: Vec<(Date, Option<WarningLevel>, Change)> =
        events.iter().map(|e| (e.on, e.level, e.change())).collect();
    assert_eq!(
        steps,
        vec![
            (
                date(2021, 3, 2),
                Some(WarningLevel::Reminder),
                Change::Raised
            ),
            (
                date(2021, 3, 16),
                Some(WarningLevel::Warning),
                Change::Escalated
            ),
            (date(2021, 5, 10), None, Change::Lifted),
        ]
    );
    assert!(events[2].reason.contains("已于 2021-05-10 完成"));
    assert!(book.open_on(date(2021, 6, 1)).is_empty());
    // Seventy days overdue is still 警示: the ladder has no higher rung.
    assert_eq!(
        book.open_on(date(2021, 5, 9))[0].level,
        WarningLevel::Warning
    );
    assert_eq!(book.open_on(date(2021, 4, 1))[0].since, date(2021, 3, 2));
    // The month the warnings happened keeps counting them after the milestone is reached.
    let march = book.counts_by_unit(date(2021, 3, 1), date(2021, 3, 31));
    let c = march[&UnitId(3)];
    assert_eq!((c.reminder, c.warning), (1, 1));
}

#[test]
fn a_milestone_reached_on_its_due_date_is_never_warned() {
    let d = date(2021, 3, 1);
    let p = portfolio(vec![project(1, &[(d, Some(d))])]);
    let mut book = WarningBook::default();
    assert!(
        replay(
            &p,
            &rules(),
            &mut book,
            date(2021, 1, 1),
            date(2021, 12, 31),
            1
        )
        .is_empty()
    );
}

#[test]
fn the_next_milestone_is_at_risk_when_a_predecessor_is_late() {
    // Milestone 1 is 10 days overdue on 20 March; milestone 2 is due on 1 April.
    let p = portfolio(vec![project(
        1,
        &[(date(2021, 3, 10), None), (date(2021, 4, 1), None)],
    )]);
    let a = evaluate(&p, &rules(), &WarningBook::default(), date(2021, 3, 20));
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].level, WarningLevel::Reminder);
    assert_eq!(a[1].level, WarningLevel::AtRisk);
    assert!(
        a[1].reason.contains("前序节点已逾期 10 天"),
        "{}",
        a[1].reason
    );
    // 6 days late is under the 7-day pace threshold: no risk flag.
    let a = evaluate(&p, &rules(), &WarningBook::default(), date(2021, 3, 16));
    assert_eq!(a.len(), 1);
    // Too far ahead (more than 14 days): no risk flag.
    let far = portfolio(vec![project(
        1,
        &[(date(2021, 3, 10), None), (date(2021, 5, 1), None)],
    )]);
    assert_eq!(
        evaluate(&far, &rules(), &WarningBook::default(), date(2021, 3, 20)).len(),
        1
    );
}

#[test]
fn the_pace_of_reached_milestones_flags_risk() {
    let p = portfolio(vec![project(
        1,
        &[
            (date(2021, 2, 1), Some(date(2021, 2, 11))),
            (date(2021, 3, 1), Some(date(2021, 3, 11))),
            (date(2021, 4, 1), None),
        ],
    )]);
    let a = evaluate(&p, &rules(), &WarningBook::default(), date(2021, 3, 25));
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].level, WarningLevel::AtRisk);
    assert!(a[0].reason.contains("平均滞后 10 天"), "{}", a[0].reason);
}

#[test]
fn repeated_warnings_raise_a_warning_and_the_raise_holds_until_new_rules() {
    // Milestones 1 and 2 reach 警示 on 16 and 25 January. The third, overdue from 2 February,
    // is at 警示 at once by the repeat rule (the ladder alone says 提醒), and stays so after the
    // earlier warnings age out of a 20-day window, while it only gets later.
    let mut r = rules();
    r.repeat.as_mut().unwrap().within_days = 20;
    let p = portfolio(vec![project(
        1,
        &[
            (date(2021, 1, 1), Some(date(2021, 1, 20))),
            (date(2021, 1, 10), Some(date(2021, 2, 1))),
            (date(2021, 2, 1), Some(date(2021, 4, 25))),
        ],
    )]);
    let mut book = WarningBook::default();
    let events = replay(&p, &r, &mut book, date(2021, 1, 1), date(2021, 2, 9), 1);
    let third = |events: &[WarningEvent]| -> Vec<_> {
        events
            .iter()
            .filter(|e| e.milestone == MilestoneId(103))
            .map(|e| (e.on, e.level, e.change()))
            .collect()
    };
    use WarningLevel::*;
    assert_eq!(
        third(&events),
        vec![
            (date(2021, 1, 18), Some(AtRisk), Change::Raised),
            (date(2021, 2, 2), Some(Warning), Change::Escalated),
        ]
    );
    let raised = events
        .iter()
        .find(|e| e.on == date(2021, 2, 2) && e.milestone == MilestoneId(103))
        .unwrap();
    assert!(
        raised.reason.contains("另有 2 个节点达到警示"),
        "{}",
        raised.reason
    );
    // 16 January is out of the 20-day window on 9 February; the raise holds.
    assert_eq!(
        book.open_on(date(2021, 2, 9))
            .iter()
            .find(|w| w.milestone == MilestoneId(103))
            .unwrap()
            .level,
        Warning
    );
    // The office publishes version 2 without the repeat rule: the next day the warning falls
    // back to the plain ladder (9 days overdue → 提醒), and climbs again at 15 days.
    let mut v2 = r.clone();
    v2.version = 2;
    v2.repeat = None;
    let later = replay(
        &p,
        &v2,
        &mut book,
        date(2021, 2, 10),
        date(2021, 5, 1),
        1000,
    );
    assert_eq!(
        third(&later),
        vec![
            (date(2021, 2, 10), Some(Reminder), Change::DeEscalated),
            (date(2021, 2, 16), Some(Warning), Change::Escalated),
            (date(2021, 4, 25), None, Change::Lifted),
        ]
    );
    assert!(later.iter().all(|e| e.rules_version == 2));
    // Every event has a distinct id, in order.
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=events.len() as i64).collect::<Vec<_>>());
}

#[test]
fn the_book_answers_past_days_from_its_history() {
    let p = portfolio(vec![project(
        1,
        &[(date(2021, 3, 1), Some(date(2021, 5, 10)))],
    )]);
    let mut book = WarningBook::default();
    replay(
        &p,
        &rules(),
        &mut book,
        date(2021, 2, 1),
        date(2021, 6, 1),
        1,
    );
    let rebuilt = WarningBook::new(book.events().iter().rev().cloned().collect());
    for day in [
        date(2021, 3, 1),
        date(2021, 3, 20),
        date(2021, 5, 9),
        date(2021, 5, 10),
    ] {
        assert_eq!(book.open_on(day), rebuilt.open_on(day), "{day}");
    }
    assert_eq!(
        rebuilt.open_on(date(2021, 3, 20))[0].level,
        WarningLevel::Warning
    );
}

#[test]
fn a_suspended_project_has_its_warnings_lifted() {
    let mut pr = project(1, &[(date(2021, 3, 1), None)]);
    let p0 = portfolio(vec![pr.clone()]);
    let mut book = WarningBook::default();
    replay(
        &p0,
        &rules(),
        &mut book,
        date(2021, 3, 1),
        date(2021, 3, 10),
        1,
    );
    pr.suspended_on = Some(date(2021, 3, 11));
    let p1 = portfolio(vec![pr]);
    let a = evaluate(&p1, &rules(), &book, date(2021, 3, 11));
    let ev = book.changes(&p1, &a, date(2021, 3, 11), 1);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].change(), Change::Lifted);
}

#[test]
fn lights_follow_the_worst_open_level_and_the_group_shares() {
    let rule = rules().lights;
    assert_eq!(group_light(0, [], rule), Light::None);
    assert_eq!(group_light(100, [Light::None; 100], rule), Light::None);
    assert_eq!(group_light(100, [Light::Blue], rule), Light::Blue);
    // 4 red of 100 is under 5 %: not red; 4 red + 11 yellow = 15 %: yellow.
    let mut ls = vec![Light::Red; 4];
    assert_eq!(group_light(100, ls.clone(), rule), Light::Blue);
    ls.extend([Light::Yellow; 11]);
    assert_eq!(group_light(100, ls.clone(), rule), Light::Yellow);
    ls.push(Light::Red);
    assert_eq!(group_light(100, ls, rule), Light::Red);
    assert_eq!(WarningLevel::Warning.light(), Light::Yellow);
    assert_eq!(WarningLevel::AtRisk.light(), Light::Blue);
}

#[test]
fn evaluating_a_day_twice_changes_nothing_the_second_time() {
    // Two milestones of one project reach 警示 on the same day as a third goes overdue: the
    // day's own changes must not feed the repeat rule on a second evaluation of that day.
    let p = portfolio(vec![project(
        1,
        &[
            (date(2021, 3, 1), None),
            (date(2021, 3, 2), None),
            (date(2021, 3, 16), None),
        ],
    )]);
    let mut book = WarningBook::default();
    let day = date(2021, 3, 17);
    let first = book.changes(&p, &evaluate(&p, &rules(), &book, day), day, 1);
    assert_eq!(first.len(), 3);
    book.extend(first);
    let second = book.changes(&p, &evaluate(&p, &rules(), &book, day), day, 1);
    assert!(second.is_empty(), "{second:?}");
}

#[test]
fn a_successor_must_raise_the_version_naming_its_line() {
    let current = rules();
    let same = DEFAULT_RULES_TOML.replace("days = 15", "days = 20");
    let err = WarningRules::successor_from_toml(&same, &current).unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
    assert!(err.message.contains("version 须大于"), "{err}");
    let raised = same.replace("version = 1", "version = 2");
    assert_eq!(
        WarningRules::successor_from_toml(&raised, &current)
            .unwrap()
            .version,
        2
    );
    // An invalid file is refused as from_toml refuses it.
    assert!(WarningRules::successor_from_toml("version = 3", &current).is_err());
}

#[test]
fn a_window_beyond_the_calendar_is_refused_not_a_panic_in_the_daily_job() {
    // Found by `fuzz/run.sh` (warning_rules): `[repeat] within_days = 11111111160` passed
    // validation and the daily job's `as_of - within_days` panicked.
    let found = include_str!("fuzz_repeat_window.toml");
    let err = WarningRules::from_toml(found).unwrap_err();
    assert!(
        err.message.contains("within_days") && err.message.contains("3660"),
        "{err}"
    );
    // Every day count has the same bound; at the bound the job runs.
    for (from, to) in [
        ("within_days = 60", "within_days = 3661"),
        ("\ndays = 15", "\ndays = 9223372036854775807"),
        ("within_days = 14", "within_days = 3661"),
        ("min_predicted_days = 7", "min_predicted_days = 3661"),
        ("quiet_days = 30", "quiet_days = 3661"),
        ("\ndays = 30", "\ndays = 3661"),
        ("within_days = 90", "within_days = 3661"),
    ] {
        let text = DEFAULT_RULES_TOML.replacen(from, to, 1);
        assert_ne!(text, DEFAULT_RULES_TOML, "{from}");
        let err = WarningRules::from_toml(&text).unwrap_err();
        assert!(err.message.contains("3660"), "{to}: {err}");
    }
    let at_bound = found.replace("11111111160", "3660");
    let rules = WarningRules::from_toml(&at_bound).unwrap();
    let p = portfolio(vec![project(1, &[(date(2021, 3, 1), None)])]);
    let day = date(2021, 3, 17);
    let book = WarningBook::default();
    let events = book.changes(&p, &evaluate(&p, &rules, &book, day), day, 1);
    assert_eq!(events.len(), 1, "{events:?}");
}

#[test]
fn rules_written_as_toml_read_back_to_the_same_rules() {
    let r = rules();
    assert_eq!(WarningRules::from_toml(&r.to_toml()).unwrap(), r);
    let mut changed = r.clone();
    changed.version = 7;
    changed.repeat = None;
    changed.lights.red_share = 0.1;
    assert_eq!(
        WarningRules::from_toml(&changed.to_toml()).unwrap(),
        changed
    );
}

#[test]
fn a_refusal_names_the_field_at_fault() {
    let mut r = rules();
    r.overdue[1].days = 1;
    assert_eq!(r.check().unwrap_err().field, "overdue.1.days");
    let mut r = rules();
    r.lights.yellow_share = 1.5;
    let p = r.check().unwrap_err();
    assert_eq!(p.field, "lights.yellow_share");
    assert!(p.message.contains("0 到 1"), "{p}");
    let mut r = rules();
    r.proposals.summons[0] = crate::acts::Trigger::DistrictWarnings { count: 0 };
    assert_eq!(r.check().unwrap_err().field, "proposals.summons.0.count");
    let mut r = rules();
    r.at_risk = Some(AtRiskRule {
        within_days: 14,
        min_predicted_days: 0,
    });
    assert_eq!(r.check().unwrap_err().field, "at_risk.min_predicted_days");
    assert!(rules().check().is_ok());
}

#[test]
fn level_counts_follow_the_rules_they_are_given() {
    // One milestone due 1 March, unreached: 20 days overdue on 21 March.
    let p = portfolio(vec![project(1, &[(date(2021, 3, 1), None)])]);
    let day = date(2021, 3, 21);
    let book = WarningBook::default();
    let now = count_levels(&p, &rules(), &book, day);
    assert_eq!((now.reminder, now.warning), (0, 1));
    let mut later = rules();
    later.overdue[1].days = 30;
    let then = count_levels(&p, &later, &book, day);
    assert_eq!((then.reminder, then.warning), (1, 0));
}
