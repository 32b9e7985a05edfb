//! The wall display of issue 19 through the real router, on both backends: one screen of the
//! week's figures for the command centre, its body alone for its own refresh, the reader's
//! scope kept, and no page around it; and the same wall through a wall link, without a login:
//! made and revoked by the office alone, read as the reader of its scope, opening nothing else.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::*;

async fn the_wall_shows_the_weeks_figures_and_refreshes_its_body(app: &App) {
    let page = app.page("office", "/wall").await;
    assert!(page.starts_with("<!DOCTYPE html>"), "a page of its own");
    assert!(page.contains("class=\"wall\""), "{page}");
    assert!(page.contains("/assets/wall.js"), "its refresh script");
    assert!(
        !page.contains("class=\"sidenav\""),
        "no navigation on the wall"
    );
    for label in [
        "项目完成率",
        "节点完成率",
        "按期完成率",
        "投资完成率",
        "警示阶梯",
        "县区排名",
        "卡壳事项",
        "月度考评",
        "逾期项目分布",
    ] {
        assert!(page.contains(label), "{label}: {page}");
    }
    assert!(page.contains("class=\"project-map\""), "the map");
    // The demo's year is over: the last week of 2021, not a week of 2022 with nothing in it.
    assert!(page.contains("2021 年城市建管提升行动"), "{page}");
    let districts = app
        .city
        .units_of(jianguan_domain::model::UnitKind::District)
        .count();
    assert_eq!(
        page.matches("class=\"wall-rank\"").count(),
        districts,
        "every district ranked"
    );

    let body = app.page("office", "/wall?part=body").await;
    assert!(!body.contains("<html"), "the body alone");
    assert!(body.contains("wall-head") && body.contains("class=\"project-map\""));

    // A district's liaison sees the overdue projects of its own district on the map.
    let overdue = |page: &str| -> usize {
        page.split("逾期项目分布 · 逾期项目 ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("the map's count: {page}"))
    };
    let citywide = overdue(&app.page("office", "/wall").await);
    let own = overdue(&app.page("district", "/wall").await);
    assert!(own < citywide, "{own} of {citywide}");
}

// ---------------------------------------------------------------------------------------------
// Wall links: the wall without a login, for the screen in the meeting room.

/// An anonymous GET: status, headers, body.
async fn anonymous(app: &App, path: &str) -> (StatusCode, HeaderMap, String) {
    let response = app
        .router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// The office makes a link; its path (`/wall/k/…`) as the page shows it, this once.
async fn make_link(app: &App, label: &str, unit: &str, expires_on: &str) -> String {
    let made = app
        .post(
            "office",
            "/wall/links",
            &[("label", label), ("unit", unit), ("expires_on", expires_on)],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let start = made.body.find("/wall/k/").expect("the new link is shown");
    let path = &made.body[start..start + "/wall/k/".len() + 64];
    assert!(
        path["/wall/k/".len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit()),
        "a 256-bit token: {path}"
    );
    path.to_string()
}

/// The overdue projects the wall's map counts.
fn overdue_on_map(page: &str) -> usize {
    page.split("逾期项目分布 · 逾期项目 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the map's count: {page}"))
}

async fn a_wall_link_opens_the_wall_alone_without_a_login(app: &App) {
    // The office finds the links from the dispatch page; the leader, who reads it, does not.
    assert!(
        app.page("office", "/dispatch")
            .await
            .contains("href=\"/wall/links\"")
    );
    assert!(
        !app.page("leader", "/dispatch")
            .await
            .contains("/wall/links")
    );
    let empty = app.page("office", "/wall/links").await;
    assert!(empty.contains("尚无大屏链接"), "{empty}");

    let link = make_link(app, "指挥中心大屏", "", "").await;
    let (status, headers, page) = anonymous(app, &link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("class=\"wall\"") && page.contains("项目完成率"));
    assert!(
        page.contains(&format!("data-refresh=\"{link}?part=body\"")),
        "it refreshes through the link"
    );
    // The same city-wide figures as the office's own wall.
    assert_eq!(
        overdue_on_map(&page),
        overdue_on_map(&app.page("office", "/wall").await)
    );
    // No session, no page beyond the wall: every address on it is an asset, the map's marks
    // are not links; the usual headers.
    assert!(headers.get(header::SET_COOKIE).is_none(), "no session");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));
    assert!(!page.contains("<a "), "nothing links: {page}");
    for (i, _) in page.match_indices("href=\"") {
        let href = &page[i + 6..];
        assert!(
            href.starts_with("/assets/"),
            "{}",
            &href[..40.min(href.len())]
        );
    }
    let (status, headers, body) = anonymous(app, &format!("{link}?part=body")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<html") && body.contains("wall-head"));
    assert!(headers.get(header::SET_COOKIE).is_none());

    // The token opens nothing else: every other page still asks for a login.
    let token = &link["/wall/k/".len()..];
    for path in [
        "/".to_string(),
        "/wall".to_string(),
        "/dispatch".to_string(),
        "/projects".to_string(),
        format!("/projects?token={token}"),
        format!("/wall/links?token={token}"),
        "/api/v1/stats".to_string(),
    ] {
        let (status, _, _) = anonymous(app, &path).await;
        assert!(
            matches!(status, StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED),
            "{path}: {status}"
        );
    }
    let (status, _, _) = anonymous(app, &format!("{link}/../../projects")).await;
    assert_ne!(status, StatusCode::OK, "no way round from the link");
}

async fn a_district_link_shows_what_the_districts_reader_sees(app: &App) {
    let district = app.project.district;
    let link = make_link(app, "区会议室", &district.0.to_string(), "").await;
    let page = anonymous(app, &link).await.2;
    let reader = app.page("district", "/wall").await;
    let citywide = app.page("office", "/wall").await;
    assert_eq!(overdue_on_map(&page), overdue_on_map(&reader));
    assert!(overdue_on_map(&page) < overdue_on_map(&citywide));
    // Body for body, the same as the reader's but for the minute it was made and the map's
    // marks, which link to pages on the reader's wall and nowhere on the link's.
    let same = |body: &str| {
        let (head, rest) = body.split_once("<svg").expect("a map");
        let (_, tail) = rest.split_once("</svg>").expect("the map's end");
        let (before, after) = format!("{head}{tail}")
            .split_once("<span id=\"wall-updated\">")
            .map(|(a, b)| (a.to_string(), b[5..].to_string()))
            .expect("the time");
        before + &after
    };
    let linked = anonymous(app, &format!("{link}?part=body")).await.2;
    let own = app.page("district", "/wall?part=body").await;
    assert_eq!(same(&linked), same(&own));
    assert_ne!(
        same(&linked),
        same(&app.page("office", "/wall?part=body").await)
    );
    let list = app.page("office", "/wall/links").await;
    assert!(list.contains("区会议室") && list.contains(app.city.unit_name(district)));
}

async fn only_the_office_makes_or_revokes_wall_links_and_not_from_another_site(app: &App) {
    for who in ["leader", "district", "reporter"] {
        assert_eq!(
            app.get(who, "/wall/links").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        let r = app
            .post(who, "/wall/links", &[("label", "我的大屏"), ("unit", "")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    // A form posted from another site is refused before anything is read.
    let r = app
        .send(
            Request::post("/wall/links")
                .header(header::COOKIE, &app.cookies["office"])
                .header(header::ORIGIN, "https://evil.example")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("label=x"))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        app.store.wall_links().await.unwrap().is_empty(),
        "nothing made"
    );
    // A refused form says why and keeps what was typed.
    let r = app
        .post(
            "office",
            "/wall/links",
            &[
                ("label", "旧屏"),
                ("unit", ""),
                ("expires_on", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("有效期至：不能早于今天") && r.body.contains("旧屏"));
    let reporter_unit = app.project.responsible_unit.0.to_string();
    let r = app
        .post(
            "office",
            "/wall/links",
            &[("label", "责任单位"), ("unit", &reporter_unit)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(app.store.wall_links().await.unwrap().is_empty());
    let denials = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|(a, _)| a == "access.denied" || a == "csrf.denied")
        .count();
    assert!(denials >= 4, "the refusals are audited: {denials}");
}

async fn a_revoked_or_expired_link_is_gone_and_an_unknown_one_says_nothing(app: &App) {
    let link = make_link(app, "指挥中心大屏", "", "2026-12-31").await;
    assert_eq!(anonymous(app, &link).await.0, StatusCode::OK);
    let id = app.store.wall_links().await.unwrap()[0].id;
    let r = app
        .post("office", &format!("/wall/links/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for path in [link.clone(), format!("{link}?part=body")] {
        let (status, headers, page) = anonymous(app, &path).await;
        assert_eq!(status, StatusCode::GONE, "{path}");
        assert!(page.contains("大屏链接已撤销"), "{page}");
        assert!(!page.contains("项目完成率"), "no figures");
        assert!(headers.get(header::SET_COOKIE).is_none());
    }
    // Revoking it again is refused; the list shows it revoked, with no button.
    let again = app
        .post("office", &format!("/wall/links/{id}/revoke"), &[])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let list = app.page("office", "/wall/links").await;
    assert!(
        list.contains("已撤销") && list.contains("由 office 撤销"),
        "{list}"
    );
    assert!(!list.contains(&format!("/wall/links/{id}/revoke")));
    let audit = app.audit_actions().await;
    let object = format!("wall_link:{id}");
    assert!(audit.contains(&("wall_link.create".to_string(), object.clone())));
    assert!(audit.contains(&("wall_link.revoke".to_string(), object)));

    // A link whose last day has passed: made on 1 November to the 10th, opened on the 28th.
    let made = jianguan_app::wall_links::create(
        app.store.as_ref(),
        jianguan_app::Clock::with_today(|| jiff::civil::date(2026, 11, 1)),
        jianguan_app::wall_links::Requester::Operator("office"),
        jianguan_app::wall_links::NewWallLink {
            label: "十一月上旬",
            unit: None,
            expires_on: Some(jiff::civil::date(2026, 11, 10)),
        },
    )
    .await
    .expect("made");
    let (status, _, page) = anonymous(app, &format!("/wall/k/{}", made.token.as_str())).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("大屏链接已过期"), "{page}");
    assert!(app.page("office", "/wall/links").await.contains("已过期"));

    // A token of the right form that no link has, and one of no form at all, get the same
    // answer, which says nothing of links revoked or expired.
    let unknown = anonymous(app, &format!("/wall/k/{}", "0".repeat(64))).await;
    let malformed = anonymous(app, "/wall/k/not-a-token").await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    assert_eq!((malformed.0, &malformed.2), (unknown.0, &unknown.2));
    assert!(!unknown.2.contains("撤销") && !unknown.2.contains("过期"));
}

scenarios!([
    the_wall_shows_the_weeks_figures_and_refreshes_its_body,
    a_wall_link_opens_the_wall_alone_without_a_login,
    a_district_link_shows_what_the_districts_reader_sees,
    only_the_office_makes_or_revokes_wall_links_and_not_from_another_site,
    a_revoked_or_expired_link_is_gone_and_an_unknown_one_says_nothing,
]);
