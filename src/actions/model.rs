use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

pub use crate::domain::inpatient::{ActionSource, ActionStatus};
use crate::http::{not_blank, DateRules};
use crate::users::model::UserSummary;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActionRequest {
    /// The recommendation, specific and measurable.
    #[validate(
        custom(function = "not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    pub description: String,
    /// A user who can see the person.
    pub owner_id: Uuid,
    /// Not before the meeting it came from.
    pub due_on: NaiveDate,
}

impl DateRules for CreateActionRequest {}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateActionRequest {
    /// `done` sets `completed_on` to today; `declined` needs a `justification`.
    pub status: Option<ActionStatus>,
    pub due_on: Option<NaiveDate>,
    pub owner_id: Option<Uuid>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub completion_note: Option<String>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    pub description: Option<String>,
    /// Why the responsible clinician does not take the recommendation (with `declined`).
    #[validate(
        custom(function = "not_blank"),
        length(max = 5000, message = "must be at most 5000 characters")
    )]
    pub justification: Option<String>,
}

impl DateRules for UpdateActionRequest {}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionView {
    pub id: String,
    /// The meeting it came from: `cetr`, `laep`, `dsr_review` or `visit`.
    pub source: ActionSource,
    /// The C(E)TR, LAEP, DSR review or oversight visit.
    pub source_id: String,
    /// The C(E)TR (or LAEP) it came from; `null` for actions of reviews and visits.
    pub cetr_id: Option<String>,
    pub person_id: String,
    pub description: String,
    pub owner: Option<UserSummary>,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub completed_on: Option<NaiveDate>,
    pub completion_note: Option<String>,
    /// Why a declined recommendation was not taken.
    pub justification: Option<String>,
    /// Past its due date and not done, declined or cancelled.
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    pub owner_id: Option<Uuid>,
    /// Comma-separated statuses.
    #[param(value_type = Option<Vec<ActionStatus>>, style = Form, explode = false)]
    pub status: Option<String>,
    /// `true`: only actions past due and not done, declined or cancelled.
    pub overdue: Option<bool>,
    pub person_id: Option<Uuid>,
    /// Comma-separated sources (`cetr`, `laep`, `dsr_review`, `visit`).
    #[param(value_type = Option<Vec<ActionSource>>, style = Form, explode = false)]
    pub source: Option<String>,
}
