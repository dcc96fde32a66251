use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::inpatient::{DischargeDestination, Setting};
use crate::error::FieldError;
use crate::http::{double_option, not_blank, DateRules};
use crate::users::model::UserSummary;

fn not_future(field: &str, date: Option<NaiveDate>, today: NaiveDate) -> Option<FieldError> {
    date.filter(|d| *d > today)
        .map(|_| FieldError::new(field, "must not be in the future"))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAdmissionRequest {
    /// Not in the future.
    pub admitted_on: NaiveDate,
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub hospital: String,
    pub setting: Setting,
    /// For example the section of the Mental Health Act, or "informal".
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    pub legal_status: Option<String>,
}

impl DateRules for CreateAdmissionRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        not_future("admitted_on", Some(self.admitted_on), today)
            .into_iter()
            .collect()
    }
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAdmissionRequest {
    /// Discharges the admission; not before `admitted_on`, not in the future.
    pub discharged_on: Option<NaiveDate>,
    /// With `discharged_on`; defaults to `community`.
    pub discharge_destination: Option<DischargeDestination>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub hospital: Option<String>,
    pub setting: Option<Setting>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub legal_status: Option<Option<String>>,
}

impl DateRules for UpdateAdmissionRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = not_future("discharged_on", self.discharged_on, today)
            .into_iter()
            .collect();
        if self.discharge_destination.is_some() && self.discharged_on.is_none() {
            errors.push(FieldError::new(
                "discharge_destination",
                "only with discharged_on",
            ));
        }
        if matches!(&self.legal_status, Some(Some(v)) if v.chars().count() > 100) {
            errors.push(FieldError::new(
                "legal_status",
                "must be at most 100 characters",
            ));
        }
        errors
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdmissionView {
    pub id: String,
    pub person_id: String,
    pub register_entry_id: Option<String>,
    pub admitted_on: NaiveDate,
    pub hospital: String,
    pub setting: Setting,
    pub legal_status: Option<String>,
    pub discharged_on: Option<NaiveDate>,
    pub discharge_destination: Option<DischargeDestination>,
    /// Null once discharged.
    pub next_cetr_due: Option<NaiveDate>,
    /// Null once discharged.
    pub next_visit_due: Option<NaiveDate>,
    /// Under 18 on the admission date: the under-18 timescales apply.
    pub under_18_on_admission: bool,
    pub recorded_by: Option<UserSummary>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVisitRequest {
    /// Not in the future, not before the admission, not after the discharge.
    pub visited_on: NaiveDate,
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub visitor: String,
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    pub notes: Option<String>,
    /// Concerns the visit found about the person's safety and wellbeing (Safe and Wellbeing
    /// reviews); actions follow from them.
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    pub concerns: Option<String>,
}

impl DateRules for CreateVisitRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        not_future("visited_on", Some(self.visited_on), today)
            .into_iter()
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitView {
    pub id: String,
    pub admission_id: String,
    pub visited_on: NaiveDate,
    pub visitor: String,
    pub notes: Option<String>,
    pub concerns: Option<String>,
    pub recorded_by: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
    /// The actions it agreed, soonest due first.
    pub actions: Vec<crate::actions::model::ActionView>,
}
