//! `Ctx`: the request context every authenticated handler takes. It authenticates the bearer
//! token, and carries what the service call needs (the [`Actor`]) with the way to run it on
//! the database. A handler reads: require the permission, one service call, the response.

use std::ops::Deref;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use diesel::OptionalExtension;
use futures_util::future::LocalBoxFuture;

use super::extract::Deferred;
use super::RequestId;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::access::Scope;
use crate::auth::actor::Actor;
use crate::auth::current_user::{CurrentUser, SignedIn, TokenSession, UserSnapshot};
use crate::auth::store as sessions;
use crate::auth::Permission;
use crate::cache::StampedCache;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::state::AppState;
use crate::users::store as users;

pub struct Ctx {
    actor: Arc<Actor>,
    state: web::Data<AppState>,
    /// The route pattern (`/api/v1/people/{id}`), naming what a refused attempt was at.
    route: String,
}

impl Deref for Ctx {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl Ctx {
    /// The context of `user` (authenticated by a bearer token, or by a page's session) at
    /// `route`.
    pub fn acting_as(state: web::Data<AppState>, user: CurrentUser, route: String) -> Ctx {
        let actor = Actor {
            audit: user.audit_ctx(state.clock.now()),
            scope: Scope::of(&user),
            today: state.clock.today(),
            settings: state.settings.clone(),
            user,
            pending_reads: Default::default(),
        };
        Ctx {
            actor: Arc::new(actor),
            state,
            route,
        }
    }

    /// 403 unless the role table allows this.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        self.refusals(self.user.require(permission))
    }

    /// 403 unless a rule about the rows (see `auth::access`) allows this.
    pub fn ensure(&self, allowed: bool) -> Result<(), ApiError> {
        self.refusals(allowed.then_some(()).ok_or(ApiError::Forbidden))
    }

    /// Records a refused attempt (a 403, or a 404 outside the caseload) in the audit, with
    /// its reason and, for a person out of scope, the person; the answer is unchanged.
    fn refusals<T>(&self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        let (reason, person) = match &result {
            Err(ApiError::Forbidden) => ("forbidden", None),
            Err(ApiError::OutOfScope { person_id }) => ("outside_caseload", Some(person_id)),
            _ => return result,
        };
        let mut event = AuditEvent::new(AuditAction::Refused, &self.route, None)
            .fields(vec![reason])
            .failed();
        if let Some(person) = person {
            event = event.about(person);
        }
        self.state.read_audit.note(&self.audit, event);
        result
    }

    /// The permission first, then the inputs' own checks: a role that may not do this learns
    /// nothing about what it sent.
    pub fn permit<D: Deferred>(
        &self,
        permission: Permission,
        input: D,
    ) -> Result<D::Output, ApiError> {
        self.require(permission)?;
        input.resolve()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs `f` on a pooled connection, outside any transaction (plain reads).
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let actor = self.actor.clone();
        let result = self.refusals(self.state.db.run(move |conn| f(conn, &actor)).await);
        self.commit_reads().await?;
        result
    }

    /// One record's read, kept in `cache` under the change stamp for this scope and day: while
    /// nothing it is made of has changed (its entry, person and users all move the stamp), a
    /// record read again is answered from memory. `read` checks visibility and does not audit;
    /// every answer, kept or not, is audited here by `audit` in the group commit before it
    /// leaves. A refusal or a missing record is never kept.
    pub async fn read_kept<V: Send + Sync + 'static>(
        &self,
        cache: &StampedCache<String, Arc<V>>,
        id: String,
        read: fn(&mut AnyConnection, &Actor, &str) -> Result<V, ApiError>,
        audit: fn(&V) -> AuditEvent<'_>,
    ) -> Result<Arc<V>, ApiError> {
        let key = format!("{id}|{:?}|{}", self.scope, self.today);
        let view = cache
            .get_or_build(
                key,
                || self.state.changes.stamp(),
                || async { self.read(move |c, a| read(c, a, &id)).await.map(Arc::new) },
            )
            .await?;
        self.audit_read(audit(&view));
        self.commit_reads().await?;
        Ok(view)
    }

    /// Commits the reads the service call audited (in a group with other requests') before
    /// its answer can leave; a failure to record them fails the request.
    async fn commit_reads(&self) -> Result<(), ApiError> {
        let reads = self.actor.take_pending_reads();
        if reads.is_empty() {
            return Ok(());
        }
        self.state.read_audit.record_all(reads).await
    }

    /// Runs `f` in one write transaction.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let actor = self.actor.clone();
        let result = self.refusals(self.state.db.write(move |conn| f(conn, &actor)).await);
        self.commit_reads().await?;
        result
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// The user a bearer token names, if it is valid, its session open and the user active;
/// else 401.
async fn authenticate(
    state: &AppState,
    token: Option<String>,
    request_id: String,
) -> Result<CurrentUser, ApiError> {
    let token = token.ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))?;
    let claims = state
        .jwt
        .verify(&token, state.clock.now())
        .ok_or_else(|| ApiError::Unauthorized("the token is invalid or expired".into()))?;
    let signed_in = signed_in(state, claims.sub, claims.sid.clone()).await?;
    signed_in.current(TokenSession {
        session_id: claims.sid,
        generation: claims.generation,
        request_id,
    })
}

/// The user `sub` in session `sid` as last read (see `auth::current_user::SignedIn`).
pub async fn signed_in(state: &AppState, sub: String, sid: String) -> Result<SignedIn, ApiError> {
    // The role, the active flag, the token generation and the session come from the
    // database, not the token, so a deactivation, a role change, a logout or a reset takes
    // effect on the very next request. They are kept in memory only while nothing has
    // changed (see `db::changes`): at once for changes made through this process, within
    // `cache.refresh_ms` for other processes'.
    state
        .signed_in
        .get_or_build(
            format!("{sub} {sid}"),
            || state.changes.stamp(),
            || async {
                let now = state.clock.now().naive_utc();
                let (row, session_open) = state
                    .db
                    .run(move |conn| {
                        let row = users::get(conn, &sub).optional()?;
                        let open = sessions::session_open(conn, &sub, &sid, now)?;
                        Ok((row, open))
                    })
                    .await?;
                Ok::<_, ApiError>(SignedIn {
                    session_open,
                    user: row.map(|u| {
                        Arc::new(UserSnapshot {
                            role: u.role,
                            id: u.id,
                            username: u.username,
                            manager_id: u.manager_id,
                            active: u.active,
                            token_generation: u.token_generation,
                            must_change_password: u.must_change_password,
                        })
                    }),
                })
            },
        )
        .await
}

/// What a user whose password an admin reset may still do: see who they are, choose a new
/// password, sign in and out.
fn allowed_while_reset(path: &str) -> bool {
    matches!(path, "/api/v1/me" | "/api/v1/me/password") || path.starts_with("/api/v1/auth/")
}

impl FromRequest for Ctx {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Ctx, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let reset_allows = allowed_while_reset(req.path());
        let route = req
            .match_pattern()
            .unwrap_or_else(|| req.path().to_string());
        let request_id = RequestId::of(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
            let user = authenticate(&state, token, request_id).await?;
            if user.must_change_password && !reset_allows {
                return Err(ApiError::PasswordChangeRequired);
            }
            Ok(Ctx::acting_as(state, user, route))
        })
    }
}

/// The client address of a request, through the proxies the settings trust (for login
/// throttling and the audit).
pub fn request_client_addr(req: &actix_web::HttpRequest) -> String {
    let trusted = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|s| s.settings.server.trusted_proxies.clone())
        .unwrap_or_default();
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    super::client_addr(req.peer_addr().map(|a| a.ip()), forwarded, &trusted)
}
