use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::http::DateRules;
use crate::users::model::UserSummary;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignKeyworkerRequest {
    /// An active user with role `keyworker`.
    pub user_id: Uuid,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub note: Option<String>,
}

impl DateRules for AssignKeyworkerRequest {}

/// One keyworker assignment; `to` is null while it is current.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: String,
    pub person_id: String,
    pub user: Option<UserSummary>,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub note: Option<String>,
    pub assigned_by: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
}
