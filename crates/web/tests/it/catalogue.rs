//! The office's catalogue and projects made by hand, through the real router on both backends:
//! a saved template is version 2 in the list and the history and no project's milestones
//! change; a template whose shares add up to 95 is refused with the message, the input kept and
//! nothing stored; a district cannot open or save another district's project (404, audited) nor
//! make one outside its district; a project made by hand is listed, with milestones derived from
//! its category's template.

use crate::common::*;
use axum::http::StatusCode;
use jianguan_domain::coords::CoordinateSystem;
use jianguan_domain::model::{GeoPoint, Milestone, PlanStatus, ProjectId, UnitKind};
use jianguan_domain::store::{RecordScope, ReportVersions};

/// The form of category 1 (the demo's 老旧小区改造) with `shares` and `name`.
fn category_form(app: &App, name: &str, shares: [u32; 10]) -> Vec<(String, String)> {
    let c = &app.city.categories[0];
    let mut fields = vec![
        ("version".to_string(), c.template_version.to_string()),
        ("name".to_string(), name.to_string()),
        ("sub_hq".to_string(), c.sub_hq.to_string()),
        ("lead_unit".to_string(), c.lead_unit.to_string()),
        ("rows".to_string(), (c.template.len() + 1).to_string()),
    ];
    for (i, (step, share)) in c.template.iter().zip(shares).enumerate() {
        fields.push((format!("name_{i}"), step.name.clone()));
        fields.push((format!("weight_{i}"), step.weight.to_string()));
        fields.push((format!("share_{i}"), share.to_string()));
        fields.push((
            format!("enters_{i}"),
            step.enters
                .map(|e| e.code().to_string())
                .unwrap_or_default(),
        ));
    }
    // A spare row left empty.
    let spare = c.template.len();
    for field in ["name", "weight", "share", "enters"] {
        fields.push((format!("{field}_{spare}"), String::new()));
    }
    fields
}

async fn post(app: &App, who: &str, path: &str, fields: &[(String, String)]) -> Reply {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post(who, path, &fields).await
}

async fn milestones(app: &App) -> Vec<Vec<Milestone>> {
    app.store
        .load_portfolio()
        .await
        .expect("reads")
        .projects
        .iter()
        .map(|p| p.milestones.clone())
        .collect()
}

async fn the_office_saves_a_template_as_version_2_and_no_plan_changes(app: &App) {
    let form = app.get("office", "/categories/1/edit").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("name=\"share_6\" value=\"60\""),
        "{}",
        form.body
    );
    let before = milestones(app).await;
    let fields = category_form(app, "老旧小区综合改造", [0, 0, 0, 0, 0, 10, 50, 25, 10, 5]);
    let r = post(app, "office", "/categories/1/edit", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, "/categories?saved=1");
    let list = app.page("office", "/categories?saved=1").await;
    assert!(list.contains("已保存「老旧小区综合改造」"), "{list}");
    assert!(list.contains("第 2 版"), "{list}");
    assert!(list.contains("开工 10%/10%"), "{list}");
    let history = app.page("office", "/categories/1/history").await;
    assert!(history.contains("第 2 版"), "{history}");
    assert!(history.contains("老旧小区综合改造"), "{history}");
    assert_eq!(
        milestones(app).await,
        before,
        "no project's milestones changed"
    );
    let actions = app.audit_actions().await;
    assert!(
        actions
            .iter()
            .any(|(a, o)| a == "category.save" && o == "category:1"),
        "{actions:?}"
    );
    // The leader reads the catalogue but may not change it.
    assert_eq!(
        app.get("leader", "/categories").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("leader", "/categories/1/edit").await.status,
        StatusCode::FORBIDDEN
    );
    // A new category from the form: a generated code, version 1.
    let mut fields = category_form(app, "口袋公园", [0, 0, 0, 0, 0, 0, 60, 25, 10, 5]);
    fields.retain(|(k, _)| k != "version");
    let r = post(app, "office", "/categories/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = app.page("office", "/categories").await;
    assert!(list.contains("口袋公园"), "{list}");
    assert!(
        list.contains(&format!("category_{}", app.city.categories.len() + 1)),
        "{list}"
    );
}

async fn a_template_whose_shares_add_to_95_is_refused_and_nothing_stored(app: &App) {
    let version = app.store.data_version().await.expect("version");
    let fields = category_form(app, "老旧小区改造（新）", [0, 0, 0, 0, 0, 0, 55, 25, 10, 5]);
    let r = post(app, "office", "/categories/1/edit", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("各节点工期占比之和须为 100，现为 95"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"老旧小区改造（新）\""),
        "the input is kept"
    );
    assert!(
        r.body.contains("name=\"share_6\" value=\"55\""),
        "the rows are kept"
    );
    assert_eq!(app.store.data_version().await.expect("version"), version);
    let c = &app.store.load_portfolio().await.expect("reads").categories[0];
    assert_eq!(c, &app.city.categories[0], "nothing stored");
    // A deleted row is left out: deleting 移交管养 (share 5) leaves 95 too.
    let mut fields = category_form(app, "老旧小区改造", [0, 0, 0, 0, 0, 0, 60, 25, 10, 5]);
    fields.push(("delete_9".into(), "1".into()));
    let r = post(app, "office", "/categories/1/edit", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("现为 95"), "{}", r.body);
    assert!(
        r.body.contains("各节点权重之和须为 100，现为 90"),
        "{}",
        r.body
    );
}

async fn a_district_edits_only_its_own_projects(app: &App) {
    let own = &app.project;
    let other = app
        .city
        .projects
        .iter()
        .find(|p| p.district != own.district)
        .expect("another district's project");
    let r = app
        .get("district", &format!("/projects/{}/edit", own.id))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("年度计划已批准"),
        "the demo's plans are approved"
    );
    let denied = app
        .audit_actions()
        .await
        .iter()
        .filter(|(a, _)| a == "access.denied")
        .count();
    let r = app
        .get("district", &format!("/projects/{}/edit", other.id))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains(&other.name));
    let version = app.store.data_version().await.expect("version");
    let r = app
        .post(
            "district",
            &format!("/projects/{}/edit", other.id),
            &[("name", "改名")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let after = app
        .audit_actions()
        .await
        .iter()
        .filter(|(a, _)| a == "access.denied")
        .count();
    assert_eq!(after, denied + 2, "both refusals audited");
    assert_eq!(app.store.data_version().await.expect("version"), version);
    // A reporter may not edit projects at all.
    let r = app
        .get("reporter", &format!("/projects/{}/edit", own.id))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Its own project: the name changes, the approved baseline stays.
    let mut fields: Vec<(String, String)> = vec![
        ("name".into(), format!("{}（一期）", own.name)),
        ("category".into(), own.category.to_string()),
        ("district".into(), own.district.to_string()),
        ("street".into(), own.street.clone()),
        ("lead_unit".into(), own.lead_unit.to_string()),
        ("responsible_unit".into(), own.responsible_unit.to_string()),
        ("sub_hq".into(), own.sub_hq.to_string()),
        ("build_type".into(), own.build_type.code().into()),
        (
            "total_investment".into(),
            format!("{}", own.total_investment.wan()),
        ),
        ("funding_source".into(), own.funding_source.clone()),
        ("milestones".into(), own.milestones.len().to_string()),
    ];
    let plan = own.year_plans.last().expect("a plan");
    fields.push(("plan_year".into(), plan.year.to_string()));
    fields.push(("plan_kind".into(), plan.kind.code().into()));
    fields.push((
        "planned_investment".into(),
        format!("{}", plan.planned_investment.wan()),
    ));
    if let Some(l) = own.location {
        fields.push(("lon".into(), l.lon.to_string()));
        fields.push(("lat".into(), l.lat.to_string()));
    }
    let r = post(
        app,
        "district",
        &format!("/projects/{}/edit", own.id),
        &fields,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let stored = app
        .store
        .load_project(own.id, RecordScope::All, ReportVersions::All)
        .await
        .expect("reads")
        .expect("exists")
        .project;
    assert_eq!(stored.name, format!("{}（一期）", own.name));
    assert_eq!(stored.milestones, own.milestones, "the baseline is kept");
    // Moving it into another district is refused: it would leave the district's scope.
    let mut moved = fields.clone();
    moved.retain(|(k, _)| k != "district");
    moved.push(("district".into(), other.district.to_string()));
    let r = post(
        app,
        "district",
        &format!("/projects/{}/edit", own.id),
        &moved,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("管辖范围"), "{}", r.body);
}

fn new_project(app: &App, name: &str, district: i64) -> Vec<(String, String)> {
    let c = &app.city.categories[0];
    let responsible = app
        .city
        .units_of(UnitKind::ResponsibleUnit)
        .next()
        .expect("a responsible unit");
    vec![
        ("name".into(), name.into()),
        ("category".into(), c.id.to_string()),
        ("district".into(), district.to_string()),
        ("street".into(), "映湖街道".into()),
        ("lead_unit".into(), String::new()),
        ("responsible_unit".into(), responsible.id.to_string()),
        ("sub_hq".into(), String::new()),
        ("build_type".into(), "renovation".into()),
        ("total_investment".into(), "1250.5".into()),
        ("funding_source".into(), "区县财政".into()),
        ("lon".into(), "118.0894".into()),
        ("lat".into(), "24.4798".into()),
        ("plan_year".into(), "2021".into()),
        ("plan_kind".into(), "construction".into()),
        ("planned_investment".into(), "800".into()),
        ("start".into(), "2021-03-01".into()),
        ("completion".into(), "2021-12-01".into()),
        ("milestones".into(), "0".into()),
    ]
}

async fn a_project_made_by_hand_is_listed_with_derived_milestones(app: &App) {
    let form = app.get("office", "/projects/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let list = app.page("office", "/projects").await;
    assert!(
        list.contains("href=\"/projects/new\""),
        "a link from the list"
    );
    let district = app.project.district;
    let fields = new_project(app, "映湖区手工录入测试小区改造", district.0);
    let r = post(app, "office", "/projects/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location
        .strip_prefix("/projects/")
        .and_then(|id| id.parse().ok())
        .expect("redirected to the project");
    let project = app
        .store
        .load_project(ProjectId(id), RecordScope::All, ReportVersions::All)
        .await
        .expect("reads")
        .expect("exists")
        .project;
    assert_eq!(project.code, "2021-XM-0001");
    assert_eq!(project.lead_unit, app.city.categories[0].lead_unit);
    assert_eq!(project.year_plans[0].status, PlanStatus::Draft);
    assert_eq!(
        project.milestones.len(),
        app.city.categories[0].template.len()
    );
    assert!(project.milestones.iter().all(|m| m.derived));
    assert_eq!(
        project.milestones.last().map(|m| m.planned),
        Some(jiff::civil::date(2021, 12, 1))
    );
    assert_eq!(
        project.milestones[5].planned,
        jiff::civil::date(2021, 3, 1),
        "开工 on the start"
    );
    let list = app
        .page("office", &format!("/projects?q={}", enc("手工录入测试")))
        .await;
    assert!(list.contains("映湖区手工录入测试小区改造"), "{list}");
    let page = app.page("office", &format!("/projects/{id}")).await;
    assert!(
        page.contains(&format!("/projects/{id}/edit")),
        "a link to edit"
    );

    // A district makes one in its own district, not in another.
    let other = app
        .city
        .units_of(UnitKind::District)
        .find(|u| u.id != district)
        .expect("another district")
        .id;
    let version = app.store.data_version().await.expect("version");
    let fields = new_project(app, "越界项目", other.0);
    let r = post(app, "district", "/projects/new", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("管辖范围"), "{}", r.body);
    assert!(r.body.contains("value=\"越界项目\""), "the input is kept");
    assert_eq!(app.store.data_version().await.expect("version"), version);
    let fields = new_project(app, "区内项目", district.0);
    let r = post(app, "district", "/projects/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Bad coordinates are named.
    let mut fields = new_project(app, "坐标错误", district.0);
    fields.retain(|(k, _)| k != "lon");
    fields.push(("lon".into(), "24.4798".into()));
    let r = post(app, "office", "/projects/new", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("经度：须在 73–136 之间"), "{}", r.body);
}

async fn a_location_typed_from_a_phone_map_is_stored_in_wgs84(app: &App) {
    let form = app.get("office", "/projects/new").await;
    assert!(
        form.body.contains("name=\"coordinates\"") && form.body.contains("value=\"gcj02\""),
        "the form asks for the coordinate system"
    );
    let typed = GeoPoint {
        lon: 118.0894,
        lat: 24.4798,
    };
    let mut fields = new_project(app, "高德坐标项目", app.project.district.0);
    fields.push(("coordinates".into(), "gcj02".into()));
    let r = post(app, "office", "/projects/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location
        .strip_prefix("/projects/")
        .and_then(|id| id.parse().ok())
        .expect("redirected to the project");
    let project = app
        .store
        .load_project(ProjectId(id), RecordScope::All, ReportVersions::All)
        .await
        .expect("reads")
        .expect("exists")
        .project;
    assert_eq!(
        project.location,
        Some(CoordinateSystem::Gcj02.to_wgs84(typed))
    );
    // A pair typed the wrong way round is named as such, and nothing is stored.
    let version = app.store.data_version().await.expect("version");
    let mut fields = new_project(app, "坐标填反", app.project.district.0);
    fields.retain(|(k, _)| k != "lon" && k != "lat");
    fields.push(("lon".into(), "24.4798".into()));
    fields.push(("lat".into(), "118.0894".into()));
    fields.push(("coordinates".into(), "gcj02".into()));
    let r = post(app, "office", "/projects/new", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("经度：经纬度可能填反了"), "{}", r.body);
    assert!(
        r.body.contains("<option value=\"gcj02\" selected>"),
        "the system chosen is kept"
    );
    assert_eq!(app.store.data_version().await.expect("version"), version);
    // The ledger export writes another system on request and refuses an unknown one.
    let export = app
        .get("office", "/ledger/export.xlsx?coordinates=gcj02")
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let bad = app
        .get("office", "/ledger/export.xlsx?coordinates=mars")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

scenarios!([
    the_office_saves_a_template_as_version_2_and_no_plan_changes,
    a_template_whose_shares_add_to_95_is_refused_and_nothing_stored,
    a_district_edits_only_its_own_projects,
    a_project_made_by_hand_is_listed_with_derived_milestones,
    a_location_typed_from_a_phone_map_is_stored_in_wgs84,
]);
