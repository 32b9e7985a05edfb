//! Values worked out from the records and shared by every request that accepts them.
//!
//! A request that arrives when the data is at version N is served by any snapshot at least as
//! new (the freshness rule of [`crate::App::snapshot`]). So a page's figures computed from a
//! snapshot at version V serve every request of the same key that arrived at or before V, and
//! readers of one key queue for one computation instead of each running their own: during a
//! deadline rush at national scale, where the overview's figures take tens of milliseconds of
//! CPU, sixty-four readers cost one or two computations per round, not sixty-four (and not
//! sixty-four sets of working memory at once).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, PoisonError};

/// Keys kept at most; beyond, the slots nobody is waiting on are dropped.
const KEYS_KEPT: usize = 256;

/// One key's value with the data version it was computed at.
type Slot<V> = Arc<tokio::sync::Mutex<Option<(i64, Arc<V>)>>>;

/// Values by key, each with the data version it is current at.
pub struct Shared<K, V> {
    slots: std::sync::Mutex<HashMap<K, Slot<V>>>,
}

impl<K, V> Default for Shared<K, V> {
    fn default() -> Self {
        Shared {
            slots: std::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq + Clone, V> Shared<K, V> {
    /// The value of `key` computed at data version `at_least` or later: the one held if it is
    /// that new, else the one `compute` returns with the version it read (which must be at least
    /// `at_least`: compute from a snapshot taken after the request arrived). Callers of one key
    /// take turns (first come, first served), so those who queued behind a computation are
    /// served by it.
    pub async fn get<E, Fut>(
        &self,
        key: &K,
        at_least: i64,
        compute: impl FnOnce() -> Fut,
    ) -> Result<Arc<V>, E>
    where
        Fut: Future<Output = Result<(i64, V), E>>,
    {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            if slots.len() >= KEYS_KEPT && !slots.contains_key(key) {
                slots.retain(|_, s| Arc::strong_count(s) > 1);
            }
            slots.entry(key.clone()).or_default().clone()
        };
        let mut held = slot.lock().await;
        if let Some((version, value)) = held.as_ref()
            && *version >= at_least
        {
            return Ok(value.clone());
        }
        let (version, value) = compute().await?;
        let value = Arc::new(value);
        *held = Some((version, value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn readers_queued_behind_one_computation_are_served_by_it_and_a_newer_version_recomputes()
    {
        let shared: Arc<Shared<&str, usize>> = Arc::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let (release, wait) = tokio::sync::watch::channel(false);
        let read = |at_least: i64| {
            let (shared, runs, mut wait) = (shared.clone(), runs.clone(), wait.clone());
            tokio::spawn(async move {
                shared
                    .get(&"overview", at_least, || async move {
                        let n = runs.fetch_add(1, Ordering::SeqCst) + 1;
                        // The first computation is held until every reader has queued.
                        let _ = wait.wait_for(|go| *go).await;
                        Ok::<_, ()>((at_least + 2, n))
                    })
                    .await
            })
        };
        let readers: Vec<_> = (0..8).map(|_| read(5)).collect();
        tokio::task::yield_now().await;
        release.send(true).expect("a reader waits");
        for r in readers {
            assert_eq!(*r.await.expect("joins").expect("computes"), 1);
        }
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "one computation for all eight"
        );
        // Arriving at a version the value already covers: held; at a newer one: recomputed.
        assert_eq!(*read(7).await.unwrap().unwrap(), 1);
        assert_eq!(*read(8).await.unwrap().unwrap(), 2);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_computation_keeps_nothing() {
        let shared: Shared<u8, u8> = Shared::default();
        let failed: Result<Arc<u8>, &str> = shared.get(&1, 1, || async { Err("down") }).await;
        assert_eq!(failed, Err("down"));
        let ok: Result<Arc<u8>, &str> = shared.get(&1, 1, || async { Ok((1, 9)) }).await;
        assert_eq!(*ok.unwrap(), 9);
    }
}
