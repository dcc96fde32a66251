use actix_web::{delete, get, put, web, HttpResponse};

use super::model::{AssignKeyworkerRequest, AssignmentView};
use super::service;
use crate::access::Scope;
use crate::auth::{CurrentUser, Permission};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{ListResponse, PageParams, ValidJson};
use crate::register::model::EntryView;
use crate::startup::AppState;

/// Name a person's keyworker (coordinators, managers); ends the previous assignment today.
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Person id")),
    request_body = AssignKeyworkerRequest,
    responses(
        (status = 200, body = AssignmentView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "The user is not an active keyworker", body = Problem),
    ),
    security(("bearer" = []))
)]
#[put("/people/{id}/keyworker")]
pub async fn assign_keyworker(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<AssignKeyworkerRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::KeyworkerAssign)?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::assign(conn, &ctx, &id, body, today)?;
            service::views(conn, vec![row])?
                .pop()
                .ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// End a person's keyworker assignment today (coordinators, managers).
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 204, description = "No current keyworker any more"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[delete("/people/{id}/keyworker")]
pub async fn unassign_keyworker(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::KeyworkerAssign)?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let id = id.into_inner().to_string();
    state
        .db
        .write(move |conn| service::unassign(conn, &ctx, &id, today))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every keyworker assignment of a person, oldest first, with dates.
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = Vec<AssignmentView>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/people/{id}/keyworker-history")]
pub async fn keyworker_history(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let id = id.into_inner().to_string();
    let items = state
        .db
        .run(move |conn| service::history(conn, &ctx, &scope, &id))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// A keyworker's active register entries, overdue reviews first (the keyworker themself,
/// coordinators, managers).
#[utoipa::path(
    tag = "keyworkers",
    params(("id" = String, Path, description = "User id of the keyworker"), PageParams),
    responses(
        (status = 200, body = ListResponse<EntryView>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/users/{id}/caseload")]
pub async fn caseload(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::CaseloadRead)?;
    let id = id.into_inner().to_string();
    if user.role == Role::Keyworker && user.id != id {
        return Err(ApiError::Forbidden);
    }
    let page = page.resolve()?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let (items, total) = state
        .db
        .run(move |conn| service::caseload(conn, &ctx, &id, page, today))
        .await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(items, total, page)))
}
