//! Per-project maps a node keeps from one snapshot to the next, split into shards by project so
//! that the next snapshot after a write copies the shards of the projects it touched and shares
//! the rest.
//!
//! A plain map of a hundred thousand projects is copied entry by entry, and every entry holding
//! an `Arc` is a reference count in its own cache line: tens of milliseconds per write at
//! national scale, on the one task that brings the snapshot forward.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{PeriodId, ProjectId};
use crate::rates::IdHasher;

/// How many shards a map has: a copy costs this many reference counts plus the touched shards.
const SHARDS: usize = 256;

/// A key that belongs to one project.
pub trait OfProject: Eq + std::hash::Hash + Clone {
    /// The project it belongs to.
    fn project(&self) -> ProjectId;
}

impl OfProject for ProjectId {
    fn project(&self) -> ProjectId {
        *self
    }
}

impl OfProject for (ProjectId, PeriodId) {
    fn project(&self) -> ProjectId {
        self.0
    }
}

/// A map keyed by project, in shards shared between copies ([`Clone`] copies no entry).
#[derive(Debug, Clone)]
pub struct ProjectMap<K, V> {
    shards: Vec<Arc<HashMap<K, V, IdHasher>>>,
}

impl<K, V> Default for ProjectMap<K, V> {
    fn default() -> Self {
        ProjectMap {
            shards: (0..SHARDS)
                .map(|_| Arc::new(HashMap::with_hasher(IdHasher)))
                .collect(),
        }
    }
}

impl<K: OfProject, V: PartialEq> PartialEq for ProjectMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.shards
            .iter()
            .zip(&other.shards)
            .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
    }
}

fn shard_of(project: ProjectId) -> usize {
    // Ids are dense integers: their low bits spread them evenly.
    (project.0.rem_euclid(SHARDS as i64)) as usize
}

impl<K: OfProject, V: Clone> ProjectMap<K, V> {
    /// The value of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.shards[shard_of(key.project())].get(key)
    }

    /// Sets `key`'s value, copying its shard first if another map shares it.
    pub fn insert(&mut self, key: K, value: V) {
        Arc::make_mut(&mut self.shards[shard_of(key.project())]).insert(key, value);
    }

    /// Removes `key`, copying its shard first if another map shares it and holds the key.
    pub fn remove(&mut self, key: &K) {
        let shard = &mut self.shards[shard_of(key.project())];
        if shard.contains_key(key) {
            Arc::make_mut(shard).remove(key);
        }
    }

    /// Every value, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.shards.iter().flat_map(|s| s.values())
    }

    /// Whether the map holds nothing.
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| s.is_empty())
    }

    /// Whether `self` and `other` share the shard that holds `key` (tests).
    pub fn shares_shard_of(&self, other: &Self, key: &K) -> bool {
        let i = shard_of(key.project());
        Arc::ptr_eq(&self.shards[i], &other.shards[i])
    }
}

impl<K: OfProject, V: Clone> FromIterator<(K, V)> for ProjectMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = ProjectMap::default();
        for (k, v) in entries {
            map.insert(k, v);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_shares_every_shard_but_the_one_it_changes() {
        let map: ProjectMap<ProjectId, u32> = (1..=2_000).map(|i| (ProjectId(i), 0)).collect();
        let mut next = map.clone();
        next.insert(ProjectId(7), 1);
        next.remove(&ProjectId(9));
        next.remove(&ProjectId(5_000));
        assert_eq!(next.get(&ProjectId(7)), Some(&1));
        assert_eq!(
            map.get(&ProjectId(7)),
            Some(&0),
            "the original is unchanged"
        );
        assert_eq!(next.get(&ProjectId(9)), None);
        assert_eq!(map.get(&ProjectId(9)), Some(&0));
        assert!(!next.shares_shard_of(&map, &ProjectId(7)));
        assert!(!next.shares_shard_of(&map, &ProjectId(9)));
        assert!(next.shares_shard_of(&map, &ProjectId(8)));
        assert!(
            next.shares_shard_of(&map, &ProjectId(5_000)),
            "removing an absent key copies nothing"
        );
        assert_eq!(next.values().count(), 1_999);
        assert_ne!(next, map);
        let mut back = next.clone();
        back.insert(ProjectId(7), 0);
        back.insert(ProjectId(9), 0);
        assert_eq!(back, map, "equal by content, shared or not");
    }
}
