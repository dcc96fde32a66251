//! Page sessions: an opaque random id in the `dsr_session` cookie, stored hashed as a
//! session of kind `web` beside the API's (so every rule that ends a user's sessions ends
//! these too), with an idle end that moves as the user works and an absolute one that does
//! not. Forms carry a CSRF token derived from the session; the sign-in form, before any
//! session, one derived from a cookie of its own.

use std::sync::Arc;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use chrono::NaiveDateTime;
use futures_util::future::LocalBoxFuture;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::chrome::Chrome;
use super::error::PageError;
use crate::auth::current_user::{CurrentUser, TokenSession};
use crate::auth::login::web_limits;
use crate::auth::page_session::{idle, Idle, OpenSession};
use crate::auth::store as sessions;
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

/// Whether the session is open at `now`, moving its idle end on (at most once a minute).
async fn still_open(
    session: &OpenSession,
    state: &AppState,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    if session.revoked {
        return Ok(false);
    }
    let expires_at = *session.expires_at.lock().unwrap_or_else(|e| e.into_inner());
    match idle(expires_at, session.started_at, now, web_limits(state)) {
        Idle::Closed => Ok(false),
        Idle::Open => Ok(true),
        Idle::Extend(next) => {
            let id = session.row_id.clone();
            state
                .db
                .write(move |c| Ok(sessions::extend(c, &id, next)?))
                .await?;
            *session.expires_at.lock().unwrap_or_else(|e| e.into_inner()) = next;
            Ok(true)
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
    if !still_open(&session, state, state.clock.now().naive_utc()).await? {
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
    /// The layout's parts for this user, under the navigation item `section`.
    pub fn chrome(&self, section: &str) -> Chrome {
        Chrome::signed_in(&self.user.username, self.user.role, &self.csrf, section)
    }

    /// The request's moment, as the API's JSON rules take it (dates not in the future, etc.).
    pub fn now(&self) -> crate::http::Now {
        crate::http::Now {
            today: self.today,
            instant: self.state().clock.now(),
        }
    }

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
        let request_id = RequestId::of(req);
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

#[cfg(test)]
mod tests {
    use super::*;

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
