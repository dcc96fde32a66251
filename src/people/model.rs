use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::store::PersonRow;
use crate::domain::person::{age_on, keyworker_eligible, AgeGroup, ConsentStatus, Diagnosis};
use crate::domain::NhsNumber;
use crate::error::FieldError;
use crate::http::{double_option, not_blank, DateRules};
use crate::users::model::UserSummary;

pub const MAX_AGE_YEARS: u32 = 120;

fn valid_nhs_number(value: &str) -> Result<(), ValidationError> {
    NhsNumber::parse(value)
        .map(|_| ())
        .map_err(|msg| ValidationError::new("nhs_number").with_message(msg.into()))
}

fn at_least_one_diagnosis(value: &[Diagnosis]) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::new("diagnoses")
            .with_message("must include learning_disability, autism or both".into()));
    }
    Ok(())
}

/// Not in the future, and not more than 120 years ago.
pub fn check_date_of_birth(dob: NaiveDate, today: NaiveDate) -> Option<FieldError> {
    if dob > today {
        Some(FieldError::new(
            "date_of_birth",
            "must not be in the future",
        ))
    } else if age_on(dob, today) > MAX_AGE_YEARS {
        Some(FieldError::new(
            "date_of_birth",
            format!("must be within the last {MAX_AGE_YEARS} years"),
        ))
    } else {
        None
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePersonRequest {
    /// 10 digits with a valid check digit; spaces are ignored.
    /// Ten digits; spaces between them are ignored.
    #[validate(custom(function = "valid_nhs_number"))]
    #[schema(example = "943 476 5919", pattern = r"^\s*([0-9]\s*){10}$")]
    pub nhs_number: String,
    #[validate(
        custom(function = "not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    pub given_name: String,
    #[validate(
        custom(function = "not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    #[validate(length(max = 50, message = "must be at most 50 characters"))]
    pub gender: Option<String>,
    #[validate(custom(function = "at_least_one_diagnosis"))]
    #[schema(min_items = 1)]
    pub diagnoses: Vec<Diagnosis>,
    /// The locality or place within the ICS.
    #[validate(
        custom(function = "not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    pub area: String,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub local_authority: Option<String>,
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub gp_practice: Option<String>,
    pub consent_status: ConsentStatus,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub consent_note: Option<String>,
}

impl DateRules for CreatePersonRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        check_date_of_birth(self.date_of_birth, today)
            .into_iter()
            .collect()
    }
}

/// Every field optional; `null` clears the optional ones.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePersonRequest {
    #[validate(custom(function = "valid_nhs_number"))]
    #[schema(pattern = r"^\s*([0-9]\s*){10}$")]
    pub nhs_number: Option<String>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    pub given_name: Option<String>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub gender: Option<Option<String>>,
    #[validate(custom(function = "at_least_one_diagnosis"))]
    pub diagnoses: Option<Vec<Diagnosis>>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    pub area: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub local_authority: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub gp_practice: Option<Option<String>>,
    pub consent_status: Option<ConsentStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub consent_note: Option<Option<String>>,
}

fn too_long(field: &str, value: &Option<Option<String>>, max: usize) -> Option<FieldError> {
    match value {
        Some(Some(v)) if v.chars().count() > max => Some(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        )),
        _ => None,
    }
}

impl DateRules for UpdatePersonRequest {
    // The clearable fields' lengths are checked here too: validator cannot see inside the
    // double Option.
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = self
            .date_of_birth
            .and_then(|dob| check_date_of_birth(dob, today))
            .into_iter()
            .collect();
        errors.extend(too_long("gender", &self.gender, 50));
        errors.extend(too_long("local_authority", &self.local_authority, 200));
        errors.extend(too_long("gp_practice", &self.gp_practice, 200));
        errors.extend(too_long("consent_note", &self.consent_note, 2000));
        errors
    }
}

/// A person as the API shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    /// 10 digits, no spaces.
    pub nhs_number: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: Option<String>,
    pub diagnoses: Vec<Diagnosis>,
    pub area: String,
    pub local_authority: Option<String>,
    pub gp_practice: Option<String>,
    pub consent_status: ConsentStatus,
    pub consent_note: Option<String>,
    /// Whole years today (Europe/London).
    pub age: u32,
    pub age_group: AgeGroup,
    /// 25 or under: eligible for the children and young people keyworking service.
    pub keyworker_eligible: bool,
    /// The current named keyworker.
    pub keyworker: Option<UserSummary>,
    /// The person's active register entry, if they are on the register.
    pub register_entry_id: Option<String>,
    /// The next C(E)TR due (inpatient clock while admitted; community C(E)TR while red).
    pub next_cetr_due: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PersonView {
    pub fn new(
        row: PersonRow,
        today: NaiveDate,
        keyworker: Option<UserSummary>,
        entry: Option<(String, Option<NaiveDate>)>,
    ) -> PersonView {
        let age = age_on(row.date_of_birth, today);
        PersonView {
            diagnoses: serde_json::from_str(&row.diagnoses).unwrap_or_default(),
            consent_status: row.consent_status,
            age,
            age_group: AgeGroup::of_age(age),
            keyworker_eligible: keyworker_eligible(age),
            keyworker,
            register_entry_id: entry.as_ref().map(|(id, _)| id.clone()),
            next_cetr_due: entry.and_then(|(_, due)| due),
            id: row.id,
            nhs_number: row.nhs_number,
            given_name: row.given_name,
            family_name: row.family_name,
            date_of_birth: row.date_of_birth,
            gender: row.gender,
            area: row.area,
            local_authority: row.local_authority,
            gp_practice: row.gp_practice,
            consent_note: row.consent_note,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// The short form of a person embedded in register entries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonBrief {
    pub id: String,
    pub nhs_number: String,
    pub given_name: String,
    pub family_name: String,
    pub age_group: AgeGroup,
    pub area: String,
}

impl PersonBrief {
    pub fn new(row: &PersonRow, today: NaiveDate) -> PersonBrief {
        PersonBrief {
            id: row.id.clone(),
            nhs_number: row.nhs_number.clone(),
            given_name: row.given_name.clone(),
            family_name: row.family_name.clone(),
            age_group: AgeGroup::of_age(age_on(row.date_of_birth, today)),
            area: row.area.clone(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// An NHS number (or its first digits), part of a name, or a register reference
    /// (`DSR-000123`).
    pub search: Option<String>,
}
