//! Page sessions: an opaque random id in the `dsr_session` cookie, stored hashed as a
//! session of kind `web` beside the API's (so every rule that ends a user's sessions ends
//! these too), with an idle end that moves as the user works and an absolute one that does
//! not. Forms carry a CSRF token derived from the session; the sign-in form, before any
//! session, one derived from a cookie of its own.

use std::sync::{Arc, Mutex};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::{Duration, NaiveDateTime};
use futures_util::future::LocalBoxFuture;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::error::PageError;
use crate::auth::current_user::{CurrentUser, TokenSession};
use crate::auth::login::web_limits;
use crate::auth::service::SessionLimits;
use crate::auth::store::{self as sessions, RefreshTokenRow};
use crate::domain::session::SessionKind;
use crate::error::ApiError;
use crate::http::context::{signed_in, Ctx};
use crate::http::RequestId;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "dsr_session";
/// Holds the sign-in form's nonce until the form comes back.
pub const SIGN_IN_COOKIE: &str = "dsr_sign_in";
/// The form field every changing form carries.
pub const CSRF_FIELD: &str = "csrf_token";

/// A page session as last read; `expires_at` moves in memory as it is extended, so a busy
/// session is written at most once a minute.
#[derive(Debug)]
pub struct OpenSession {
    row_id: String,
    family_id: String,
    user_id: String,
    started_at: NaiveDateTime,
    revoked: bool,
    expires_at: Mutex<NaiveDateTime>,
}

impl From<RefreshTokenRow> for OpenSession {
    fn from(row: RefreshTokenRow) -> Self {
        OpenSession {
            revoked: row.revoked_at.is_some(),
            expires_at: Mutex::new(row.expires_at),
            row_id: row.id,
            family_id: row.family_id,
            user_id: row.user_id,
            started_at: row.session_started_at,
        }
    }
}

/// What a page needs of the session's idle end at `now`: closed, open as it is, or open and
/// to be moved to a new end.
#[derive(Debug, PartialEq, Eq)]
enum Idle {
    Closed,
    Open,
    Extend(NaiveDateTime),
}

/// Pure: the idle rule. The end moves only when it would move by more than a minute.
fn idle(
    expires_at: NaiveDateTime,
    started_at: NaiveDateTime,
    now: NaiveDateTime,
    limits: SessionLimits,
) -> Idle {
    if expires_at <= now || started_at + Duration::seconds(limits.max_secs) <= now {
        return Idle::Closed;
    }
    let next = limits.expires_at(started_at, now);
    if next - expires_at > Duration::seconds(60) {
        Idle::Extend(next)
    } else {
        Idle::Open
    }
}

impl OpenSession {
    async fn still_open(&self, state: &AppState, now: NaiveDateTime) -> Result<bool, ApiError> {
        if self.revoked {
            return Ok(false);
        }
        let expires_at = *self.expires_at.lock().unwrap_or_else(|e| e.into_inner());
        match idle(expires_at, self.started_at, now, web_limits(state)) {
            Idle::Closed => Ok(false),
            Idle::Open => Ok(true),
            Idle::Extend(next) => {
                let id = self.row_id.clone();
                state
                    .db
                    .write(move |c| Ok(sessions::extend(c, &id, next)?))
                    .await?;
                *self.expires_at.lock().unwrap_or_else(|e| e.into_inner()) = next;
                Ok(true)
            }
        }
    }
}

/// The user a session cookie belongs to, while the session is open and the user active.
pub async fn authenticate(
    state: &AppState,
    token: String,
    request_id: String,
) -> Result<Option<CurrentUser>, ApiError> {
    let session = state
        .web_sessions
        .get_or_build(
            sessions::hash_token(&token),
            || state.changes.stamp(),
            || async {
                let row = state
                    .db
                    .run(move |c| Ok(sessions::find_by_token(c, &token, SessionKind::Web)?))
                    .await?;
                Ok::<_, ApiError>(row.map(|r| Arc::new(OpenSession::from(r))))
            },
        )
        .await?;
    let Some(session) = session else {
        return Ok(None);
    };
    if !session
        .still_open(state, state.clock.now().naive_utc())
        .await?
    {
        return Ok(None);
    }
    let user = signed_in(state, session.user_id.clone(), session.family_id.clone()).await?;
    // A page session has no token generation of its own: everything that moves the
    // generation also revokes the session row, which `still_open` saw.
    let generation = user.user.as_ref().map_or(0, |u| u.token_generation);
    Ok(user
        .current(TokenSession {
            session_id: session.family_id.clone(),
            generation,
            request_id,
        })
        .ok())
}

/// A signed-in page request: the same context the API handlers take, and the CSRF token
/// of its session for the forms it renders.
pub struct Page {
    pub ctx: Ctx,
    pub csrf: String,
}

impl std::ops::Deref for Page {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl Page {
    /// 403 (and nothing changed) unless the form carried this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if verify(
            &self.ctx.state().page_key,
            &format!("session:{}", self.user.session_id),
            sent,
        ) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }
}

/// Pages a user whose password was reset may still open.
fn allowed_while_reset(path: &str) -> bool {
    matches!(path, "/account/password" | "/sign-out")
}

impl FromRequest for Page {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Page, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let path = req.path().to_string();
        // Only a GET comes back to where it was: a form's POST would be a different page.
        let back_to = (req.method() == actix_web::http::Method::GET).then(|| {
            req.uri()
                .path_and_query()
                .map_or(path.clone(), |p| p.as_str().to_string())
        });
        let route = req.match_pattern().unwrap_or_else(|| path.clone());
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
            let sign_in = || PageError::SignIn { next: back_to };
            let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 128) else {
                return Err(sign_in());
            };
            let Some(user) = authenticate(&state, token, request_id).await? else {
                return Err(sign_in());
            };
            if user.must_change_password && !allowed_while_reset(&path) {
                return Err(PageError::Redirect("/account/password".into()));
            }
            let csrf = sign(&state.page_key, &format!("session:{}", user.session_id));
            Ok(Page {
                ctx: Ctx::acting_as(state, user, route),
                csrf,
            })
        })
    }
}

fn mac(key: &[u8], message: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message.as_bytes());
    mac
}

/// A form token: HMAC of what it is tied to, under the service's page key.
pub fn sign(key: &[u8], tied_to: &str) -> String {
    hex::encode(mac(key, tied_to).finalize().into_bytes())
}

/// Compares in constant time.
pub fn verify(key: &[u8], tied_to: &str, sent: &str) -> bool {
    match hex::decode(sent) {
        Ok(bytes) => mac(key, tied_to).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

pub fn nonce() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The page key: derived from the JWT secret (every server of one service has the same),
/// but never usable as it.
pub fn page_key(jwt_secret: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(jwt_secret).expect("any key length");
    mac.update(b"dsr page forms v1");
    mac.finalize().into_bytes().to_vec()
}

/// A cookie of ours: HttpOnly, SameSite=Lax, Secure whenever the service is served over
/// https, for the whole site, ending with the browser.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.server.public_url.starts_with("https://"))
        .finish()
}

pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.make_removal();
    c
}

/// Where `next` may send a user after sign-in: only a path on this site (one leading `/`,
/// no `//host`, no `/\host`, no scheme), else nowhere.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && next.len() <= 2000;
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn the_idle_end_moves_with_use_and_never_past_the_absolute_end() {
        let limits = SessionLimits {
            idle_secs: 1800,
            max_secs: 43200,
        };
        let start = at(0);
        for (expires, now, expected) in [
            (at(1800), at(10), Idle::Open),
            (at(1800), at(60), Idle::Open),
            (at(1800), at(61), Idle::Extend(at(1861))),
            (at(1800), at(1800), Idle::Closed),
            (at(1800), at(1801), Idle::Closed),
            (at(43200), at(42000), Idle::Open),
            (at(43000), at(42000), Idle::Extend(at(43200))),
            (at(43300), at(43200), Idle::Closed),
        ] {
            assert_eq!(idle(expires, start, now, limits), expected, "{now}");
        }
    }

    #[test]
    fn next_is_a_path_on_this_site_only() {
        for (next, ok) in [
            ("/register?rag=red", true),
            ("/people/1", true),
            ("/", true),
            ("//evil.example", false),
            ("/\\evil.example", false),
            ("https://evil.example", false),
            ("evil", false),
            ("", false),
            ("/a\\b", false),
            ("/a\r\nSet-Cookie: x", false),
        ] {
            assert_eq!(safe_next(next).is_some(), ok, "{next:?}");
        }
    }

    #[test]
    fn form_tokens_are_tied_to_what_they_sign() {
        let key = page_key(b"a secret of at least thirty-two bytes...");
        let token = sign(&key, "session:abc");
        assert!(verify(&key, "session:abc", &token));
        assert!(!verify(&key, "session:abd", &token));
        assert!(!verify(&key, "session:abc", "zz"));
        assert!(!verify(&key, "session:abc", ""));
        assert!(!verify(&page_key(b"another secret"), "session:abc", &token));
    }
}
