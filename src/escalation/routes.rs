use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::run::{RunReport, LEASE_WAIT};
use crate::auth::{CurrentUser, Permission};
use crate::error::{ApiResult, Problem};
use crate::http::{DateRules, ValidJson};
use crate::startup::AppState;

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Report what a sweep would do, without writing or emailing.
    #[serde(default)]
    pub dry_run: bool,
}

impl DateRules for RunRequest {}

/// Run one escalation sweep now and send what is due (admins, coordinators, managers).
#[utoipa::path(
    tag = "escalation",
    request_body = RunRequest,
    responses(
        (status = 200, body = RunReport),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, description = "Another instance kept the sweep lease too long", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/escalations/run")]
pub async fn run_escalations(
    state: web::Data<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<RunRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::EscalationsRun)?;
    let report = state.escalator.run(body.dry_run, Some(LEASE_WAIT)).await?;
    Ok(HttpResponse::Ok().json(report))
}
