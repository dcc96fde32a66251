//! The sign-in flows (login and refresh) over the service's state: throttling, the slow
//! password check off the async workers and outside transactions, then the tokens.

use actix_web::web;

use super::model::{LoginRequest, RefreshRequest, TokenResponse};
use super::password;
use super::service::{self, LoginOutcome, LoginPolicy, RefreshOutcome};
use crate::audit::AuditCtx;
use crate::error::{ApiError, ApiResult};
use crate::http::RequestId;
use crate::state::AppState;
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

fn tokens(state: &AppState, user: UserRow, refresh_token: String) -> ApiResult<TokenResponse> {
    let view = UserView::from(user);
    let access_token = state
        .jwt
        .issue(&view.id, view.role, state.clock.now())
        .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_secs,
        refresh_token,
        user: view,
    })
}

/// Checks a username and password from `client_addr` and answers new tokens.
pub async fn login(
    state: &AppState,
    client_addr: String,
    request_id: RequestId,
    body: LoginRequest,
) -> ApiResult<TokenResponse> {
    let username = body.username.trim().to_lowercase();
    let policy = policy(state);
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
    let ctx = anonymous_ctx(state, request_id);
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
        } => tokens(state, *user, refresh_token),
        LoginOutcome::Failed => Err(ApiError::Unauthorized("wrong username or password".into())),
        LoginOutcome::Throttled { retry_after_secs } => {
            Err(ApiError::TooManyRequests { retry_after_secs })
        }
    }
}

/// Exchanges a refresh token for new tokens.
pub async fn refresh(
    state: &AppState,
    request_id: RequestId,
    body: RefreshRequest,
) -> ApiResult<TokenResponse> {
    let ctx = anonymous_ctx(state, request_id);
    let ttl = state.settings.auth.refresh_token_ttl_secs;
    let outcome = state
        .db
        .write(move |conn| service::refresh(conn, &ctx, &body.refresh_token, ttl))
        .await?;
    match outcome {
        RefreshOutcome::Success {
            user,
            refresh_token,
        } => tokens(state, *user, refresh_token),
        RefreshOutcome::Refused => Err(ApiError::Unauthorized(
            "the refresh token is invalid, expired or already used".into(),
        )),
    }
}
