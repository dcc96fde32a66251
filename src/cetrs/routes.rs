use actix_web::{get, patch, post, HttpResponse};

use super::model::{CetrView, CreateCetrRequest, UpdateCetrRequest};
use super::service;
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, ValidJson};
use crate::http::{created, ok_versioned, IfMatch};

/// Record a C(E)TR (coordinators, clinicians).
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "Person id")),
    request_body = CreateCetrRequest,
    responses(
        (status = 201, body = CetrView, headers(("Location" = String), ("ETag" = String))),
        (status = 422, description = "Includes an incomplete panel, naming `panel`", body = Problem),
    )
)]
#[post("/people/{id}/cetrs")]
pub async fn create_cetr(
    ctx: Ctx,
    id: Id,
    body: ValidJson<CreateCetrRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::CetrWrite, body)?;
    let view = ctx
        .write(move |c, a| service::create_view(c, a, &id.key(), body))
        .await?;
    Ok(created("/api/v1/cetrs", &view.id, &view, view.version))
}

/// A person's C(E)TRs with their actions, newest first.
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = Vec<CetrView>))
)]
#[get("/people/{id}/cetrs")]
pub async fn list_cetrs(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let items = ctx
        .read(move |c, a| service::for_person(c, a, &id.key()))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// One C(E)TR with its actions.
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "C(E)TR id")),
    responses((status = 200, body = CetrView, headers(("ETag" = String))))
)]
#[get("/cetrs/{id}")]
pub async fn get_cetr(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}

/// Correct a C(E)TR (coordinators, clinicians). Honours `If-Match`.
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "C(E)TR id")),
    request_body = UpdateCetrRequest,
    responses((status = 200, body = CetrView, headers(("ETag" = String))))
)]
#[patch("/cetrs/{id}")]
pub async fn update_cetr(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateCetrRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::CetrWrite, body)?;
    let view = ctx
        .write(move |c, a| service::update_view(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}
