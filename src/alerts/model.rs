use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::store::AlertRow;
use crate::domain::alerts::AlertKind;
pub use crate::domain::alerts::AlertStatus;
use crate::http::{not_blank, DateRules};
use crate::users::model::UserSummary;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    pub id: String,
    pub kind: AlertKind,
    /// Null for an alert about a referral whose person is not recorded yet.
    pub person_id: Option<String>,
    pub register_entry_id: Option<String>,
    /// `register_entry`, `admission`, `cetr_action`, `discharge_point`, `discharge_plan`,
    /// `referral` or `person` (an NHS number pending).
    pub subject_type: String,
    pub subject_id: String,
    pub due_on: NaiveDate,
    pub days_overdue: i32,
    /// 1: the responsible person; 2: their line manager; 3: all managers and senior addresses.
    pub level: i32,
    pub status: AlertStatus,
    /// The responsible person, or null when it falls to all coordinators.
    pub assignee: Option<UserSummary>,
    pub raised_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub acknowledge_note: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl AlertView {
    /// The page an alert leads to: the person's record, or the referral not yet accepted.
    pub fn href(&self) -> String {
        match &self.person_id {
            Some(person) => format!("/people/{person}"),
            None => format!("/referrals/{}", self.subject_id),
        }
    }

    pub fn new(row: AlertRow, assignee: Option<UserSummary>) -> AlertView {
        AlertView {
            kind: row.kind,
            status: row.status,
            assignee,
            id: row.id,
            person_id: row.person_id,
            register_entry_id: row.register_entry_id,
            subject_type: row.subject_type,
            subject_id: row.subject_id,
            due_on: row.due_on,
            days_overdue: row.days_overdue,
            level: row.level,
            raised_at: row.raised_at.and_utc(),
            acknowledged_at: row.acknowledged_at.map(|t| t.and_utc()),
            acknowledged_by: row.acknowledged_by,
            acknowledge_note: row.acknowledge_note,
            resolved_at: row.resolved_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Comma-separated; default `open,acknowledged`.
    #[param(value_type = Option<Vec<AlertStatus>>, style = Form, explode = false)]
    pub status: Option<String>,
    /// Comma-separated alert kinds.
    #[param(value_type = Option<Vec<AlertKind>>, style = Form, explode = false)]
    pub kind: Option<String>,
    #[param(minimum = 1, maximum = 3)]
    pub level: Option<i32>,
    pub assignee_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    /// What is being done about it. Acknowledging stops nothing: level and emails still
    /// follow the days overdue.
    #[validate(
        custom(function = "not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    pub note: String,
}

impl DateRules for AcknowledgeRequest {}
