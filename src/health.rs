//! Liveness, readiness and metrics, at the root outside `/api/v1`.

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::migrate;
use crate::escalation::lease;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Liveness {
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `unavailable`.
    pub status: String,
    /// `ok`, `unreachable` or `migrations_pending`.
    pub database: String,
    /// When the last escalation sweep succeeded.
    pub last_sweep_at: Option<chrono::DateTime<chrono::Utc>>,
    /// True when no sweep has succeeded for two intervals.
    pub sweep_stale: bool,
}

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Liveness)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Liveness {
        status: "ok".into(),
    })
}

/// The database answers and every migration is applied.
#[utoipa::path(
    tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness))
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.db.pool.clone();
    let checked = web::block(
        move || -> Result<(bool, Option<chrono::NaiveDateTime>), String> {
            let mut conn = pool
                .get_timeout(Duration::from_secs(2))
                .map_err(|e| e.to_string())?;
            conn.batch_execute("SELECT 1").map_err(|e| e.to_string())?;
            let up_to_date = migrate::is_up_to_date(&mut conn).map_err(|e| e.to_string())?;
            let last = if up_to_date {
                lease::last_success(&mut conn, lease::SWEEP).map_err(|e| e.to_string())?
            } else {
                None
            };
            Ok((up_to_date, last))
        },
    )
    .await;
    let last_sweep_at = match &checked {
        Ok(Ok((_, last))) => last.map(|t| t.and_utc()),
        _ => None,
    };
    let database = match checked {
        Ok(Ok((true, _))) => "ok",
        Ok(Ok((false, _))) => "migrations_pending",
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            "unreachable"
        }
        Err(_) => "unreachable",
    };
    let ok = database == "ok";
    let body = Readiness {
        status: if ok { "ready" } else { "unavailable" }.into(),
        database: database.into(),
        sweep_stale: lease::sweep_stale(
            state.settings.escalation.sweep_interval_secs,
            last_sweep_at,
            state.clock.now(),
            state.started_at.elapsed(),
        ),
        last_sweep_at,
    };
    if ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    tag = "health",
    responses((status = 200, content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // The safety gauges are read from the database at scrape time, so every instance reports
    // the same numbers whichever one swept.
    let counts = state
        .db
        .run(|conn| {
            let by_kind = crate::alerts::store::open_counts_by_kind(conn)?;
            let queued = crate::notify::outbox::count_queued(conn)?;
            let last = lease::last_success(conn, lease::SWEEP)?;
            Ok((by_kind, queued, last))
        })
        .await;
    match counts {
        Ok((by_kind, queued, last)) => {
            for kind in crate::domain::alerts::AlertKind::ALL {
                let n = by_kind
                    .iter()
                    .find(|(k, _)| k == kind.as_str())
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                state
                    .metrics
                    .open_alerts
                    .with_label_values(&[kind.as_str()])
                    .set(n);
            }
            state.metrics.notifications_queued.set(queued);
            state
                .metrics
                .last_sweep
                .set(last.map(|t| t.and_utc().timestamp() as f64).unwrap_or(0.0));
            let stale = lease::sweep_stale(
                state.settings.escalation.sweep_interval_secs,
                last.map(|t| t.and_utc()),
                state.clock.now(),
                state.started_at.elapsed(),
            );
            state.metrics.sweep_stale.set(i64::from(stale));
        }
        Err(err) => tracing::warn!(error = %err, "metrics: database gauges unavailable"),
    }
    let queries = state.db.queries_run();
    let counted = state.metrics.db_queries.get();
    state
        .metrics
        .db_queries
        .inc_by(queries.saturating_sub(counted));
    let metrics = &state.metrics;
    metrics.sync_cache("register_pages", state.register_pages.counts());
    metrics.sync_cache("signed_in", state.signed_in.counts());
    metrics.sync_cache("entries", state.entries.counts());
    metrics.sync_cache("people", state.people.counts());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}

/// The OpenAPI document as YAML.
#[utoipa::path(
    tag = "health",
    responses((status = 200, content_type = "application/yaml", description = "This document, as YAML"))
)]
#[get("/openapi.yaml")]
pub async fn openapi_yaml(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(state.openapi_yaml.clone())
}
