//! A small in-memory cache whose entries are good only while the [`Stamp`] they were built
//! under is current (see `db::changes`). Used for triage-list pages and signed-in users: the
//! two things every busy request would otherwise read from the database.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::db::changes::Stamp;

pub struct StampedCache<K, V> {
    entries: Mutex<HashMap<K, (Stamp, V)>>,
    /// One gate per key being built, so concurrent misses wait for a single build; it holds
    /// whether the last build through it failed.
    building: Mutex<HashMap<K, Arc<tokio::sync::Mutex<bool>>>>,
    capacity: usize,
    hits: AtomicU64,
    builds: AtomicU64,
}

impl<K: Eq + Hash + Clone, V: Clone> StampedCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        StampedCache {
            entries: Mutex::new(HashMap::new()),
            building: Mutex::new(HashMap::new()),
            capacity,
            hits: AtomicU64::new(0),
            builds: AtomicU64::new(0),
        }
    }

    /// The value cached for `key`, or the one `build` makes (kept when a stamp is given).
    ///
    /// Concurrent callers missing the same key wait for one build rather than each running
    /// it: after a write (or a cold start) every open triage screen asks for the same page at
    /// once, and thirty-two identical page builds were thirty-two times the database work and
    /// the latency for all of them. `stamp` is asked again after waiting, so a value built
    /// meanwhile is used only while it is still current. Without a stamp nothing is shared.
    pub async fn get_or_build<E, F, Fut>(
        &self,
        key: K,
        stamp: impl Fn() -> Option<Stamp>,
        build: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let Some(first) = stamp() else {
            return build().await;
        };
        if let Some(value) = self.lookup(&key, first) {
            return Ok(value);
        }
        let gate = BuildGate::enter(&self.building, &key);
        let turn = gate.gate.lock().await;
        let current = stamp();
        if let Some(value) = current.and_then(|s| self.lookup(&key, s)) {
            return Ok(value);
        }
        // When the build before ours failed (database down or slow), the gate is let go at
        // once: the waiters try side by side rather than each waiting out the one before's
        // timeout. Otherwise it is held through the build, and marked if the build fails.
        let mut held = (!*turn).then_some(turn);
        let value = match build().await {
            Ok(value) => value,
            Err(err) => {
                if let Some(turn) = held.as_mut() {
                    **turn = true;
                }
                return Err(err);
            }
        };
        // Kept before the gate is let go, so the next waiter finds it instead of building it
        // again.
        self.put(key, current, value.clone());
        drop(held);
        Ok(value)
    }

    fn lookup(&self, key: &K, stamp: Stamp) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let value = match entries.get(key) {
            Some((built_under, value)) if *built_under == stamp => Some(value.clone()),
            _ => None,
        };
        if value.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        value
    }

    /// The value cached for `key` under this very stamp. With no stamp nothing is cached.
    /// (Callers go through `get_or_build`; the tests look values up directly.)
    #[cfg(test)]
    pub fn get(&self, key: &K, stamp: Option<Stamp>) -> Option<V> {
        self.lookup(key, stamp?)
    }

    /// Keeps `value`, built after `stamp` was taken. When full, everything built under an
    /// older stamp goes first, then (all current) everything: a simple bound, and misses are
    /// only as expensive as having no cache.
    pub fn put(&self, key: K, stamp: Option<Stamp>, value: V) {
        let Some(stamp) = stamp else { return };
        self.builds.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (built_under, _)| *built_under == stamp);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (stamp, value));
    }

    /// Values served from memory and values built and kept, since start (for `/metrics`).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.builds.load(Ordering::Relaxed),
        )
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A caller's hold on the build gate of one key; the last one out removes the gate, also when
/// its request was cancelled mid-build (so the map does not grow with every key ever asked).
struct BuildGate<'a, K: Eq + Hash> {
    map: &'a Mutex<HashMap<K, Arc<tokio::sync::Mutex<bool>>>>,
    key: K,
    gate: Arc<tokio::sync::Mutex<bool>>,
}

impl<'a, K: Eq + Hash + Clone> BuildGate<'a, K> {
    fn enter(map: &'a Mutex<HashMap<K, Arc<tokio::sync::Mutex<bool>>>>, key: &K) -> Self {
        let gate = map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        BuildGate {
            map,
            key: key.clone(),
            gate,
        }
    }
}

impl<K: Eq + Hash> Drop for BuildGate<'_, K> {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        // The map's reference and ours: nobody else is waiting on this gate.
        if Arc::strong_count(&self.gate) == 2 {
            map.remove(&self.key);
        }
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

    /// Builds a value after a short pause, counting how often it ran.
    async fn slow_build(runs: &AtomicU64, value: u64) -> Result<u64, ()> {
        runs.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        Ok(value)
    }

    /// A polled change stamp, an empty cache and a build counter.
    fn polled() -> (Changes, StampedCache<&'static str, u64>, AtomicU64) {
        let changes = Changes::new(60_000);
        changes.record_poll(1);
        (changes, StampedCache::new(10), AtomicU64::new(0))
    }

    fn gates(cache: &StampedCache<&'static str, u64>) -> usize {
        cache.building.lock().unwrap().len()
    }

    #[tokio::test]
    #[allow(clippy::await_holding_lock)] // the lock keeps other tests' writes out, not tasks
    async fn concurrent_misses_wait_for_one_build() {
        let _serial = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let (changes, cache, runs) = polled();
        let callers =
            (0..8).map(|_| cache.get_or_build("page", || changes.stamp(), || slow_build(&runs, 7)));
        let values = futures_util::future::join_all(callers).await;
        assert!(values.iter().all(|v| *v == Ok(7)), "{values:?}");
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "built once for eight callers"
        );
        assert_eq!(
            cache.counts(),
            (7, 1),
            "seven served from memory, one built"
        );
        assert_eq!(gates(&cache), 0, "the gate is gone once nobody waits");
    }

    #[tokio::test]
    #[allow(clippy::await_holding_lock)] // the lock keeps other tests' writes out, not tasks
    async fn after_a_failed_build_the_waiters_try_side_by_side() {
        let _serial = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let (changes, cache, runs) = polled();
        let (running, most) = (AtomicU64::new(0), AtomicU64::new(0));
        let failing = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            Err::<u64, _>("database unavailable")
        };
        let callers = (0..4).map(|_| cache.get_or_build("page", || changes.stamp(), failing));
        let results = futures_util::future::join_all(callers).await;
        assert!(results.iter().all(Result::is_err));
        assert_eq!(runs.load(Ordering::SeqCst), 4, "each caller tried");
        assert_eq!(
            most.load(Ordering::SeqCst),
            3,
            "the first failed alone, then the three waiters tried together"
        );
        assert_eq!(gates(&cache), 0);
    }

    #[tokio::test]
    async fn without_a_stamp_every_caller_builds_and_nothing_is_kept() {
        let cache = StampedCache::new(10);
        let runs = AtomicU64::new(0);
        let callers = (0..3).map(|_| cache.get_or_build("page", || None, || slow_build(&runs, 1)));
        futures_util::future::join_all(callers).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert!(cache.is_empty());
    }

    #[tokio::test]
    #[allow(clippy::await_holding_lock)] // the lock keeps other tests' writes out, not tasks
    async fn a_waiter_does_not_take_a_value_built_before_a_change() {
        let _serial = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let (changes, cache, runs) = polled();
        let first = cache.get_or_build(
            "page",
            || changes.stamp(),
            || async {
                let value = slow_build(&runs, 1).await;
                // A write lands while the first build is still running.
                note_local_write();
                value
            },
        );
        let second = async {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            cache
                .get_or_build("page", || changes.stamp(), || slow_build(&runs, 2))
                .await
        };
        let (a, b) = tokio::join!(first, second);
        assert_eq!(
            (a, b),
            (Ok(1), Ok(2)),
            "the waiter built again after the write"
        );
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    #[allow(clippy::await_holding_lock)] // the lock keeps other tests' writes out, not tasks
    async fn a_cancelled_build_lets_the_next_caller_build() {
        let _serial = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let (changes, cache, runs) = polled();
        let never = cache.get_or_build(
            "page",
            || changes.stamp(),
            || async {
                runs.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<Result<u64, ()>>().await
            },
        );
        let timeout = std::time::Duration::from_millis(10);
        assert!(tokio::time::timeout(timeout, never).await.is_err());
        assert_eq!(gates(&cache), 0, "the abandoned gate was removed");
        let value = cache
            .get_or_build("page", || changes.stamp(), || slow_build(&runs, 3))
            .await;
        assert_eq!(value, Ok(3));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}
