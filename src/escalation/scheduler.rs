//! Background loops: the sweep every `escalation.sweep_interval_secs` (if not 0) and the
//! sender every `escalation.sender_interval_secs` (retries after SMTP failures). They are
//! apart on purpose: a mail relay that hangs slows the sender only, never the sweep.

use std::time::{Duration, Instant};

use super::lease;
use super::run::Escalator;

/// Starts both loops on the current runtime. They run until the process stops.
pub fn spawn(escalator: Escalator) {
    let interval = escalator.settings.escalation.sweep_interval_secs;
    if interval > 0 {
        let sweeper = escalator.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let mut ticker = tokio::time::interval(Duration::from_secs(interval));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                // Another instance holding the lease is sweeping: skip, do not wait.
                if let Err(err) = sweeper.sweep_under_lease(None).await {
                    tracing::error!(error = %err, "scheduled escalation sweep failed");
                }
                warn_if_stale(&sweeper, interval, started).await;
            }
        });
    }
    let every = escalator.settings.escalation.sender_interval_secs;
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(every));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            let result = crate::notify::sender::send_due(
                &escalator.db,
                &escalator.mailer,
                &escalator.settings,
                escalator.clock.as_ref(),
            )
            .await;
            if let Err(err) = result {
                tracing::error!(error = %err, "sending queued notifications failed");
            }
        }
    });
}

/// Logs an error while no instance's sweep has succeeded for two intervals: the same rule as
/// `sweep_stale` on `/health/ready` and `dsr_sweep_stale` in `/metrics`, said where a log
/// watcher sees it.
async fn warn_if_stale(escalator: &Escalator, interval: u64, started: Instant) {
    let last = escalator
        .db
        .run(|conn| Ok(lease::last_success(conn, lease::SWEEP)?))
        .await;
    let last = match last {
        Ok(last) => last.map(|t| t.and_utc()),
        Err(_) => None, // the database is down: the failed sweep was logged already
    };
    let now = escalator.clock.now();
    if lease::sweep_stale(interval, last, now, started.elapsed()) {
        tracing::error!(
            last_sweep_at = ?last,
            interval_secs = interval,
            "escalation sweep is stale: no instance has finished one for two intervals"
        );
    }
}
