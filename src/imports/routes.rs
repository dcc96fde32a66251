use actix_web::{post, web, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, ImportOptions, ImportReport};
use crate::auth::{CurrentUser, Permission};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::Now;
use crate::register::routes::rules;
use crate::startup::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check and count, write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Write the valid rows even when some are rejected.
    #[serde(default)]
    pub skip_invalid: bool,
}

/// Import a spreadsheet register: the body is the CSV or XLSX file (coordinators). Every row
/// is checked with the API's rules; when any is rejected nothing is written (422 with the
/// report) unless `skip_invalid`. NHS number is the key: re-importing creates no duplicates.
#[utoipa::path(
    tag = "imports",
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "CSV or XLSX file; columns as in the README"),
    responses(
        (status = 200, description = "Imported, or the dry run's counts", body = ImportReport),
        (status = 400, description = "Not a readable CSV or XLSX file", body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 422, description = "Rows rejected; nothing written. `errors` names row and field; `report` has the counts", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/imports")]
pub async fn import(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ImportQuery>,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    user.require(Permission::Import)?;
    let limit = state.settings.server.import_limit_bytes;
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    let options = ImportOptions {
        dry_run: query.dry_run,
        skip_invalid: query.skip_invalid,
    };
    let (ctx, rules) = (user.audit_ctx(state.clock.now()), rules(&state));
    let now = Now {
        today: state.clock.today(),
        instant: state.clock.now(),
    };
    let report = state
        .db
        .run(move |conn| service::run(conn, &ctx, &bytes, options, rules, now))
        .await?;
    if report.rejected_rows > 0 && !options.skip_invalid {
        let errors = report
            .errors
            .iter()
            .map(|e| {
                crate::error::FieldError::new(
                    format!("row {}: {}", e.row, e.field),
                    e.message.clone(),
                )
            })
            .collect();
        let detail = format!(
            "{} of {} rows were rejected; nothing was written",
            report.rejected_rows, report.rows
        );
        return Ok(crate::error::problem_response(
            ApiError::Validation(errors),
            &detail,
            Some(serde_json::json!({"report": report})),
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}
