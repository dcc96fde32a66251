//! Login throttling, refresh-token rotation with reuse detection, logout.

use chrono::{Duration, NaiveDateTime};
use diesel::OptionalExtension;

use super::store;
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::users::store::{self as users, UserRow};

pub const SESSION_ENTITY: &str = "session";

#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    pub max_failures: i64,
    pub window_secs: i64,
    pub refresh_ttl_secs: i64,
}

/// Seconds until the pair may try again, when it has used up its failures in the window.
pub fn throttled_for(
    conn: &mut AnyConnection,
    username: &str,
    client_addr: &str,
    now: NaiveDateTime,
    policy: LoginPolicy,
) -> Result<Option<i64>, ApiError> {
    let window = Duration::seconds(policy.window_secs);
    let failures = store::recent_failures(conn, username, client_addr, now - window)?;
    if (failures.len() as i64) < policy.max_failures {
        return Ok(None);
    }
    // The pair is free again when the oldest failure that still counts leaves the window.
    let index = failures.len() - policy.max_failures as usize;
    let free_at = failures[index] + window;
    Ok(Some((free_at - now).num_seconds().max(1)))
}

pub enum LoginOutcome {
    Success {
        user: Box<UserRow>,
        refresh_token: String,
    },
    Failed,
    Throttled {
        retry_after_secs: i64,
    },
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
    if let Some(retry_after_secs) = throttled_for(conn, username, client_addr, ctx.now, policy)? {
        audit::record(
            conn,
            &audit_ctx,
            login_event().fields(vec!["throttled"]).failed(),
        )?;
        return Ok(LoginOutcome::Throttled { retry_after_secs });
    }
    match user {
        Some(user) if password_ok && user.active => {
            let window = Duration::seconds(policy.window_secs);
            store::clear_failures(conn, username, client_addr, ctx.now - window)?;
            let family = uuid::Uuid::now_v7().to_string();
            let expires = ctx.now + Duration::seconds(policy.refresh_ttl_secs);
            let refresh_token = store::issue(conn, &user.id, &family, ctx.now, expires)?;
            audit::record(conn, &audit_ctx, login_event())?;
            Ok(LoginOutcome::Success {
                user: Box::new(user),
                refresh_token,
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
    },
    Refused,
}

/// Rotates a refresh token. A token that was already rotated is being replayed: the whole
/// family is revoked, so a stolen token stops working for the thief and the owner alike.
pub fn refresh(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    token: &str,
    refresh_ttl_secs: i64,
) -> Result<RefreshOutcome, ApiError> {
    let Some(row) = store::find_by_token(conn, token)? else {
        return Ok(RefreshOutcome::Refused);
    };
    if row.revoked_at.is_some() || row.expires_at <= ctx.now {
        return Ok(RefreshOutcome::Refused);
    }
    let reuse = |conn: &mut AnyConnection| -> Result<RefreshOutcome, ApiError> {
        store::revoke_family(conn, &row.family_id, ctx.now)?;
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
    if !store::mark_rotated(conn, &row.id, ctx.now)? {
        return reuse(conn);
    }
    let expires = ctx.now + Duration::seconds(refresh_ttl_secs);
    let refresh_token = store::issue(conn, &user.id, &row.family_id, ctx.now, expires)?;
    Ok(RefreshOutcome::Success {
        user: Box::new(user),
        refresh_token,
    })
}

/// Ends the session the refresh token belongs to, if it is the caller's.
pub fn logout(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    user_id: &str,
    token: &str,
) -> Result<(), ApiError> {
    if let Some(row) = store::find_by_token(conn, token)?.filter(|r| r.user_id == user_id) {
        store::revoke_family(conn, &row.family_id, ctx.now)?;
        audit::record(
            conn,
            ctx,
            AuditEvent::new(AuditAction::Logout, SESSION_ENTITY, Some(&row.family_id)),
        )?;
    }
    Ok(())
}
