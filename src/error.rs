//! `ApiError` and its mapping to `application/problem+json` (RFC 9457).
//!
//! This is the only place that decides status codes for errors: handlers and services return
//! `ApiError`, storage errors convert into it once (`From<diesel::result::Error>`).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One bad field in a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the request (`panel[1].role`), or its query parameter name.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The problem document every error response carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// With `possible-duplicate`: the people already recorded whom this may be.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub matches: Option<Vec<serde_json::Value>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the query has invalid parameters")]
    BadQuery(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(String),
    #[error("this role may not do this")]
    Forbidden,
    #[error("your password was reset: choose a new one (POST /api/v1/me/password) first")]
    PasswordChangeRequired,
    #[error("not found")]
    NotFound,
    /// Exists, but outside the caller's caseload: answered exactly as `NotFound`, and the
    /// refusal is audited against the person.
    #[error("not found")]
    OutOfScope { person_id: String },
    #[error("{0}")]
    Conflict(String),
    /// A new person looks like someone already recorded (same date of birth, similar name):
    /// refused unless the request confirms they are someone else.
    #[error(
        "this looks like someone already recorded (same date of birth, a similar name): check \
         the matches, and send confirm_not_duplicate: true if this is a different person"
    )]
    PossibleDuplicate(Vec<serde_json::Value>),
    #[error(
        "the resource has changed since it was read (If-Match does not match version {current})"
    )]
    PreconditionFailed { current: i32 },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("too many failed logins; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: i64 },
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    RequestTimeout(String),
    /// A known path asked with a method it does not have; the methods it has go in `Allow`.
    #[error("this path does not take {method}; it takes {}", .allowed.join(", "))]
    MethodNotAllowed {
        method: String,
        allowed: Vec<&'static str>,
    },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// 413 for a body past `limit` bytes.
    pub fn body_too_large(limit: usize) -> ApiError {
        ApiError::PayloadTooLarge(format!("the request body is larger than {limit} bytes"))
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// A failure the client cannot fix. A database error underneath that says the
    /// connection was lost is 503 instead: the client may try again.
    pub fn internal(err: impl Into<anyhow::Error>) -> ApiError {
        let err = err.into();
        match err.downcast_ref::<diesel::result::Error>() {
            Some(db) if crate::db::lost::connection_lost(db) => lost_connection(db),
            _ => ApiError::Internal(err),
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) | ApiError::BadQuery(_) => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound | ApiError::OutOfScope { .. } => "not-found",
            ApiError::PasswordChangeRequired => "password-change-required",
            ApiError::Conflict(_) => "conflict",
            ApiError::PossibleDuplicate(_) => "possible-duplicate",
            ApiError::PreconditionFailed { .. } => "precondition-failed",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::Validation(_) => "validation-error",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::RequestTimeout(_) => "request-timeout",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Internal(_) => "internal-error",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::BadQuery(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::OutOfScope { .. } => StatusCode::NOT_FOUND,
            ApiError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) | ApiError::PossibleDuplicate(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let ApiError::Internal(err) = self {
            // The cause chain goes to the log, never to the client.
            tracing::error!(error = ?err, "internal error");
        }
        let problem = Problem {
            problem_type: format!("urn:dsr:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.to_string(),
            errors: match self {
                ApiError::Validation(errors) | ApiError::BadQuery(errors) => Some(errors.clone()),
                _ => None,
            },
            matches: match self {
                ApiError::PossibleDuplicate(matches) => Some(matches.clone()),
                _ => None,
            },
        };
        let mut builder = HttpResponse::build(status);
        builder.content_type("application/problem+json");
        match self {
            ApiError::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
            }
            ApiError::PreconditionFailed { current } => {
                builder.insert_header((header::ETAG, crate::http::etag::etag(*current)));
            }
            ApiError::MethodNotAllowed { allowed, .. } => {
                builder.insert_header((header::ALLOW, allowed.join(", ")));
            }
            _ => {}
        }
        builder.json(problem)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => ApiError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("a record with the same unique value already exists".into())
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Conflict("a concurrent change conflicted with this one; retry".into())
            }
            ref other if crate::db::lost::connection_lost(other) => lost_connection(other),
            ref other if crate::db::lost::busy(other) => {
                tracing::warn!("database busy past busy_timeout");
                ApiError::Unavailable("the database is busy; try again shortly".into())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

fn lost_connection(err: &diesel::result::Error) -> ApiError {
    tracing::error!(error = %err, "database connection lost");
    ApiError::Unavailable("the database connection was lost; try again shortly".into())
}

impl From<r2d2::Error> for ApiError {
    fn from(err: r2d2::Error) -> ApiError {
        tracing::error!(error = %err, "database connection unavailable");
        ApiError::Unavailable("the database is unavailable; try again shortly".into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> ApiError {
        ApiError::Internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A problem response with a custom detail and extra members (for example an import's
/// report beside the rejected rows).
pub fn problem_response(
    error: ApiError,
    detail: &str,
    extra: Option<serde_json::Value>,
) -> HttpResponse {
    let status = error.status_code();
    let mut body = serde_json::json!({
        "type": format!("urn:dsr:problem:{}", error.slug()),
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    if let ApiError::Validation(errors) | ApiError::BadQuery(errors) = &error {
        body["errors"] = serde_json::to_value(errors).unwrap_or_default();
    }
    if let (Some(serde_json::Value::Object(extra)), serde_json::Value::Object(map)) =
        (extra, &mut body)
    {
        map.extend(extra);
    }
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .json(body)
}
