use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::http::{not_blank, DateRules};
use crate::users::model::UserSummary;

/// The whole plan, as `PUT` sets it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionPlanRequest {
    /// The adult team taking over (e.g. "Adult community LD team, North").
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub adult_team: String,
    /// Free text, e.g. "EHCP in place; college from September".
    #[validate(
        custom(function = "not_blank"),
        length(max = 500, message = "must be at most 500 characters")
    )]
    pub education_status: String,
    pub planned_handover_on: NaiveDate,
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    pub notes: Option<String>,
}

impl DateRules for TransitionPlanRequest {}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransitionPlanView {
    pub person_id: String,
    pub adult_team: String,
    pub education_status: String,
    pub planned_handover_on: NaiveDate,
    pub notes: Option<String>,
    pub version: i32,
    pub updated_by: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
