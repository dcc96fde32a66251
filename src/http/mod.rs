//! HTTP plumbing shared by every resource: JSON bodies, pagination, versions and ETags,
//! request ids.

pub mod allow;
pub mod context;
pub mod deadline;
pub mod etag;
pub mod extract;
pub mod json;
pub mod text;
pub mod words;

pub use etag::etag;
pub use json::{BodyLimit, DateRules, Now};

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, FieldError};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// The `If-Match` request header, parsed. Absent means "no precondition".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    Absent,
    Any,
    /// The versions named; a tag that is not one of ours is kept as `None` and never matches.
    Tags(Vec<Option<i32>>),
}

impl IfMatch {
    pub fn parse(value: Option<&str>) -> IfMatch {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return IfMatch::Absent;
        };
        if value == "*" {
            return IfMatch::Any;
        }
        IfMatch::Tags(
            value
                .split(',')
                .map(|tag| {
                    let tag = tag.trim();
                    let tag = tag.strip_prefix("W/").unwrap_or(tag);
                    tag.strip_prefix('"')
                        .and_then(|t| t.strip_suffix('"'))
                        .and_then(|t| t.parse::<i32>().ok())
                })
                .collect(),
        )
    }

    /// Ok when the precondition holds for the stored `current` version.
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        match self {
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Tags(tags) if tags.contains(&Some(current)) => Ok(()),
            IfMatch::Tags(_) => Err(ApiError::PreconditionFailed { current }),
        }
    }

    pub fn is_present(&self) -> bool {
        !matches!(self, IfMatch::Absent)
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<IfMatch, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .map(|v| v.to_str().unwrap_or("\u{0}"));
        ready(Ok(IfMatch::parse(value)))
    }
}

/// The request id for this request (echoed from `X-Request-Id` or generated).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id `telemetry` gave this request (empty outside a request).
    pub fn of(req: &actix_web::HttpRequest) -> String {
        use actix_web::HttpMessage;
        req.extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default()
    }
}

impl FromRequest for RequestId {
    type Error = ApiError;
    type Future = Ready<Result<RequestId, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId(uuid::Uuid::new_v4().to_string()));
        ready(Ok(id))
    }
}

/// `limit` and `offset` query parameters shared by every list.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl PageParams {
    pub fn resolve(&self) -> Result<Page, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        let offset = self.offset.unwrap_or(0);
        let mut errors = Vec::new();
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        if offset < 0 {
            errors.push(FieldError::new("offset", "must not be negative"));
        }
        if errors.is_empty() {
            Ok(Page { limit, offset })
        } else {
            Err(ApiError::BadQuery(errors))
        }
    }
}

/// A comma-separated query parameter (`rag=red,amber`): each part trimmed, empty parts
/// skipped, each turned into the text that is stored by `parse`; a part `parse` refuses adds
/// its message under `field` to `errors`.
pub fn comma_list<T>(
    raw: Option<&str>,
    field: &str,
    errors: &mut Vec<FieldError>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Vec<T> {
    let mut values = Vec::new();
    let parts = raw.into_iter().flat_map(|r| r.split(',')).map(str::trim);
    for part in parts.filter(|p| !p.is_empty()) {
        match parse(part) {
            Ok(value) => values.push(value),
            Err(message) => errors.push(FieldError::new(field, message)),
        }
    }
    values
}

/// Every list answers `{items, total, limit, offset}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T: ToSchema> ListResponse<T> {
    pub fn new(items: Vec<T>, total: i64, page: Page) -> ListResponse<T> {
        ListResponse {
            items,
            total,
            limit: page.limit,
            offset: page.offset,
        }
    }
}

/// 200 with a file to save: its type, its name, and never kept by a cache (reports and
/// exports name people, or count them).
pub fn attachment(content_type: &str, filename: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// 200 with the body and its `ETag`.
pub fn ok_versioned<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// 201 with `Location` (`{collection}/{id}`), the body and its `ETag`.
pub fn created<T: Serialize>(collection: &str, id: &str, body: &T, version: i32) -> HttpResponse {
    HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, format!("{collection}/{id}")))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// The fields a PATCH really changes: each given value that differs from the stored one goes
/// into the changeset and is named for the audit row.
#[derive(Debug, Default)]
pub struct Diff {
    pub fields: Vec<&'static str>,
}

impl Diff {
    pub fn set<T: PartialEq>(
        &mut self,
        field: &'static str,
        new: Option<T>,
        current: &T,
        slot: &mut Option<T>,
    ) {
        if let Some(value) = new.filter(|v| v != current) {
            *slot = Some(value);
            self.fields.push(field);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// For PATCH fields that can be cleared: absent → `None`, `null` → `Some(None)`,
/// a value → `Some(Some(v))`. Use with `#[serde(default, deserialize_with = "...")]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// Optional free text as it is stored: trimmed, and nothing but white space is no value.
pub fn tidy(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// validator rule: a required text must have something other than white space.
pub fn not_blank(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        return Err(
            validator::ValidationError::new("blank").with_message("must not be blank".into())
        );
    }
    Ok(())
}

/// The client's address: the socket's peer, unless that peer is a trusted reverse proxy, in
/// which case the nearest address in `X-Forwarded-For` that is not itself a trusted proxy
/// (each proxy appends the address it saw, so addresses further left could be forged).
pub fn client_addr(
    peer: Option<std::net::IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = forwarded_for.unwrap_or_default().split(',').rev();
    forwarded
        .map(|hop| hop.trim().parse::<std::net::IpAddr>())
        .take_while(Result::is_ok)
        .flatten()
        .find(|hop| !trusted.contains(hop))
        .unwrap_or(peer)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_strong_weak_lists_and_star() {
        assert_eq!(IfMatch::parse(None), IfMatch::Absent);
        assert!(IfMatch::parse(Some("\"3\"")).check(3).is_ok());
        assert!(IfMatch::parse(Some("W/\"3\"")).check(3).is_ok());
        assert!(IfMatch::parse(Some("\"1\", \"3\"")).check(3).is_ok());
        assert!(IfMatch::parse(Some("*")).check(9).is_ok());
        assert!(matches!(
            IfMatch::parse(Some("\"2\"")).check(3),
            Err(ApiError::PreconditionFailed { current: 3 })
        ));
        assert!(
            IfMatch::parse(Some("3")).check(3).is_err(),
            "unquoted tags are not ours"
        );
        assert!(IfMatch::parse(Some("\"abc\"")).check(3).is_err());
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_says_otherwise() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let proxy = ip("10.0.0.5");
        let trusted = [proxy, ip("10.0.0.6")];
        let cases = [
            (Some(ip("203.0.113.9")), Some("198.51.100.1"), "203.0.113.9"),
            (Some(proxy), Some("198.51.100.1"), "198.51.100.1"),
            (Some(proxy), Some("1.1.1.1, 198.51.100.1"), "198.51.100.1"),
            (Some(proxy), Some("198.51.100.1, 10.0.0.6"), "198.51.100.1"),
            (Some(proxy), Some("198.51.100.1, garbage"), "10.0.0.5"),
            (Some(proxy), None, "10.0.0.5"),
            (None, Some("198.51.100.1"), "unknown"),
        ];
        for (peer, header, expected) in cases {
            assert_eq!(client_addr(peer, header, &trusted), expected, "{header:?}");
        }
    }

    #[test]
    fn tidy_trims_and_makes_blank_text_none() {
        for (given, stored) in [
            (None, None),
            (Some(""), None),
            (Some("  \n "), None),
            (Some(" Northgate "), Some("Northgate")),
            (Some("two words"), Some("two words")),
        ] {
            assert_eq!(
                tidy(given.map(String::from)).as_deref(),
                stored,
                "{given:?}"
            );
        }
    }

    #[test]
    fn comma_lists_trim_skip_empty_parts_and_name_each_bad_one() {
        let parse = |p: &str| match p {
            "a" | "b" => Ok(p.to_uppercase()),
            _ => Err(format!("bad {p}")),
        };
        let cases: [(Option<&str>, &[&str], &[&str]); 4] = [
            (None, &[], &[]),
            (Some(" a, ,b,"), &["A", "B"], &[]),
            (Some("a,x,y"), &["A"], &["bad x", "bad y"]),
            (Some(""), &[], &[]),
        ];
        for (raw, values, messages) in cases {
            let mut errors = Vec::new();
            assert_eq!(comma_list(raw, "f", &mut errors, parse), values, "{raw:?}");
            let got: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            assert_eq!(got, messages, "{raw:?}");
            assert!(errors.iter().all(|e| e.field == "f"));
        }
    }

    #[test]
    fn page_params_default_and_bound() {
        assert_eq!(
            PageParams::default().resolve().unwrap(),
            Page {
                limit: 50,
                offset: 0
            }
        );
        let ok = PageParams {
            limit: Some(500),
            offset: Some(10),
        }
        .resolve()
        .unwrap();
        assert_eq!(
            ok,
            Page {
                limit: 500,
                offset: 10
            }
        );
        for (limit, offset) in [
            (Some(0), None),
            (Some(501), None),
            (Some(-5), None),
            (None, Some(-1)),
        ] {
            assert!(
                PageParams { limit, offset }.resolve().is_err(),
                "{limit:?} {offset:?}"
            );
        }
    }
}
