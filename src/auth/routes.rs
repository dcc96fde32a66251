use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::model::{LoginRequest, RefreshRequest, TokenResponse};
use super::password;
use super::service::{self, LoginOutcome, LoginPolicy, RefreshOutcome};
use crate::audit::AuditCtx;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{ok_versioned, RequestId, ValidJson};
use crate::startup::AppState;
use crate::users::model::UserView;
use crate::users::store::{self as users, UserRow};

fn policy(state: &AppState) -> LoginPolicy {
    LoginPolicy {
        max_failures: state.settings.auth.login_max_failures,
        window_secs: state.settings.auth.login_window_secs,
        refresh_ttl_secs: state.settings.auth.refresh_token_ttl_secs,
    }
}

fn anonymous_ctx(state: &AppState, request_id: RequestId) -> AuditCtx {
    AuditCtx {
        actor_id: None,
        request_id: Some(request_id.0),
        now: state.clock.now().naive_utc(),
    }
}

fn tokens(state: &AppState, user: UserRow, refresh_token: String) -> ApiResult<HttpResponse> {
    let view = UserView::from(user);
    let access_token = state
        .jwt
        .issue(&view.id, view.role, state.clock.now())
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_secs,
        refresh_token,
        user: view,
    }))
}

/// Log in with username and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = Problem),
        (status = 401, description = "Wrong username or password, or deactivated", body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "Too many failed logins for this username from this address", body = Problem),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    request_id: RequestId,
    ValidJson(body): ValidJson<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let username = body.username.trim().to_lowercase();
    let client_addr = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let policy = policy(&state);
    let now = state.clock.now().naive_utc();
    let (name, addr) = (username.clone(), client_addr.clone());
    let (throttled, user) = state
        .db
        .run(move |conn| {
            let throttled = service::throttled_for(conn, &name, &addr, now, policy)?;
            Ok((throttled, users::find_by_username(conn, &name)?))
        })
        .await?;
    // The password is checked outside any transaction (it is slow by design); a throttled
    // pair is not checked at all, so it learns nothing even with the right password.
    let password_ok = match (&throttled, &user) {
        (Some(_), _) => false,
        (None, Some(u)) => {
            let (hash, pw) = (u.password_hash.clone(), body.password.clone());
            web::block(move || password::verify(&hash, &pw)).await?
        }
        (None, None) => {
            let pw = body.password.clone();
            web::block(move || password::verify_dummy(&pw)).await?;
            false
        }
    };
    let ctx = anonymous_ctx(&state, request_id);
    let outcome = state
        .db
        .write(move |conn| {
            service::finish_login(
                conn,
                &ctx,
                &username,
                &client_addr,
                user,
                password_ok,
                policy,
            )
        })
        .await?;
    match outcome {
        LoginOutcome::Success {
            user,
            refresh_token,
        } => tokens(&state, *user, refresh_token),
        LoginOutcome::Failed => Err(ApiError::Unauthorized("wrong username or password".into())),
        LoginOutcome::Throttled { retry_after_secs } => {
            Err(ApiError::TooManyRequests { retry_after_secs })
        }
    }
}

/// Exchange a refresh token for new tokens. Each refresh token works once; replaying a used
/// one revokes every token of that session.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    request_id: RequestId,
    ValidJson(body): ValidJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let ctx = anonymous_ctx(&state, request_id);
    let ttl = state.settings.auth.refresh_token_ttl_secs;
    let outcome = state
        .db
        .write(move |conn| service::refresh(conn, &ctx, &body.refresh_token, ttl))
        .await?;
    match outcome {
        RefreshOutcome::Success {
            user,
            refresh_token,
        } => tokens(&state, *user, refresh_token),
        RefreshOutcome::Refused => Err(ApiError::Unauthorized(
            "the refresh token is invalid, expired or already used".into(),
        )),
    }
}

/// End the session the refresh token belongs to.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let ctx = user.audit_ctx(state.clock.now());
    state
        .db
        .write(move |conn| service::logout(conn, &ctx, &user.id, &body.refresh_token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, body = UserView), (status = 401, body = Problem)),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    let id = user.id.clone();
    let row = state
        .db
        .run(move |conn| users::find(conn, &id)?.ok_or(ApiError::NotFound))
        .await?;
    let view = UserView::from(row);
    Ok(ok_versioned(&view, view.version))
}
