//! What a page answers when it cannot show what was asked: a redirect to sign in, or a page
//! in the service's style saying why (403, 404, 500), never JSON.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::chrome::Chrome;
use super::respond::{html, see_other, sign_in_location};
use crate::error::ApiError;

/// A page's result: its HTML, or the page (or redirect) saying why not.
pub type PageResult = Result<HttpResponse, PageError>;

/// A rendered page, 200.
pub fn ok(body: askama::Result<String>) -> PageResult {
    Ok(html(StatusCode::OK, body))
}

#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session ended): to `/sign-in`, back to `next` afterwards.
    SignIn {
        next: Option<String>,
    },
    /// Somewhere else first (a reset password must be changed).
    Redirect(String),
    /// A changing form without its session's token: refused, nothing changed.
    Csrf,
    Api(ApiError),
}

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::Unauthorized(_) => PageError::SignIn { next: None },
            other => PageError::Api(other),
        }
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::SignIn { .. } => f.write_str("sign in first"),
            PageError::Redirect(to) => write!(f, "go to {to}"),
            PageError::Csrf => f.write_str("the form's token is missing or wrong"),
            PageError::Api(err) => err.fmt(f),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    title: &'a str,
    message: &'a str,
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let page = ErrorPage {
        chrome: Chrome::anonymous(),
        title,
        message,
    };
    html(status, page.render())
}

pub fn not_found_page() -> HttpResponse {
    error_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, the \
         record may have been removed, or it is not one you can see.",
    )
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } | PageError::Redirect(_) => StatusCode::SEE_OTHER,
            PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::Api(err) => err.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            PageError::SignIn { next } => see_other(&sign_in_location(next.as_deref())),
            PageError::Redirect(to) => see_other(to),
            PageError::Csrf => error_page(
                StatusCode::FORBIDDEN,
                "Your form could not be sent",
                "The page you sent it from had expired or was not one of ours. Nothing was \
                 changed. Go back, reload the page and try again.",
            ),
            PageError::Api(err) => match err {
                ApiError::NotFound | ApiError::OutOfScope { .. } => not_found_page(),
                ApiError::Forbidden | ApiError::PasswordChangeRequired => error_page(
                    StatusCode::FORBIDDEN,
                    "You do not have permission to see this page",
                    "Your role does not include this page. If you need it for your work, ask \
                     your service administrator.",
                ),
                ApiError::Unavailable(_) => error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sorry, the service is unavailable",
                    "The register cannot be reached just now. Try again in a few minutes.",
                ),
                other => {
                    if let ApiError::Internal(cause) = other {
                        tracing::error!(error = ?cause, "internal error on a page");
                    }
                    let status = other.status_code();
                    if status.is_server_error() {
                        error_page(
                            status,
                            "Sorry, there is a problem with the service",
                            "Try again later. Nothing you sent has been lost: if you were \
                             saving something, check whether it was saved before trying again.",
                        )
                    } else {
                        error_page(status, "Sorry, that could not be done", &other.to_string())
                    }
                }
            },
        }
    }
}
