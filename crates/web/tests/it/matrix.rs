//! The authorization matrix, generated from the declarations: every role (and an anonymous
//! caller) × every declared route × own/other scope, asserting allow or deny as the policy table
//! says — and that a denial returns no data, changes nothing and is audited. The router is built
//! only from `routes::routes()`, so no route can exist outside this matrix.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jianguan_access::Role;
use jianguan_access::policy;
use jianguan_domain::followup::{EscalationLevel, ItemId, ItemKind, TrackedItem};
use jianguan_domain::model::{Portfolio, ProgressReport, Project, ReportId};
use jianguan_domain::store::prelude::*;
use jianguan_domain::store::{Actor, CadenceWrite, PhotoRef, SessionRecord};
use jianguan_web::routes::{self, Access};
use tower::ServiceExt;

/// A project and another that differs from it on every scope axis.
fn own_and_other(city: &Portfolio) -> (&Project, &Project) {
    let own = &city.projects[0];
    let other = city
        .projects
        .iter()
        .find(|p| {
            p.district != own.district
                && p.sub_hq != own.sub_hq
                && p.lead_unit != own.lead_unit
                && p.responsible_unit != own.responsible_unit
                && p.category != own.category
        })
        .expect("a project outside every scope of the first");
    (own, other)
}

/// The unit an account of `role` belongs to, in the scope of `own`.
fn unit_for(role: Role, own: &Project, city: &Portfolio) -> jianguan_domain::model::UnitId {
    let hq = city
        .units_of(jianguan_domain::model::UnitKind::CommandHq)
        .next()
        .expect("a command office")
        .id;
    match role {
        Role::SubHqStaff => own.sub_hq,
        Role::LeadUnitStaff => own.lead_unit,
        Role::DistrictStaff => own.district,
        Role::UnitReporter => own.responsible_unit,
        _ => hq,
    }
}

/// Whether a role's scope covers every project (so "other" records are visible too).
fn sees_all(role: Role) -> bool {
    matches!(role, Role::HqLeader | Role::HqOffice)
}

/// A tracked item about `project`, owned by its responsible unit and issued by its sub-HQ.
fn item_about(project: &Project) -> TrackedItem {
    TrackedItem {
        id: ItemId(0),
        kind: ItemKind::Coordination,
        title: format!("{}：需协调", project.name),
        detail: "需铁路部门配合".into(),
        project: Some(project.id),
        district: Some(project.district),
        owner: project.responsible_unit,
        issuer: project.sub_hq,
        bodies: vec!["铁路".into()],
        topic: "审批手续".into(),
        source: "进度填报第20期".into(),
        opened_on: jiff::civil::date(2021, 10, 1),
        deadline: jiff::civil::date(2021, 10, 31),
        level: EscalationLevel::District,
        events: Vec::new(),
        act: None,
    }
}

/// The bytes of the photo both projects' reports carry: a PNG signature is all the server checks.
const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

fn photo_sha() -> String {
    use sha2::Digest;
    sha2::Sha256::digest(PHOTO)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Files a correction of `project`'s latest report carrying [`PHOTO`].
async fn file_photo(db: &jianguan_store::Db, city: &Portfolio, project: &Project) {
    let latest = city
        .reports
        .iter()
        .filter(|r| r.project == project.id)
        .max_by_key(|r| (r.period, r.version))
        .expect("the project has reports");
    let report = ProgressReport {
        id: ReportId(0),
        version: latest.version + 1,
        milestones_reached: Vec::new(),
        correction_reason: Some("附现场照片".into()),
        ..latest.clone()
    };
    let audit = jianguan_audit::AuditDraft {
        at_ms: 0,
        actor: "t".into(),
        unit: None,
        action: "report.file".into(),
        object: String::new(),
        result: jianguan_audit::Outcome::Success,
        client: None,
        changes: vec![],
    };
    let photo = PhotoRef {
        sha256: photo_sha(),
        mime: "image/png".into(),
        bytes: PHOTO.len() as i64,
    };
    db.file_report(&report, &[photo], &audit, &[], &[])
        .await
        .expect("a report with a photo");
}

/// The concrete paths of a route pattern: (scope label, path). `items` are the ids of the
/// items about the own and the other project.
fn paths(
    pattern: &str,
    own: &Project,
    other: &Project,
    account: i64,
    items: (ItemId, ItemId),
) -> Vec<(&'static str, String)> {
    let fill = |p: &Project| {
        let item = if p.id == own.id { items.0 } else { items.1 };
        pattern
            .replace("/admin/users/{id}", &format!("/admin/users/{account}"))
            .replace("/items/{id}", &format!("/items/{item}"))
            .replace(
                "/assessment/units/{id}",
                &format!("/assessment/units/{}", p.district),
            )
            .replace("/assessment/objections/{id}", "/assessment/objections/1")
            .replace("/plans/changes/{id}", "/plans/changes/1")
            .replace("/wall/links/{id}", "/wall/links/1")
            .replace("/indicators/{code}", "/indicators/node_completion")
            .replace("{sha256}", &photo_sha())
            .replace("/projects/{id}", &format!("/projects/{}", p.id))
            .replace("/districts/{id}", &format!("/districts/{}", p.district))
            .replace("/categories/{id}", &format!("/categories/{}", p.category))
            .replace("{*path}", "app.css")
            .replace("{token}", "0000")
            .replace("/org/units/{id}", &format!("/org/units/{}", p.district))
    };
    if pattern.contains("{id}")
        && !pattern.starts_with("/admin/")
        && !pattern.starts_with("/assessment/objections/")
        && !pattern.starts_with("/plans/changes/")
        && !pattern.starts_with("/wall/links/")
    {
        vec![("own", fill(own)), ("other", fill(other))]
    } else {
        vec![("any", fill(own))]
    }
}

async fn call(
    app: &Router,
    method: &str,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    if method == "POST" {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let body = if path == "/login" && method == "POST" {
        Body::from("username=nobody&password=Wrong%23Password99")
    } else {
        Body::from("")
    };
    let response = app
        .clone()
        .oneshot(request.body(body).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn denials(db: &jianguan_store::Db) -> usize {
    db.audit_records(0, i64::MAX)
        .await
        .expect("audit")
        .iter()
        .filter(|r| r.action == "access.denied")
        .count()
}

#[tokio::test]
async fn every_role_on_every_route_is_allowed_or_denied_as_the_policy_declares() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = jianguan_store::open(dir.path().join("m.db").to_str().expect("utf-8"))
        .await
        .expect("open");
    let city = jianguan_demo::demo_city();
    db.create_portfolio(
        &city,
        &Actor {
            name: "t".into(),
            client: None,
        },
        &|_, _| {},
    )
    .await
    .expect("demo city");
    let (own, other) = own_and_other(&city);
    // One account and session per role (sessions made directly: login itself is tested in
    // tests/auth.rs, and administrators would need their second factor here).
    let mut cookies = Vec::new();
    for role in Role::ALL {
        let name = format!("m_{}", role.code());
        let id = jianguan_app::accounts::create_account(
            &db,
            jianguan_app::Clock::system(),
            "t",
            jianguan_app::accounts::NewAccount {
                username: &name,
                display_name: &name,
                unit: Some(unit_for(role, own, &city)),
                roles: &[role],
                password: "Yinghu#Spring2021",
                totp_secret: None,
            },
        )
        .await
        .expect("account");
        let account = db.account(id).await.expect("reads").expect("exists");
        let token = format!("token-{}", role.code());
        let now = jianguan_app::clock::system_now_ms();
        let session = SessionRecord {
            token_hash: jianguan_web::auth::token_hash(&token),
            account_id: id,
            created_at_ms: now,
            last_seen_ms: now,
        };
        let record = jianguan_audit::AuditDraft {
            at_ms: now,
            actor: name.clone(),
            unit: None,
            action: "login.success".into(),
            object: format!("account:{id}"),
            result: jianguan_audit::Outcome::Success,
            client: None,
            changes: vec![],
        };
        db.record_login(&account, Some(&session), &record)
            .await
            .expect("session");
        cookies.push((role, format!("jg_session={token}")));
    }
    // The account the administrator routes act on.
    let target = jianguan_app::accounts::create_account(
        &db,
        jianguan_app::Clock::system(),
        "t",
        jianguan_app::accounts::NewAccount {
            username: "m_target",
            display_name: "m_target",
            unit: None,
            roles: &[],
            password: "Yinghu#Spring2021",
            totp_secret: None,
        },
    )
    .await
    .expect("target account");
    // A tracked item in the scope of the own project and one outside every scope of it.
    let items = db
        .record_cadence(
            &CadenceWrite {
                new_items: vec![item_about(own), item_about(other)],
                ..CadenceWrite::default()
            },
            &[],
        )
        .await
        .expect("items");
    let items = (items[0], items[1]);
    // A photo on a report of each project, stored where the server keeps photos.
    file_photo(&db, &city, own).await;
    file_photo(&db, &city, other).await;
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(&photos).expect("photo dir");
    std::fs::write(photos.join(photo_sha()), PHOTO).expect("photo file");
    let state = jianguan_web::AppState::with_today(Arc::new(db.clone()), || {
        jiff::civil::date(2026, 11, 28)
    });
    state.set_photo_dir(photos);
    let app = jianguan_web::router(state);
    let version = db.data_version().await.expect("version");

    let mut cells = 0;
    let specs = routes::specs();
    for spec in &specs {
        for (scope, path) in paths(spec.path, own, other, target, items) {
            // Anonymous.
            let (status, _) = call(&app, spec.method.as_str(), &path, None).await;
            match spec.access {
                // (A wrong password at POST /login is a 401 of its own, not a refusal.)
                Access::Public => assert!(
                    status != StatusCode::FORBIDDEN
                        && (status != StatusCode::UNAUTHORIZED || path == "/login"),
                    "anonymous {} {path}: {status}",
                    spec.method
                ),
                // The first-run page is gone once a city exists.
                Access::FirstRun => assert_eq!(status, StatusCode::NOT_FOUND, "anonymous {path}"),
                // In-process requests are local: the administrators' network.
                Access::AdminNetwork => assert_eq!(status, StatusCode::OK, "anonymous {path}"),
                _ if path.starts_with("/api/") => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {path}")
                }
                _ => assert_eq!(status, StatusCode::SEE_OTHER, "anonymous {path} → login"),
            }
            cells += 1;
            if spec.path == "/login" || spec.path == "/logout" {
                // Login and logout change sessions by design; their behaviour is in auth.rs.
                continue;
            }
            for (role, cookie) in &cookies {
                cells += 1;
                let before = denials(&db).await;
                let (status, body) = call(&app, spec.method.as_str(), &path, Some(cookie)).await;
                if spec.access == Access::FirstRun {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{} {path}", role.code());
                    continue;
                }
                let allowed = match spec.access {
                    Access::Public | Access::SignedIn | Access::FirstRun | Access::AdminNetwork => {
                        true
                    }
                    Access::Policy(resource, action) => policy::allows(*role, resource, action),
                };
                let who = format!("{} {} {path} ({scope})", role.code(), spec.method);
                if !allowed {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
                    assert!(
                        !body.contains(&own.name) && !body.contains(&other.name),
                        "{who}: a denial shows no data"
                    );
                    assert_eq!(
                        denials(&db).await,
                        before + 1,
                        "{who}: the denial is audited"
                    );
                    continue;
                }
                // Records by id (projects, tracked items) outside the scope are not found.
                let project_route =
                    spec.path.contains("/projects/{id}") || spec.path.contains("/items/{id}");
                if project_route && scope == "other" && !sees_all(*role) {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{who}: outside the scope");
                    assert!(!body.contains(&other.name), "{who}: nothing leaks");
                    assert_eq!(denials(&db).await, before + 1, "{who}: audited");
                } else if spec.path == "/" {
                    // Each user's home: the overview, or a redirect to the page their work is on.
                    assert!(
                        matches!(status, StatusCode::OK | StatusCode::SEE_OTHER),
                        "{who}: {status}"
                    );
                } else if (spec.path == "/districts/{id}" || spec.path == "/categories/{id}")
                    && scope == "other"
                    && !sees_all(*role)
                {
                    // A district or category holding nothing the reader may see is refused
                    // (无权查看) rather than shown as zeros; one holding some of their projects opens.
                    assert!(
                        matches!(status, StatusCode::OK | StatusCode::FORBIDDEN),
                        "{who}: {status}"
                    );
                    assert!(
                        !body.contains(&other.name),
                        "{who}: other units' data hidden"
                    );
                } else if spec.path == "/ledger/import/report/{token}"
                    || spec.path == "/wall/k/{token}"
                {
                    // No upload holds that token, no wall link has it: nothing to show.
                    assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
                } else if spec.method == "POST" {
                    // An allowed form post (empty here) answers with the page (200, or 422
                    // with the form's errors) or a redirect back to it.
                    assert!(
                        matches!(
                            status,
                            StatusCode::OK
                                | StatusCode::SEE_OTHER
                                | StatusCode::UNPROCESSABLE_ENTITY
                        ),
                        "{who}: {status}"
                    );
                } else {
                    assert_eq!(status, StatusCode::OK, "{who}");
                    if scope == "other" && !sees_all(*role) {
                        assert!(
                            !body.contains(&other.name),
                            "{who}: other units' data hidden"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(
        db.data_version().await.expect("version"),
        version,
        "no request changed the campaign data"
    );
    // Methods not declared for a path are not served.
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("/api/v1/projects/{}", own.id),
        Some(&cookies[0].1),
    )
    .await;
    assert!(
        matches!(
            status,
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND
        ),
        "DELETE is not a declared route: {status}"
    );
    println!(
        "authorization matrix: {} roles + anonymous × {} routes × own/other = {cells} checked cells",
        Role::ALL.len(),
        specs.len()
    );
}
