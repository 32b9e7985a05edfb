//! The cadence through the real router, on both backends: the weekly dispatch pack (page, print
//! view, JSON), warnings and lights, filing a report (round trip, idempotence, refusals that
//! name the field and store nothing, photos), compliance, the follow-up of a tracked item from
//! opening to verified closure, the warning rules' settings, and the quarterly analysis.
//!
//! The demo city's database holds no cadence records of its own here: each scenario makes what
//! it needs through the store (the daily warning job) or through the forms, as users would.

use crate::common::*;
use axum::http::StatusCode;
use jianguan_domain::model::UnitKind;

scenarios!([
    dispatch_pack_for_2021_w40_as_page_print_view_and_json,
    a_district_reads_the_pack_narrowed_to_its_projects_with_citywide_league_tables,
    warnings_and_lights_are_listed_and_shown_on_the_project_page,
    filing_a_missing_report_changes_compliance_and_a_double_submit_files_once,
    refused_reports_name_the_field_and_store_nothing,
    an_implausible_investment_is_refused_and_one_above_the_total_questioned,
    a_report_outside_the_users_scope_is_refused_and_audited,
    a_tracked_item_goes_from_opened_to_verified_closure_over_http,
    warning_rules_are_refused_with_the_line_and_saved_as_a_new_version,
    quarterly_analysis_renders_with_charts_and_tables,
    navigation_shows_only_the_pages_a_role_may_open,
    the_office_issues_or_dismisses_the_acts_the_rules_propose,
]);

// ---------------------------------------------------------------------------------------------
// 1. The dispatch pack.

async fn dispatch_pack_for_2021_w40_as_page_print_view_and_json(app: &App) {
    // The daily job ran on the Wednesday of week 40: the week's new warnings come from it.
    app.warning_job(jiff::civil::date(2021, 10, 6)).await;
    let pack = app.json("leader", "/api/v1/dispatch?week=2021-W40").await;
    assert_eq!(pack["week"], "2021-W40");
    assert_eq!(pack["from"], "2021-10-04");
    assert_eq!(pack["to"], "2021-10-10");
    for key in [
        "overdue_milestones",
        "at_risk_milestones",
        "new_warnings",
        "escalated_warnings",
        "items_past_deadline",
        "stuck_items",
        "district_league",
        "category_league",
        "open_supervision_items",
    ] {
        assert!(pack[key].is_array(), "{key} in the pack");
    }
    assert!(!array(&pack, "overdue_milestones").is_empty());
    assert!(
        !array(&pack, "new_warnings").is_empty(),
        "the job's warnings are new this week"
    );
    let districts = app.city.units_of(UnitKind::District).count();
    assert_eq!(array(&pack, "district_league").len(), districts);
    assert_eq!(pack["district_league"][0]["rank"], 1);
    assert!(
        pack["filing"]["period_seq"].as_u64().is_some(),
        "last period's filing"
    );
    assert!(pack["changes"]["before"]["node_completion"].is_number());

    let html = app.page("leader", "/dispatch?week=2021-W40").await;
    for heading in [
        "2021年第40周调度会议材料",
        "一、本周变化",
        "二、逾期节点",
        "三、滞后风险节点",
        "四、警示提醒",
        "五、逾期未办结及卡壳事项",
        "六、上期进度填报情况",
        "七、排名",
        "八、督办、约谈",
    ] {
        assert!(html.contains(heading), "the page has {heading}");
    }
    assert!(
        html.contains("href=\"/dispatch?week=2021-W39\""),
        "previous week"
    );
    assert!(
        html.contains("href=\"/dispatch?week=2021-W41\""),
        "next week"
    );
    assert!(
        html.contains("/dispatch?week=2021-W40&#38;print=1"),
        "the print view's link"
    );
    assert!(
        html.contains("查看全部"),
        "a long list shows its top and links to all"
    );
    assert!(
        html.contains("class=\"light light-"),
        "league tables carry lights"
    );
    // The leader may not record decisions; the office may.
    assert!(!html.contains("记录为督办事项"));
    let office = app.page("office", "/dispatch?week=2021-W40").await;
    assert!(office.contains("记录为督办事项"));
    // The full list of one section.
    let full = app
        .page("leader", "/dispatch?week=2021-W40&full=overdue")
        .await;
    assert!(full.matches("<tr>").count() > html.matches("<tr>").count());

    let print = app.page("leader", "/dispatch?week=2021-W40&print=1").await;
    assert!(print.contains("class=\"printview\""));
    assert!(print.contains("src=\"/assets/print.js\""));
    assert!(print.contains("data-print"));
    let css = app.get("leader", "/assets/app.css").await.body;
    assert!(css.contains("@media print") && css.contains("size: A4"));
    let js = app.get("leader", "/assets/print.js").await;
    assert_eq!(js.status, StatusCode::OK);

    // Without a week: the last week of the finished campaign year.
    let default = app.page("leader", "/dispatch").await;
    assert!(default.contains("2021年第52周"), "the year's last week");
    let bad = app.get("leader", "/api/v1/dispatch?week=2021-W60").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("week"), "{}", bad.body);
    // Responsible units are not at the meeting.
    assert_eq!(
        app.get("reporter", "/dispatch").await.status,
        StatusCode::FORBIDDEN
    );
    // The pack as a Word document, for the meeting's papers.
    let doc = app.get("leader", "/dispatch.docx?week=2021-W40").await;
    assert_eq!(doc.status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(doc.bytes)).expect("a docx");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("the body"),
        &mut xml,
    )
    .expect("utf-8");
    // Numbers are runs of their own in drafted documents.
    assert!(xml.contains("周调度会材料"), "the title");
    assert!(xml.contains("逾期节点"), "the overdue list");
}

async fn a_district_reads_the_pack_narrowed_to_its_projects_with_citywide_league_tables(app: &App) {
    app.warning_job(jiff::civil::date(2021, 10, 6)).await;
    let all = app.json("leader", "/api/v1/dispatch?week=2021-W40").await;
    let mine = app.json("district", "/api/v1/dispatch?week=2021-W40").await;
    let district = app
        .city
        .unit(app.project.district)
        .expect("district")
        .name
        .clone();
    let overdue = array(&mine, "overdue_milestones");
    assert!(overdue.len() < array(&all, "overdue_milestones").len());
    for line in overdue.iter().chain(array(&mine, "new_warnings")) {
        assert_eq!(line["project"]["district"], district.as_str(), "{line}");
    }
    assert_eq!(
        mine["district_league"], all["district_league"],
        "league tables are citywide"
    );
    assert!(
        mine["filing"]["expected"].as_u64() < all["filing"]["expected"].as_u64(),
        "filing counts over the district's projects"
    );
    let html = app.page("district", "/dispatch?week=2021-W40").await;
    assert!(html.contains("按您单位的范围筛选"));
}

// ---------------------------------------------------------------------------------------------
// 2. Warnings.

async fn warnings_and_lights_are_listed_and_shown_on_the_project_page(app: &App) {
    app.warning_job(jiff::civil::date(2021, 10, 6)).await;
    let w = app
        .json("leader", "/api/v1/warnings?as_of=2021-10-06")
        .await;
    let total = w["total"].as_u64().expect("total");
    assert!(total > 0);
    assert!(!array(&w["lights"], "districts").is_empty());
    let counted: u64 = w["open_by_level"]
        .as_object()
        .expect("counts")
        .values()
        .map(|v| v.as_u64().expect("a count"))
        .sum();
    assert_eq!(counted, total);
    let warned = app
        .json(
            "leader",
            "/api/v1/warnings?as_of=2021-10-06&level=warning&per_page=100",
        )
        .await;
    assert!(!array(&warned, "items").is_empty());
    for item in array(&warned, "items") {
        assert_eq!(item["level"], "warning");
    }
    // 督办 is an act, not a level of the ladder: asking for it is a bad request.
    let act = app.get("leader", "/api/v1/warnings?level=supervised").await;
    assert_eq!(act.status, StatusCode::BAD_REQUEST);
    // A district sees its own warnings and its own lights.
    let mine = app
        .json("district", "/api/v1/warnings?as_of=2021-10-06&per_page=100")
        .await;
    assert!(mine["total"].as_u64() < Some(total));
    for item in array(&mine, "items") {
        assert_eq!(item["district_id"], app.project.district.0);
    }
    assert_eq!(array(&mine["lights"], "districts").len(), 1);

    let html = app.page("leader", "/warnings?as_of=2021-10-06").await;
    assert!(html.contains("县区与类别亮灯") && html.contains("在办警示"));
    assert!(html.contains("class=\"lv lv-"));
    // The project page of a warned project shows its light and history.
    let warned = &w["items"][0];
    let page = app
        .page(
            "leader",
            &format!("/projects/{}?as_of=2021-10-06", warned["project_id"]),
        )
        .await;
    assert!(page.contains("警示记录") && page.contains("warning-history"));
    assert!(page.contains("亮灯 <span class=\"light light-"));
    let bad = app.get("leader", "/api/v1/warnings?level=loud").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------------------------------------
// 3. Filing and compliance.

async fn compliance_counts(app: &App) -> (u64, u64) {
    let c = app
        .json(
            "leader",
            "/api/v1/compliance?year=2021&period=25&as_of=2026-11-28",
        )
        .await;
    (
        c["total"]["missing"].as_u64().expect("missing"),
        c["total"]["late"].as_u64().expect("late"),
    )
}

async fn filing_a_missing_report_changes_compliance_and_a_double_submit_files_once(app: &App) {
    let (missing, late) = compliance_counts(app).await;
    let c = app
        .json("leader", "/api/v1/compliance?year=2021&period=25")
        .await;
    assert!(
        array(&c, "projects")
            .iter()
            .any(|p| p["project_id"] == app.project.id.0 && p["status"] == "missing"),
        "the fixture's project is listed missing"
    );
    // The reporter's desk lists the project; its form opens.
    let desk = app.page("reporter", "/filing?year=2021&period=25").await;
    assert!(
        desk.contains(&app.project.name),
        "the missing project is due"
    );
    let form = app
        .page(
            "reporter",
            &format!("/filing?year=2021&period=25&project={}", app.project.id),
        )
        .await;
    assert!(
        form.contains("累计完成投资（万元）") && form.contains("enctype=\"multipart/form-data\"")
    );

    let period = app.period.to_string();
    let project = app.project.id.0.to_string();
    let investment = format!("{:.2}", app.project.total_investment.wan());
    let fields = [
        ("project", project.as_str()),
        ("period", period.as_str()),
        ("investment_to_date", investment.as_str()),
        ("note", "补报：本期按计划推进"),
        ("problem_1", "铁路桥下管线迁改需协调"),
        ("coordination_1", "铁路"),
    ];
    let first = app
        .post_multipart(
            "reporter",
            "/filing",
            &fields,
            &[("photos", "现场.png", PNG.to_vec())],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert!(first.location.contains("filed="), "{}", first.location);
    // The browser lands on the confirmation, which opens the form's section and announces.
    let (landing, anchor) = first.location.split_once('#').expect("an anchor");
    assert_eq!(anchor, "notice", "{}", first.location);
    let landed = app.page("reporter", landing).await;
    let section = landed
        .find("<section id=\"form\"")
        .expect("the form's section");
    let notice = landed
        .find("<p id=\"notice\" class=\"notice\" role=\"status\"")
        .expect("the confirmation, announced");
    assert!(
        notice > section && !landed[section..notice].contains("<h2>"),
        "the confirmation opens the form's section: {landed}"
    );
    assert_eq!(compliance_counts(app).await, (missing - 1, late + 1));
    assert_eq!(app.versions().await, 1);
    // The photo is stored once, named by the SHA-256 of its bytes.
    let files: Vec<String> = std::fs::read_dir(&app.photos)
        .expect("photo dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].len(), 64);
    // The project page links the photo; it is served to those who may read the project.
    let page = app
        .page(
            "reporter",
            &format!("/projects/{}?as_of=2026-11-28", app.project.id),
        )
        .await;
    let link = format!("/projects/{}/photos/{}", app.project.id, files[0]);
    assert!(
        page.contains(&format!(
            "<a href=\"{link}\" class=\"photo\" target=\"_blank\" rel=\"noopener\"><img src=\"{link}\" alt=\"现场照片 1（点击查看原图）\""
        )),
        "the report shows its photo as a thumbnail opening the full size: {page}"
    );
    let photo = app.get("district", &link).await;
    assert_eq!(photo.status, StatusCode::OK);
    assert_eq!(photo.bytes, PNG);
    assert_eq!(
        app.get("stranger", &link).await.status,
        StatusCode::NOT_FOUND
    );
    // The problem that needs the railway opened a coordination ticket.
    let items = app
        .json(
            "reporter",
            "/api/v1/items?kind=coordination&as_of=2026-11-28",
        )
        .await;
    assert!(
        array(&items, "items")
            .iter()
            .any(|i| i["bodies"][0] == "铁路" && i["project_id"] == app.project.id.0),
        "{items}"
    );
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "report.file")
    );

    // The same form again: the same report.
    let again = app
        .post_multipart(
            "reporter",
            "/filing",
            &fields,
            &[("photos", "现场.png", PNG.to_vec())],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(again.location, first.location, "the same report");
    assert_eq!(app.versions().await, 1);
    assert_eq!(compliance_counts(app).await, (missing - 1, late + 1));
    // A changed figure without a reason is refused, naming the field.
    let changed = app
        .post(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "1"),
                ("note", "补报：本期按计划推进"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(changed.body.contains("更正理由"), "{}", changed.body);
    assert_eq!(app.versions().await, 1);

    // The compliance page drills from a district to its projects.
    let page = app
        .page(
            "leader",
            &format!(
                "/compliance?year=2021&period=25&district={}",
                app.project.district
            ),
        )
        .await;
    assert!(page.contains(&app.project.name));
    assert!(page.contains("迟报"));
}

async fn refused_reports_name_the_field_and_store_nothing(app: &App) {
    let period = app.period.to_string();
    let project = app.project.id.0.to_string();
    let audit_before = app.audit_actions().await.len();
    let milestone = app.project.milestones.last().expect("a milestone");
    let m = milestone.id.0.to_string();
    let date_field = format!("date_{m}");
    // A milestone date in the future.
    let future = app
        .post(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "100"),
                ("reached", m.as_str()),
                (date_field.as_str(), "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(
        future.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        future.body
    );
    assert!(
        future.body.contains("完成节点") && future.body.contains("晚于今天"),
        "{}",
        future.body
    );
    assert!(
        future.body.contains("href=\"#f-milestones\""),
        "the summary links the field"
    );
    // A date that is not a date.
    let garbled = app
        .post(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "100"),
                ("reached", m.as_str()),
                (date_field.as_str(), "去年"),
            ],
        )
        .await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(garbled.body.contains(&milestone.name));
    // A date typed beside a milestone left unticked is refused, not dropped, and kept.
    let unticked = app
        .post(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "100"),
                ("offered", m.as_str()),
                (date_field.as_str(), "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(
        unticked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unticked.body
    );
    assert!(
        unticked
            .body
            .contains(&format!("「{}」填写了完成日期但未勾选", milestone.name)),
        "{}",
        unticked.body
    );
    assert!(
        unticked
            .body
            .contains(&format!("name=\"{date_field}\" value=\"2026-11-02\"")),
        "the typed date is shown again"
    );
    // Investment that is not a number.
    let money = app
        .post(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "很多"),
            ],
        )
        .await;
    assert_eq!(money.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(money.body.contains("累计完成投资"));
    // A "photo" that is not an image, and one that is too big: refused by content, not name
    // (and the big one is read, not cut off at 64 KiB).
    let pdf = app
        .post_multipart(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "100"),
            ],
            &[("photos", "现场.jpg", b"%PDF-1.7 a document".to_vec())],
        )
        .await;
    assert_eq!(pdf.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", pdf.body);
    assert!(pdf.body.contains("不是 JPEG 或 PNG"), "{}", pdf.body);
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 10, 0);
    let huge = app
        .post_multipart(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "100"),
            ],
            &[("photos", "big.png", big)],
        )
        .await;
    assert_eq!(
        huge.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        huge.body
    );
    assert!(huge.body.contains("超过 5 MB"));
    // Nothing was stored by any of them.
    assert_eq!(app.versions().await, 0);
    assert!(
        !app.photos.exists()
            || std::fs::read_dir(&app.photos)
                .expect("dir")
                .next()
                .is_none()
    );
    assert_eq!(
        app.audit_actions().await.len(),
        audit_before,
        "no write, no audit record"
    );
    let record = app
        .store
        .load_project(
            app.project.id,
            jianguan_domain::store::RecordScope::All,
            jianguan_domain::store::ReportVersions::All,
        )
        .await
        .expect("reads")
        .expect("exists");
    let stored = record
        .project
        .milestones
        .iter()
        .find(|x| x.id == milestone.id)
        .expect("milestone");
    assert_eq!(
        stored.actual, milestone.actual,
        "the milestone is untouched"
    );
}

async fn an_implausible_investment_is_refused_and_one_above_the_total_questioned(app: &App) {
    let period = app.period.to_string();
    let project = app.project.id.0.to_string();
    let total = app.project.total_investment.wan();
    let versions = app.versions().await;
    // Beyond three times the total (the default calendar's multiple): refused, kept, nothing stored.
    let slip = format!("{:.2}", total * 3.0 + 1.0);
    let refused = app
        .post(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", slip.as_str()),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("的 3 倍") && refused.body.contains("href=\"#f-investment_to_date\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(&format!("value=\"{slip}\"")),
        "the typed figure is kept"
    );
    assert_eq!(app.versions().await, versions);
    // Above the total but within the multiple: filed, and the confirmation asks to check it.
    let high = format!("{:.2}", total * 1.5);
    let filed = app
        .post(
            "reporter",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", high.as_str()),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    assert_eq!(app.versions().await, versions + 1);
    let (landing, _) = filed.location.split_once('#').expect("an anchor");
    let landed = app.page("reporter", landing).await;
    assert!(
        landed.contains("请核实：累计完成投资") && landed.contains("超过项目总投资"),
        "{landed}"
    );
}

async fn a_report_outside_the_users_scope_is_refused_and_audited(app: &App) {
    let period = app.period.to_string();
    let project = app.project.id.0.to_string();
    let reply = app
        .post(
            "stranger",
            "/filing",
            &[
                ("project", project.as_str()),
                ("period", period.as_str()),
                ("investment_to_date", "100"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(!reply.body.contains(&app.project.name), "nothing leaks");
    assert_eq!(app.versions().await, 0);
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, o)| a == "access.denied" && o == &format!("project:{project}"))
    );
    // The form of another unit's project is not shown either.
    let form = app
        .get("stranger", &format!("/filing?project={project}"))
        .await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
    // A district reads compliance but does not file.
    assert_eq!(
        app.get("district", "/filing").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("district", "/compliance").await.status,
        StatusCode::OK
    );
}

// ---------------------------------------------------------------------------------------------
// 4. One tracked item's life.

async fn item_status(app: &App, who: &str, id: i64) -> String {
    let items = app
        .json(who, "/api/v1/items?per_page=100&as_of=2026-11-28")
        .await;
    array(&items, "items")
        .iter()
        .find(|i| i["id"] == id)
        .map(|i| i["status"].as_str().expect("status").to_string())
        .unwrap_or_else(|| panic!("item {id} visible to {who}"))
}

async fn a_tracked_item_goes_from_opened_to_verified_closure_over_http(app: &App) {
    let owner = app.project.district.0.to_string();
    let project = app.project.code.clone();
    // A form without a title is refused, naming it.
    let missing = app
        .post(
            "office",
            "/items",
            &[
                ("kind", "supervision"),
                ("owner", owner.as_str()),
                ("deadline", "2026-12-31"),
                ("detail", "x"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("事项标题不能为空"));
    // The office records a meeting decision for the district.
    let opened = app
        .post(
            "office",
            "/items",
            &[
                ("kind", "supervision"),
                ("source", "2021-W40"),
                ("title", "督办：某项目开工节点"),
                ("detail", "2021-W40调度会议定：倒排工期，按期开工。"),
                ("owner", owner.as_str()),
                ("project", project.as_str()),
                ("deadline", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let path = opened.location.clone();
    let id: i64 = path
        .trim_start_matches("/items/")
        .parse()
        .expect("an item id");
    let events = format!("{path}/events");
    assert_eq!(item_status(app, "district", id).await, "open");
    let page = app.page("district", &path).await;
    assert!(page.contains("申请办结"), "the owner is offered the claim");
    // Others outside the item see nothing, and the attempt is audited.
    let stranger = app.get("stranger", &path).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, o)| a == "access.denied" && o == &format!("item:{id}"))
    );

    let claim = |text: &'static str| {
        let events = events.clone();
        async move {
            app.post(
                "district",
                &events,
                &[("action", "claim_closure"), ("text", text)],
            )
            .await
        }
    };
    let r = claim("已开工，附开工令").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(item_status(app, "office", id).await, "awaiting_check");
    // The issuer rejects: the item reopens.
    let r = app
        .post(
            "office",
            &events,
            &[("action", "reject"), ("text", "现场未见施工")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(item_status(app, "office", id).await, "open");
    let r = claim("已进场施工，附照片编号 3 张").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The owner cannot verify its own closure.
    let r = app
        .post(
            "district",
            &events,
            &[("action", "verify"), ("text", "自查合格")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("只有交办单位可以复查"), "{}", r.body);
    // Nor extend it.
    let r = app
        .post(
            "district",
            &events,
            &[
                ("action", "extend"),
                ("to", "2027-03-01"),
                ("text", "需要更多时间"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("只有交办单位可以延期"), "{}", r.body);
    // An empty re-check note is refused by the engine.
    let r = app
        .post("office", &events, &[("action", "verify"), ("text", " ")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("说明不能为空"));
    let r = app
        .post(
            "office",
            &events,
            &[("action", "verify"), ("text", "复查合格")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(item_status(app, "district", id).await, "closed");
    let page = app.page("office", &path).await;
    for word in [
        "申请办结",
        "复查未通过",
        "复查通过",
        "已进场施工，附照片编号 3 张",
    ] {
        assert!(page.contains(word), "the history shows {word}");
    }
    let audited: Vec<String> = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(_, o)| o == &format!("item:{id}"))
        .map(|(a, _)| a)
        .collect();
    assert_eq!(
        audited,
        [
            "access.denied",
            "item.claim_closure",
            "item.reject",
            "item.claim_closure",
            "item.verify"
        ]
    );
    // The dispatch pack lists no closed item among the open supervision items.
    let pack = app.json("office", "/api/v1/dispatch?week=2026-W48").await;
    assert!(
        array(&pack, "open_supervision_items")
            .iter()
            .all(|i| i["id"] != id)
    );
    // A district cannot issue items.
    let r = app
        .post("district", "/items", &[("kind", "supervision")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

// ---------------------------------------------------------------------------------------------
// 5. Settings.

async fn warning_rules_are_refused_with_the_line_and_saved_as_a_new_version(app: &App) {
    let page = app.page("district", "/settings/warnings").await;
    assert!(page.contains("默认规则（尚未修改）") && !page.contains("校验并保存"));
    let broken = jianguan_domain::warnings::DEFAULT_RULES_TOML
        .replace("version = 1", "version = 2")
        .replace("days = 15", "days = \"fifteen\"");
    let line = broken
        .lines()
        .position(|l| l.contains("fifteen"))
        .expect("the broken line")
        + 1;
    let r = app
        .post(
            "office",
            "/settings/warnings",
            &[("rules", broken.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(&format!("第{line}行")), "{}", r.body);
    assert!(r.body.contains("正在执行的规则不变"));
    // Rungs out of order are refused too, and a version not raised.
    let unraised = jianguan_domain::warnings::DEFAULT_RULES_TOML.replace("days = 15", "days = 20");
    let r = app
        .post(
            "office",
            "/settings/warnings",
            &[("rules", unraised.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("第2行") && r.body.contains("version"),
        "{}",
        r.body
    );
    assert!(
        app.store
            .setting(jianguan_app::cadence::WARNING_RULES_KEY)
            .await
            .expect("reads")
            .is_none(),
        "nothing saved"
    );
    // A valid change is a new version, audited.
    let good = unraised.replace("version = 1", "version = 2");
    let r = app
        .post("office", "/settings/warnings", &[("rules", good.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let saved = app
        .store
        .setting(jianguan_app::cadence::WARNING_RULES_KEY)
        .await
        .expect("reads")
        .expect("saved");
    assert_eq!(saved.version, 1);
    assert_eq!(saved.saved_by, "office");
    let page = app.page("leader", "/settings/warnings").await;
    assert!(page.contains("第 1 版") && page.contains("逾期 ≥ 20 天"));
    assert!(page.contains("rules-history"));
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, _)| a == "settings.warning_rules")
    );
    // Only the office changes the rules.
    let r = app
        .post(
            "district",
            "/settings/warnings",
            &[("rules", good.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

// ---------------------------------------------------------------------------------------------
// 6. Quarterly analysis.

async fn quarterly_analysis_renders_with_charts_and_tables(app: &App) {
    let html = app.page("leader", "/quarterly?q=2021-Q3").await;
    assert!(html.contains("2021年第三季度分析"));
    assert!(html.contains("季初（2021年6月30日）与季末（2021年9月30日）"));
    assert!(html.matches("<svg").count() >= 2, "trend and bar charts");
    for id in [
        "categories-table",
        "districts-table",
        "lead-units-table",
        "movers-table",
    ] {
        assert!(html.contains(id), "{id}");
    }
    assert!(html.contains("个百分点"));
    assert!(html.contains("href=\"/quarterly?q=2021-Q2\""));
    let district = app.page("district", "/quarterly?q=2021-Q3").await;
    assert!(district.contains("按您单位的范围统计"));
    let bad = app.get("leader", "/quarterly?q=2021-Q9").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------------------------------------
// 7. Navigation.

async fn navigation_shows_only_the_pages_a_role_may_open(app: &App) {
    let nav = |html: &str| {
        let start = html
            .find("<nav class=\"sidenav\"")
            .expect("side navigation");
        let end = html[start..].find("</nav>").expect("its end") + start;
        html[start..end].to_string()
    };
    let leader = nav(&app.page("leader", "/").await);
    for label in [
        "总览", "项目", "报送", "调度", "警示", "督办", "分析", "设置",
    ] {
        assert!(
            leader.contains(&format!(">{label}</a>")),
            "leader sees {label}"
        );
    }
    assert!(!leader.contains(">填报</a>"), "the leader does not file");
    let reporter = nav(&app.page("reporter", "/filing").await);
    assert!(reporter.contains(">填报</a>"));
    assert!(
        !reporter.contains(">调度</a>"),
        "responsible units are not at the meeting"
    );
}

// ---------------------------------------------------------------------------------------------
// 8. 督办 and 约谈 proposals, issued or dismissed by the office.

/// The proposal keys listed on the `/acts` page, in order.
fn proposal_keys(html: &str) -> Vec<String> {
    html.match_indices("name=\"key\" value=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').expect("quoted")].to_string()
        })
        .step_by(2) // each proposal has an issue form and a dismiss form
        .collect()
}

async fn the_office_issues_or_dismisses_the_acts_the_rules_propose(app: &App) {
    // Only those who may open items see or decide proposals.
    assert_eq!(
        app.get("district", "/acts").await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(
            "district",
            "/acts/dismiss",
            &[("key", "x"), ("reason", "y")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let html = app.page("office", "/acts").await;
    assert!(html.contains("督办约谈建议"));
    let keys = proposal_keys(&html);
    assert!(
        keys.len() >= 2,
        "the demo's unfinished projects are proposed 督办"
    );
    assert!(
        keys.iter()
            .all(|k| k.starts_with("supervision:project:") || k.starts_with("summons:"))
    );
    let items_before = app.store.load_cadence().await.unwrap().items.len();

    // Refusals name the field and store nothing.
    let r = app
        .post(
            "office",
            "/acts/issue",
            &[
                ("key", keys[0].as_str()),
                ("document_number", " "),
                ("deadline", "2026-12-12"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("文号不能为空"), "{}", r.body);
    let r = app
        .post(
            "office",
            "/acts/dismiss",
            &[("key", keys[1].as_str()), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不予签发理由不能为空"), "{}", r.body);
    let r = app
        .post(
            "office",
            "/acts/issue",
            &[
                ("key", "supervision:project:0"),
                ("document_number", "1号"),
                ("deadline", "2026-12-12"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不在待签发之列"), "{}", r.body);
    assert_eq!(
        app.store.load_cadence().await.unwrap().items.len(),
        items_before
    );

    // Issued: a tracked item with its document, audited; no longer proposed.
    let r = app
        .post(
            "office",
            "/acts/issue",
            &[
                ("key", keys[0].as_str()),
                ("document_number", "建管督〔2026〕1号"),
                ("deadline", "2026-12-12"),
                ("detail", "限期完成"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let records = app.store.load_cadence().await.unwrap();
    assert_eq!(records.items.len(), items_before + 1);
    let issued = records.items.last().unwrap();
    assert_eq!(
        issued.kind,
        jianguan_domain::followup::ItemKind::Supervision
    );
    let act = issued.act.as_ref().expect("issued with its document");
    assert_eq!(act.document_number, "建管督〔2026〕1号");
    assert_eq!(act.proposal.as_deref(), Some(keys[0].as_str()));
    let page = app.page("office", &format!("/items/{}", issued.id.0)).await;
    assert!(
        page.contains("建管督〔2026〕1号") && page.contains("涉及项目"),
        "{page}"
    );
    // Dismissed: kept with who and why, audited; no longer proposed.
    let r = app
        .post(
            "office",
            "/acts/dismiss",
            &[
                ("key", keys[1].as_str()),
                ("reason", "已列入调度会议定事项"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let records = app.store.load_cadence().await.unwrap();
    assert_eq!(records.dismissals.len(), 1);
    assert_eq!(records.dismissals[0].by, "office");
    assert_eq!(records.dismissals[0].key, keys[1]);
    let actions = app.audit_actions().await;
    assert!(
        actions
            .iter()
            .any(|(a, o)| a == "act.issue" && o.ends_with(&keys[0]))
    );
    assert!(
        actions
            .iter()
            .any(|(a, o)| a == "act.dismiss" && o.ends_with(&keys[1]))
    );
    let after = proposal_keys(&app.page("office", "/acts").await);
    assert!(!after.contains(&keys[0]) && !after.contains(&keys[1]));
    assert_eq!(after.len(), keys.len() - 2);
}
