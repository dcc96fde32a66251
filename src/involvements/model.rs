use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

pub use crate::domain::person::InvolvementRole;
use crate::error::FieldError;
use crate::http::{double_option, not_blank, DateRules};
use crate::users::model::UserSummary;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvolvementRequest {
    /// The professional's name.
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub name: String,
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub organisation: String,
    pub role: InvolvementRole,
    /// How to reach them (telephone, email, team address).
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    pub contact: Option<String>,
    /// Involved since; not in the future.
    pub from_on: NaiveDate,
    /// Involved until; not before `from_on`.
    pub to_on: Option<NaiveDate>,
}

impl DateRules for CreateInvolvementRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        dates_in_order(Some(self.from_on), self.to_on.map(Some), today)
    }
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateInvolvementRequest {
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub name: Option<String>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub organisation: Option<String>,
    pub role: Option<InvolvementRole>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact: Option<Option<String>>,
    pub from_on: Option<NaiveDate>,
    /// `null` makes the involvement current again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub to_on: Option<Option<NaiveDate>>,
}

impl DateRules for UpdateInvolvementRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = dates_in_order(self.from_on, self.to_on, today);
        if matches!(&self.contact, Some(Some(c)) if c.chars().count() > 500) {
            errors.push(FieldError::new("contact", "must be at most 500 characters"));
        }
        errors
    }
}

/// A start in the past (or today), and an end not before the start, as far as the request
/// gives them (the stored dates are checked again when a PATCH gives only one).
fn dates_in_order(
    from_on: Option<NaiveDate>,
    to_on: Option<Option<NaiveDate>>,
    today: NaiveDate,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if from_on.is_some_and(|f| f > today) {
        errors.push(FieldError::new("from_on", "must not be in the future"));
    }
    if let (Some(from), Some(Some(to))) = (from_on, to_on) {
        if to < from {
            errors.push(FieldError::new("to_on", "must not be before from_on"));
        }
    }
    errors
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvolvementView {
    pub id: String,
    pub person_id: String,
    pub name: String,
    pub organisation: String,
    pub role: InvolvementRole,
    pub contact: Option<String>,
    pub from_on: NaiveDate,
    pub to_on: Option<NaiveDate>,
    /// Whether they are involved today (no end date, or one not yet passed).
    pub current: bool,
    pub version: i32,
    pub recorded_by: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
