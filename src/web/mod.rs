//! The web pages: server-rendered HTML in the NHS design system, over the same services,
//! permission table, caseload scope and audit as the REST API. Handlers stay thin: a page
//! handler authenticates through its session (`session::Page`, the same `Ctx` the API's
//! handlers get), calls the service functions the API calls, and renders a template.

pub mod alerts;
pub mod assets;
pub mod board;
pub mod chrome;
pub mod error;
pub mod format;
pub mod forms;
pub mod home;
pub mod my_work;
pub mod record;
pub mod session;
pub mod sign_in;

use actix_web::http::{header, StatusCode};
use actix_web::web::ServiceConfig;
use actix_web::HttpResponse;

pub use error::PageError;

/// A page's result: its HTML, or the page (or redirect) saying why not.
pub type PageResult = Result<HttpResponse, PageError>;

/// Scripts and styles from our own files only (no inline script), nothing from another
/// host, no framing, forms only to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// An HTML answer; personal data is never stored by the browser or a proxy.
pub fn html(status: StatusCode, body: askama::Result<String>) -> HttpResponse {
    match body {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
            .body(body),
        Err(err) => {
            tracing::error!(error = %err, "template failed to render");
            HttpResponse::InternalServerError()
                .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body("Sorry, there is a problem with the service.")
        }
    }
}

pub fn ok(body: askama::Result<String>) -> PageResult {
    Ok(html(StatusCode::OK, body))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(assets::serve)
        .service(home::home)
        .service(sign_in::sign_in_form)
        .service(sign_in::sign_in_submit)
        .service(sign_in::sign_out)
        .service(sign_in::password_form)
        .service(sign_in::change_password)
        .service(board::export_csv)
        .service(board::board)
        .service(record::person_record)
        .service(record::record_section)
        .service(my_work::my_work)
        .service(alerts::alert_page)
        .service(alerts::acknowledge)
        .service(home::admin_users);
}
