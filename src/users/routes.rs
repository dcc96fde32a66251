use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{CreateUserRequest, UpdateUserRequest, UserQuery, UserView};
use super::service::{self, NewUser, UserPatch};
use super::store::{self, UserFilter};
use crate::auth::{password, CurrentUser, Permission};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams, ValidJson};
use crate::startup::AppState;

/// Hashing is deliberately slow: keep it off the async workers and outside transactions.
async fn hash_password(password: String) -> ApiResult<String> {
    web::block(move || password::hash(&password))
        .await?
        .map_err(ApiError::internal)
}

/// List users (admin, coordinator, manager).
#[utoipa::path(
    tag = "users",
    params(UserQuery, PageParams),
    responses(
        (status = 200, body = ListResponse<UserView>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<UserQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::UsersRead)?;
    let page = page.resolve()?;
    let filter = UserFilter {
        role: query.role.map(|r| r.as_str().to_string()),
        active: query.active,
    };
    let (rows, total) = state
        .db
        .run(move |conn| Ok(store::list(conn, &filter, page)?))
        .await?;
    let items = rows.into_iter().map(UserView::from).collect();
    Ok(HttpResponse::Ok().json(ListResponse::new(items, total, page)))
}

/// Create a user (admin).
#[utoipa::path(
    tag = "users",
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = UserView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, description = "Username taken", body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<CreateUserRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::UsersWrite)?;
    let hash = hash_password(body.password.clone()).await?;
    let new = NewUser::from_request(body, hash)?;
    let ctx = user.audit_ctx(state.clock.now());
    let row = state
        .db
        .write(move |conn| service::create(conn, &ctx, new))
        .await?;
    let view = UserView::from(row);
    Ok(created(
        &format!("/api/v1/users/{}", view.id),
        &view,
        view.version,
    ))
}

/// Read a user (admin, coordinator, manager).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = UserView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::UsersRead)?;
    let id = id.into_inner().to_string();
    let row = state
        .db
        .run(move |conn| store::find(conn, &id)?.ok_or(ApiError::NotFound))
        .await?;
    let view = UserView::from(row);
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
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Would leave no active admin", body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<UpdateUserRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::UsersWrite)?;
    let hash = match body.password.clone() {
        Some(pw) => Some(hash_password(pw).await?),
        None => None,
    };
    let patch = UserPatch::from_request(body, hash);
    let ctx = user.audit_ctx(state.clock.now());
    let id = id.into_inner().to_string();
    let row = state
        .db
        .write(move |conn| service::update(conn, &ctx, &id, &if_match, patch))
        .await?;
    let view = UserView::from(row);
    Ok(ok_versioned(&view, view.version))
}
