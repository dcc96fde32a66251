//! The sign-in flows (login and refresh) over the service's state: throttling, the slow
//! password check off the async workers and outside transactions, then the tokens.

use actix_web::web;

use super::jwt::Grant;
use super::model::{ChangePasswordRequest, LoginRequest, RefreshRequest, TokenResponse};
use super::password;
use super::service::{self, LoginOutcome, LoginPolicy, RefreshOutcome, SessionLimits};
use crate::audit::AuditCtx;
use crate::domain::session::SessionKind;
use crate::error::{ApiError, ApiResult};
use crate::http::context::Ctx;
use crate::http::RequestId;
use crate::state::AppState;
use crate::users::model::UserView;
use crate::users::store::{self as users, UserRow};

fn limits(state: &AppState) -> SessionLimits {
    SessionLimits {
        idle_secs: state.settings.auth.refresh_token_ttl_secs,
        max_secs: state.settings.auth.session_max_secs,
    }
}

/// The limits of a page session: shorter idle time than the API's (a shared NHS laptop left
/// open), the same absolute lifetime.
pub fn web_limits(state: &AppState) -> SessionLimits {
    SessionLimits {
        idle_secs: state.settings.web.session_idle_secs,
        max_secs: state.settings.web.session_max_secs,
    }
}

fn policy(state: &AppState, kind: SessionKind) -> LoginPolicy {
    LoginPolicy {
        max_failures: state.settings.auth.login_max_failures,
        max_per_username: state.settings.auth.login_max_failures_per_username,
        max_per_address: state.settings.auth.login_max_failures_per_address,
        window_secs: state.settings.auth.login_window_secs,
        session: match kind {
            SessionKind::Api => limits(state),
            SessionKind::Web => web_limits(state),
        },
        kind,
    }
}

fn anonymous_ctx(state: &AppState, request_id: RequestId) -> AuditCtx {
    AuditCtx {
        actor_id: None,
        request_id: Some(request_id.0),
        now: state.clock.now().naive_utc(),
    }
}

fn tokens(
    state: &AppState,
    user: UserRow,
    refresh_token: String,
    session_id: &str,
) -> ApiResult<TokenResponse> {
    let grant = Grant {
        user_id: &user.id,
        role: user.role,
        session_id,
        generation: user.token_generation,
    };
    let access_token = state
        .jwt
        .issue(grant, state.clock.now())
        .map_err(ApiError::internal)?;
    let view = UserView::from(user);
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
    let (user, refresh_token, session_id) =
        sign_in(state, client_addr, request_id, body, SessionKind::Api).await?;
    tokens(state, user, refresh_token, &session_id)
}

/// The one password check of both doors (the API's login and the sign-in page): the same
/// throttling, lockout and audit. Answers the user, the session's secret (a refresh token or
/// a cookie) and the session id.
pub async fn sign_in(
    state: &AppState,
    client_addr: String,
    request_id: RequestId,
    body: LoginRequest,
    kind: SessionKind,
) -> ApiResult<(UserRow, String, String)> {
    let username = body.username.trim().to_lowercase();
    let policy = policy(state, kind);
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
            session_id,
        } => Ok((*user, refresh_token, session_id)),
        LoginOutcome::Failed => Err(ApiError::Unauthorized("wrong username or password".into())),
        LoginOutcome::Throttled(throttle) => Err(ApiError::TooManyRequests {
            retry_after_secs: throttle.retry_after_secs,
        }),
    }
}

/// Checks the current password (slowly, off the workers, counted like a failed login so a
/// stolen token cannot guess it), the new one's strength, then stores it.
pub async fn change_password(
    ctx: &Ctx,
    client_addr: String,
    body: ChangePasswordRequest,
) -> ApiResult<()> {
    let state = ctx.state();
    let policy = policy(state, SessionKind::Api);
    let (now, addr) = (ctx.audit.now, client_addr.clone());
    let (user, throttled) = ctx
        .read(move |c, a| {
            let user = users::get(c, &a.user.id)?;
            let throttled = service::throttled_for(c, &user.username, &addr, now, policy)?;
            Ok((user, throttled))
        })
        .await?;
    if let Some(throttle) = throttled {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: throttle.retry_after_secs,
        });
    }
    let (hash, current) = (user.password_hash.clone(), body.current_password.clone());
    if !web::block(move || password::verify(&hash, &current)).await? {
        let (name, addr) = (user.username.clone(), client_addr);
        ctx.write(move |c, a| {
            super::store::record_failure(c, &name, &addr, a.audit.now)?;
            Ok(())
        })
        .await?;
        return Err(ApiError::validation(
            "current_password",
            "is not your current password",
        ));
    }
    let about = [&*user.username, &*user.email, &*user.display_name];
    password::check_new(&body.new_password, &about)
        .map_err(|m| ApiError::validation("new_password", m))?;
    if body.new_password == body.current_password {
        return Err(ApiError::validation(
            "new_password",
            "must differ from the current one",
        ));
    }
    let hash = password::hash_off_thread(body.new_password).await?;
    ctx.write(move |c, a| {
        service::set_own_password(c, &a.audit, &a.user.id, &a.user.session_id, &hash)
    })
    .await
}

/// Exchanges a refresh token for new tokens.
pub async fn refresh(
    state: &AppState,
    request_id: RequestId,
    body: RefreshRequest,
) -> ApiResult<TokenResponse> {
    let ctx = anonymous_ctx(state, request_id);
    let limits = limits(state);
    let outcome = state
        .db
        .write(move |conn| service::refresh(conn, &ctx, &body.refresh_token, limits))
        .await?;
    match outcome {
        RefreshOutcome::Success {
            user,
            refresh_token,
            session_id,
        } => tokens(state, *user, refresh_token, &session_id),
        RefreshOutcome::Refused => Err(ApiError::Unauthorized(
            "the refresh token is invalid, expired or already used".into(),
        )),
    }
}
