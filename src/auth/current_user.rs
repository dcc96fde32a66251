//! The `CurrentUser` extractor: a valid bearer token for an active user, or 401.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::{DateTime, Utc};
use futures_util::future::LocalBoxFuture;

use super::permissions::{allows, Permission};
use crate::audit::AuditCtx;
use crate::domain::Role;
use crate::error::ApiError;
use crate::http::RequestId;
use crate::startup::AppState;
use crate::users::store as users;

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
pub struct SignedIn(Option<Arc<UserSnapshot>>);

#[derive(Debug)]
pub struct UserSnapshot {
    id: String,
    username: String,
    role: String,
    manager_id: Option<String>,
    active: bool,
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<CurrentUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
            let token =
                token.ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))?;
            let claims = state
                .jwt
                .verify(&token)
                .ok_or_else(|| ApiError::Unauthorized("the token is invalid or expired".into()))?;
            // The role and the active flag come from the database, not the token, so a
            // deactivation or role change takes effect on the very next request. They are kept
            // in memory only while nothing has changed (see `db::changes`): at once for changes
            // made through this process, within `cache.refresh_ms` for other processes'.
            let sub = claims.sub;
            let user = state
                .signed_in
                .get_or_build(
                    sub.clone(),
                    || state.changes.stamp(),
                    || async {
                        let row = state
                            .db
                            .run(move |conn| Ok(users::find(conn, &sub)?))
                            .await?;
                        Ok::<_, ApiError>(SignedIn(row.map(|u| {
                            Arc::new(UserSnapshot {
                                role: u.role,
                                id: u.id,
                                username: u.username,
                                manager_id: u.manager_id,
                                active: u.active,
                            })
                        })))
                    },
                )
                .await?;
            match user.0.as_deref() {
                Some(u) if u.active => Ok(CurrentUser {
                    role: Role::parse(&u.role).ok_or(ApiError::Forbidden)?,
                    id: u.id.clone(),
                    username: u.username.clone(),
                    manager_id: u.manager_id.clone(),
                    request_id,
                }),
                _ => Err(ApiError::Unauthorized(
                    "the token is invalid or expired".into(),
                )),
            }
        })
    }
}
