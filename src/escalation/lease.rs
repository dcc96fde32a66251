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
