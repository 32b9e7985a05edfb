//! The figure books a node keeps ([`FigureBook`]): per (year, dates), every project's
//! contribution to the figures, brought from one snapshot to the next by recomputing only the
//! projects a write touched. At national scale the overview's figures and the year's trend then
//! cost a sum over the books (milliseconds) instead of the rates of every project at every
//! month's end (most of a second).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use jianguan_domain::Date;
use jianguan_domain::overview::FigureBook;

use crate::Snapshot;

/// Books for this many (year, dates) keys at most: a page's trend, the dispatch's two weeks,
/// and a few readers asking for other dates. The least recently used goes first.
const BOOKS_KEPT: usize = 8;

/// One book and the snapshot it is current for.
struct Kept {
    book: Arc<FigureBook>,
    /// The snapshot the book was brought to. A `Weak` keeps the allocation, so no later
    /// snapshot can take its address while the book names it.
    at: Weak<Snapshot>,
    version: i64,
}

type Key = (i16, Vec<Date>);

/// One key's book, locked while it is brought up to date.
type Slot = Arc<Mutex<Option<Kept>>>;

/// The books, each behind its own lock so that one key's first computation does not hold up
/// another's, and two requests for one key compute it once.
#[derive(Default)]
pub(crate) struct FigureBooks {
    /// Each key's slot with the use that last asked for it (for eviction).
    slots: Mutex<HashMap<Key, (u64, Slot)>>,
    uses: std::sync::atomic::AtomicU64,
}

impl FigureBooks {
    /// The book of `year` at `dates` for `snapshot`. Blocks while it is computed (on first use
    /// at national scale, most of a second; after a write, the projects written): call it from
    /// the blocking pool.
    pub(crate) fn get(
        &self,
        snapshot: &Arc<Snapshot>,
        year: i16,
        dates: Vec<Date>,
    ) -> Arc<FigureBook> {
        let tick = self.uses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let key: Key = (year, dates.clone());
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            if !slots.contains_key(&key) && slots.len() >= BOOKS_KEPT {
                let oldest = slots
                    .iter()
                    .min_by_key(|(_, (used, _))| *used)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    slots.remove(&k);
                }
            }
            let entry = slots.entry(key).or_default();
            entry.0 = tick;
            entry.1.clone()
        };
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        let here = Arc::downgrade(snapshot);
        let (portfolio, ledger) = (&snapshot.portfolio, &snapshot.ledger);
        let book = match slot.as_ref() {
            Some(k) if Weak::ptr_eq(&k.at, &here) => return k.book.clone(),
            // A snapshot that shares every project with the book's (a write that left the
            // records alone) keeps the book itself.
            Some(k) => match k.book.updated(portfolio, ledger) {
                Some((next, _)) => Arc::new(next),
                None => k.book.clone(),
            },
            None => Arc::new(FigureBook::new(portfolio, ledger, year, dates)),
        };
        // A request holding an older snapshot than the book's gets its own figures, but the
        // book kept stays with the newer one.
        if slot.as_ref().is_none_or(|k| snapshot.version >= k.version) {
            *slot = Some(Kept {
                book: book.clone(),
                at: here,
                version: snapshot.version,
            });
        }
        book
    }
}
