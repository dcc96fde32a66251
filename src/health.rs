//! Liveness, readiness and metrics, at the root outside `/api/v1`.

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::migrate;
use crate::startup::AppState;

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
    let checked = web::block(move || -> Result<bool, String> {
        let mut conn = pool
            .get_timeout(Duration::from_secs(2))
            .map_err(|e| e.to_string())?;
        conn.batch_execute("SELECT 1").map_err(|e| e.to_string())?;
        migrate::is_up_to_date(&mut conn).map_err(|e| e.to_string())
    })
    .await;
    let database = match checked {
        Ok(Ok(true)) => "ok",
        Ok(Ok(false)) => "migrations_pending",
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
        last_sweep_at: None,
        sweep_stale: false,
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
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
