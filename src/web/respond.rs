//! How a page answers: HTML with the headers every page carries.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

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

/// Relative `Location`: never a host, so never an open redirect.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

pub fn sign_in_location(next: Option<&str>) -> String {
    match next.and_then(safe_next) {
        Some(next) if next != "/" => format!(
            "/sign-in?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ),
        _ => "/sign-in".into(),
    }
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
}
