use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::domain::person::AgeGroup;
use crate::domain::register::{ClosureReason, EntryStatus};
use crate::domain::Rag;
use crate::error::FieldError;
use crate::http::{double_option, not_blank, DateRules};
use crate::people::model::PersonBrief;
use crate::users::model::UserSummary;

fn not_in_future(field: &str, date: Option<NaiveDate>, today: NaiveDate) -> Option<FieldError> {
    date.filter(|d| *d > today)
        .map(|_| FieldError::new(field, "must not be in the future"))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenEntryRequest {
    pub person_id: Uuid,
    pub rag: Rag,
    #[validate(
        custom(function = "not_blank"),
        length(max = 5000, message = "must be at most 5000 characters")
    )]
    pub risk_summary: String,
    /// Defaults to today; not in the future.
    pub opened_on: Option<NaiveDate>,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub referral_source: Option<String>,
    /// Why the person is on the register without consent given, best-interests or parental
    /// (needed when the person's consent status is `declined` or `not_recorded` and the
    /// person record has no consent note).
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub consent_note: Option<String>,
    /// What has been tried to reduce the risk (free text).
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    pub what_has_been_tried: Option<String>,
    /// What would help (free text).
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    pub what_would_help: Option<String>,
}

impl DateRules for OpenEntryRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        not_in_future("opened_on", self.opened_on, today)
            .into_iter()
            .collect()
    }
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEntryRequest {
    /// A change needs `rag_reason`.
    pub rag: Option<Rag>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 1000, message = "must be at most 1000 characters")
    )]
    pub rag_reason: Option<String>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 5000, message = "must be at most 5000 characters")
    )]
    pub risk_summary: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub referral_source: Option<Option<String>>,
    /// What has been tried to reduce the risk; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub what_has_been_tried: Option<Option<String>>,
    /// What would help; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub what_would_help: Option<Option<String>>,
}

impl DateRules for UpdateEntryRequest {
    fn check_dates(&self, _today: NaiveDate) -> Vec<FieldError> {
        let too_long = |field: &str, value: &Option<Option<String>>, max: usize| {
            matches!(value, Some(Some(v)) if v.chars().count() > max)
                .then(|| FieldError::new(field, format!("must be at most {max} characters")))
        };
        [
            too_long("referral_source", &self.referral_source, 200),
            too_long("what_has_been_tried", &self.what_has_been_tried, 5000),
            too_long("what_would_help", &self.what_would_help, 5000),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

fn valid_attendees(list: &[String]) -> Result<(), ValidationError> {
    let bad = |msg: &'static str| Err(ValidationError::new("attendees").with_message(msg.into()));
    if list.is_empty() || list.len() > 50 {
        return bad("must list 1 to 50 attendees");
    }
    if list
        .iter()
        .any(|a| a.trim().is_empty() || a.chars().count() > 200)
    {
        return bad("each attendee must be 1 to 200 characters");
    }
    Ok(())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordReviewRequest {
    /// When the review was held; not in the future.
    pub reviewed_on: NaiveDate,
    /// The rating the review agreed.
    pub rag: Rag,
    /// Who attended (names or roles).
    #[validate(custom(function = "valid_attendees"))]
    #[schema(min_items = 1, max_items = 50)]
    pub attendees: Vec<String>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 10000, message = "must be at most 10000 characters")
    )]
    pub summary: String,
    /// Defaults to `reviewed_on` + the cadence for `rag`; must be after `reviewed_on`.
    pub next_review_due: Option<NaiveDate>,
}

impl DateRules for RecordReviewRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> =
            not_in_future("reviewed_on", Some(self.reviewed_on), today)
                .into_iter()
                .collect();
        if self
            .next_review_due
            .is_some_and(|due| due <= self.reviewed_on)
        {
            errors.push(FieldError::new(
                "next_review_due",
                "must be after reviewed_on",
            ));
        }
        errors
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseEntryRequest {
    pub reason: ClosureReason,
    /// Required when the reason is `other`.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub note: Option<String>,
    /// The day the entry closed (default today): recording a closure decided at last week's
    /// meeting keeps the register's history true. Not in the future, not before it opened.
    pub closed_on: Option<NaiveDate>,
}

impl DateRules for CloseEntryRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let blank = self.note.as_deref().is_none_or(|n| n.trim().is_empty());
        if self.reason == ClosureReason::Other && blank {
            errors.push(FieldError::new(
                "note",
                "is required when the reason is other",
            ));
        }
        if self.closed_on.is_some_and(|d| d > today) {
            errors.push(FieldError::new("closed_on", "must not be in the future"));
        }
        errors
    }
}

/// A register entry as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryView {
    pub id: String,
    /// Short human reference, `DSR-000123`.
    pub reference: String,
    pub person_id: String,
    pub person: PersonBrief,
    pub rag: Rag,
    pub status: EntryStatus,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    pub closure_note: Option<String>,
    pub risk_summary: String,
    /// The codes of the reasons for risk current on the entry, in the order they were noted
    /// (`GET /register/{id}/risk-factors` has their dates, notes and history).
    pub risk_factors: Vec<String>,
    pub what_has_been_tried: Option<String>,
    pub what_would_help: Option<String>,
    pub referral_source: Option<String>,
    pub consent_note: Option<String>,
    pub keyworker: Option<UserSummary>,
    pub last_review_on: Option<NaiveDate>,
    pub next_review_due: NaiveDate,
    /// The next review date has passed (due today is not overdue).
    pub review_overdue: bool,
    /// When the person's rating last changed.
    pub rag_changed_on: NaiveDate,
    pub next_cetr_due: Option<NaiveDate>,
    /// Completed points of the current discharge plan (0 to 12), or null without a plan.
    pub discharge_points_complete: Option<i32>,
    /// Open alerts about this entry.
    pub open_alerts: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RagChange {
    /// Null for the rating given when the entry opened.
    pub from: Option<Rag>,
    pub to: Rag,
    pub reason: String,
    /// Null when the system made the change (admission, discharge).
    pub changed_by: Option<UserSummary>,
    pub changed_at: DateTime<Utc>,
    pub changed_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub register_entry_id: String,
    pub reviewed_on: NaiveDate,
    pub rag: Rag,
    pub attendees: Vec<String>,
    pub summary: String,
    pub next_review_due: NaiveDate,
    pub recorded_by: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
    /// The actions it agreed, soonest due first.
    pub actions: Vec<crate::actions::model::ActionView>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// Comma-separated ratings, e.g. `red,amber`.
    #[param(value_type = Option<Vec<Rag>>, style = Form, explode = false)]
    pub rag: Option<String>,
    /// `active` (default), `closed` or `all`.
    #[param(pattern = "^(active|closed|all)$")]
    pub status: Option<String>,
    pub area: Option<String>,
    pub age_group: Option<AgeGroup>,
    pub keyworker_id: Option<Uuid>,
    /// `true`: only entries with an open alert (anything overdue).
    pub overdue: Option<bool>,
    /// `true`: only entries whose next DSR review date has passed.
    pub review_overdue: Option<bool>,
    /// `true`: only people aged 16 to 18, whose move to adult services is being planned.
    pub transition_age: Option<bool>,
    /// An NHS number (or its first digits), part of a name, or a register reference
    /// (`DSR-000123`).
    pub search: Option<String>,
    /// `next_review_due` (default), `rag` (red, blue, amber, green), `opened_on` or
    /// `reference`; prefix `-` for descending. Ties are broken by id.
    #[param(pattern = "^-?(next_review_due|rag|opened_on|reference)$")]
    pub sort: Option<String>,
    /// Only entries with this reason for risk current (a configured code, e.g.
    /// `placement_breakdown`).
    pub risk_factor: Option<String>,
}
