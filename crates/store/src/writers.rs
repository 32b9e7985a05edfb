//! Group commit: this process's writers of one database take turns on one open transaction and
//! share its durable commit.
//!
//! SQLite lets one writer in at a time, and a durable commit (`synchronous = FULL`) waits for an
//! fsync of the log — about 2 ms here, so one commit per write caps a node near 500 writes a
//! second however fast the writes themselves are. So writers queue on an async lock (in order,
//! without polling SQLite's busy handler while holding a connection) and, when one finishes its
//! write while others are waiting, it does not commit: it leaves the transaction open for the next
//! one (a [`Batch`]) and waits. Each write runs inside its own savepoint, so a write that fails
//! or is dropped rolls back alone; the last writer of a batch (no one waiting, or
//! [`MAX_BATCH`] writes in it) commits for all, and every writer in it is told the outcome. A
//! write is acknowledged only after the commit that holds it is durable; the audit chain stays
//! serial (each write appends to the head the one before it left, in the same transaction).
//!
//! A writer that hands its batch on also starts a flusher, queued for a turn like a writer: if
//! every writer queued behind it goes away (a dropped request), the flusher commits what is open,
//! so no batch waits for a writer that never comes.
//!
//! Other processes (a CLI command beside the server) still meet at SQLite's lock and its busy
//! timeout. On PostgreSQL the batch's transaction holds the writer's advisory lock, so the writers
//! of other nodes wait for a batch as they would for one write; a commit there is a round trip
//! and a WAL flush, shared the same way.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use sqlx::{Database, Transaction};
use tokio::sync::{OwnedMutexGuard, oneshot};

/// The most writes one commit holds: a batch never makes its first writer wait for more than
/// this many writes after its own.
pub(crate) const MAX_BATCH: usize = 64;

/// How a batch's commit ended, told to each writer in it (the error's text: one failure, many
/// writers).
type Outcome = Result<(), String>;

/// The writers of one database in this process.
pub(crate) struct Writers<DB: Database> {
    /// Whose turn it is to write.
    turn: Arc<tokio::sync::Mutex<()>>,
    /// Writers waiting for a turn (flushers not counted).
    waiting: AtomicUsize,
    /// The transaction left open for the next writer, with the writers whose writes it holds.
    open: Mutex<Option<Batch<DB>>>,
    /// Writes acknowledged durable, and the commits that made them so (`/metrics`).
    written: AtomicU64,
    commits: AtomicU64,
}

/// How the writes of one database were committed: writes acknowledged durable, and commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCommits {
    /// Writes committed and acknowledged.
    pub writes: u64,
    /// Durable commits that held them (fewer than the writes when they were batched).
    pub commits: u64,
}

/// An open transaction holding finished writes not yet committed.
pub(crate) struct Batch<DB: Database> {
    tx: Transaction<'static, DB>,
    acks: Vec<oneshot::Sender<Outcome>>,
}

/// One writer's turn: the lock, and the writers before it in the batch it took over.
pub(crate) struct Turn<DB: Database> {
    writers: Arc<Writers<DB>>,
    _guard: OwnedMutexGuard<()>,
    acks: Vec<oneshot::Sender<Outcome>>,
}

impl<DB: Database> Writers<DB> {
    fn new() -> Writers<DB> {
        Writers {
            turn: Arc::default(),
            waiting: AtomicUsize::new(0),
            open: Mutex::new(None),
            written: AtomicU64::new(0),
            commits: AtomicU64::new(0),
        }
    }

    /// The writes and commits so far.
    pub(crate) fn stats(&self) -> GroupCommits {
        GroupCommits {
            writes: self.written.load(Ordering::Acquire),
            commits: self.commits.load(Ordering::Acquire),
        }
    }

    /// Commits `batch` and tells every writer in it how that went.
    async fn commit(&self, tx: Transaction<'static, DB>, acks: Vec<oneshot::Sender<Outcome>>) {
        let outcome = tx.commit().await.map_err(|e| e.to_string());
        if outcome.is_ok() {
            self.commits.fetch_add(1, Ordering::AcqRel);
            self.written.fetch_add(acks.len() as u64, Ordering::AcqRel);
        }
        for ack in acks {
            let _ = ack.send(outcome.clone());
        }
    }

    fn take_open(&self) -> Option<Batch<DB>> {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Waits for this writer's turn; the open transaction comes with it when there is one.
    pub(crate) async fn turn(self: &Arc<Self>) -> (Turn<DB>, Option<Transaction<'static, DB>>) {
        self.waiting.fetch_add(1, Ordering::AcqRel);
        // Counted back even if this future is dropped while waiting.
        let counted = Waiting(&self.waiting);
        let guard = self.turn.clone().lock_owned().await;
        drop(counted);
        let (tx, acks) = match self.take_open() {
            Some(batch) => (Some(batch.tx), batch.acks),
            None => (None, Vec::new()),
        };
        let turn = Turn {
            writers: self.clone(),
            _guard: guard,
            acks,
        };
        (turn, tx)
    }
}

/// Counts a writer out of the waiting ones when dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<DB: Database> Turn<DB> {
    /// Ends this turn with `tx` (this writer's savepoint already released or rolled back):
    /// hands the transaction on when `may_hand_on`, another writer waits and the batch has room,
    /// else commits it and tells every writer in it. Resolves once this writer's write is durable
    /// (or failed); `wants_ack` is false for a writer whose own write was rolled back (nothing of
    /// its to wait for). A transaction whose state is in doubt (its savepoint could not be rolled
    /// back: SQLite may have ended it) is never handed on: committing it now tells the writers
    /// before whether their writes survived.
    pub(crate) async fn finish(
        mut self,
        tx: Transaction<'static, DB>,
        wants_ack: bool,
        may_hand_on: bool,
    ) -> Outcome {
        let mine = wants_ack.then(|| {
            let (send, receive) = oneshot::channel();
            self.acks.push(send);
            receive
        });
        let writers = self.writers.clone();
        if may_hand_on && writers.waiting.load(Ordering::Acquire) > 0 && self.acks.len() < MAX_BATCH
        {
            *writers.open.lock().unwrap_or_else(PoisonError::into_inner) = Some(Batch {
                tx,
                acks: std::mem::take(&mut self.acks),
            });
            tokio::spawn(flush(writers));
            drop(self);
        } else {
            let acks = std::mem::take(&mut self.acks);
            writers.commit(tx, acks).await;
            drop(self);
        }
        match mine {
            Some(receive) => receive.await.unwrap_or_else(|_| {
                Err("the batch holding this write ended without a commit".into())
            }),
            None => Ok(()),
        }
    }
}

/// Takes a turn and commits whatever batch is open then (the fallback when no writer comes).
async fn flush<DB: Database>(writers: Arc<Writers<DB>>) {
    let _guard = writers.turn.clone().lock_owned().await;
    if let Some(batch) = writers.take_open() {
        writers.commit(batch.tx, batch.acks).await;
    }
}

static SQLITE: LazyLock<Mutex<HashMap<PathBuf, Arc<Writers<sqlx::Sqlite>>>>> =
    LazyLock::new(Default::default);

/// The writers of the SQLite file `pool` writes, shared by every pool of this process on it.
pub(crate) fn sqlite_writers(pool: &sqlx::SqlitePool) -> Option<Arc<Writers<sqlx::Sqlite>>> {
    let file = pool.connect_options().get_filename().to_path_buf();
    let key = std::fs::canonicalize(&file).unwrap_or(file);
    let mut all = SQLITE.lock().unwrap_or_else(PoisonError::into_inner);
    Some(
        all.entry(key)
            .or_insert_with(|| Arc::new(Writers::new()))
            .clone(),
    )
}

static POSTGRES: LazyLock<Mutex<HashMap<String, Arc<Writers<sqlx::Postgres>>>>> =
    LazyLock::new(Default::default);

/// The writers of the PostgreSQL database (and schema) `pool` writes, shared by every pool of
/// this process on it.
pub(crate) fn postgres_writers(pool: &sqlx::PgPool) -> Option<Arc<Writers<sqlx::Postgres>>> {
    let o = pool.connect_options();
    let key = format!(
        "{}:{}/{}?{}",
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or_default(),
        o.get_options().unwrap_or_default()
    );
    let mut all = POSTGRES.lock().unwrap_or_else(PoisonError::into_inner);
    Some(
        all.entry(key)
            .or_insert_with(|| Arc::new(Writers::new()))
            .clone(),
    )
}
