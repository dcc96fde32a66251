use actix_web::{get, patch, post, HttpResponse};

use super::model::{KeyworkingView, ReferRequest, UpdateKeyworkingRequest};
use super::service;
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, ValidJson};
use crate::http::{created, ok_versioned, IfMatch};

/// Refer a child or young person (aged 25 or under) to the keyworking service
/// (coordinators, managers). One open episode at a time.
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Person id")),
    request_body = ReferRequest,
    responses(
        (status = 201, body = KeyworkingView, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The person already has an open episode", body = Problem),
        (status = 422, description = "Includes a person older than 25 on the day, naming `referred_on`", body = Problem),
    )
)]
#[post("/people/{id}/keyworking")]
pub async fn refer(ctx: Ctx, id: Id, body: ValidJson<ReferRequest>) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::KeyworkerAssign, body)?;
    let view = ctx
        .write(move |c, a| service::refer_view(c, a, &id.key(), body))
        .await?;
    Ok(created("/api/v1/keyworking", &view.id, &view, view.version))
}

/// The person's keyworking episodes with their history, newest referral first.
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = Vec<KeyworkingView>))
)]
#[get("/people/{id}/keyworking")]
pub async fn list(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let items = ctx
        .read(move |c, a| service::for_person(c, a, &id.key()))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// One keyworking episode.
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Keyworking episode id")),
    responses((status = 200, body = KeyworkingView, headers(("ETag" = String))))
)]
#[get("/keyworking/{id}")]
pub async fn get_one(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}

/// Move an episode on: accepted, declined (with a reason), allocated (to a CYP keyworker, who
/// then sees the person as part of their caseload) or closed (coordinators, managers).
/// Honours `If-Match`.
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Keyworking episode id")),
    request_body = UpdateKeyworkingRequest,
    responses(
        (status = 200, body = KeyworkingView, headers(("ETag" = String))),
        (status = 422, description = "Includes a move the episode cannot make, naming `status`", body = Problem),
    )
)]
#[patch("/keyworking/{id}")]
pub async fn update(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateKeyworkingRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::KeyworkerAssign, body)?;
    let view = ctx
        .write(move |c, a| service::update_view(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}
