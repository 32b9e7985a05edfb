//! Many filers at once through the real router, on both backends: filings of different
//! projects (up to eight) all succeed (0 errors), and two different reports of one project for one period
//! racing each other end with one stored and the other refused as a conflict or by the filing
//! gate, its form shown again with what was typed — never a 500.

use crate::common::*;
use axum::http::StatusCode;
use jianguan_domain::filing::{Filing, ReportIndex, compliance};
use jianguan_domain::model::{PeriodId, ProjectId};
use jianguan_domain::store::{RecordScope, ReportVersions};

scenarios!([many_filers_at_once_never_meet_a_500_and_a_lost_race_keeps_its_form]);

/// The office's filing of `project` for the fixture's period.
async fn file(app: &App, who: &str, project: ProjectId, investment: f64, note: &str) -> Reply {
    let project = project.0.to_string();
    let period = app.period.to_string();
    let investment = format!("{investment:.2}");
    app.post(
        who,
        "/filing",
        &[
            ("project", project.as_str()),
            ("period", period.as_str()),
            ("investment_to_date", investment.as_str()),
            ("note", note),
        ],
    )
    .await
}

/// The versions of `project`'s report for the fixture's period.
async fn versions_of(app: &App, project: ProjectId) -> Vec<(u16, String)> {
    let record = app
        .store
        .load_project(project, RecordScope::All, ReportVersions::All)
        .await
        .expect("reads")
        .expect("exists");
    record
        .reports
        .iter()
        .filter(|r| r.period == PeriodId(app.period))
        .map(|r| (r.version, r.note.clone()))
        .collect()
}

async fn many_filers_at_once_never_meet_a_500_and_a_lost_race_keeps_its_form(app: &App) {
    let period = app
        .city
        .periods
        .iter()
        .find(|p| p.id.0 == app.period)
        .expect("the fixture's period");
    let index = ReportIndex::of_reports(&app.city.reports);
    let c = compliance(&app.city, &index, period, today());
    // What a project reported last (a smaller figure would need a correction reason) and its
    // total investment (a larger one is questioned): a plausible filing lies between.
    let bounds = |id: ProjectId| {
        let last = app
            .city
            .reports
            .iter()
            .filter(|r| r.project == id)
            .map(|r| r.investment_to_date.wan())
            .fold(0.0_f64, f64::max);
        let total = app
            .city
            .projects
            .iter()
            .find(|p| p.id == id)
            .expect("a project")
            .total_investment
            .wan();
        (last, total)
    };
    let others: Vec<ProjectId> = c
        .exceptions
        .iter()
        .filter(|e| e.filing == Filing::Missing && e.project != app.project.id)
        .map(|e| e.project)
        .filter(|&id| {
            let (last, total) = bounds(id);
            last <= total
        })
        .take(8)
        .collect();
    assert!(
        others.len() >= 4,
        "other projects miss this period's report: {others:?}"
    );
    let before = app.store.audit_records(0, i64::MAX).await.expect("reads");

    // Filings of the other projects and two different reports of the fixture's project, all
    // at once.
    let (last, total) = bounds(app.project.id);
    assert!(
        last + 1.0 < total,
        "the fixture's project has room for two figures"
    );
    let racing = [
        ("reporter", total, "甲填报：本期按计划推进"),
        ("office", (last + total) / 2.0, "乙代填：主体施工过半"),
    ];
    let filings = others
        .iter()
        .map(|&id| ("office", id, bounds(id).1, "并发填报：本期按计划推进"))
        .chain(
            racing
                .iter()
                .map(|&(who, amount, note)| (who, app.project.id, amount, note)),
        )
        .map(|(who, id, amount, note)| async move { file(app, who, id, amount, note).await });
    let replies = futures_util::future::join_all(filings).await;

    for (reply, id) in replies.iter().zip(&others) {
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "project {id}: {}",
            reply.body
        );
        assert_eq!(
            versions_of(app, *id).await.len(),
            1,
            "project {id} filed once"
        );
    }
    let raced = &replies[others.len()..];
    let won: Vec<usize> = (0..2)
        .filter(|&i| raced[i].status == StatusCode::SEE_OTHER)
        .collect();
    assert_eq!(won.len(), 1, "exactly one of the racing reports is stored");
    let (winner, loser) = (won[0], 1 - won[0]);
    let lost = &raced[loser];
    assert!(
        [StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY].contains(&lost.status),
        "the other is refused, not failed: {} {}",
        lost.status,
        lost.body
    );
    assert!(
        lost.body.contains(racing[loser].2),
        "the refused form keeps what was typed: {}",
        lost.body
    );
    if lost.status == StatusCode::CONFLICT {
        assert!(
            lost.body.contains(
                "<a href=\"#f-correction_reason\">更正理由：本期进度刚由他人先行填报（现为第 1 版）"
            ),
            "the conflict says what happened and leads to the correction reason: {}",
            lost.body
        );
    }
    assert_eq!(
        versions_of(app, app.project.id).await,
        vec![(1, racing[winner].2.to_string())],
        "the winner's report is the one stored"
    );

    // One audit record per stored report, one chain.
    let records = app.store.audit_records(0, i64::MAX).await.expect("reads");
    let filed = records[before.len()..]
        .iter()
        .filter(|r| r.action == "report.file")
        .count();
    assert_eq!(filed, others.len() + 1);
    jianguan_audit::verify(&records, &[], jianguan_audit::CryptoSuite::Intl)
        .expect("one unbroken chain");
}
