use actix_web::{post, web, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::caps::ImportCaps;
use super::service::{self, ImportOptions, ImportReport};
use crate::auth::Permission;
use crate::error::{problem_response, ApiError, ApiResult, FieldError, Problem};
use crate::http::context::Ctx;
use crate::http::extract::Query;

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

impl ImportQuery {
    fn options(&self, caps: ImportCaps) -> ImportOptions {
        ImportOptions {
            dry_run: self.dry_run,
            skip_invalid: self.skip_invalid,
            caps,
        }
    }
}

/// The uploaded file, up to `limit` bytes (413 beyond).
async fn read_upload(mut payload: web::Payload, limit: usize) -> ApiResult<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::body_too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// 200 with the report, or 422 naming each rejected row and field when nothing was written.
fn respond(report: ImportReport, options: ImportOptions) -> HttpResponse {
    if report.rejected_rows == 0 || options.skip_invalid {
        return HttpResponse::Ok().json(report);
    }
    let errors = report
        .errors
        .iter()
        .map(|e| FieldError::new(format!("row {}: {}", e.row, e.field), e.message.clone()))
        .collect();
    let detail = format!(
        "{} of {} rows were rejected; nothing was written",
        report.rejected_rows, report.rows
    );
    let extra = serde_json::json!({"report": report});
    problem_response(ApiError::Validation(errors), &detail, Some(extra))
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
        (status = 400, description = "The upload itself could not be received", body = Problem),
        (status = 409, description = "Another import by the same user is still running", body = Problem),
        (status = 413, description = "The upload, or the XLSX inflated, is larger than the caps", body = Problem),
        (status = 422, description = "Not a readable CSV or XLSX file, no column this service reads, no data rows, or more rows, columns or cells than the caps (`errors` names `file`), or rows rejected and nothing written (`errors` names row and field, the first 100; `report` has the counts and `errors_total`)", body = Problem),
    )
)]
#[post("/imports")]
pub async fn import(
    ctx: Ctx,
    query: Query<ImportQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let options = ctx
        .permit(Permission::Import, query)?
        .options(ctx.settings.imports);
    let _place = ctx.state().imports_running.place_for(&ctx.user.id)?;
    let bytes = read_upload(payload, ctx.settings.server.import_limit_bytes).await?;
    let report = ctx
        .read(move |c, a| service::run_for(c, a, &bytes, options))
        .await?;
    Ok(respond(report, options))
}
