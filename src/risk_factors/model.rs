use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::FieldError;
use crate::http::{double_option, DateRules};
use crate::users::model::UserSummary;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRiskFactorRequest {
    /// One of the configured codes (`register.risk_factors`, e.g. `placement_breakdown`).
    #[validate(length(min = 1, max = 60, message = "must be 1 to 60 characters"))]
    pub code: String,
    /// When the factor was noted; not in the future.
    pub noted_on: NaiveDate,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub note: Option<String>,
}

impl DateRules for NoteRiskFactorRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        (self.noted_on > today)
            .then(|| FieldError::new("noted_on", "must not be in the future"))
            .into_iter()
            .collect()
    }
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRiskFactorRequest {
    /// The factor is no longer present (not before `noted_on`, not in the future); `null`
    /// makes it current again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ended_on: Option<Option<NaiveDate>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
}

impl DateRules for UpdateRiskFactorRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if matches!(self.ended_on, Some(Some(on)) if on > today) {
            errors.push(FieldError::new("ended_on", "must not be in the future"));
        }
        if matches!(&self.note, Some(Some(n)) if n.chars().count() > 2000) {
            errors.push(FieldError::new("note", "must be at most 2000 characters"));
        }
        errors
    }
}

/// A reason for risk on a register entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskFactorView {
    pub id: String,
    pub register_entry_id: String,
    pub person_id: String,
    pub code: String,
    /// The code's label as configured (the code itself when no longer configured).
    pub label: String,
    pub noted_on: NaiveDate,
    pub note: Option<String>,
    pub ended_on: Option<NaiveDate>,
    /// Not ended.
    pub current: bool,
    pub recorded_by: Option<UserSummary>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
