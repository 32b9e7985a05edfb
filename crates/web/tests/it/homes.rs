//! Each role lands where its work is (`GET /`), is offered only the pages it may use, and is
//! told it may not see a district or category outside its scope instead of shown zeros.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jianguan_access::Role;
use jianguan_domain::model::UnitKind;

use crate::common::*;

scenarios!([
    every_role_lands_on_its_own_home,
    a_district_liaison_may_not_open_another_district_or_choose_it_in_a_filter,
    administrators_move_between_their_own_pages,
]);

async fn get_with(app: &App, cookie: &str, path: &str) -> Reply {
    app.send(
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

async fn every_role_lands_on_its_own_home(app: &App) {
    // The overview, served at `/` itself, for the HQ and a campaign line.
    for who in ["leader", "office", "subhq"] {
        let r = app.get(who, "/").await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.location);
        assert!(
            r.body.contains(">总览</a>"),
            "{who}: the home entry is 总览"
        );
    }
    // A district liaison: their district, the as-of date kept.
    let r = app.get("district", "/?year=2021&as_of=2021-10-31").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location,
        format!(
            "/districts/{}?year=2021&as_of=2021-10-31",
            app.project.district
        )
    );
    let district = app.page("district", &r.location).await;
    assert!(district.contains(">首页</a>"), "the home entry is 首页");
    // A reporter: the projects due this period; no separate home entry beside 填报.
    let r = app.get("reporter", "/").await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/filing")
    );
    let filing = app.page("reporter", "/filing").await;
    assert!(filing.contains("本期应报项目"), "{filing}");
    let side = &filing[filing.find("<nav class=\"sidenav\"").expect("navigation")..];
    let side = &side[..side.find("</nav>").expect("its end")];
    assert!(
        !side.contains(">总览</a>") && !side.contains(">首页</a>"),
        "{side}"
    );
    // A lead unit: its category when it leads exactly one, else the overview.
    let lead = app.project.lead_unit;
    let led: Vec<_> = app
        .city
        .categories
        .iter()
        .filter(|c| c.lead_unit == lead)
        .collect();
    let cookie = session(app.store.as_ref(), "bureau", lead, Role::LeadUnitStaff).await;
    let r = get_with(app, &cookie, "/").await;
    if let [only] = led.as_slice() {
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location, format!("/categories/{}", only.id));
    } else {
        assert_eq!(r.status, StatusCode::OK, "{} categories led", led.len());
    }
    // Administrators: their own pages, not a 403 — and no denial written for it.
    let before = app.audit_actions().await.len();
    for (name, role, home) in [
        ("sysadm", Role::SystemAdmin, "/admin/users"),
        ("secadm", Role::SecurityAdmin, "/admin/users"),
        ("auditadm", Role::AuditAdmin, "/audit"),
    ] {
        let cookie = admin_session(app.store.as_ref(), name, role).await;
        let r = get_with(app, &cookie, "/").await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, home),
            "{name}"
        );
        let page = get_with(app, &cookie, home).await;
        assert_eq!(page.status, StatusCode::OK, "{name} opens {home}");
    }
    let denials = app
        .audit_actions()
        .await
        .into_iter()
        .skip(before)
        .filter(|(action, _)| action == "access.denied")
        .count();
    assert_eq!(denials, 0, "landing writes no denial");
}

async fn a_district_liaison_may_not_open_another_district_or_choose_it_in_a_filter(app: &App) {
    let own = app.project.district;
    let other = app
        .city
        .units_of(UnitKind::District)
        .find(|u| u.id != own)
        .expect("another district");
    let r = app
        .get("district", &format!("/districts/{}", other.id))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("无权查看"), "{}", r.body);
    assert!(r.body.contains(&other.name), "names the district");
    // Their own district opens; the HQ opens any.
    app.page("district", &format!("/districts/{own}")).await;
    app.page("leader", &format!("/districts/{}", other.id))
        .await;
    // The filters offer only what the liaison can see.
    let option = |id: jianguan_domain::model::UnitId| format!("<option value=\"{id}\"");
    for path in ["/projects", "/warnings"] {
        let html = app.page("district", path).await;
        assert!(
            html.contains(&option(own)),
            "{path} offers the own district"
        );
        assert!(
            !html.contains(&option(other.id)),
            "{path} offers {}",
            other.name
        );
        let html = app.page("leader", path).await;
        assert!(
            html.contains(&option(other.id)),
            "{path}: the HQ is offered every district"
        );
    }
}

async fn administrators_move_between_their_own_pages(app: &App) {
    let auditor = admin_session(app.store.as_ref(), "auditadm2", Role::AuditAdmin).await;
    let audit = get_with(app, &auditor, "/audit").await;
    assert_eq!(audit.status, StatusCode::OK);
    let nav = nav_of(&audit.body);
    assert!(
        nav.contains("href=\"/audit\"") && nav.contains("href=\"/account\""),
        "{nav}"
    );
    assert!(
        !nav.contains("/admin/users") && !nav.contains("href=\"/\""),
        "{nav}"
    );
    let sysadmin = admin_session(app.store.as_ref(), "sysadm2", Role::SystemAdmin).await;
    let users = get_with(app, &sysadmin, "/admin/users").await;
    assert_eq!(users.status, StatusCode::OK);
    let nav = nav_of(&users.body);
    assert!(
        nav.contains("/admin/users") && nav.contains("/account"),
        "{nav}"
    );
    assert!(!nav.contains("href=\"/audit\""), "{nav}");
    // Every link an administrator is offered opens.
    for href in ["/admin/users", "/account"] {
        assert_eq!(
            get_with(app, &sysadmin, href).await.status,
            StatusCode::OK,
            "{href}"
        );
    }
    // A campaign user's account page leads back home.
    let account = app.page("district", "/account").await;
    assert!(nav_of(&account).contains("href=\"/\""));
}

fn nav_of(html: &str) -> String {
    let start = html
        .find("<nav class=\"adminnav\"")
        .expect("the header's links");
    let end = html[start..].find("</nav>").expect("its end") + start;
    html[start..end].to_string()
}
