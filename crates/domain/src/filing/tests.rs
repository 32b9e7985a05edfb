use jiff::civil::date;

use super::*;
use crate::fixture::{portfolio, project};
use crate::model::{MilestoneId, Money, PeriodId, ReportId};

fn report(id: i64, period: i64, version: u16, filed_on: Date, wan: f64) -> ProgressReport {
    ProgressReport {
        id: ReportId(id),
        project: ProjectId(1),
        period: PeriodId(period),
        version,
        filed_on,
        investment_to_date: Money::from_wan(wan),
        milestones_reached: vec![],
        note: "按计划推进".into(),
        problems: vec![],
        correction_reason: None,
    }
}

#[test]
fn compliance_sorts_expected_reports_into_on_time_late_missing_and_pending() {
    let mut p = portfolio(vec![
        project(1, &[(date(2021, 1, 5), None)]),
        project(2, &[(date(2021, 1, 5), None)]),
        project(3, &[(date(2021, 1, 5), None)]),
        // Starts in March: not expected in January.
        project(4, &[(date(2021, 3, 5), None)]),
    ]);
    let period = p.periods[0].clone(); // 1–14 January, deadline 16 January
    assert_eq!(period.deadline, date(2021, 1, 16));
    let mut r2 = report(2, 1, 1, date(2021, 1, 18), 1.0);
    r2.project = ProjectId(2);
    p.reports = vec![report(1, 1, 1, date(2021, 1, 16), 1.0), r2];
    let index = ReportIndex::of_reports(&p.reports);
    let before = compliance(&p, &index, &period, date(2021, 1, 16));
    assert_eq!(
        (
            before.total.expected,
            before.total.on_time,
            before.total.pending
        ),
        (3, 1, 2)
    );
    let after = compliance(&p, &index, &period, date(2021, 1, 31));
    let t = after.total;
    assert_eq!(
        (t.expected, t.on_time, t.late, t.missing, t.pending),
        (3, 1, 1, 1, 0)
    );
    assert_eq!(t.timeliness().value(), Some(1.0 / 3.0));
    assert_eq!(after.by_unit, vec![(UnitId(3), t)]);
    assert_eq!(
        after
            .exceptions
            .iter()
            .map(|e| (e.project.0, e.filing))
            .collect::<Vec<_>>(),
        vec![(2, Filing::Late(2)), (3, Filing::Missing)]
    );
}

#[test]
fn a_correction_does_not_make_a_late_report_on_time_or_an_on_time_one_late() {
    let period = crate::calendar::periods_of_year(2021, Default::default(), 1)[0].clone();
    let a = report(1, 1, 1, date(2021, 1, 15), 1.0);
    let b = report(2, 1, 2, date(2021, 2, 1), 2.0);
    assert_eq!(
        filing_of(
            &[Filed::from(&b), Filed::from(&a)],
            &period,
            date(2021, 3, 1)
        ),
        Filing::OnTime
    );
    assert_eq!(filing_of(&[], &period, date(2021, 1, 16)), Filing::Pending);
    assert_eq!(filing_of(&[], &period, date(2021, 1, 17)), Filing::Missing);
}

#[test]
fn the_gate_names_the_field_at_fault() {
    let p = portfolio(vec![project(
        1,
        &[(date(2021, 1, 5), None), (date(2021, 2, 5), None)],
    )]);
    let pr = &p.projects[0];
    let period = &p.periods[1]; // 15–28 January, deadline 30 January
    let today = date(2021, 1, 29);
    let ok = report(0, 2, 0, today, 10.0);
    assert_eq!(
        check_filing(pr, period, &[], &ok, today),
        Ok(FilingDecision::NewVersion(1))
    );

    let mut future = ok.clone();
    future.milestones_reached = vec![(MilestoneId(101), date(2021, 2, 1))];
    assert_eq!(
        check_filing(pr, period, &[], &future, today)
            .unwrap_err()
            .field,
        "milestones"
    );

    let mut before_start = ok.clone();
    before_start.milestones_reached = vec![(MilestoneId(101), date(2020, 12, 1))];
    let err = check_filing(pr, period, &[], &before_start, today).unwrap_err();
    assert!(err.message.contains("早于项目开始"), "{err}");

    let mut foreign = ok.clone();
    foreign.milestones_reached = vec![(MilestoneId(999), date(2021, 1, 20))];
    assert_eq!(
        check_filing(pr, period, &[], &foreign, today)
            .unwrap_err()
            .field,
        "milestones"
    );

    // Investment below the previous period's figure needs a reason.
    let previous = report(1, 1, 1, date(2021, 1, 15), 20.0);
    let err = check_filing(pr, period, &[&previous], &ok, today).unwrap_err();
    assert_eq!(err.field, "investment_to_date");
    let mut reasoned = ok.clone();
    reasoned.correction_reason = Some("上期误将预付款计入".into());
    assert!(check_filing(pr, period, &[&previous], &reasoned, today).is_ok());

    // A milestone reported in an earlier period cannot be reported again.
    let mut reached = previous.clone();
    reached.milestones_reached = vec![(MilestoneId(101), date(2021, 1, 10))];
    let mut again = ok.clone();
    again.investment_to_date = Money::from_wan(30.0);
    again.milestones_reached = vec![(MilestoneId(101), date(2021, 1, 20))];
    assert_eq!(
        check_filing(pr, period, &[&reached], &again, today)
            .unwrap_err()
            .field,
        "milestones"
    );

    // A period not started yet.
    let later = &p.periods[5];
    let mut early = ok.clone();
    early.period = later.id;
    assert_eq!(
        check_filing(pr, later, &[], &early, today)
            .unwrap_err()
            .field,
        "period"
    );
}

#[test]
fn a_double_submit_is_one_report_and_a_late_change_needs_a_reason() {
    let p = portfolio(vec![project(1, &[(date(2021, 1, 5), None)])]);
    let (pr, period) = (&p.projects[0], &p.periods[0]);
    let filed = report(7, 1, 1, date(2021, 1, 15), 5.0);
    let same = report(0, 1, 0, date(2021, 1, 15), 5.0);
    assert_eq!(
        check_filing(pr, period, &[&filed], &same, date(2021, 1, 15)),
        Ok(FilingDecision::Unchanged(ReportId(7)))
    );
    let changed = report(0, 1, 0, date(2021, 1, 15), 6.0);
    let err = check_filing(pr, period, &[&filed], &changed, date(2021, 1, 16)).unwrap_err();
    assert!(err.message.contains("已填报过本期"), "{err}");
    let err = check_filing(pr, period, &[&filed], &changed, date(2021, 1, 17)).unwrap_err();
    assert_eq!(err.field, "correction_reason");
    let mut reasoned = changed.clone();
    reasoned.correction_reason = Some("补报漏计的材料款".into());
    assert_eq!(
        check_filing(pr, period, &[&filed], &reasoned, date(2021, 1, 17)),
        Ok(FilingDecision::NewVersion(2))
    );
}

#[test]
fn the_last_closed_period_is_the_latest_deadline_before_the_day() {
    let periods = crate::calendar::periods_of_year(2021, Default::default(), 1);
    assert_eq!(last_closed_period(&periods, date(2021, 1, 16)), None);
    assert_eq!(
        last_closed_period(&periods, date(2021, 1, 17)).unwrap().seq,
        1
    );
    assert_eq!(
        last_closed_period(&periods, date(2021, 10, 10))
            .unwrap()
            .seq,
        20
    );
}

#[test]
fn the_period_due_is_the_one_just_ended_until_its_deadline_then_the_next() {
    let periods = crate::calendar::periods_of_year(2021, Default::default(), 1);
    let first = &periods[0];
    let second = &periods[1];
    assert!(first.end < first.deadline && first.deadline < second.end);
    // Before any period began: none.
    assert_eq!(period_due(&periods, date(2020, 12, 31)), None);
    assert_eq!(period_to_file(&periods, date(2020, 12, 31)), None);
    // Within the first period, and after it ended up to its deadline: the first.
    assert_eq!(period_due(&periods, first.start).unwrap().seq, 1);
    let after_end = first.end.tomorrow().unwrap();
    assert_eq!(period_due(&periods, after_end).unwrap().seq, 1);
    assert_eq!(period_due(&periods, first.deadline).unwrap().seq, 1);
    // The day falls in the second already, which is the one filing is for.
    assert_eq!(period_to_file(&periods, first.deadline).unwrap().seq, 2);
    // The day after the deadline: the second.
    let after = first.deadline.tomorrow().unwrap();
    assert_eq!(period_due(&periods, after).unwrap().seq, 2);
    // After the year's last deadline: the last period, as filing is for.
    let last = periods.last().unwrap();
    let later = last.deadline.tomorrow().unwrap();
    assert_eq!(period_due(&periods, later), period_to_file(&periods, later));
    assert_eq!(period_due(&periods, later).unwrap().seq, last.seq);
}

#[test]
fn a_correction_that_no_longer_names_a_milestone_withdraws_it() {
    let p = portfolio(vec![project(
        1,
        &[(date(2021, 1, 5), None), (date(2021, 2, 5), None)],
    )]);
    let (pr, january) = (&p.projects[0], &p.periods[0]);
    let mut original = report(1, 1, 1, date(2021, 1, 15), 5.0);
    original.milestones_reached = vec![(MilestoneId(101), date(2021, 1, 10))];
    assert_eq!(
        reached_in_reports([&original]),
        HashMap::from([(MilestoneId(101), (PeriodId(1), date(2021, 1, 10)))])
    );
    // Unticking it is a change: without a reason it is refused naming the field.
    let mut unticked = report(0, 1, 0, date(2021, 1, 20), 5.0);
    let today = date(2021, 1, 20);
    let err = check_filing(pr, january, &[&original], &unticked, today).unwrap_err();
    assert_eq!(err.field, "correction_reason");
    assert!(
        err.message.contains("撤回本期已报完成的节点「节点1」"),
        "{err}"
    );
    assert_eq!(
        check_withdrawals(pr, january, &[&original], &[MilestoneId(101)]),
        Ok(())
    );
    unticked.correction_reason = Some("节点尚未验收，撤回".into());
    assert_eq!(
        check_filing(pr, january, &[&original], &unticked, today),
        Ok(FilingDecision::NewVersion(2))
    );
    let mut correction = unticked.clone();
    correction.id = ReportId(2);
    correction.version = 2;
    // The current version names nothing: the milestone is not reached any more.
    assert!(reached_in_reports([&original, &correction]).is_empty());
    assert_eq!(
        current_versions([&original, &correction]),
        vec![&correction]
    );

    // The next period may then report it (the withdrawn version no longer counts) …
    let february = &p.periods[2];
    let mut later = report(0, 3, 0, date(2021, 2, 12), 8.0);
    later.milestones_reached = vec![(MilestoneId(101), date(2021, 2, 8))];
    assert_eq!(
        check_filing(
            pr,
            february,
            &[&original, &correction],
            &later,
            date(2021, 2, 12)
        ),
        Ok(FilingDecision::NewVersion(1))
    );
    // … but not while January's current report still names it.
    assert_eq!(
        check_filing(pr, february, &[&original], &later, date(2021, 2, 12))
            .unwrap_err()
            .field,
        "milestones"
    );
    // February cannot withdraw what January's report named: that is January's correction.
    let err = check_withdrawals(pr, february, &[&original], &[MilestoneId(101)]).unwrap_err();
    assert_eq!(err.field, "milestones");
    assert!(err.message.contains("撤回须更正该期填报"), "{err}");
}

#[test]
fn an_investment_above_the_total_is_questioned_and_one_beyond_the_multiple_refused() {
    let p = portfolio(vec![project(1, &[(date(2021, 1, 5), None)])]);
    let mut pr = Project::clone(&p.projects[0]);
    pr.total_investment = Money::from_wan(58.0);
    // Within the total: nothing to say.
    assert_eq!(check_investment(&pr, Money::from_wan(58.0), 3), Ok(()));
    assert_eq!(investment_above_total(&pr, Money::from_wan(58.0)), None);
    // Above the total, within three times: accepted, with a request to check it.
    assert_eq!(check_investment(&pr, Money::from_wan(174.0), 3), Ok(()));
    let ask = investment_above_total(&pr, Money::from_wan(60.0)).expect("questioned");
    assert!(ask.contains("60") && ask.contains("58"), "{ask}");
    // Beyond three times (a 58 万元 toilet reported at 999,999,999,999 万元): refused, naming the field.
    let refused = check_investment(&pr, Money::from_wan(174.01), 3).unwrap_err();
    assert_eq!(refused.field, "investment_to_date");
    assert!(refused.message.contains("3 倍"), "{}", refused.message);
    assert!(check_investment(&pr, Money::from_wan(999_999_999_999.0), 3).is_err());
    // The multiple is the calendar's: at 1 the total itself is the limit.
    assert!(check_investment(&pr, Money::from_wan(58.01), 1).is_err());
    // A project without a total investment is not checked.
    pr.total_investment = Money(0);
    assert_eq!(check_investment(&pr, Money::from_wan(1e6), 1), Ok(()));
    assert_eq!(investment_above_total(&pr, Money::from_wan(1e6)), None);
}

#[test]
fn a_catch_up_adds_the_versions_filed_since_and_shares_every_other_list() {
    let filed = |project: i64, version: u16| Filed {
        project: ProjectId(project),
        period: PeriodId(1),
        version,
        filed_on: date(2026, 3, i8::try_from(version).unwrap()),
    };
    let held = ReportIndex::new([filed(1, 1), filed(1, 2), filed(2, 1), filed(3, 1)]);
    let touched = [ProjectId(1), ProjectId(2), ProjectId(4)];
    assert_eq!(
        held.versions_held(PeriodId(1), &touched),
        0,
        "project 4 has none"
    );
    assert_eq!(held.versions_held(PeriodId(1), &touched[..2]), 1);
    // What a catch-up reads after version 1: project 1's second version again, and the new.
    let next = held.with_later_versions([filed(1, 2), filed(1, 3), filed(2, 2), filed(4, 1)]);
    let all = ReportIndex::new([
        filed(1, 1),
        filed(1, 2),
        filed(1, 3),
        filed(2, 1),
        filed(2, 2),
        filed(3, 1),
        filed(4, 1),
    ]);
    assert_eq!(next, all, "no version twice, none lost");
    assert_eq!(next.len(), 7);
    assert_eq!(held.len(), 4, "the index caught up from is unchanged");
    assert!(
        next.map
            .shares_shard_of(&held.map, &(ProjectId(3), PeriodId(1))),
        "an untouched project's list is shared"
    );
}
