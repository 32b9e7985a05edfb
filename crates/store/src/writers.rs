//! This process's writers of one SQLite file queue in order before they begin (`begin_write`).
//!
//! SQLite lets one writer in at a time; a second `BEGIN IMMEDIATE` is refused as busy and its
//! connection retries on SQLite's busy handler, which sleeps 1, 2, 5, … up to 100 ms between
//! tries while holding a pooled connection. Queued on an async lock first, writers in one process
//! take their turns in order as soon as the last one commits, and hold no connection while they
//! wait. (Measured on the demo city with `bench rush`, 16 clients: no change in filings a second
//! either way — the serial write transaction itself, about 10 ms a filing, is the limit there.)
//! Other processes (a CLI command beside the server) still meet at SQLite's lock and its busy
//! timeout. PostgreSQL's writers wait on its advisory lock, which wakes them without polling.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

type Queue = Arc<tokio::sync::Mutex<()>>;

static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Queue>>> = LazyLock::new(Default::default);

/// The file a SQLite pool writes.
pub(crate) fn sqlite_file(pool: &sqlx::SqlitePool) -> Option<PathBuf> {
    Some(pool.connect_options().get_filename().to_path_buf())
}

/// PostgreSQL: no queue in the process (see the module comment).
pub(crate) fn no_file(_pool: &sqlx::PgPool) -> Option<PathBuf> {
    None
}

/// The queue of writers of `file` in this process, if it has one.
pub(crate) fn queue_of(file: Option<PathBuf>) -> Option<Queue> {
    let file = file?;
    let key = std::fs::canonicalize(&file).unwrap_or(file);
    let mut queues = QUEUES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Some(queues.entry(key).or_default().clone())
}
