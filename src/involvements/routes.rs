use actix_web::{get, patch, post, HttpResponse};

use super::model::{CreateInvolvementRequest, InvolvementView, UpdateInvolvementRequest};
use super::service;
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, ValidJson};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams};

/// Record another professional involved with the person (coordinators, clinicians, and
/// keyworkers for their caseload).
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Person id")),
    request_body = CreateInvolvementRequest,
    responses((status = 201, body = InvolvementView, headers(("Location" = String), ("ETag" = String))))
)]
#[post("/people/{id}/involvements")]
pub async fn create_involvement(
    ctx: Ctx,
    id: Id,
    body: ValidJson<CreateInvolvementRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::InvolvementsWrite, body)?;
    let view = ctx
        .write(move |c, a| service::create(c, a, &id.key(), body))
        .await?;
    Ok(created(
        "/api/v1/involvements",
        &view.id,
        &view,
        view.version,
    ))
}

/// The professionals involved with a person: current ones first.
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Person id"), PageParams),
    responses((status = 200, body = ListResponse<InvolvementView>))
)]
#[get("/people/{id}/involvements")]
pub async fn list_involvements(ctx: Ctx, id: Id, page: Paging) -> ApiResult<HttpResponse> {
    let page = ctx.permit(Permission::RecordsRead, page)?;
    let list = ctx
        .read(move |c, a| service::list(c, a, &id.key(), page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One involvement.
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Involvement id")),
    responses((status = 200, body = InvolvementView, headers(("ETag" = String))))
)]
#[get("/involvements/{id}")]
pub async fn get_involvement(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}

/// Change an involvement, or end it (`to_on`). Honours `If-Match`.
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Involvement id")),
    request_body = UpdateInvolvementRequest,
    responses((status = 200, body = InvolvementView, headers(("ETag" = String))))
)]
#[patch("/involvements/{id}")]
pub async fn update_involvement(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateInvolvementRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::InvolvementsWrite, body)?;
    let view = ctx
        .write(move |c, a| service::update(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}
