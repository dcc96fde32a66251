//! Request extractors whose checks wait for authorisation.
//!
//! A role that may not use a route must learn nothing about its inputs: a keyworker posting
//! `{"zz":1}` to `/people` gets 403, not a 422 that lists the schema. So the body and query
//! extractors here never fail on their own; they hold their outcome, and only
//! [`Ctx::permit`](super::context::Ctx::permit) hands it over, after the permission check.
//! Their contents are private, so a handler cannot read a body without authorising first.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use validator::Validate;

use super::json::{parse_body, BodyLimit, DateRules, Now};
use super::text;
use super::{Page, PageParams};
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// An input whose checks have run but whose outcome is handed over only after authorisation.
pub trait Deferred {
    type Output;
    fn resolve(self) -> Result<Self::Output, ApiError>;
}

impl<A: Deferred, B: Deferred> Deferred for (A, B) {
    type Output = (A::Output, B::Output);
    fn resolve(self) -> Result<Self::Output, ApiError> {
        Ok((self.0.resolve()?, self.1.resolve()?))
    }
}

/// A JSON body that has passed shape, type and value checks (or the problem it has).
pub struct ValidJson<T>(Result<T, ApiError>);

impl<T> Deferred for ValidJson<T> {
    type Output = T;
    fn resolve(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T> FromRequest for ValidJson<T>
where
    T: DeserializeOwned + Validate + DateRules + ToSchema + 'static,
{
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .map(|l| l.0)
            .unwrap_or(1024 * 1024);
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let now = req.app_data::<web::Data<AppState>>().map(|state| Now {
            today: state.clock.today(),
            instant: state.clock.now(),
        });
        let json = is_json(req);
        let mut payload = payload.take();
        Box::pin(async move {
            let body = async {
                if !json {
                    return Err(ApiError::UnsupportedMediaType(
                        "send the body as application/json".into(),
                    ));
                }
                if declared.is_some_and(|len| len > limit) {
                    return Err(ApiError::body_too_large(limit));
                }
                let mut body = Vec::new();
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(|e| {
                        ApiError::BadRequest(format!("could not read the body: {e}"))
                    })?;
                    if body.len() + chunk.len() > limit {
                        return Err(ApiError::body_too_large(limit));
                    }
                    body.extend_from_slice(&chunk);
                }
                parse_body::<T>(now, &body)
            };
            Ok(ValidJson(body.await))
        })
    }
}

/// `Content-Type: application/json` (or another `+json` type), with any parameters. JSON sent
/// as text or a form is refused: a browser form must never drive a JSON endpoint.
fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(actix_web::http::header::CONTENT_TYPE) else {
        return false;
    };
    let essence = value.to_str().unwrap_or_default().split(';').next();
    let essence = essence.unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Query parameters parsed into `T` (or the problem they have).
pub struct Query<T>(Result<T, ApiError>);

impl<T> Deferred for Query<T> {
    type Output = T;
    fn resolve(self) -> Result<T, ApiError> {
        self.0
    }
}

/// Every query value is text from outside: one with a control character is refused, naming
/// the parameter, before it can reach a search (a NUL failed on PostgreSQL and matched
/// every row on SQLite).
fn check_query_text(query: &str) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = url::form_urlencoded::parse(query.as_bytes())
        .filter_map(|(key, value)| {
            text::clean(&value, false)
                .err()
                .map(|why| FieldError::new(key.into_owned(), why))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn parse_query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    check_query_text(req.query_string())?;
    query_from(req.query_string())
}

/// A query string as `T`; a parameter that does not parse is a 400 naming it and saying
/// what it takes (`the query parameter "as_of" must be a date: use YYYY-MM-DD …`).
pub fn query_from<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = url::form_urlencoded::parse(query.as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|err| {
        let name = err.path().to_string();
        let message = err.inner().to_string();
        if name == "." {
            ApiError::BadRequest(format!("invalid query parameters: {message}"))
        } else {
            let words = super::words::in_words(&message, &name, None, &super::words::unresolved);
            ApiError::BadQuery(vec![FieldError::new(name, words)])
        }
    })
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Query(parse_query(req))))
    }
}

/// `limit` and `offset`, checked (or the problem they have).
pub struct Paging(Result<Page, ApiError>);

impl Deferred for Paging {
    type Output = Page;
    fn resolve(self) -> Result<Page, ApiError> {
        self.0
    }
}

impl FromRequest for Paging {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let page = parse_query::<PageParams>(req).and_then(|p| p.resolve());
        ready(Ok(Paging(page)))
    }
}

/// Typed path ids: each reads one named segment of the route. A segment that does not parse
/// names nothing that exists, so it answers 404.
macro_rules! path_ids {
    ($($(#[$doc:meta])* $name:ident($segment:literal): $ty:ty;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub $ty);

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Ready<Result<Self, ApiError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let parsed = req.match_info().get($segment).and_then(|s| s.parse::<$ty>().ok());
                ready(parsed.map($name).ok_or(ApiError::NotFound))
            }
        }

        impl $name {
            /// The id as the text column stores it.
            pub fn key(self) -> String {
                self.0.to_string()
            }
        }
    )+};
}

path_ids! {
    /// The `{id}` of a route: the resource it names.
    Id("id"): uuid::Uuid;
    /// The `{contact_id}` of a contact under a person.
    ContactId("contact_id"): uuid::Uuid;
    /// The `{review_id}` of a review under a register entry.
    ReviewId("review_id"): uuid::Uuid;
    /// The `{visit_id}` of an oversight visit under an admission.
    VisitId("visit_id"): uuid::Uuid;
    /// The `{number}` (1 to 12) of a discharge plan point.
    PointNumber("number"): i32;
}
