use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::inpatient::{DischargeDestination, Setting};
use crate::domain::inpatient_data::{
    AdmissionReason, Advocacy, DelayReason, LegalStatusCode, WardType,
};
use crate::error::FieldError;
use crate::http::{double_option, not_blank, DateRules};
use crate::people::model::ods_problem;
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
    /// The provider's ODS code (3 to 6 letters and digits).
    pub provider_ods: Option<String>,
    /// The hospital's ODS code.
    pub hospital_ods: Option<String>,
    /// The ODS code of the ICB the hospital is in (out of area when it is not the person's).
    pub hospital_icb: Option<String>,
    pub ward_type: Option<WardType>,
    /// The legal status as a code, beside the free-text `legal_status`.
    pub legal_status_code: Option<LegalStatusCode>,
    pub admission_reason: Option<AdmissionReason>,
    pub advocacy: Option<Advocacy>,
    /// Long-term segregation began (not before the admission).
    pub lts_started_on: Option<NaiveDate>,
    /// Long-term segregation ended (not before it began).
    pub lts_ended_on: Option<NaiveDate>,
    /// Clinically ready for discharge since (not before the admission).
    pub clinically_ready_on: Option<NaiveDate>,
    /// What delays the discharge (with `clinically_ready_on`).
    #[serde(default)]
    pub delay_reasons: Vec<DelayReason>,
}

impl CreateAdmissionRequest {
    pub fn inpatient(&self) -> InpatientPatch {
        InpatientPatch {
            provider_ods: self.provider_ods.clone().map(Some),
            hospital_ods: self.hospital_ods.clone().map(Some),
            hospital_icb: self.hospital_icb.clone().map(Some),
            ward_type: self.ward_type.map(Some),
            legal_status_code: self.legal_status_code.map(Some),
            admission_reason: self.admission_reason.map(Some),
            advocacy: self.advocacy.map(Some),
            lts_started_on: self.lts_started_on.map(Some),
            lts_ended_on: self.lts_ended_on.map(Some),
            clinically_ready_on: self.clinically_ready_on.map(Some),
            delay_reasons: Some(self.delay_reasons.clone()),
        }
    }
}

impl DateRules for CreateAdmissionRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = not_future("admitted_on", Some(self.admitted_on), today)
            .into_iter()
            .collect();
        errors.extend(self.inpatient().format_errors(today));
        errors
    }
}

/// The inpatient items a request sets: each `None` (left as it is), `Some(None)` (cleared) or
/// `Some(Some(value))`; the delay reasons as a whole list.
#[derive(Debug, Default, Clone)]
pub struct InpatientPatch {
    pub provider_ods: Option<Option<String>>,
    pub hospital_ods: Option<Option<String>>,
    pub hospital_icb: Option<Option<String>>,
    pub ward_type: Option<Option<WardType>>,
    pub legal_status_code: Option<Option<LegalStatusCode>>,
    pub admission_reason: Option<Option<AdmissionReason>>,
    pub advocacy: Option<Option<Advocacy>>,
    pub lts_started_on: Option<Option<NaiveDate>>,
    pub lts_ended_on: Option<Option<NaiveDate>>,
    pub clinically_ready_on: Option<Option<NaiveDate>>,
    pub delay_reasons: Option<Vec<DelayReason>>,
}

impl InpatientPatch {
    /// What one look at the request shows: codes in the ODS format, dates not in the future,
    /// no delay reason twice.
    pub fn format_errors(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (field, value) in [
            ("provider_ods", &self.provider_ods),
            ("hospital_ods", &self.hospital_ods),
            ("hospital_icb", &self.hospital_icb),
        ] {
            if let Some(problem) = value.clone().flatten().and_then(|v| ods_problem(&v)) {
                errors.push(FieldError::new(field, problem));
            }
        }
        for (field, value) in [
            ("lts_started_on", self.lts_started_on),
            ("lts_ended_on", self.lts_ended_on),
            ("clinically_ready_on", self.clinically_ready_on),
        ] {
            errors.extend(not_future(field, value.flatten(), today));
        }
        if let Some(reasons) = &self.delay_reasons {
            let mut seen = reasons.clone();
            seen.sort();
            seen.dedup();
            if seen.len() != reasons.len() {
                errors.push(FieldError::new(
                    "delay_reasons",
                    "must not name a reason twice",
                ));
            }
        }
        errors
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
    /// The provider's ODS code; `null` clears it (as for each inpatient item below).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub provider_ods: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub hospital_ods: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub hospital_icb: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<WardType>)]
    pub ward_type: Option<Option<WardType>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<LegalStatusCode>)]
    pub legal_status_code: Option<Option<LegalStatusCode>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<AdmissionReason>)]
    pub admission_reason: Option<Option<AdmissionReason>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Advocacy>)]
    pub advocacy: Option<Option<Advocacy>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub lts_started_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub lts_ended_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub clinically_ready_on: Option<Option<NaiveDate>>,
    /// The whole list (`[]` clears it).
    pub delay_reasons: Option<Vec<DelayReason>>,
}

impl UpdateAdmissionRequest {
    pub fn inpatient(&self) -> InpatientPatch {
        InpatientPatch {
            provider_ods: self.provider_ods.clone(),
            hospital_ods: self.hospital_ods.clone(),
            hospital_icb: self.hospital_icb.clone(),
            ward_type: self.ward_type,
            legal_status_code: self.legal_status_code,
            admission_reason: self.admission_reason,
            advocacy: self.advocacy,
            lts_started_on: self.lts_started_on,
            lts_ended_on: self.lts_ended_on,
            clinically_ready_on: self.clinically_ready_on,
            delay_reasons: self.delay_reasons.clone(),
        }
    }
}

impl DateRules for UpdateAdmissionRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = not_future("discharged_on", self.discharged_on, today)
            .into_iter()
            .collect();
        errors.extend(self.inpatient().format_errors(today));
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
    pub provider_ods: Option<String>,
    pub hospital_ods: Option<String>,
    pub hospital_icb: Option<String>,
    pub ward_type: Option<WardType>,
    pub legal_status_code: Option<LegalStatusCode>,
    pub admission_reason: Option<AdmissionReason>,
    pub advocacy: Option<Advocacy>,
    pub lts_started_on: Option<NaiveDate>,
    pub lts_ended_on: Option<NaiveDate>,
    pub clinically_ready_on: Option<NaiveDate>,
    pub delay_reasons: Vec<DelayReason>,
    /// The hospital's ICB is not the person's responsible ICB; `null` unless both are known.
    pub out_of_area: Option<bool>,
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
