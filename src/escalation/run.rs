//! One escalation run: the sweep under the lease, in one transaction with its notifications,
//! then the sender.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::gather;
use super::lease;
use super::plan::{self, Directory, Staff, SweepPlan};
use crate::alerts::store as alerts;
use crate::config::Settings;
use crate::db::schema::{register_entries, users};
use crate::db::types::skip_unreadable;
use crate::db::{AnyConnection, Db};
use crate::domain::{Clock, Role};
use crate::error::ApiError;
use crate::keep_alive::{every_third, keep_alive};
use crate::notify::outbox;
use crate::notify::sender;
use crate::notify::transport::Mailer;

/// What a run needs, shared by the HTTP handler, the scheduler and `dsr sweep`.
#[derive(Clone)]
pub struct Escalator {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub mailer: Mailer,
    /// Names this process as the lease holder.
    pub instance_id: String,
}

#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct RunReport {
    /// Alerts opened.
    pub raised: usize,
    /// Open alerts that reached a higher level.
    pub escalated: usize,
    /// Alerts whose cause was fixed.
    pub resolved: usize,
    /// Notifications written to the outbox.
    pub notifications_queued: usize,
    /// Emails this run handed to the transport.
    pub emails_sent: usize,
    pub dry_run: bool,
}

fn directory(conn: &mut AnyConnection, settings: &Settings) -> QueryResult<Directory> {
    let rows: Vec<(String, String, String, Option<String>, bool)> = users::table
        .select((
            users::id,
            users::email,
            users::role,
            users::manager_id,
            users::active,
        ))
        .load(conn)?;
    Ok(Directory {
        staff: rows
            .into_iter()
            .filter_map(|(id, email, role, manager_id, active)| {
                let Some(role) = Role::parse(&role) else {
                    skip_unreadable("users.role", &id, &role);
                    return None;
                };
                let staff = Staff {
                    id: id.clone(),
                    email,
                    role,
                    manager_id,
                    active,
                };
                Some((id, staff))
            })
            .collect(),
        senior_addresses: settings.escalation.senior_addresses.clone(),
    })
}

/// Reads everything and decides; writes nothing.
pub fn compute(
    conn: &mut AnyConnection,
    settings: &Settings,
    clock: &dyn Clock,
) -> Result<SweepPlan, ApiError> {
    let today = clock.today();
    let found = gather::gather(conn, today, &settings.timescales)?;
    let candidates = gather::candidates(
        conn,
        found,
        today,
        &settings.escalation.levels(),
        &settings.timescales,
    )?;
    let open = alerts::open_alerts(conn)?;
    let alert_ids: Vec<String> = open.iter().map(|a| a.id.clone()).collect();
    let notified: HashSet<(String, i32, String)> = outbox::existing_keys(conn, &alert_ids)?
        .into_iter()
        .collect();
    let directory = directory(conn, settings)?;
    Ok(plan::plan(
        candidates,
        open,
        &notified,
        &directory,
        clock.now().naive_utc(),
    ))
}

pub fn apply(
    conn: &mut AnyConnection,
    plan: &SweepPlan,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    alerts::insert_all(conn, &plan.raise)?;
    for (id, progress) in &plan.progress {
        alerts::update_progress(conn, id, progress)?;
    }
    alerts::resolve(conn, &plan.resolve, now)?;
    outbox::insert_all(conn, &plan.notify)?;
    set_open_alert_counts(conn, &plan.entry_counts)?;
    Ok(())
}

/// The entries' open-alert counts: one statement on PostgreSQL (one round trip per entry
/// took 1.1 s for the 4,952 entries of a cold sweep at 100,000 people); SQLite runs in
/// process, where a cached statement per entry is as quick.
fn set_open_alert_counts(conn: &mut AnyConnection, counts: &[(String, i32)]) -> QueryResult<()> {
    match conn {
        AnyConnection::Postgresql(pg) => {
            use diesel::sql_types::{Array, Integer, Text};
            let (ids, ns): (Vec<&str>, Vec<i32>) =
                counts.iter().map(|(id, n)| (id.as_str(), *n)).unzip();
            diesel::sql_query(
                "UPDATE register_entries AS r SET open_alerts = v.n \
                 FROM unnest($1::text[], $2::int[]) AS v(id, n) WHERE r.id = v.id",
            )
            .bind::<Array<Text>, _>(ids)
            .bind::<Array<Integer>, _>(ns)
            .execute(pg)?;
        }
        AnyConnection::Sqlite(_) => {
            for (entry, count) in counts {
                diesel::update(register_entries::table.find(entry))
                    .set(register_entries::open_alerts.eq(count))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

fn report(plan: &SweepPlan, dry_run: bool) -> RunReport {
    RunReport {
        raised: plan.raise.len(),
        escalated: plan.escalated,
        resolved: plan.resolve.len(),
        notifications_queued: plan.notify.len(),
        emails_sent: 0,
        dry_run,
    }
}

/// How long a run waits for another instance's sweep to finish before giving up.
pub const LEASE_WAIT: Duration = Duration::from_secs(15);

impl Escalator {
    /// Runs one sweep and then sends what is due. A dry run reports without writing or
    /// emailing. `wait` bounds how long to wait for the lease if another instance holds it;
    /// `None` means the sweep is skipped (the scheduler's choice) and only the sender runs.
    pub async fn run(&self, dry_run: bool, wait: Option<Duration>) -> Result<RunReport, ApiError> {
        if dry_run {
            let (settings, clock) = (self.settings.clone(), self.clock.clone());
            return self
                .db
                .run(move |conn| compute(conn, &settings, clock.as_ref()).map(|p| report(&p, true)))
                .await;
        }
        let mut out = self.sweep_under_lease(wait).await?;
        out.emails_sent =
            sender::send_due(&self.db, &self.mailer, &self.settings, self.clock.as_ref()).await?;
        Ok(out)
    }

    /// The sweep alone, under the lease (renewed while it runs, so a long sweep keeps it and
    /// a killed holder's lease runs out within `escalation.lease_secs`). The background loop
    /// calls this: sending has its own loop, so a hung mail relay never holds up a sweep.
    pub async fn sweep_under_lease(&self, wait: Option<Duration>) -> Result<RunReport, ApiError> {
        if !self.take_lease(wait).await? {
            return Ok(RunReport::default());
        }
        let ttl = self.settings.escalation.lease_secs;
        let renew = || {
            let (db, holder) = (self.db.clone(), self.instance_id.clone());
            let now = self.clock.now().naive_utc();
            async move {
                db.write(move |conn| Ok(lease::take(conn, lease::SWEEP, &holder, now, ttl)?))
                    .await
                    .unwrap_or(false)
            }
        };
        let result = keep_alive(
            "escalation sweep lease",
            self.sweep(),
            every_third(ttl),
            renew,
        )
        .await;
        let now = self.clock.now().naive_utc();
        let holder = self.instance_id.clone();
        let ok = result.is_ok();
        self.db
            .write(move |conn| Ok(lease::release(conn, lease::SWEEP, &holder, now, ok)?))
            .await?;
        if let Err(err) = &result {
            tracing::error!(error = %err, "escalation sweep failed");
        }
        result
    }

    async fn take_lease(&self, wait: Option<Duration>) -> Result<bool, ApiError> {
        let deadline = std::time::Instant::now() + wait.unwrap_or_default();
        loop {
            let (holder, now, ttl) = (
                self.instance_id.clone(),
                self.clock.now().naive_utc(),
                self.settings.escalation.lease_secs,
            );
            let taken = self
                .db
                .write(move |conn| Ok(lease::take(conn, lease::SWEEP, &holder, now, ttl)?))
                .await?;
            if taken {
                return Ok(true);
            }
            if wait.is_none() || std::time::Instant::now() >= deadline {
                return match wait {
                    None => Ok(false),
                    Some(_) => Err(ApiError::Conflict(
                        "another instance is running the escalation sweep; try again shortly"
                            .into(),
                    )),
                };
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn sweep(&self) -> Result<RunReport, ApiError> {
        let (settings, clock) = (self.settings.clone(), self.clock.clone());
        let started = std::time::Instant::now();
        let report = self
            .db
            .write(move |conn| {
                let plan = compute(conn, &settings, clock.as_ref())?;
                let computed_ms = started.elapsed().as_millis() as u64;
                apply(conn, &plan, clock.now().naive_utc())?;
                Ok((report(&plan, false), computed_ms))
            })
            .await?;
        let (report, computed_ms) = report;
        tracing::info!(
            computed_ms,
            raised = report.raised,
            escalated = report.escalated,
            resolved = report.resolved,
            queued = report.notifications_queued,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "escalation sweep finished"
        );
        Ok(report)
    }
}
