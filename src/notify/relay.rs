//! What this process knows of the mail relay, for `/metrics`: an outage or a hung relay must
//! be visible to monitoring, not only in the outbox's growing queue.

use std::sync::LazyLock;

use prometheus::{Gauge, IntCounterVec, IntGauge, Opts};

use super::transport::SendError;

/// Failed sends by reason (`permanent`, `temporary`, `unreachable`).
pub static FAILURES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    IntCounterVec::new(
        Opts::new(
            "dsr_email_send_failures_total",
            "Digest emails the relay did not take, by reason (permanent 5xx, temporary 4xx, unreachable: connection, TLS or timeout)",
        ),
        &["reason"],
    )
    .expect("static metric definition is valid")
});

/// 1 until an attempt finds the relay unreachable or answering "try later", 0 from then
/// until a message goes through.
pub static UP: LazyLock<IntGauge> = LazyLock::new(|| {
    let gauge = IntGauge::new(
        "dsr_email_relay_up",
        "0 while this instance's last attempt to send found the relay unreachable, hung or refusing for now; 1 otherwise",
    )
    .expect("static metric definition is valid");
    gauge.set(1);
    gauge
});

/// Unix time of the last message the relay accepted from this process.
pub static LAST_SENT: LazyLock<Gauge> = LazyLock::new(|| {
    Gauge::new(
        "dsr_email_last_sent_timestamp_seconds",
        "Unix time of the last email the relay accepted from this instance (0: none yet)",
    )
    .expect("static metric definition is valid")
});

pub fn record_sent(at: chrono::DateTime<chrono::Utc>) {
    UP.set(1);
    LAST_SENT.set(at.timestamp() as f64);
}

pub fn record_failure(error: &SendError) {
    FAILURES.with_label_values(&[error.reason()]).inc();
    if !matches!(error, SendError::Permanent(_)) {
        UP.set(0);
    }
}
