use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub use crate::domain::keyworking::KeyworkingStatus;
use crate::error::FieldError;
use crate::http::{not_blank, DateRules};
use crate::users::model::UserSummary;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferRequest {
    /// When the person was referred to the keyworking service; not in the future.
    pub referred_on: NaiveDate,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub note: Option<String>,
}

impl DateRules for ReferRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        not_future("referred_on", self.referred_on, today)
    }
}

fn not_future(field: &str, date: NaiveDate, today: NaiveDate) -> Vec<FieldError> {
    if date > today {
        vec![FieldError::new(field, "must not be in the future")]
    } else {
        Vec::new()
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateKeyworkingRequest {
    /// Where the episode moves: `accepted`, `declined` (with a `reason`), `allocated` (with
    /// the `keyworker_id`; again to change keyworker) or `closed`.
    pub status: KeyworkingStatus,
    /// The CYP keyworker: an active user with the `keyworker` role (with `allocated`).
    pub keyworker_id: Option<Uuid>,
    /// Why it was declined (required with `declined`), or closed.
    #[validate(
        custom(function = "not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    pub reason: Option<String>,
    /// The day of the move; not in the future, nor before the episode's last move.
    pub on: NaiveDate,
}

impl DateRules for UpdateKeyworkingRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        not_future("on", self.on, today)
    }

    fn check_fields(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        match self.status {
            KeyworkingStatus::Declined if self.reason.is_none() => errors.push(FieldError::new(
                "reason",
                "a declined referral needs its reason",
            )),
            KeyworkingStatus::Allocated if self.keyworker_id.is_none() => errors.push(
                FieldError::new("keyworker_id", "an allocation needs the CYP keyworker"),
            ),
            _ => {}
        }
        if self.keyworker_id.is_some() && self.status != KeyworkingStatus::Allocated {
            errors.push(FieldError::new(
                "keyworker_id",
                "only an allocation names a CYP keyworker",
            ));
        }
        if self.status == KeyworkingStatus::Referred {
            errors.push(FieldError::new(
                "status",
                "an episode starts referred: use accepted, declined, allocated or closed",
            ));
        }
        errors
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyworkingChangeView {
    pub status: KeyworkingStatus,
    pub on: NaiveDate,
    pub keyworker: Option<UserSummary>,
    pub reason: Option<String>,
    pub changed_by: Option<UserSummary>,
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyworkingView {
    pub id: String,
    pub person_id: String,
    pub status: KeyworkingStatus,
    pub referred_on: NaiveDate,
    /// The day of the latest move (the referral's, the decision's, the allocation's, the close's).
    pub status_on: NaiveDate,
    /// Referred, accepted or allocated: still running.
    pub open: bool,
    /// The CYP keyworker allocated (the named lead worker is the person's `keyworker`).
    pub keyworker: Option<UserSummary>,
    /// Why it was declined or closed.
    pub reason: Option<String>,
    pub note: Option<String>,
    /// Every move, oldest first, starting with the referral.
    pub history: Vec<KeyworkingChangeView>,
    pub recorded_by: Option<UserSummary>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
