pub use crate::domain::person::ContactKind;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::error::FieldError;
use crate::http::{not_blank, DateRules};
use crate::users::model::UserSummary;

/// A minute of leeway for clocks a little ahead of ours.
pub const FUTURE_LEEWAY_SECS: i64 = 60;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContactRequest {
    /// When it happened (RFC 3339); not in the future.
    pub occurred_at: DateTime<Utc>,
    pub kind: ContactKind,
    #[validate(
        custom(function = "not_blank"),
        length(max = 5000, message = "must be at most 5000 characters")
    )]
    pub summary: String,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub with_whom: Option<String>,
    /// The earlier contact of the same person that this one corrects.
    pub corrects_id: Option<Uuid>,
}

impl DateRules for CreateContactRequest {
    fn check_instants(&self, now: DateTime<Utc>) -> Vec<FieldError> {
        if self.occurred_at > now + Duration::seconds(FUTURE_LEEWAY_SECS) {
            return vec![FieldError::new("occurred_at", "must not be in the future")];
        }
        Vec::new()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: String,
    pub person_id: String,
    pub occurred_at: DateTime<Utc>,
    pub kind: ContactKind,
    pub summary: String,
    pub with_whom: Option<String>,
    /// The contact this one corrects.
    pub corrects_id: Option<String>,
    /// A later contact that corrects this one, if any.
    pub corrected_by_id: Option<String>,
    pub recorded_by: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
}
