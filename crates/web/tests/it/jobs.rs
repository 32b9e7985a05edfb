//! Two app instances on one database run a scheduled job once: the claim in the database decides
//! which node runs each (job, slot), on SQLite and on PostgreSQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jianguan_app::jobs::{RunOutcome, run_once};
use jianguan_domain::store::Store;

/// Two nodes, each with its own connection pool to the same database, each ticking the scheduler
/// for the same slots; every slot's job body must run exactly once.
async fn two_nodes_run_each_slot_once(url: &str) {
    let a: Arc<dyn Store> = Arc::new(jianguan_store::open(url).await.expect("node a opens"));
    let b: Arc<dyn Store> = Arc::new(jianguan_store::open(url).await.expect("node b opens"));
    let runs = Arc::new(AtomicUsize::new(0));
    let tick = |store: Arc<dyn Store>, node: &'static str, slot: String| {
        let runs = runs.clone();
        async move {
            run_once(
                store.as_ref(),
                jianguan_app::Clock::system(),
                "daily-warnings",
                &slot,
                node,
                || async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    // Long enough that the other node's attempt falls inside the run.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok(())
                },
            )
            .await
            .expect("a claim attempt succeeds")
        }
    };
    let slots: Vec<String> = (1..=10).map(|d| format!("2021-10-{d:02}")).collect();
    let mut ran = [0usize; 2];
    for slot in &slots {
        let (x, y) = tokio::join!(
            tick(a.clone(), "node-a", slot.clone()),
            tick(b.clone(), "node-b", slot.clone())
        );
        assert_ne!(x, y, "exactly one node runs {slot}");
        ran[usize::from(x == RunOutcome::Skipped)] += 1;
        // A later tick for a finished slot runs nothing on either node.
        assert_eq!(
            tick(a.clone(), "node-a", slot.clone()).await,
            RunOutcome::Skipped
        );
        assert_eq!(
            tick(b.clone(), "node-b", slot.clone()).await,
            RunOutcome::Skipped
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), slots.len());
}

#[tokio::test]
async fn two_app_instances_on_one_sqlite_file_run_a_scheduled_job_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("jobs.db").display().to_string();
    two_nodes_run_each_slot_once(&url).await;
}

#[tokio::test]
#[cfg_attr(
    not(pg_tests),
    ignore = "set JIANGUAN_TEST_POSTGRES_URL to run the PostgreSQL tests"
)]
async fn two_app_instances_on_one_postgres_database_run_a_scheduled_job_once() {
    let schema = jianguan_store::testing::fresh_postgres_schema().await;
    two_nodes_run_each_slot_once(&schema.url).await;
}
