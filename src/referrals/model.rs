use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

pub use crate::domain::referral::ReferralStatus;
use crate::domain::Rag;
use crate::error::FieldError;
use crate::http::{not_blank, DateRules};
use crate::people::model::CreatePersonRequest;
use crate::users::model::UserSummary;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReferralRequest {
    /// The person referred, when they are not recorded yet: held on the referral until it
    /// is accepted. Send this or `person_id`.
    #[validate(nested)]
    pub person: Option<CreatePersonRequest>,
    /// A person already recorded. Send this or `person`.
    pub person_id: Option<Uuid>,
    /// Who referred: a professional, or the person or a family member (a coordinator
    /// records a self or family referral).
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub referrer_name: String,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub referrer_organisation: Option<String>,
    /// How to reach the referrer (telephone, email).
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    pub referrer_contact: Option<String>,
    /// Why the person is referred: what is happening and what is feared.
    #[validate(
        custom(function = "not_blank"),
        length(max = 5000, message = "must be at most 5000 characters")
    )]
    pub reason: String,
    /// When the referral arrived; not in the future. The clocks run from this day.
    pub received_on: NaiveDate,
}

impl DateRules for CreateReferralRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = self
            .person
            .iter()
            .flat_map(|p| p.check_dates(today))
            .map(|e| FieldError::new(format!("person.{}", e.field), e.message))
            .collect();
        if self.received_on > today {
            errors.push(FieldError::new("received_on", "must not be in the future"));
        }
        errors
    }

    fn check_fields(&self) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = self
            .person
            .iter()
            .flat_map(|p| p.check_fields())
            .map(|e| FieldError::new(format!("person.{}", e.field), e.message))
            .collect();
        match (&self.person, &self.person_id) {
            (None, None) => errors.push(FieldError::new(
                "person",
                "is required: give the person's details, or person_id for someone already recorded",
            )),
            (Some(_), Some(_)) => errors.push(FieldError::new(
                "person_id",
                "give the person's details or person_id, not both",
            )),
            _ => {}
        }
        errors
    }
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReferralRequest {
    /// `screened`, `accepted` (opens the register entry) or `declined` (needs
    /// `decision_reason`). A decision is final.
    pub status: Option<ReferralStatus>,
    /// The first contact with the person, family or referrer; not before `received_on`.
    pub first_contact_on: Option<NaiveDate>,
    /// Why it was declined (required to decline), or a note on the acceptance.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub decision_reason: Option<String>,
    /// When the referrer was told of the decision.
    pub referrer_told_on: Option<NaiveDate>,
    /// On accepting: the entry's rating (default `amber`).
    pub rag: Option<Rag>,
    /// On accepting: the entry's risk summary (default the referral's reason).
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    pub risk_summary: Option<String>,
    /// On accepting: why the person is on the register without consent given (as for
    /// `POST /register`).
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub consent_note: Option<String>,
    /// On accepting: link this person already recorded instead of creating one from the
    /// referral's details (for example the match of a possible duplicate).
    pub person_id: Option<Uuid>,
    /// On accepting: the referred person is not the look-alike already recorded.
    #[serde(default)]
    pub confirm_not_duplicate: bool,
}

impl DateRules for UpdateReferralRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        [
            ("first_contact_on", self.first_contact_on),
            ("referrer_told_on", self.referrer_told_on),
        ]
        .into_iter()
        .filter(|(_, d)| d.is_some_and(|d| d > today))
        .map(|(field, _)| FieldError::new(field, "must not be in the future"))
        .collect()
    }

    fn check_fields(&self) -> Vec<FieldError> {
        let accepting = self.status == Some(ReferralStatus::Accepted);
        let mut errors = Vec::new();
        if self.status == Some(ReferralStatus::Received) {
            errors.push(FieldError::new(
                "status",
                "one of: screened, accepted, declined (a referral is received when it is made)",
            ));
        }
        for (field, given) in [
            ("rag", self.rag.is_some()),
            ("risk_summary", self.risk_summary.is_some()),
            ("consent_note", self.consent_note.is_some()),
            ("person_id", self.person_id.is_some()),
            ("confirm_not_duplicate", self.confirm_not_duplicate),
        ] {
            if given && !accepting {
                errors.push(FieldError::new(field, "only with status accepted"));
            }
        }
        let blank = |t: &Option<String>| t.as_deref().is_some_and(|t| t.trim().is_empty());
        if self.status == Some(ReferralStatus::Declined)
            && self
                .decision_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            errors.push(FieldError::new(
                "decision_reason",
                "is required to decline a referral",
            ));
        } else if blank(&self.decision_reason) {
            errors.push(FieldError::new("decision_reason", "must not be blank"));
        }
        if blank(&self.risk_summary) {
            errors.push(FieldError::new("risk_summary", "must not be blank"));
        }
        errors
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: String,
    /// `REF-000123`: what emails and letters carry.
    pub reference: String,
    pub status: ReferralStatus,
    /// The person referred, as named on the referral or on their record.
    pub name: String,
    /// The person, once linked or created (on accepting).
    pub person_id: Option<String>,
    /// The details held on the referral until it is accepted (then they are on the person
    /// record, and this is null).
    pub person: Option<CreatePersonRequest>,
    pub area: String,
    pub referrer_name: String,
    pub referrer_organisation: Option<String>,
    pub referrer_contact: Option<String>,
    pub reason: String,
    pub received_on: NaiveDate,
    pub first_contact_on: Option<NaiveDate>,
    /// The first contact is due by this day (5 working days), while undecided.
    pub contact_due_on: Option<NaiveDate>,
    pub screened_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    /// The decision is due by this day (28 days), while undecided.
    pub decision_due_on: Option<NaiveDate>,
    pub decision_reason: Option<String>,
    pub referrer_told_on: Option<NaiveDate>,
    /// The register entry opened on accepting.
    pub register_entry_id: Option<String>,
    pub recorded_by: Option<UserSummary>,
    pub decided_by: Option<UserSummary>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// Comma-separated; default every status.
    #[param(value_type = Option<Vec<ReferralStatus>>, style = Form, explode = false)]
    pub status: Option<String>,
}
