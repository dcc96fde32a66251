use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::export::{self, CsvExport};
use super::service::{self, Summary};
use crate::access::Scope;
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::{CurrentUser, Permission};
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::Page;
use crate::register::model::RegisterQuery;
use crate::register::routes::filter_from;
use crate::register::{service as register, store as entries};
use crate::startup::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// Only people in this area.
    pub area: Option<String>,
    /// The date the report describes (default today).
    pub as_of: Option<String>,
}

/// Register counts, overdue work, inpatients, readmissions and C(E)TR timeliness
/// (coordinators, managers).
#[utoipa::path(
    tag = "reports",
    params(SummaryQuery),
    responses(
        (status = 200, body = Summary),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/reports/summary")]
pub async fn summary(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::ReportsRead)?;
    let as_of = match query.as_of.as_deref() {
        None => state.clock.today(),
        Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            ApiError::BadQuery(vec![FieldError::new("as_of", "must be a date, YYYY-MM-DD")])
        })?,
    };
    let area = query.area.clone().filter(|a| !a.trim().is_empty());
    let ctx = user.audit_ctx(state.clock.now());
    let timescales = state.settings.timescales;
    let report = state
        .db
        .run(move |conn| {
            let report = service::summary(conn, as_of, area.as_deref(), &timescales)?;
            audit::record(
                conn,
                &ctx,
                AuditEvent::new(AuditAction::Read, "report_summary", None),
            )?;
            Ok(report)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

const EXPORT_BATCH: i64 = 1000;

/// The filtered register as CSV (same filters as the list; coordinators, managers). Columns:
/// see the README. Audited as an export.
#[utoipa::path(
    tag = "register",
    params(RegisterQuery),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/register/export.csv")]
pub async fn export_register(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RegisterQuery>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::ReportsRead)?;
    let today = state.clock.today();
    let (filter, sort) = filter_from(&query, &Scope::of(&user), today)?;
    let ctx = user.audit_ctx(state.clock.now());
    let body = state
        .db
        .write(move |conn| {
            let mut csv = CsvExport::new().map_err(ApiError::internal)?;
            let mut page = Page {
                limit: EXPORT_BATCH,
                offset: 0,
            };
            // One transaction, read in batches: a consistent snapshot without loading every
            // view at once.
            loop {
                let (rows, _) = entries::list(conn, &filter, sort, page, today)?;
                let n = rows.len() as i64;
                for view in register::views(conn, rows, today)? {
                    csv.push(export::row(&view)).map_err(ApiError::internal)?;
                }
                if n < EXPORT_BATCH {
                    break;
                }
                page.offset += EXPORT_BATCH;
            }
            audit::record(
                conn,
                &ctx,
                AuditEvent::new(AuditAction::Export, "register", None),
            )?;
            csv.finish()
                .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"dsr-register-{today}.csv\""),
        ))
        .body(body))
}
