//! Prometheus metrics served at `/metrics`.

use std::time::Duration;

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pub open_alerts: IntGaugeVec,
    pub notifications_queued: IntGauge,
    pub last_sweep: Gauge,
    pub sweep_stale: IntGauge,
    pub db_queries: prometheus::IntCounter,
    cache_hits: IntCounterVec,
    cache_builds: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "dsr_http_requests_total",
                "HTTP requests by route and status",
            ),
            &["method", "route", "status"],
        )
        .expect("static metric definition is valid");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "dsr_http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )
        .expect("static metric definition is valid");
        registry
            .register(Box::new(requests.clone()))
            .expect("metric registered once");
        registry
            .register(Box::new(latency.clone()))
            .expect("metric registered once");
        let open_alerts = IntGaugeVec::new(
            Opts::new("dsr_open_alerts", "Open (and acknowledged) alerts by kind"),
            &["kind"],
        )
        .expect("static metric definition is valid");
        let notifications_queued = IntGauge::new(
            "dsr_notifications_queued",
            "Notifications waiting in the outbox",
        )
        .expect("static metric definition is valid");
        let last_sweep = Gauge::new(
            "dsr_last_sweep_timestamp_seconds",
            "Unix time of the last successful escalation sweep (0: none yet)",
        )
        .expect("static metric definition is valid");
        let sweep_stale = IntGauge::new(
            "dsr_sweep_stale",
            "1 when no instance has finished an escalation sweep for two intervals: overdue work is going unnoticed",
        )
        .expect("static metric definition is valid");
        let db_queries = prometheus::IntCounter::new(
            "dsr_db_queries_total",
            "SQL statements run by this process",
        )
        .expect("static metric definition is valid");
        let cache_hits = IntCounterVec::new(
            Opts::new(
                "dsr_cache_hits_total",
                "Values served from an in-memory cache (register pages, signed-in users)",
            ),
            &["cache"],
        )
        .expect("static metric definition is valid");
        let cache_builds = IntCounterVec::new(
            Opts::new(
                "dsr_cache_builds_total",
                "Values read from the database and kept in an in-memory cache",
            ),
            &["cache"],
        )
        .expect("static metric definition is valid");
        for metric in [
            Box::new(db_queries.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(cache_hits.clone()),
            Box::new(cache_builds.clone()),
            Box::new(open_alerts.clone()),
            Box::new(notifications_queued.clone()),
            Box::new(last_sweep.clone()),
            Box::new(sweep_stale.clone()),
            Box::new(crate::notify::relay::FAILURES.clone()),
            Box::new(crate::notify::relay::UP.clone()),
            Box::new(crate::notify::relay::LAST_SENT.clone()),
            // Process-wide (the sweep has no handle on this struct); each registry reads it.
            Box::new(crate::db::types::UNREADABLE_ROWS.clone()),
        ] {
            registry.register(metric).expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            open_alerts,
            notifications_queued,
            last_sweep,
            sweep_stale,
            db_queries,
            cache_hits,
            cache_builds,
        }
    }

    /// Brings a cache's counters up to the totals it reports (read at scrape time).
    pub fn sync_cache(&self, cache: &str, (hits, builds): (u64, u64)) {
        for (counter, total) in [(&self.cache_hits, hits), (&self.cache_builds, builds)] {
            let counter = counter.with_label_values(&[cache]);
            counter.inc_by(total.saturating_sub(counter.get()));
        }
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// The registry for gauges other modules add (alerts, outbox, sweeps).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let encoder = TextEncoder::new();
        if let Err(err) = encoder.encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %err, "could not encode metrics");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
