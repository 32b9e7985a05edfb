//! The first-run page and the organisation page on a city that sets itself up: while the
//! database is empty every page leads to `/setup`, which answers only the administrators'
//! address ranges and only with the console's one-time token; it sets the city up with its four
//! first accounts once, and is gone afterwards. The office then keeps its units on `/org`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jianguan_access::Role;
use jianguan_domain::model::UnitKind;
use jianguan_domain::store::prelude::*;
use jianguan_web::network::{NetworkConfig, parse_ranges};
use tower::ServiceExt;

use crate::common::{PASSWORD, enc, session};

struct FirstRun {
    router: Router,
    store: Arc<dyn Store>,
    token: String,
    _dir: tempfile::TempDir,
}

async fn first_run() -> FirstRun {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = jianguan_store::open(dir.path().join("s.db").to_str().expect("utf-8"))
        .await
        .expect("open");
    let store: Arc<dyn Store> = Arc::new(db);
    let state = jianguan_web::AppState::new(store.clone());
    state.set_network(NetworkConfig {
        admin_from: parse_ranges("127.0.0.0/8").expect("ranges"),
        ..NetworkConfig::default()
    });
    let token = state.open_setup().expect("a token");
    FirstRun {
        router: jianguan_web::router(state),
        store,
        token,
        _dir: dir,
    }
}

struct Reply {
    status: StatusCode,
    location: String,
    body: String,
}

async fn send(router: &Router, mut request: Request<Body>, from: &str) -> Reply {
    let peer: SocketAddr = format!("{from}:50000").parse().expect("address");
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(router: &Router, path: &str, from: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(path);
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    send(router, request.body(Body::empty()).expect("request"), from).await
}

async fn post(
    router: &Router,
    path: &str,
    fields: &[(&str, &str)],
    from: &str,
    cookie: Option<&str>,
) -> Reply {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut request =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    send(
        router,
        request.body(Body::from(body)).expect("request"),
        from,
    )
    .await
}

const LOCAL: &str = "127.0.0.1";
const OUTSIDE: &str = "203.0.113.9";

fn form(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("token", token.to_string()),
        ("city", "测试市".into()),
        ("year", "2026".into()),
        ("issuer", String::new()),
        ("doc_prefix", String::new()),
        ("username_system_admin", "sysadmin".into()),
        ("password_system_admin", PASSWORD.into()),
        ("username_security_admin", "secadmin".into()),
        ("password_security_admin", PASSWORD.into()),
        ("username_audit_admin", "auditor".into()),
        ("password_audit_admin", PASSWORD.into()),
        ("username_hq_office", "office1".into()),
        ("password_hq_office", PASSWORD.into()),
    ]
}

async fn submit(run: &FirstRun, token: &str, from: &str) -> Reply {
    let fields = form(token);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(&run.router, "/setup", &fields, from, None).await
}

#[tokio::test]
async fn an_empty_database_leads_every_page_to_the_setup_form() {
    let run = first_run().await;
    let r = get(&run.router, "/", LOCAL, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/setup");
    let r = get(&run.router, "/setup", LOCAL, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("初始化城市") && r.body.contains("审计管理员"));
    assert_eq!(
        get(&run.router, "/healthz", LOCAL, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_token_is_refused_audited_and_nothing_is_written() {
    let run = first_run().await;
    let r = submit(&run, "0123456789abcdef0123456789abcdef", LOCAL).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("一次性口令不正确"));
    assert!(run.store.is_empty().await.expect("reads"));
    assert!(run.store.list_accounts().await.expect("reads").is_empty());
    let (records, _) = run
        .store
        .audit_search(&jianguan_domain::store::AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(records[0].action, "access.denied");
    assert!(records[0].object.contains("/setup"));
}

#[tokio::test]
async fn the_setup_page_answers_only_the_administrators_address_ranges() {
    let run = first_run().await;
    assert_eq!(
        get(&run.router, "/setup", OUTSIDE, None).await.status,
        StatusCode::FORBIDDEN
    );
    let r = submit(&run, &run.token.clone(), OUTSIDE).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(run.store.is_empty().await.expect("reads"));
}

#[tokio::test]
async fn the_setup_makes_the_city_and_its_first_accounts_once() {
    let run = first_run().await;
    let r = submit(&run, &run.token.clone(), LOCAL).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("测试市（2026 年）已初始化"), "{}", r.body);
    let units = run.store.load_units().await.expect("units");
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].kind, UnitKind::CommandHq);
    assert_eq!(units[0].name, "测试市城市建管提升行动指挥部办公室");
    let portfolio = run.store.load_read_model().await.expect("reads").portfolio;
    assert_eq!(portfolio.categories.len(), 11);
    assert!(portfolio.periods.iter().all(|p| p.year == 2026) && !portfolio.periods.is_empty());
    let city = jianguan_app::setup::city_settings(run.store.as_ref())
        .await
        .expect("reads")
        .expect("saved");
    assert_eq!(city.doc_prefix, "建管办");
    let accounts = run.store.list_accounts().await.expect("accounts");
    let roles: Vec<(&str, &str, bool)> = accounts
        .iter()
        .map(|a| (a.username.as_str(), a.roles[0].as_str(), a.unit.is_some()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("sysadmin", "system_admin", false),
            ("secadmin", "security_admin", false),
            ("auditor", "audit_admin", false),
            ("office1", "hq_office", true),
        ]
    );
    assert!(accounts[..3].iter().all(|a| a.totp_secret.is_some()));

    // Second use: the page is gone and the token void.
    assert_eq!(
        get(&run.router, "/setup", LOCAL, None).await.status,
        StatusCode::NOT_FOUND
    );
    let again = submit(&run, &run.token.clone(), LOCAL).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(run.store.list_accounts().await.expect("reads").len(), 4);
    // Pages no longer lead to the form: the login form.
    let r = get(&run.router, "/", LOCAL, None).await;
    assert!(r.location.starts_with("/login"), "{}", r.location);
}

#[tokio::test]
async fn a_refused_account_writes_no_city() {
    let run = first_run().await;
    let mut fields = form(&run.token);
    fields[12].1 = "short".into();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&run.router, "/setup", &fields, LOCAL, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("指挥部办公室密码"), "{}", r.body);
    assert!(run.store.is_empty().await.expect("reads"));
}

#[tokio::test]
async fn the_office_keeps_its_units_on_the_organisation_page() {
    let run = first_run().await;
    assert_eq!(
        submit(&run, &run.token.clone(), LOCAL).await.status,
        StatusCode::OK
    );
    let hq = run.store.load_units().await.expect("units")[0].id;
    let office = session(run.store.as_ref(), "office2", hq, Role::HqOffice).await;
    let leader = session(run.store.as_ref(), "leader", hq, Role::HqLeader).await;
    let r = get(&run.router, "/org", LOCAL, Some(&office)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("测试市城市建管提升行动指挥部办公室"));
    assert_eq!(
        get(&run.router, "/org", LOCAL, Some(&leader)).await.status,
        StatusCode::FORBIDDEN
    );

    let hq_id = hq.to_string();
    let create = |name: &'static str, kind: &'static str, parent: String| {
        let router = run.router.clone();
        let office = office.clone();
        async move {
            post(
                &router,
                "/org/units",
                &[("name", name), ("kind", kind), ("parent", &parent)],
                LOCAL,
                Some(&office),
            )
            .await
        }
    };
    let r = create("东湖区", "district", hq_id.clone()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let district = run.store.load_units().await.expect("units")[1]
        .id
        .to_string();
    assert_eq!(
        create("东湖区住建局", "responsible_unit", district.clone())
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A district under a district is refused, naming the field; nothing is written.
    let r = create("西山区", "district", district.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("上级单位：县区的上级应为"), "{}", r.body);
    // A twin under the same parent is refused too.
    let r = create("东湖区", "district", hq_id.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(run.store.load_units().await.expect("units").len(), 3);

    let unit = |id: &str, fields: &[(&str, &str)]| {
        let (router, office, path) = (
            run.router.clone(),
            office.clone(),
            format!("/org/units/{id}"),
        );
        let fields: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        async move {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            post(&router, &path, &fields, LOCAL, Some(&office)).await
        }
    };
    assert_eq!(
        unit(&district, &[("action", "rename"), ("name", "东湖新区")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A district with an active unit under it is not deactivated.
    let r = unit(&district, &[("action", "deactivate")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("东湖区住建局"), "{}", r.body);
    assert_eq!(
        unit("3", &[("action", "deactivate")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        unit("3", &[("action", "move"), ("parent", "")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let units = run.store.load_units().await.expect("units");
    assert_eq!(units[1].name, "东湖新区");
    assert!(!units[2].active);
    assert_eq!(units[2].parent, None);
    let page = get(&run.router, "/org", LOCAL, Some(&office)).await.body;
    assert!(page.contains("东湖新区") && page.contains("已停用"));
}

#[tokio::test]
async fn every_page_of_a_city_without_projects_answers_without_failing() {
    let run = first_run().await;
    assert_eq!(
        submit(&run, &run.token.clone(), LOCAL).await.status,
        StatusCode::OK
    );
    let hq = run.store.load_units().await.expect("units")[0].id;
    let office = session(run.store.as_ref(), "office2", hq, Role::HqOffice).await;
    for spec in jianguan_web::routes::specs() {
        if spec.method != axum::http::Method::GET || spec.path.contains('{') {
            continue;
        }
        let r = get(&run.router, spec.path, LOCAL, Some(&office)).await;
        assert!(
            r.status.is_success()
                || r.status == StatusCode::FORBIDDEN
                || r.status == StatusCode::NOT_FOUND,
            "GET {}: {} {}",
            spec.path,
            r.status,
            r.body
        );
    }
    let stats = get(&run.router, "/api/v1/stats", LOCAL, Some(&office)).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
}

/// The page offers the crypto suite (商用密码 SM3/SM4 or SHA-256/AES). Chosen after a refused
/// token (whose audit record is SHA-256), the suite applies from the setup's own records on and
/// the whole chain verifies; a value that is neither suite is refused, naming the field.
#[tokio::test]
async fn the_setup_chooses_the_crypto_suite_from_its_own_records_on() {
    use jianguan_audit::{ChainSuite, CryptoSuite};
    let run = first_run().await;
    let page = get(&run.router, "/setup", LOCAL, None).await;
    assert!(
        page.body.contains("name=\"crypto\" value=\"sm\""),
        "{}",
        page.body
    );
    let refused = submit(&run, "0123456789abcdef0123456789abcdef", LOCAL).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut fields = form(&run.token);
    fields.push(("crypto", "rot13".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&run.router, "/setup", &pairs, LOCAL, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("密码算法："), "{}", r.body);
    assert!(run.store.is_empty().await.expect("reads"));

    fields.last_mut().expect("crypto").1 = "sm".into();
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&run.router, "/setup", &pairs, LOCAL, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        run.store.crypto_suite().await.expect("reads"),
        ChainSuite {
            suite: CryptoSuite::Sm,
            from_seq: 2
        }
    );
    let (intact, verdict) = jianguan_app::audit::verify_chain(run.store.as_ref(), &[])
        .await
        .expect("verifies");
    assert!(intact, "{verdict}");
    assert!(verdict.contains("商用密码"), "{verdict}");
}
