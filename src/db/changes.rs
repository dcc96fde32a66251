//! Knowing cheaply whether the register may have changed, for the in-memory caches of triage
//! pages and signed-in users.
//!
//! Two counters make a [`Stamp`]. The local one moves after every write transaction this
//! process runs (any write, to be safe), so a process always sees its own writes at once. The
//! remote one is the database's `change_counters` row, which triggers move whenever register
//! entries, people or users change, whichever process writes; a background task polls it every
//! `cache.refresh_ms`, so writes by another server, `dsr sweep` or `dsr import` are noticed
//! within that interval. A cached value is good while the stamp it was built under is still
//! current. Callers take the stamp *before* reading the data: a write landing in between then
//! only makes the cached value look older than it is, never newer.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;

use super::conn::local_writes;
pub use super::conn::note_local_write;
use super::schema::change_counters;
use super::{AnyConnection, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    local: u64,
    remote: i64,
}

/// The remote counter as last polled. Shared by the poller and the caches.
#[derive(Clone)]
pub struct Changes {
    inner: Arc<Inner>,
}

struct Inner {
    /// Off when `cache.refresh_ms` is 0: every request then reads the database.
    enabled: bool,
    refresh: Duration,
    /// The counter's value, or -1 until the first poll succeeds.
    remote: AtomicI64,
    /// When the last poll succeeded, in milliseconds since `started`.
    polled_at_ms: AtomicU64,
    started: Instant,
}

impl Changes {
    pub fn new(refresh_ms: u64) -> Changes {
        Changes {
            inner: Arc::new(Inner {
                enabled: refresh_ms > 0,
                refresh: Duration::from_millis(refresh_ms),
                remote: AtomicI64::new(-1),
                polled_at_ms: AtomicU64::new(0),
                started: Instant::now(),
            }),
        }
    }

    /// The current stamp, or `None` when values must not be cached: caching is off, or the
    /// poller has not succeeded lately (database down, threads starved), so writes by other
    /// processes could go unnoticed.
    pub fn stamp(&self) -> Option<Stamp> {
        let inner = &self.inner;
        if !inner.enabled {
            return None;
        }
        let remote = inner.remote.load(Ordering::SeqCst);
        let polled_at = Duration::from_millis(inner.polled_at_ms.load(Ordering::SeqCst));
        let age = inner.started.elapsed().saturating_sub(polled_at);
        (remote >= 0 && age <= inner.refresh * 3).then(|| Stamp {
            local: local_writes(),
            remote,
        })
    }

    pub fn record_poll(&self, generation: i64) {
        let inner = &self.inner;
        inner.remote.store(generation, Ordering::SeqCst);
        let now = u64::try_from(inner.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        inner.polled_at_ms.store(now, Ordering::SeqCst);
    }

    /// Polls the counter until the process ends (servers only; CLI commands cache nothing).
    pub fn spawn_poller(&self, db: Db) {
        if !self.inner.enabled {
            return;
        }
        let changes = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(changes.inner.refresh);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                if !db.is_schema_ready() {
                    // Not migrated yet: look again soon rather than a whole interval later.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                match db.run(|conn| Ok(generation(conn)?)).await {
                    Ok(value) => changes.record_poll(value),
                    Err(error) => tracing::warn!(%error, "cannot poll the change counter"),
                }
                tick.tick().await;
            }
        });
    }
}

/// The database's change counter for the register.
pub fn generation(conn: &mut AnyConnection) -> QueryResult<i64> {
    change_counters::table
        .find("register")
        .select(change_counters::generation)
        .first(conn)
}

/// Unit tests that move or compare the process-wide local counter take this, so they do not
/// see each other's writes.
#[cfg(test)]
pub static TEST_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_stamp_before_the_first_poll_or_when_disabled() {
        assert_eq!(Changes::new(200).stamp(), None);
        let off = Changes::new(0);
        off.record_poll(3);
        assert_eq!(off.stamp(), None);
    }

    #[test]
    fn a_local_write_or_a_remote_change_moves_the_stamp() {
        let _serial = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let changes = Changes::new(10_000);
        changes.record_poll(7);
        let before = changes.stamp().expect("polled just now");
        assert_eq!(changes.stamp(), Some(before), "nothing happened");
        note_local_write();
        let after_write = changes.stamp().unwrap();
        assert_ne!(after_write, before);
        changes.record_poll(8);
        assert_ne!(changes.stamp().unwrap(), after_write);
    }

    #[test]
    fn a_stale_poll_gives_no_stamp() {
        let changes = Changes::new(1);
        changes.record_poll(1);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(changes.stamp(), None, "poll older than three intervals");
    }
}
