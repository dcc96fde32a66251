//! Background loops: the sweep every `escalation.sweep_interval_secs` (if not 0) and the
//! sender every `escalation.sender_interval_secs` (retries after SMTP failures).

use std::time::Duration;

use super::run::Escalator;

/// Starts both loops on the current runtime. They run until the process stops.
pub fn spawn(escalator: Escalator) {
    let interval = escalator.settings.escalation.sweep_interval_secs;
    if interval > 0 {
        let sweeper = escalator.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(Duration::from_secs(interval));
            loop {
                ticker.tick().await;
                // Another instance holding the lease is sweeping: skip, do not wait.
                if let Err(err) = sweeper.run(false, None).await {
                    tracing::error!(error = %err, "scheduled escalation run failed");
                }
            }
        });
    }
    let every = escalator.settings.escalation.sender_interval_secs;
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(every));
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
