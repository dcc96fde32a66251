use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::domain::discharge::PointStatus;
use crate::error::FieldError;
use crate::http::{double_option, not_blank, DateRules};
use crate::users::model::UserSummary;

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanRequest {
    pub planned_discharge_date: Option<NaiveDate>,
    /// Days between plan reviews (1 to 365; default from configuration, 28).
    #[validate(range(min = 1, max = 365, message = "must be 1 to 365 days"))]
    #[schema(minimum = 1, maximum = 365)]
    pub review_cycle_days: Option<i32>,
}

impl DateRules for CreatePlanRequest {}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlanRequest {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_discharge_date: Option<Option<NaiveDate>>,
    /// Changing the cycle moves the next review: last review (or creation) + the new cycle.
    #[validate(range(min = 1, max = 365, message = "must be 1 to 365 days"))]
    #[schema(minimum = 1, maximum = 365)]
    pub review_cycle_days: Option<i32>,
}

impl DateRules for UpdatePlanRequest {}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePointRequest {
    /// `complete` and `not_applicable` close the point.
    pub status: Option<PointStatus>,
    /// A user who can see the person; `null` removes the owner.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub target_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

impl DateRules for UpdatePointRequest {
    fn check_fields(&self) -> Vec<FieldError> {
        match &self.notes {
            Some(Some(n)) if n.chars().count() > 5000 => {
                vec![FieldError::new("notes", "must be at most 5000 characters")]
            }
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanReviewRequest {
    /// Not in the future.
    pub reviewed_on: NaiveDate,
    #[validate(
        custom(function = "not_blank"),
        length(max = 10000, message = "must be at most 10000 characters")
    )]
    pub summary: String,
}

impl DateRules for CreatePlanReviewRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        if self.reviewed_on > today {
            return vec![FieldError::new("reviewed_on", "must not be in the future")];
        }
        Vec::new()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointView {
    /// 1 to 12.
    pub number: i32,
    pub title: String,
    pub status: PointStatus,
    pub owner: Option<UserSummary>,
    pub target_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub completed_on: Option<NaiveDate>,
    /// Past its target date and not closed.
    pub overdue: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    pub id: String,
    pub admission_id: String,
    pub person_id: String,
    pub planned_discharge_date: Option<NaiveDate>,
    pub review_cycle_days: i32,
    pub last_review_on: Option<NaiveDate>,
    pub next_review_due: NaiveDate,
    pub review_overdue: bool,
    /// Points with status `complete`.
    pub complete_count: i32,
    /// Points closed: `complete` or `not_applicable`.
    pub closed_count: i32,
    /// Closed points as a percentage of twelve.
    pub progress_percent: u32,
    /// True once the admission is discharged: readable, no longer changeable.
    pub frozen: bool,
    pub frozen_on: Option<NaiveDate>,
    pub points: Vec<PointView>,
    pub created_by: Option<UserSummary>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanReviewView {
    pub id: String,
    pub plan_id: String,
    pub reviewed_on: NaiveDate,
    pub summary: String,
    pub next_review_due: NaiveDate,
    pub recorded_by: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
}
