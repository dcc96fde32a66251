use actix_web::{get, patch, post, HttpResponse};

use super::admin;
use super::model::{CreateUserRequest, UpdateUserRequest, UserQuery, UserView};
use super::service;
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, Query, ValidJson};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams};

/// List users (admin, coordinator, manager).
#[utoipa::path(
    tag = "users",
    params(UserQuery, PageParams),
    responses((status = 200, body = ListResponse<UserView>))
)]
#[get("/users")]
pub async fn list_users(
    ctx: Ctx,
    query: Query<UserQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::UsersRead, (query, page))?;
    let list = ctx.read(move |c, _| service::list(c, query, page)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Create a user (admin).
#[utoipa::path(
    tag = "users",
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = UserView, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "Username taken", body = Problem),
        (status = 413, body = Problem),
    )
)]
#[post("/users")]
pub async fn create_user(ctx: Ctx, body: ValidJson<CreateUserRequest>) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::UsersWrite, body)?;
    let view = UserView::from(admin::create(&ctx, body).await?);
    Ok(created("/api/v1/users", &view.id, &view, view.version))
}

/// Read a user (admin, coordinator, manager).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = UserView, headers(("ETag" = String))))
)]
#[get("/users/{id}")]
pub async fn get_user(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::UsersRead)?;
    let view = ctx.read(move |c, _| service::read(c, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}

/// Update a user (admin). Honours `If-Match`.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = String, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one gets 412"),
    ),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, body = UserView, headers(("ETag" = String))),
        (status = 409, description = "Would leave no active admin", body = Problem),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateUserRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::UsersWrite, body)?;
    let view = UserView::from(admin::update(&ctx, id.key(), if_match, body).await?);
    Ok(ok_versioned(&view, view.version))
}
