use actix_web::{delete, get, put, HttpResponse};

use super::model::{AssignKeyworkerRequest, AssignmentView};
use super::service;
use crate::auth::{access, Permission};
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, ValidJson};
use crate::http::{ListResponse, PageParams};
use crate::register::model::EntryView;

/// Name a person's keyworker (coordinators, managers); ends the previous assignment today.
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Person id")),
    request_body = AssignKeyworkerRequest,
    responses(
        (status = 200, body = AssignmentView),
        (status = 422, description = "The user is not an active keyworker", body = Problem),
    )
)]
#[put("/people/{id}/keyworker")]
pub async fn assign_keyworker(
    ctx: Ctx,
    id: Id,
    body: ValidJson<AssignKeyworkerRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::KeyworkerAssign, body)?;
    let view = ctx
        .write(move |c, a| service::assign_view(c, a, &id.key(), body))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// End a person's keyworker assignment today (coordinators, managers).
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 204, description = "No current keyworker any more"))
)]
#[delete("/people/{id}/keyworker")]
pub async fn unassign_keyworker(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::KeyworkerAssign)?;
    ctx.write(move |c, a| service::unassign(c, a, &id.key()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every keyworker assignment of a person, oldest first, with dates.
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = Vec<AssignmentView>))
)]
#[get("/people/{id}/keyworker-history")]
pub async fn keyworker_history(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let items = ctx
        .read(move |c, a| service::history(c, a, &id.key()))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// A keyworker's active register entries, overdue reviews first (the keyworker themself,
/// coordinators, managers).
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "User id of the keyworker"), PageParams),
    responses((status = 200, body = ListResponse<EntryView>))
)]
#[get("/users/{id}/caseload")]
pub async fn caseload(ctx: Ctx, id: Id, page: Paging) -> ApiResult<HttpResponse> {
    ctx.ensure(access::may_read_caseload(&ctx.user, &id.key()))?;
    let page = ctx.permit(Permission::CaseloadRead, page)?;
    let list = ctx
        .read(move |c, a| service::caseload(c, a, &id.key(), page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
