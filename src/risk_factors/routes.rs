use actix_web::{get, patch, post, HttpResponse};

use super::model::{NoteRiskFactorRequest, RiskFactorView, UpdateRiskFactorRequest};
use super::service;
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::extract::{Id, ValidJson};
use crate::http::{created, ok_versioned, IfMatch};

/// Note a reason for risk on an entry (coordinators): a configured code, the date it was
/// noted and a note. The entry's `risk_factors` and version change.
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    request_body = NoteRiskFactorRequest,
    responses(
        (status = 201, body = RiskFactorView, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The entry is closed", body = crate::error::Problem),
    )
)]
#[post("/register/{id}/risk-factors")]
pub async fn note_risk_factor(
    ctx: Ctx,
    id: Id,
    body: ValidJson<NoteRiskFactorRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::note(c, a, &id.key(), body))
        .await?;
    Ok(created(
        "/api/v1/risk-factors",
        &view.id,
        &view,
        view.version,
    ))
}

/// The entry's reasons for risk, current ones first, then ended ones (history).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    responses((status = 200, body = Vec<RiskFactorView>))
)]
#[get("/register/{id}/risk-factors")]
pub async fn list_risk_factors(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let list = ctx.read(move |c, a| service::list(c, a, &id.key())).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// End a reason for risk (`ended_on`) or change its note (coordinators). Honours `If-Match`.
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Risk factor id")),
    request_body = UpdateRiskFactorRequest,
    responses(
        (status = 200, body = RiskFactorView, headers(("ETag" = String))),
        (status = 409, description = "The entry is closed", body = crate::error::Problem),
    )
)]
#[patch("/risk-factors/{id}")]
pub async fn update_risk_factor(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateRiskFactorRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::update(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// One reason for risk.
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Risk factor id")),
    responses((status = 200, body = RiskFactorView, headers(("ETag" = String))))
)]
#[get("/risk-factors/{id}")]
pub async fn get_risk_factor(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}
