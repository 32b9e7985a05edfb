//! The monthly assessment through the real router, on both backends: scoring a month as a
//! draft, publishing it (frozen), a correction that needs a reason and keeps the old version,
//! the league table and its JSON, a unit's score card down to its records, an objection filed by
//! the district and decided by the office (rejected; accepted → a new version), the scheme
//! viewer refusing a bad file by line, entered values refused out of range, and the monthly
//! job drafting last month once.
//!
//! The demo city's database gets the demo's entered values and media register; everything
//! else is done through the pages, as the office and the district would.

use crate::common::*;
use axum::http::StatusCode;
use jianguan_domain::assessment::{Month, SubjectKind};
use jianguan_domain::model::UnitKind;

/// The demo's entered values and media register, written as the demo does.
async fn with_inputs(app: &App) {
    let demo = jianguan_demo::demo_assessment(&app.city);
    let audit = jianguan_app::assessment::audit(
        jianguan_app::Clock::system(),
        "test",
        None,
        jianguan_audit::AuditAction::IndicatorEnter,
        "t".into(),
    );
    app.store
        .enter_values(&demo.entered, &audit)
        .await
        .expect("entered values");
    app.store
        .add_media_reports(&demo.media, &audit)
        .await
        .expect("media register");
}

fn october() -> Month {
    Month::new(2021, 10).expect("a month")
}

fn district_of(app: &App) -> i64 {
    app.project.district.0
}

/// Scores and publishes October for districts as the office.
async fn publish_october(app: &App) {
    let r = app
        .post(
            "office",
            "/assessment/score",
            &[("month", "2021-10"), ("kind", "district")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location.contains("done=draft"), "{}", r.location);
    let r = app
        .post(
            "office",
            "/assessment/publish",
            &[("month", "2021-10"), ("kind", "district")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// Removes every `records_hidden` (asserting it is 0) from `value`; how many it removed.
fn strip_hidden_counts(value: &mut serde_json::Value) -> usize {
    match value {
        serde_json::Value::Object(map) => {
            let mut n = 0;
            if let Some(h) = map.remove("records_hidden") {
                assert_eq!(h, 0, "nothing hidden from the leader");
                n += 1;
            }
            n + map.values_mut().map(strip_hidden_counts).sum::<usize>()
        }
        serde_json::Value::Array(values) => values.iter_mut().map(strip_hidden_counts).sum(),
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------------

async fn a_month_is_scored_published_and_corrected_only_with_a_reason(app: &App) {
    with_inputs(app).await;
    let before = app.page("office", "/assessment?month=2021-10").await;
    assert!(before.contains("该月尚未计分"), "{before}");
    publish_october(app).await;

    let page = app.page("leader", "/assessment?month=2021-10").await;
    let districts = app.city.units_of(UnitKind::District).count();
    assert!(
        page.matches("/assessment/units/").count() >= districts,
        "every district ranked: {page}"
    );
    assert!(page.contains("发布"), "published state shown");
    let json = app
        .json("leader", "/api/v1/scores?month=2021-10&kind=district")
        .await;
    let json = &json["run"];
    assert_eq!(json["published"], true);
    assert_eq!(json["version"], 1);
    let subjects = json["scores"]["subjects"].as_array().expect("subjects");
    assert_eq!(subjects.len(), districts);
    let ranks: Vec<u64> = subjects.iter().filter_map(|s| s["rank"].as_u64()).collect();
    assert_eq!(ranks.first(), Some(&1), "ranked from 1");
    // The same month as the CLI and job compute it (one function, one result).
    let run = app
        .store
        .latest_run(october(), SubjectKind::District)
        .await
        .expect("reads")
        .expect("a run");
    // (The leader sees every record: each list of records says none was left out.)
    let mut shown = json["scores"].clone();
    assert!(
        strip_hidden_counts(&mut shown) > 0,
        "lists of records say how many were left out"
    );
    assert_eq!(
        serde_json::to_value(&run.scores).expect("json"),
        shown,
        "the API shows the stored run"
    );

    // Scoring a published month again without rescoring leaves it as it is.
    let r = app
        .post(
            "office",
            "/assessment/score",
            &[("month", "2021-10"), ("kind", "district")],
        )
        .await;
    assert!(r.location.contains("done=unchanged"), "{}", r.location);
    // A correction without a reason is refused, and nothing is stored.
    let r = app
        .post(
            "office",
            "/assessment/score",
            &[("month", "2021-10"), ("kind", "district"), ("rescore", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("理由"), "{}", r.body);
    let versions = app
        .store
        .run_versions(october(), SubjectKind::District)
        .await
        .expect("reads");
    assert_eq!(versions.len(), 1);
    // With a reason: a new published version, the old one kept.
    let r = app
        .post(
            "office",
            "/assessment/score",
            &[
                ("month", "2021-10"),
                ("kind", "district"),
                ("rescore", "1"),
                ("reason", "补录10月媒体报道"),
            ],
        )
        .await;
    assert!(r.location.contains("done=corrected"), "{}", r.location);
    let versions = app
        .store
        .run_versions(october(), SubjectKind::District)
        .await
        .expect("reads");
    assert_eq!(versions.len(), 2, "the old version is kept");
    let latest = versions.iter().map(|v| v.version).max();
    assert_eq!(latest, Some(2));
    let page = app.page("leader", "/assessment?month=2021-10").await;
    assert!(page.contains("补录10月媒体报道"), "the reason is shown");
    // The bulletin downloads as a Word document carrying the league table.
    let doc = app
        .get("district", "/assessment/bulletin.docx?month=2021-10")
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(doc.bytes)).expect("a docx");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("the body"),
        &mut xml,
    )
    .expect("utf-8");
    assert!(xml.contains("月度考评结果的通报"), "the title");
    // Numbers are runs of their own in drafted documents.
    assert!(xml.contains("月媒体报道"), "the correction's reason");
    // A district may read the table but not score.
    let r = app
        .post(
            "district",
            "/assessment/score",
            &[("month", "2021-10"), ("kind", "district")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn a_score_card_explains_every_line_down_to_the_records(app: &App) {
    with_inputs(app).await;
    publish_october(app).await;
    let district = district_of(app);
    let card = app
        .page(
            "district",
            &format!("/assessment/units/{district}?month=2021-10"),
        )
        .await;
    for name in [
        "节点完成率",
        "按期完成率",
        "按时填报率",
        "道路清扫保洁市场化率",
    ] {
        assert!(card.contains(name), "{name} on the card");
    }
    assert!(card.contains("依据记录"), "records behind lines");
    // The records name the projects behind them, with links to them.
    assert!(card.contains("/projects/"), "records link to projects");
    // The office reads every district's card; a district reads another district's lines but
    // only its own records.
    let other = app
        .city
        .units_of(UnitKind::District)
        .find(|u| u.id.0 != district)
        .expect("another district")
        .id
        .0;
    let theirs = app
        .page(
            "district",
            &format!("/assessment/units/{other}?month=2021-10"),
        )
        .await;
    let own_projects: Vec<&str> = app
        .city
        .projects
        .iter()
        .filter(|p| p.district.0 == other)
        .map(|p| p.name.as_str())
        .collect();
    assert!(
        own_projects
            .iter()
            .all(|n| !theirs.contains(&format!(">{n} ·"))),
        "another district's projects are not named to a district"
    );
    let office = app
        .page(
            "office",
            &format!("/assessment/units/{other}?month=2021-10"),
        )
        .await;
    assert!(
        own_projects.iter().any(|n| office.contains(n)),
        "the office sees the records"
    );
    // A unit that is not scored has no card.
    let r = app
        .get(
            "office",
            &format!(
                "/assessment/units/{}?month=2021-10",
                app.project.responsible_unit
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn an_objection_is_filed_by_the_district_and_decided_by_the_office(app: &App) {
    with_inputs(app).await;
    publish_october(app).await;
    let district = district_of(app);
    let path = format!("/assessment/units/{district}/objections");
    // Without evidence: refused, naming it; nothing stored.
    let r = app
        .post(
            "district",
            &path,
            &[
                ("month", "2021-10"),
                ("line", "indicator:node_completion"),
                ("reason", "节点已完成，系统未及时填报"),
                ("evidence", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("佐证材料"), "{}", r.body);
    assert!(
        app.store
            .objections(october())
            .await
            .expect("reads")
            .is_empty()
    );
    // Another district's account cannot object for this one.
    let r = app
        .post(
            "office",
            &path,
            &[
                ("month", "2021-10"),
                ("line", "indicator:node_completion"),
                ("reason", "x"),
                ("evidence", "y"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the office files none");
    for line in ["indicator:node_completion", "indicator:on_time"] {
        let r = app
            .post(
                "district",
                &path,
                &[
                    ("month", "2021-10"),
                    ("line", line),
                    ("reason", "节点已完成，系统未及时填报"),
                    ("evidence", "竣工验收备案表"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let filed = app.store.objections(october()).await.expect("reads");
    assert_eq!(filed.len(), 2);
    // The office rejects the first and accepts the second: a correction names the objection.
    let decide = |id: i64, accepted: &'static str, reason: &'static str| {
        let path = format!("/assessment/objections/{id}/decision");
        async move {
            app.post(
                "office",
                &path,
                &[
                    ("month", "2021-10"),
                    ("accepted", accepted),
                    ("reason", reason),
                ],
            )
            .await
        }
    };
    let r = decide(filed[0].id, "0", "节点完成时间以验收备案为准，维持原结果").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = decide(filed[1].id, "1", "经核实属实，予以采纳").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Deciding again is refused.
    let r = decide(filed[1].id, "0", "再议").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let versions = app
        .store
        .run_versions(october(), SubjectKind::District)
        .await
        .expect("reads");
    assert_eq!(
        versions.len(),
        2,
        "the accepted objection rescored the month"
    );
    let correction = versions.iter().find(|v| v.version == 2).expect("v2");
    assert!(correction.published);
    assert!(
        correction
            .correction_reason
            .as_deref()
            .is_some_and(|r| r.contains("申诉")),
        "{:?}",
        correction.correction_reason
    );
    let card = app
        .page(
            "district",
            &format!("/assessment/units/{district}?month=2021-10"),
        )
        .await;
    assert!(card.contains("已驳回") && card.contains("已采纳"), "{card}");
    // The decisions are in the audit trail.
    let (records, _) = app
        .store
        .audit_search(&jianguan_domain::store::AuditQuery {
            action_prefix: Some("objection.".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(records.len(), 4, "two filed, two decided");
}

async fn the_scheme_is_shown_and_a_bad_file_is_refused_by_line(app: &App) {
    let page = app.page("district", "/assessment/scheme?year=2021").await;
    assert!(
        page.contains("节点完成率") && page.contains("权重"),
        "{page}"
    );
    assert!(!page.contains("校验并保存"), "a district cannot edit");
    let good = jianguan_domain::assessment::DEFAULT_SCHEME_TOML;
    let typo = good.replacen("\"node_completion\"", "\"node_compleshun\"", 1);
    let r = app
        .post(
            "office",
            "/assessment/scheme",
            &[("year", "2021"), ("scheme", &typo)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("node_compleshun") && r.body.contains('行'),
        "{}",
        r.body
    );
    assert!(
        app.store
            .scheme_versions(2021)
            .await
            .expect("reads")
            .is_empty(),
        "nothing saved"
    );
    let next = good.replacen("version = 1", "version = 2", 1);
    let r = app
        .post(
            "office",
            "/assessment/scheme",
            &[("year", "2021"), ("scheme", &next)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let versions = app.store.scheme_versions(2021).await.expect("reads");
    assert_eq!(versions.iter().map(|v| v.version).max(), Some(2));
}

async fn entered_values_out_of_range_are_refused(app: &App) {
    let district = district_of(app).to_string();
    let before = app.store.entered_values().await.expect("reads").len();
    let page = app.page("office", "/indicators").await;
    assert!(page.contains("道路清扫保洁市场化率"), "{page}");
    let path = "/indicators/street_cleaning_marketisation/values";
    let r = app
        .post(
            "office",
            path,
            &[("unit", &district), ("month", "2021-10"), ("value", "120")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("120"), "{}", r.body);
    assert_eq!(
        app.store.entered_values().await.expect("reads").len(),
        before
    );
    let r = app
        .post(
            "office",
            path,
            &[
                ("unit", &district),
                ("month", "2021-10"),
                ("value", "93.5"),
                ("note", "市城管局季报"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.store.entered_values().await.expect("reads").len(),
        before + 1
    );
    let r = app
        .post(
            "district",
            path,
            &[("unit", &district), ("month", "2021-10"), ("value", "99")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a district enters nothing");
}

async fn the_monthly_job_drafts_last_month_once(app: &App) {
    with_inputs(app).await;
    let on = jiff::civil::date(2021, 11, 2);
    let inputs = jianguan_app::assessment::Inputs::load(app.store.as_ref())
        .await
        .expect("inputs");
    let outcome = jianguan_app::assessment::run_monthly_job(
        app.store.as_ref(),
        jianguan_app::Clock::system(),
        inputs,
        on,
    )
    .await
    .expect("the job runs")
    .expect("October is a campaign month");
    assert_eq!(outcome.month, october());
    assert_eq!(outcome.stored.len(), 2, "districts and lead units");
    for kind in SubjectKind::ALL {
        let run = app
            .store
            .latest_run(october(), kind)
            .await
            .expect("reads")
            .expect("drafted");
        assert!(!run.published, "the job drafts; the office publishes");
    }
    // Outside the campaign's months there is nothing to score.
    let inputs = jianguan_app::assessment::Inputs::load(app.store.as_ref())
        .await
        .expect("inputs");
    let none = jianguan_app::assessment::run_monthly_job(
        app.store.as_ref(),
        jianguan_app::Clock::system(),
        inputs,
        jiff::civil::date(2026, 11, 28),
    )
    .await
    .expect("runs");
    assert_eq!(none, None);
}

scenarios!([
    a_month_is_scored_published_and_corrected_only_with_a_reason,
    a_score_card_explains_every_line_down_to_the_records,
    an_objection_is_filed_by_the_district_and_decided_by_the_office,
    the_scheme_is_shown_and_a_bad_file_is_refused_by_line,
    entered_values_out_of_range_are_refused,
    the_monthly_job_drafts_last_month_once,
]);
