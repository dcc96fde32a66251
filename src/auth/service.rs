//! Login throttling, refresh-token rotation with reuse detection, logout.

use chrono::{Duration, NaiveDateTime};
use diesel::OptionalExtension;

use super::store;
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::db::AnyConnection;
use crate::domain::session::SessionKind;
use crate::error::ApiError;
use crate::users::store::{self as users, UserRow};

pub const SESSION_ENTITY: &str = "session";

#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    /// Failures for one (username, address) pair within the window.
    pub max_failures: i64,
    pub max_per_username: i64,
    pub max_per_address: i64,
    pub window_secs: i64,
    pub session: SessionLimits,
    /// The door the session opens: the API (refresh tokens) or the pages (a cookie).
    pub kind: SessionKind,
}

/// How long a session lasts: `idle_secs` without a refresh, `max_secs` in all.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle_secs: i64,
    pub max_secs: i64,
}

impl SessionLimits {
    /// When a refresh token issued at `now` in a session begun at `started` lapses.
    pub fn expires_at(&self, started: NaiveDateTime, now: NaiveDateTime) -> NaiveDateTime {
        (now + Duration::seconds(self.idle_secs)).min(started + Duration::seconds(self.max_secs))
    }
}

/// A throttled attempt: which limit it met, and when it may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub limit: &'static str,
    pub retry_after_secs: i64,
}

/// When the attempt of `username` from `client_addr` is over a limit: the pair's, the
/// username's across addresses, or the address's across usernames (the longest wait wins).
pub fn throttled_for(
    conn: &mut AnyConnection,
    username: &str,
    client_addr: &str,
    now: NaiveDateTime,
    policy: LoginPolicy,
) -> Result<Option<Throttle>, ApiError> {
    let window = Duration::seconds(policy.window_secs);
    let limits = [
        (
            "username_and_address",
            store::FailureScope::Pair(username, client_addr),
            policy.max_failures,
        ),
        (
            "username",
            store::FailureScope::Username(username),
            policy.max_per_username,
        ),
        (
            "address",
            store::FailureScope::Address(client_addr),
            policy.max_per_address,
        ),
    ];
    let mut worst: Option<Throttle> = None;
    for (limit, scope, max) in limits {
        let failures = store::recent_failures(conn, scope, now - window, max)?;
        if let Some(retry_after_secs) = wait_after(&failures, max, window, now) {
            if worst.is_none_or(|w| retry_after_secs > w.retry_after_secs) {
                worst = Some(Throttle {
                    limit,
                    retry_after_secs,
                });
            }
        }
    }
    Ok(worst)
}

/// With `max` failures at `failures` (oldest first, the newest `max` in the window), the
/// seconds until the oldest of them leaves the window; `None` below the limit.
fn wait_after(
    failures: &[NaiveDateTime],
    max: i64,
    window: Duration,
    now: NaiveDateTime,
) -> Option<i64> {
    if (failures.len() as i64) < max {
        return None;
    }
    let free_at = failures[failures.len() - max as usize] + window;
    Some((free_at - now).num_seconds().max(1))
}

pub enum LoginOutcome {
    Success {
        user: Box<UserRow>,
        refresh_token: String,
        session_id: String,
    },
    Failed,
    Throttled(Throttle),
}

/// Records the result of a password check in one transaction: the failure or the new
/// session, and the audit row either way.
pub fn finish_login(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    username: &str,
    client_addr: &str,
    user: Option<UserRow>,
    password_ok: bool,
    policy: LoginPolicy,
) -> Result<LoginOutcome, ApiError> {
    let user_id = user.as_ref().map(|u| u.id.clone());
    let audit_ctx = AuditCtx {
        actor_id: user_id.clone(),
        ..ctx.clone()
    };
    let login_event = || AuditEvent::new(AuditAction::Login, "user", user_id.as_deref());
    // Checked again inside the write transaction so parallel guesses cannot slip past it.
    if let Some(throttle) = throttled_for(conn, username, client_addr, ctx.now, policy)? {
        audit::record(
            conn,
            &audit_ctx,
            login_event()
                .fields(vec!["throttled", throttle.limit])
                .failed(),
        )?;
        return Ok(LoginOutcome::Throttled(throttle));
    }
    match user {
        Some(user) if password_ok && user.active => {
            let window = Duration::seconds(policy.window_secs);
            store::clear_failures(conn, username, client_addr, ctx.now - window)?;
            let family = uuid::Uuid::now_v7().to_string();
            let session = store::Session {
                user_id: &user.id,
                family_id: &family,
                started_at: ctx.now,
                expires_at: policy.session.expires_at(ctx.now, ctx.now),
                kind: policy.kind,
            };
            let refresh_token = store::issue(conn, session, ctx.now)?;
            audit::record(conn, &audit_ctx, login_event())?;
            Ok(LoginOutcome::Success {
                user: Box::new(user),
                refresh_token,
                session_id: family,
            })
        }
        _ => {
            store::record_failure(conn, username, client_addr, ctx.now)?;
            audit::record(conn, &audit_ctx, login_event().failed())?;
            Ok(LoginOutcome::Failed)
        }
    }
}

pub enum RefreshOutcome {
    Success {
        user: Box<UserRow>,
        refresh_token: String,
        session_id: String,
    },
    Refused,
}

/// Rotates a refresh token. A token that was already rotated is being replayed: every
/// session of the user ends, so a stolen token stops working for the thief and the owner
/// alike, whichever session the thief took it from. A session past its absolute lifetime
/// is not renewed, however recently it was used.
pub fn refresh(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    token: &str,
    limits: SessionLimits,
) -> Result<RefreshOutcome, ApiError> {
    let Some(row) = store::find_by_token(conn, token, SessionKind::Api)? else {
        return Ok(RefreshOutcome::Refused);
    };
    if row.revoked_at.is_some() || row.expires_at <= ctx.now {
        return Ok(RefreshOutcome::Refused);
    }
    let reuse = |conn: &mut AnyConnection| -> Result<RefreshOutcome, ApiError> {
        store::end_all_sessions(conn, &row.user_id, ctx.now)?;
        let audit_ctx = AuditCtx {
            actor_id: Some(row.user_id.clone()),
            ..ctx.clone()
        };
        audit::record(
            conn,
            &audit_ctx,
            AuditEvent::new(AuditAction::Login, SESSION_ENTITY, Some(&row.family_id))
                .fields(vec!["refresh_token_reuse"])
                .failed(),
        )?;
        Ok(RefreshOutcome::Refused)
    };
    if row.rotated_at.is_some() {
        return reuse(conn);
    }
    let user = match users::get(conn, &row.user_id).optional()? {
        Some(u) if u.active => u,
        _ => {
            store::revoke_family(conn, &row.family_id, ctx.now)?;
            return Ok(RefreshOutcome::Refused);
        }
    };
    if row.session_started_at + Duration::seconds(limits.max_secs) <= ctx.now {
        store::revoke_family(conn, &row.family_id, ctx.now)?;
        return Ok(RefreshOutcome::Refused);
    }
    if !store::mark_rotated(conn, &row.id, ctx.now)? {
        return reuse(conn);
    }
    let session = store::Session {
        user_id: &user.id,
        family_id: &row.family_id,
        started_at: row.session_started_at,
        expires_at: limits.expires_at(row.session_started_at, ctx.now),
        kind: SessionKind::Api,
    };
    let refresh_token = store::issue(conn, session, ctx.now)?;
    Ok(RefreshOutcome::Success {
        user: Box::new(user),
        refresh_token,
        session_id: row.family_id.clone(),
    })
}

/// Ends the caller's session: the one their access token belongs to, and the one the refresh
/// token names if that is theirs too. Its access tokens die on their next request.
pub fn logout(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    user_id: &str,
    session_id: &str,
    token: &str,
) -> Result<(), ApiError> {
    let named = store::find_by_token(conn, token, SessionKind::Api)?
        .filter(|r| r.user_id == user_id)
        .map(|r| r.family_id);
    let mut sessions = vec![session_id.to_string()];
    sessions.extend(named.filter(|f| f != session_id));
    for family in &sessions {
        end_session(conn, ctx, family)?;
    }
    Ok(())
}

/// Ends one session (an API login's or a page's), audited.
pub fn end_session(conn: &mut AnyConnection, ctx: &AuditCtx, family: &str) -> Result<(), ApiError> {
    store::revoke_family(conn, family, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Logout, SESSION_ENTITY, Some(family)),
    )?;
    Ok(())
}

/// Sets the user's own new password (already checked and hashed), clears a reset's
/// `must_change_password`, and ends every other session; this one stays.
pub fn set_own_password(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    user_id: &str,
    session_id: &str,
    password_hash: &str,
) -> Result<(), ApiError> {
    users::set_password(conn, user_id, password_hash, ctx.now)?;
    store::revoke_others(conn, user_id, session_id, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, "user", Some(user_id)).fields(vec!["password"]),
    )?;
    Ok(())
}
