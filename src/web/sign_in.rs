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

#[post("/sign-in")]
pub async fn sign_in_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    request_id: RequestId,
    form: web::Form<SignInForm>,
) -> PageResult {
    let form = form.into_inner();
    let nonce = req.cookie(SIGN_IN_COOKIE).map(|c| c.value().to_string());
    let tied = nonce.map(|n| format!("sign-in:{n}"));
    if !tied.is_some_and(|t| session::verify(&state.page_key, &t, &form.csrf_token)) {
        return Err(PageError::Csrf);
    }
    let again = |status, errors| sign_in_page(&state, status, &form.next, &form.username, errors);
    let mut errors = FormErrors::default();
    if form.username.trim().is_empty() {
        errors.add("username", "Enter your username");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, errors));
    }
    let credentials = LoginRequest {
        username: form.username.clone(),
        password: form.password.clone(),
    };
    let addr = request_client_addr(&req);
    match flows::sign_in(&state, addr, request_id, credentials, SessionKind::Web).await {
        Ok((user, token, _session)) => {
            let to = if user.must_change_password {
                "/account/password"
            } else {
                safe_next(&form.next).unwrap_or(start_page(user.role))
            };
            let mut response = see_other(to);
            let _ = response.add_cookie(&session::cookie(&state, SESSION_COOKIE, token));
            let _ = response.add_cookie(&session::removal(&state, SIGN_IN_COOKIE));
            Ok(response)
        }
        Err(ApiError::Unauthorized(_)) => Ok(again(
            StatusCode::UNAUTHORIZED,
            FormErrors::one(
                "username",
                "Enter a correct username and password (or your account may be deactivated)",
            ),
        )),
        Err(ApiError::TooManyRequests { retry_after_secs }) => {
            let minutes = (retry_after_secs + 59) / 60;
            let text = format!(
                "Too many failed attempts. Wait {minutes} minute{} and try again, or ask your \
                 service administrator to reset your password",
                if minutes == 1 { "" } else { "s" }
            );
            Ok(again(
                StatusCode::TOO_MANY_REQUESTS,
                FormErrors::one("username", text),
            ))
        }
        Err(other) => Err(other.into()),
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

#[post("/account/password")]
pub async fn change_password(
    page: Page,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    if form.current_password.is_empty() {
        errors.add("current_password", "Enter your current password");
    }
    if form.new_password.is_empty() {
        errors.add("new_password", "Enter a new password");
    }
    if !errors.is_empty() {
        return Ok(password_page(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            false,
        ));
    }
    let body = ChangePasswordRequest {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    match flows::change_password(&page.ctx, request_client_addr(&req), body).await {
        Ok(()) => Ok(see_other("/account/password?changed=1")),
        Err(ApiError::TooManyRequests { retry_after_secs }) => Ok(password_page(
            &page,
            StatusCode::TOO_MANY_REQUESTS,
            FormErrors::one(
                "current_password",
                format!(
                    "Too many wrong passwords. Wait {} minutes and try again",
                    (retry_after_secs + 59) / 60
                ),
            ),
            false,
        )),
        Err(err) => {
            let errors = FormErrors::from_validation(err, PASSWORD_LABELS)?;
            Ok(password_page(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                false,
            ))
        }
    }
}
