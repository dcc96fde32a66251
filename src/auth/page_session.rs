//! A page session as the pages keep it in memory between requests, and the pure rule of its
//! idle end. (The cookie, the cache and the writes are `web::session`'s.)

use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};

use super::service::SessionLimits;
use super::store::RefreshTokenRow;

/// A page session as last read; `expires_at` moves in memory as it is extended, so a busy
/// session is written at most once a minute.
#[derive(Debug)]
pub struct OpenSession {
    pub row_id: String,
    pub family_id: String,
    pub user_id: String,
    pub started_at: NaiveDateTime,
    pub revoked: bool,
    pub expires_at: Mutex<NaiveDateTime>,
}

impl From<RefreshTokenRow> for OpenSession {
    fn from(row: RefreshTokenRow) -> Self {
        OpenSession {
            revoked: row.revoked_at.is_some(),
            expires_at: Mutex::new(row.expires_at),
            row_id: row.id,
            family_id: row.family_id,
            user_id: row.user_id,
            started_at: row.session_started_at,
        }
    }
}

/// What a page needs of the session's idle end at `now`: closed, open as it is, or open and
/// to be moved to a new end.
#[derive(Debug, PartialEq, Eq)]
pub enum Idle {
    Closed,
    Open,
    Extend(NaiveDateTime),
}

/// Pure: the idle rule. The end moves only when it would move by more than a minute.
pub fn idle(
    expires_at: NaiveDateTime,
    started_at: NaiveDateTime,
    now: NaiveDateTime,
    limits: SessionLimits,
) -> Idle {
    if expires_at <= now || started_at + Duration::seconds(limits.max_secs) <= now {
        return Idle::Closed;
    }
    let next = limits.expires_at(started_at, now);
    if next - expires_at > Duration::seconds(60) {
        Idle::Extend(next)
    } else {
        Idle::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }
    #[test]
    fn the_idle_end_moves_with_use_and_never_past_the_absolute_end() {
        let limits = SessionLimits {
            idle_secs: 1800,
            max_secs: 43200,
        };
        let start = at(0);
        for (expires, now, expected) in [
            (at(1800), at(10), Idle::Open),
            (at(1800), at(60), Idle::Open),
            (at(1800), at(61), Idle::Extend(at(1861))),
            (at(1800), at(1800), Idle::Closed),
            (at(1800), at(1801), Idle::Closed),
            (at(43200), at(42000), Idle::Open),
            (at(43000), at(42000), Idle::Extend(at(43200))),
            (at(43300), at(43200), Idle::Closed),
        ] {
            assert_eq!(idle(expires, start, now, limits), expected, "{now}");
        }
    }
}
