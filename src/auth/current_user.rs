//! The signed-in user a request acts as. The `Ctx` extractor (`http::context`) builds it from
//! a valid bearer token for an active user, or answers 401.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::permissions::{allows, Permission};
use crate::audit::AuditCtx;
use crate::domain::Role;
use crate::error::ApiError;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub manager_id: Option<String>,
    pub request_id: String,
    /// The session this request's token belongs to.
    pub session_id: String,
    /// An admin reset the password: nothing but choosing a new one is allowed.
    pub must_change_password: bool,
}

impl CurrentUser {
    /// 403 unless the role table allows this.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if allows(self.role, permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    pub fn audit_ctx(&self, now: DateTime<Utc>) -> AuditCtx {
        AuditCtx {
            actor_id: Some(self.id.clone()),
            request_id: Some(self.request_id.clone()),
            now: now.naive_utc(),
        }
    }
}

/// What a request needs of its user's row (no password hash is kept in memory) and of its
/// session; `user` is `None` for a token whose user no longer exists.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: Option<Arc<UserSnapshot>>,
    /// The token's session is neither ended nor past its limits.
    pub session_open: bool,
}

#[derive(Debug)]
pub struct UserSnapshot {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub manager_id: Option<String>,
    pub active: bool,
    pub token_generation: i32,
    pub must_change_password: bool,
}

/// What the token itself says about its session.
#[derive(Debug, Clone)]
pub struct TokenSession {
    pub session_id: String,
    pub generation: i32,
    pub request_id: String,
}

impl SignedIn {
    /// The user this request acts as: active, in a session still open, with a token of the
    /// user's current generation; else 401 (without saying which, so probing learns nothing).
    pub fn current(&self, token: TokenSession) -> Result<CurrentUser, ApiError> {
        match self.user.as_deref() {
            Some(u) if u.active && self.session_open && u.token_generation == token.generation => {
                Ok(CurrentUser {
                    role: u.role,
                    id: u.id.clone(),
                    username: u.username.clone(),
                    manager_id: u.manager_id.clone(),
                    request_id: token.request_id,
                    session_id: token.session_id,
                    must_change_password: u.must_change_password,
                })
            }
            _ => Err(ApiError::Unauthorized(
                "the token is invalid or expired".into(),
            )),
        }
    }
}
