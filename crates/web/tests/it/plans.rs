//! 年度计划 through the real router, on both backends: the plan overview, a unit's plan change
//! (计划调整) on an approved plan — refused without a reason and outside the unit's scope —, the
//! office's decision writing the adjusted plan beside the baseline, and a decided change that
//! cannot be decided again.

use crate::common::*;
use axum::http::StatusCode;

scenarios!([
    the_plan_overview_lists_the_years_plans_per_district,
    a_plan_change_is_requested_decided_and_kept_beside_the_baseline,
]);

async fn the_plan_overview_lists_the_years_plans_per_district(app: &App) {
    let page = app.page("office", "/plans?year=2021").await;
    assert!(page.contains("2021 年年度计划"), "{page}");
    let district = app.city.unit_name(app.project.district);
    assert!(page.contains(district), "{district} listed");
    assert!(page.contains("已批准"), "{page}");
    // The office approves; it does not submit drafts like a unit.
    assert!(!page.contains("报送本单位"), "{page}");
    // The demo's plans are approved: approving again changes none.
    let r = app
        .post("office", "/plans/approve", &[("year", "2021")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("已批准 2021 年计划 0 项"), "{}", r.body);
    // A district submits its own drafts (none left: the demo's plans are approved).
    let r = app
        .post("district", "/plans/submit", &[("year", "2021")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains(&format!("已报送{district} 2021 年草拟计划 0 项")),
        "{}",
        r.body
    );
    // A reporter may not approve.
    let r = app
        .post("reporter", "/plans/approve", &[("year", "2021")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn a_plan_change_is_requested_decided_and_kept_beside_the_baseline(app: &App) {
    let project = &app.project;
    let open = project
        .milestones
        .iter()
        .rposition(|m| m.actual.is_none())
        .map(|i| &project.milestones[i]);
    let Some(milestone) = open else {
        // Every milestone reached: nothing to move; the fixture always leaves one open.
        panic!("the fixture's project has an unreached milestone");
    };
    let new_date = (milestone.planned + jiff::Span::new().days(20)).to_string();
    let id = milestone.id.0.to_string();
    let date_field = format!("date_{id}");
    let pid = project.id.0.to_string();
    let fields = |reason: &'static str| {
        vec![
            ("project", pid.clone()),
            ("year", "2021".to_string()),
            ("kind", "dates".to_string()),
            ("milestone", id.clone()),
            (date_field.as_str(), new_date.clone()),
            ("reason", reason.to_string()),
        ]
    };
    let as_refs = |v: &Vec<(&str, String)>| -> Vec<(String, String)> {
        v.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    };
    let post = |who: &'static str, v: Vec<(String, String)>| async move {
        let refs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post(who, "/plans/change", &refs).await
    };

    // The form is offered on the project page to the district.
    let form = app
        .page("district", &format!("/plans/change?project={}", project.id))
        .await;
    assert!(form.contains(&milestone.name), "{form}");

    // No reason: refused, naming the field, nothing stored.
    let r = post("district", as_refs(&fields(" "))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("调整理由"), "{}", r.body);
    assert!(
        app.store
            .plan_changes(None)
            .await
            .expect("reads")
            .is_empty()
    );

    // Another unit's project: not found, nothing stored.
    let r = post("stranger", as_refs(&fields("征迁滞后"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(
        app.store
            .plan_changes(None)
            .await
            .expect("reads")
            .is_empty()
    );

    // The district asks.
    let r = post("district", as_refs(&fields("征迁滞后，需顺延"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let changes = app.store.plan_changes(Some(2021)).await.expect("reads");
    assert_eq!(changes.len(), 1);
    let change = changes[0].id;
    let page = app.page("office", "/plans?year=2021").await;
    assert!(
        page.contains("征迁滞后，需顺延") && page.contains("待审批"),
        "{page}"
    );

    // A second pending change of the same kind is refused.
    let r = post("district", as_refs(&fields("再次申请"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // The district cannot decide; the office approves.
    let decide = format!("/plans/changes/{change}/decide");
    let r = app
        .post("district", &decide, &[("decision", "approve")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "office",
            &decide,
            &[("decision", "approve"), ("year", "2021")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("已批准"), "{}", r.body);

    // The baseline stays; the adjusted date is beside it.
    let stored = app
        .store
        .load_project(
            project.id,
            jianguan_domain::store::RecordScope::All,
            jianguan_domain::store::ReportVersions::All,
        )
        .await
        .expect("reads")
        .expect("exists")
        .project;
    let m = stored
        .milestones
        .iter()
        .find(|m| m.id == milestone.id)
        .expect("milestone");
    assert_eq!(m.planned, milestone.planned, "the baseline is kept");
    assert_eq!(m.adjusted.map(|d| d.to_string()), Some(new_date.clone()));
    let page = app
        .page("office", &format!("/projects/{}?year=2021", project.id))
        .await;
    assert!(page.contains(&format!("调整为 {new_date}")), "{page}");

    // Decided once only.
    let r = app
        .post(
            "office",
            &decide,
            &[("decision", "reject"), ("note", "重复")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    let actions = app.audit_actions().await;
    for code in ["plan.change.request", "plan.change.decide"] {
        assert_eq!(
            actions.iter().filter(|(a, _)| a == code).count(),
            1,
            "{code} audited once"
        );
    }
}
