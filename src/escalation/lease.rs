//! The `job_leases` row that makes one instance at a time run the sweep. Taken with a
//! conditional UPDATE (works on both backends): it counts as taken only when exactly one
//! row changed.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::job_leases;
use crate::db::AnyConnection;

pub const SWEEP: &str = "escalation_sweep";

pub fn take(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    ttl_secs: i64,
) -> QueryResult<bool> {
    let affected = diesel::update(
        job_leases::table.filter(job_leases::name.eq(name)).filter(
            job_leases::expires_at
                .lt(now)
                .or(job_leases::holder.eq(holder)),
        ),
    )
    .set((
        job_leases::holder.eq(holder),
        job_leases::expires_at.eq(now + Duration::seconds(ttl_secs)),
    ))
    .execute(conn)?;
    Ok(affected == 1)
}

/// Gives the lease up; a successful run is recorded for the readiness check.
pub fn release(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    succeeded: bool,
) -> QueryResult<()> {
    let target = job_leases::table
        .filter(job_leases::name.eq(name))
        .filter(job_leases::holder.eq(holder));
    if succeeded {
        diesel::update(target)
            .set((
                job_leases::expires_at.eq(now),
                job_leases::last_success_at.eq(now),
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set(job_leases::expires_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

pub fn last_success(conn: &mut AnyConnection, name: &str) -> QueryResult<Option<NaiveDateTime>> {
    Ok(job_leases::table
        .find(name)
        .select(job_leases::last_success_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

/// The sweep is a safety function: stale when none has succeeded for two intervals (counting
/// from start-up when none ever has). With background sweeps off, there is no interval to
/// miss.
pub fn sweep_stale(
    interval_secs: u64,
    last: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
    uptime: std::time::Duration,
) -> bool {
    if interval_secs == 0 {
        return false;
    }
    let limit = 2 * interval_secs as i64;
    match last {
        Some(last) => (now - last).num_seconds() > limit,
        None => uptime.as_secs() as i64 > limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use std::time::Duration;

    #[test]
    fn the_sweep_is_stale_after_two_missed_intervals() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let ago = |secs: i64| Some(now - chrono::Duration::seconds(secs));
        let up = Duration::from_secs(10_000);
        assert!(!sweep_stale(900, ago(1800), now, up));
        assert!(sweep_stale(900, ago(1801), now, up));
        assert!(!sweep_stale(900, None, now, Duration::from_secs(1800)));
        assert!(sweep_stale(900, None, now, Duration::from_secs(1801)));
        assert!(!sweep_stale(0, None, now, up), "background sweeps off");
    }
}
