//! Signing in and out, and changing one's own password: the same password check,
//! throttling, lockout and audit as the API's login (`auth::login`).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::chrome::Chrome;
use super::error::PageError;
use super::error::PageResult;
use super::forms::FormErrors;
use super::home::start_page;
use super::respond::html;
use super::respond::{safe_next, see_other};
use super::session::{self, Page, SESSION_COOKIE, SIGN_IN_COOKIE};
use crate::auth::login as flows;
use crate::auth::model::{ChangePasswordRequest, LoginRequest};
use crate::auth::service as sessions;
use crate::domain::session::SessionKind;
use crate::error::ApiError;
use crate::http::context::request_client_addr;
use crate::http::RequestId;
use crate::state::AppState;
use crate::users::store::UserRow;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    errors: FormErrors,
    csrf: String,
    next: String,
    username: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// The sign-in form, with a fresh nonce cookie its token is tied to.
fn sign_in_page(
    state: &AppState,
    status: StatusCode,
    next: &str,
    username: &str,
    errors: FormErrors,
) -> HttpResponse {
    let nonce = session::nonce();
    let page = SignInPage {
        chrome: Chrome::anonymous(),
        errors,
        csrf: session::sign(&state.page_key, &format!("sign-in:{nonce}")),
        next: safe_next(next).unwrap_or("").to_string(),
        username: username.to_string(),
    };
    let mut response = html(status, page.render());
    let _ = response.add_cookie(&session::cookie(state, SIGN_IN_COOKIE, nonce));
    response
}

#[get("/sign-in")]
pub async fn sign_in_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<NextQuery>,
) -> PageResult {
    let next = query.next.as_deref().unwrap_or("");
    // Already signed in: straight on.
    if let Some(token) = req.cookie(SESSION_COOKIE) {
        let user = session::authenticate(&state, token.value().to_string(), String::new()).await?;
        if let Some(user) = user {
            return Ok(see_other(safe_next(next).unwrap_or(start_page(user.role))));
        }
    }
    Ok(sign_in_page(
        &state,
        StatusCode::OK,
        next,
        "",
        FormErrors::default(),
    ))
}

impl SignInForm {
    /// 403 unless the form carries the token tied to this browser's sign-in nonce.
    fn check_csrf(&self, state: &AppState, req: &HttpRequest) -> Result<(), PageError> {
        let nonce = req.cookie(SIGN_IN_COOKIE).map(|c| c.value().to_string());
        let tied = nonce.map(|n| format!("sign-in:{n}"));
        match tied {
            Some(t) if session::verify(&state.page_key, &t, &self.csrf_token) => Ok(()),
            _ => Err(PageError::Csrf),
        }
    }

    fn missing(&self) -> FormErrors {
        let mut errors = FormErrors::default();
        if self.username.trim().is_empty() {
            errors.add("username", "Enter your username");
        }
        if self.password.is_empty() {
            errors.add("password", "Enter your password");
        }
        errors
    }
}

/// A refused sign-in in words, or the error itself when it is not a refusal.
fn refusal(err: ApiError) -> Result<(StatusCode, FormErrors), ApiError> {
    match err {
        ApiError::Unauthorized(_) => Ok((
            StatusCode::UNAUTHORIZED,
            FormErrors::one(
                "username",
                "Enter a correct username and password (or your account may be deactivated)",
            ),
        )),
        ApiError::TooManyRequests { retry_after_secs } => {
            let minutes = (retry_after_secs + 59) / 60;
            let text = format!(
                "Too many failed attempts. Wait {minutes} minute{} and try again, or ask your \
                 service administrator to reset your password",
                if minutes == 1 { "" } else { "s" }
            );
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                FormErrors::one("username", text),
            ))
        }
        other => Err(other),
    }
}

/// Signed in: the cookie, the nonce forgotten, on to where the user was going (or must go).
fn signed_in(state: &AppState, user: UserRow, token: String, next: &str) -> HttpResponse {
    let to = if user.must_change_password {
        "/account/password"
    } else {
        safe_next(next).unwrap_or(start_page(user.role))
    };
    let mut response = see_other(to);
    let _ = response.add_cookie(&session::cookie(state, SESSION_COOKIE, token));
    let _ = response.add_cookie(&session::removal(state, SIGN_IN_COOKIE));
    response
}

#[post("/sign-in")]
pub async fn sign_in_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    request_id: RequestId,
    form: web::Form<SignInForm>,
) -> PageResult {
    form.check_csrf(&state, &req)?;
    let again = |(status, errors)| sign_in_page(&state, status, &form.next, &form.username, errors);
    let missing = form.missing();
    if !missing.is_empty() {
        return Ok(again((StatusCode::UNPROCESSABLE_ENTITY, missing)));
    }
    let credentials = LoginRequest {
        username: form.username.clone(),
        password: form.password.clone(),
    };
    let addr = request_client_addr(&req);
    match flows::sign_in(&state, addr, request_id, credentials, SessionKind::Web).await {
        Ok((user, token, _)) => Ok(signed_in(&state, user, token, &form.next)),
        Err(err) => Ok(again(refusal(err)?)),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// Ends this page session (audited) and forgets the cookie.
#[post("/sign-out")]
pub async fn sign_out(page: Page, form: web::Form<CsrfForm>) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.write(|c, a| sessions::end_session(c, &a.audit, &a.user.session_id))
        .await?;
    let mut response = see_other("/sign-in");
    let _ = response.add_cookie(&session::removal(page.state(), SESSION_COOKIE));
    Ok(response)
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    chrome: Chrome,
    errors: FormErrors,
    must_change: bool,
    changed: bool,
}

#[derive(Deserialize)]
pub struct ChangedQuery {
    changed: Option<String>,
}

fn password_page(
    page: &Page,
    status: StatusCode,
    errors: FormErrors,
    changed: bool,
) -> HttpResponse {
    let view = PasswordPage {
        chrome: page.chrome("/account/password"),
        errors,
        must_change: page.user.must_change_password,
        changed,
    };
    html(status, view.render())
}

#[get("/account/password")]
pub async fn password_form(page: Page, query: web::Query<ChangedQuery>) -> PageResult {
    let changed = query.changed.is_some();
    Ok(password_page(
        &page,
        StatusCode::OK,
        FormErrors::default(),
        changed,
    ))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

const PASSWORD_LABELS: &[(&str, &str)] = &[
    ("current_password", "Current password"),
    ("new_password", "New password"),
];

impl PasswordForm {
    fn missing(&self) -> FormErrors {
        let mut errors = FormErrors::default();
        if self.current_password.is_empty() {
            errors.add("current_password", "Enter your current password");
        }
        if self.new_password.is_empty() {
            errors.add("new_password", "Enter a new password");
        }
        errors
    }
}

/// A refused change in words, or the error itself when it is not about the form.
fn password_refusal(err: ApiError) -> Result<(StatusCode, FormErrors), ApiError> {
    match err {
        ApiError::TooManyRequests { retry_after_secs } => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            FormErrors::one(
                "current_password",
                format!(
                    "Too many wrong passwords. Wait {} minutes and try again",
                    (retry_after_secs + 59) / 60
                ),
            ),
        )),
        other => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::from_validation(other, PASSWORD_LABELS)?,
        )),
    }
}

#[post("/account/password")]
pub async fn change_password(
    page: Page,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    let missing = form.missing();
    if !missing.is_empty() {
        return Ok(password_page(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            missing,
            false,
        ));
    }
    let form = form.into_inner();
    let body = ChangePasswordRequest {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    match flows::change_password(&page.ctx, request_client_addr(&req), body).await {
        Ok(()) => Ok(see_other("/account/password?changed=1")),
        Err(err) => {
            let (status, errors) = password_refusal(err)?;
            Ok(password_page(&page, status, errors, false))
        }
    }
}
