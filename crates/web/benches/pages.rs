//! Benchmarks of the spine on the demo city: generating it (records, then written to SQLite) and
//! serving the overview page and `/api/v1/stats` through the real router (server-side time:
//! routing, snapshot check, domain computation, rendering). Run with
//! `cargo bench -p jianguan-web --bench pages`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use jianguan_domain::store::Actor;
use jianguan_domain::store::prelude::*;
use tower::ServiceExt;

fn actor() -> Actor {
    Actor {
        name: "bench".into(),
        client: None,
    }
}

async fn demo_db(dir: &std::path::Path, name: &str) -> jianguan_store::Db {
    let db = jianguan_store::open(dir.join(name).to_str().expect("utf-8 path"))
        .await
        .expect("open database");
    db.create_portfolio(&jianguan_demo::demo_city(), &actor(), &|_, _| {})
        .await
        .expect("write demo city");
    db
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");

    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    group.bench_function("generate_records", |b| b.iter(jianguan_demo::demo_city));
    let mut n = 0;
    group.bench_function("generate_and_write_sqlite", |b| {
        b.to_async(&rt).iter(|| {
            n += 1;
            let name = format!("gen-{n}.db");
            let dir = dir.path().to_path_buf();
            async move { demo_db(&dir, &name).await }
        })
    });
    group.finish();

    let db = rt.block_on(demo_db(dir.path(), "serve.db"));
    let state = jianguan_web::AppState::new(Arc::new(db));
    let router = jianguan_web::router(state);
    let mut group = c.benchmark_group("serve");
    for (name, uri) in [
        ("overview_page", "/?year=2021"),
        ("api_stats", "/api/v1/stats?year=2021"),
        (
            "project_list_page",
            "/projects?year=2021&overdue=1&sort=overdue&order=desc",
        ),
    ] {
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| {
                let router = router.clone();
                async move {
                    let response = router
                        .oneshot(
                            Request::get(uri)
                                .extension(jianguan_web::auth::CurrentUser::in_process_leader())
                                .body(Body::empty())
                                .expect("request"),
                        )
                        .await
                        .expect("response");
                    assert!(response.status().is_success());
                    response
                        .into_body()
                        .collect()
                        .await
                        .expect("body")
                        .to_bytes()
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
