use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::login as flows;
use super::model::{ChangePasswordRequest, LoginRequest, RefreshRequest, TokenResponse};
use super::service;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Deferred, ValidJson};
use crate::http::{self, ok_versioned, RequestId};
use crate::state::AppState;
use crate::users::model::UserView;
use crate::users::store as users;

/// Log in with username and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong username or password, or deactivated", body = Problem),
        (status = 429, description = "Too many failed logins for this username from this address", body = Problem),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    request_id: RequestId,
    body: ValidJson<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let tokens = flows::login(
        &state,
        http::context::request_client_addr(&req),
        request_id,
        body.resolve()?,
    )
    .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Exchange a refresh token for new tokens. Each refresh token works once; replaying a used
/// one revokes every token of that session.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "The refresh token is invalid, expired or already used", body = Problem),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    request_id: RequestId,
    body: ValidJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let tokens = flows::refresh(&state, request_id, body.resolve()?).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// End the session the refresh token belongs to.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out"))
)]
#[post("/auth/logout")]
pub async fn logout(ctx: Ctx, body: ValidJson<RefreshRequest>) -> ApiResult<HttpResponse> {
    let token = body.resolve()?.refresh_token;
    ctx.write(move |c, a| service::logout(c, &a.audit, &a.user.id, &a.user.session_id, &token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change your own password. Every other session ends; this one stays. Also clears an
/// admin reset's `must_change_password`.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 422, description = "`current_password` is wrong, or `new_password` is too weak", body = Problem),
        (status = 429, description = "Too many wrong current passwords", body = Problem),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    ctx: Ctx,
    req: HttpRequest,
    body: ValidJson<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.resolve()?;
    flows::change_password(&ctx, http::context::request_client_addr(&req), body).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, body = UserView))
)]
#[get("/me")]
pub async fn me(ctx: Ctx) -> ApiResult<HttpResponse> {
    let row = ctx.read(|c, a| Ok(users::get(c, &a.user.id)?)).await?;
    let view = UserView::from(row);
    Ok(ok_versioned(&view, view.version))
}
