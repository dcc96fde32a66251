//! A small in-memory cache whose entries are good only while the [`Stamp`] they were built
//! under is current (see `db::changes`). Used for triage-list pages and signed-in users: the
//! two things every busy request would otherwise read from the database.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use crate::db::changes::Stamp;

pub struct StampedCache<K, V> {
    entries: Mutex<HashMap<K, (Stamp, V)>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> StampedCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        StampedCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The value cached for `key` under this very stamp. With no stamp nothing is cached.
    pub fn get(&self, key: &K, stamp: Option<Stamp>) -> Option<V> {
        let stamp = stamp?;
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((built_under, value)) if *built_under == stamp => Some(value.clone()),
            _ => None,
        }
    }

    /// Keeps `value`, built after `stamp` was taken. When full, everything built under an
    /// older stamp goes first, then (all current) everything: a simple bound, and misses are
    /// only as expensive as having no cache.
    pub fn put(&self, key: K, stamp: Option<Stamp>, value: V) {
        let Some(stamp) = stamp else { return };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (built_under, _)| *built_under == stamp);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (stamp, value));
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::changes::{note_local_write, Changes, TEST_LOCK};

    fn current(changes: &Changes) -> Option<Stamp> {
        changes.stamp()
    }

    #[test]
    fn a_value_is_served_only_under_the_stamp_it_was_built_under() {
        let _serial = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let changes = Changes::new(60_000);
        changes.record_poll(1);
        let cache = StampedCache::new(10);
        let stamp = current(&changes);
        cache.put("page", stamp, 1);
        assert_eq!(cache.get(&"page", current(&changes)), Some(1));
        note_local_write();
        assert_eq!(
            cache.get(&"page", current(&changes)),
            None,
            "a write happened"
        );
        assert_eq!(cache.get(&"page", None), None, "no stamp, no cache");
    }

    #[test]
    fn nothing_is_kept_without_a_stamp() {
        let cache = StampedCache::new(10);
        cache.put("page", None, 1);
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let _serial = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let changes = Changes::new(60_000);
        changes.record_poll(1);
        let cache = StampedCache::new(3);
        let stamp = current(&changes);
        for key in 0..10 {
            cache.put(key, stamp, key);
            assert!(cache.len() <= 3);
        }
        assert_eq!(cache.get(&9, stamp), Some(9), "the newest value is kept");
    }
}
