use actix_web::{post, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::run::{RunReport, LEASE_WAIT};
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::ValidJson;
use crate::http::DateRules;

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
        (status = 409, description = "Another instance kept the sweep lease too long", body = Problem),
    )
)]
#[post("/escalations/run")]
pub async fn run_escalations(ctx: Ctx, body: ValidJson<RunRequest>) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::EscalationsRun, body)?;
    let report = ctx
        .state()
        .escalator
        .run(body.dry_run, Some(LEASE_WAIT))
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
