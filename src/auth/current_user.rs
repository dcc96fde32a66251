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

/// What a request needs of its user's row (no password hash is kept in memory); `None` for a
/// token whose user no longer exists.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Option<Arc<UserSnapshot>>);

#[derive(Debug)]
pub struct UserSnapshot {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub manager_id: Option<String>,
    pub active: bool,
}

impl SignedIn {
    /// The user this request acts as: active, with a role the service knows; else 401.
    pub fn current(&self, request_id: String) -> Result<CurrentUser, ApiError> {
        match self.0.as_deref() {
            Some(u) if u.active => Ok(CurrentUser {
                role: u.role,
                id: u.id.clone(),
                username: u.username.clone(),
                manager_id: u.manager_id.clone(),
                request_id,
            }),
            _ => Err(ApiError::Unauthorized(
                "the token is invalid or expired".into(),
            )),
        }
    }
}
