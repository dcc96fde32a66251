use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::store::PersonRow;
use crate::domain::person::{
    age_on, keyworker_eligible, AgeGroup, Condition, ConditionStatus, ConsentStatus, Diagnosis,
    NhsNumberStatus, ETHNIC_CATEGORIES,
};
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

/// The round-2 details' formats, as messages (`None`: fine).
pub fn ethnic_category_problem(code: &str) -> Option<String> {
    (!ETHNIC_CATEGORIES.contains(&code.trim().to_uppercase().as_str())).then(|| {
        format!(
            "must be one of the NHS Data Dictionary codes: {}",
            ETHNIC_CATEGORIES.join(", ")
        )
    })
}

pub fn postcode_district_problem(raw: &str) -> Option<String> {
    crate::domain::person::postcode_district(raw)
        .is_none()
        .then(|| "must be a postcode district (its first half), e.g. LS1 or SW1A".to_string())
}

pub fn ods_problem(raw: &str) -> Option<String> {
    crate::domain::person::ods_code(raw)
        .is_none()
        .then(|| "must be an ODS code: 3 to 6 letters and digits, e.g. QWO".to_string())
}

fn check(problem: Option<String>) -> Result<(), ValidationError> {
    match problem {
        None => Ok(()),
        Some(text) => Err(ValidationError::new("invalid").with_message(text.into())),
    }
}

fn valid_ethnic_category(code: &str) -> Result<(), ValidationError> {
    check(ethnic_category_problem(code))
}

fn valid_postcode_district(raw: &str) -> Result<(), ValidationError> {
    check(postcode_district_problem(raw))
}

pub fn valid_ods(raw: &str) -> Result<(), ValidationError> {
    check(ods_problem(raw))
}

/// `conditions`, or the old `diagnoses` list (diagnosed), never both; at least one condition
/// and none twice. `field` is the one given.
fn conditions_of(
    conditions: Option<&[Condition]>,
    diagnoses: Option<&[Diagnosis]>,
) -> Result<Option<Vec<Condition>>, FieldError> {
    let list: Vec<Condition> = match (conditions, diagnoses) {
        (Some(_), Some(d)) if !d.is_empty() => {
            return Err(FieldError::new(
                "diagnoses",
                "send conditions or diagnoses, not both",
            ))
        }
        (Some(c), _) => c.to_vec(),
        // The old list was always read as a set: a repeat there is no mistake.
        (None, Some(d)) => {
            let mut list: Vec<Condition> = Vec::new();
            for &condition in d {
                if !list.iter().any(|c| c.condition == condition) {
                    list.push(Condition {
                        condition,
                        status: ConditionStatus::Diagnosed,
                    });
                }
            }
            list
        }
        (None, None) => return Ok(None),
    };
    let field = if conditions.is_some() {
        "conditions"
    } else {
        "diagnoses"
    };
    if list.is_empty() {
        return Err(FieldError::new(
            field,
            "must include learning_disability, autism or both (diagnosed, suspected or awaiting assessment)",
        ));
    }
    if list
        .iter()
        .enumerate()
        .any(|(i, c)| list[..i].iter().any(|o| o.condition == c.condition))
    {
        return Err(FieldError::new(field, "lists a condition twice"));
    }
    Ok(Some(list))
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

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePersonRequest {
    /// Ten digits with a valid check digit; spaces between them are ignored. Required unless
    /// `nhs_number_status` is `pending`, and then null or absent.
    #[validate(custom(function = "valid_nhs_number"))]
    #[schema(example = "943 476 5919", pattern = r"^\s*([0-9]\s*){10}$")]
    pub nhs_number: Option<String>,
    /// `recorded` (the default) or `pending`: not known yet (`nhs_number_missing` follows
    /// after 14 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number_status: Option<NhsNumberStatus>,
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
    /// The diagnosed conditions (the round-1 field): send this or `conditions`.
    #[serde(default)]
    pub diagnoses: Vec<Diagnosis>,
    /// Each condition with its status (diagnosed, suspected, awaiting assessment): send this
    /// or `diagnoses`.
    pub conditions: Option<Vec<Condition>>,
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
    /// NHS Data Dictionary ethnic category code (`A`–`H`, `J`–`N`, `P`, `R`, `S`, `Z` not
    /// stated, `99` not known).
    #[validate(custom(function = "valid_ethnic_category"))]
    #[schema(example = "A")]
    pub ethnic_category: Option<String>,
    /// How the person communicates best and what helps (null: none recorded).
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub communication_needs: Option<String>,
    /// Reasonable adjustments the person needs (null: none recorded).
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub reasonable_adjustments: Option<String>,
    /// A looked-after or adopted child.
    #[serde(default)]
    pub looked_after: bool,
    /// The home postcode's district (its first half), e.g. `LS1`.
    #[validate(custom(function = "valid_postcode_district"))]
    pub postcode_district: Option<String>,
    /// The responsible ICB's ODS code, e.g. `QWO`.
    #[validate(custom(function = "valid_ods"))]
    pub responsible_icb: Option<String>,
    /// The person objected to their identifiers in the Assuring Transformation return.
    #[serde(default)]
    pub at_objection: bool,
    /// This is not the person already recorded with the same date of birth and a similar
    /// name (without it, such a look-alike is refused with the possible-duplicate problem).
    #[serde(default)]
    pub confirm_not_duplicate: bool,
}

impl CreatePersonRequest {
    /// The conditions given, from `conditions` or the old `diagnoses` (checked by now).
    pub fn all_conditions(&self) -> Vec<Condition> {
        conditions_of(self.conditions.as_deref(), Some(&self.diagnoses))
            .ok()
            .flatten()
            .unwrap_or_default()
    }
}

impl DateRules for CreatePersonRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        check_date_of_birth(self.date_of_birth, today)
            .into_iter()
            .collect()
    }

    fn check_fields(&self) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> =
            match conditions_of(self.conditions.as_deref(), Some(&self.diagnoses)) {
                Err(e) => vec![e],
                Ok(_) => Vec::new(),
            };
        errors.extend(nhs_number_problem(
            self.nhs_number.as_deref(),
            self.nhs_number_status.unwrap_or_default(),
        ));
        errors
    }
}

/// A number exactly when it is recorded.
pub fn nhs_number_problem(number: Option<&str>, status: NhsNumberStatus) -> Option<FieldError> {
    match (status, number) {
        (NhsNumberStatus::Recorded, None) => Some(FieldError::new(
            "nhs_number",
            "is required (or set nhs_number_status to pending while it is not known)",
        )),
        (NhsNumberStatus::Pending, Some(_)) => Some(FieldError::new(
            "nhs_number",
            "must be empty while nhs_number_status is pending",
        )),
        _ => None,
    }
}

/// Every field optional; `null` clears the optional ones.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePersonRequest {
    /// Records the number (a pending one becomes recorded).
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
    /// Replaces the conditions with these, diagnosed (or send `conditions`).
    #[validate(custom(function = "at_least_one_diagnosis"))]
    pub diagnoses: Option<Vec<Diagnosis>>,
    /// Replaces the conditions and their statuses (or send `diagnoses`).
    pub conditions: Option<Vec<Condition>>,
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
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub ethnic_category: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub communication_needs: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub reasonable_adjustments: Option<Option<String>>,
    pub looked_after: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub postcode_district: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub responsible_icb: Option<Option<String>>,
    pub at_objection: Option<bool>,
}

impl UpdatePersonRequest {
    /// The new conditions, when the request changes them (checked by now).
    pub fn new_conditions(&self) -> Option<Vec<Condition>> {
        conditions_of(self.conditions.as_deref(), self.diagnoses.as_deref())
            .ok()
            .flatten()
    }
}

/// A clearable code's problem, if it is set and malformed.
fn bad_code(
    field: &str,
    value: &Option<Option<String>>,
    problem: fn(&str) -> Option<String>,
) -> Option<FieldError> {
    match value {
        Some(Some(v)) => problem(v).map(|m| FieldError::new(field, m)),
        _ => None,
    }
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
        errors.extend(too_long(
            "communication_needs",
            &self.communication_needs,
            2000,
        ));
        errors.extend(too_long(
            "reasonable_adjustments",
            &self.reasonable_adjustments,
            2000,
        ));
        errors.extend(bad_code(
            "ethnic_category",
            &self.ethnic_category,
            ethnic_category_problem,
        ));
        errors.extend(bad_code(
            "postcode_district",
            &self.postcode_district,
            postcode_district_problem,
        ));
        errors.extend(bad_code(
            "responsible_icb",
            &self.responsible_icb,
            ods_problem,
        ));
        errors
    }

    fn check_fields(&self) -> Vec<FieldError> {
        match conditions_of(self.conditions.as_deref(), self.diagnoses.as_deref()) {
            Err(e) => vec![e],
            Ok(_) => Vec::new(),
        }
    }
}

/// A person as the API shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    /// 10 digits, no spaces; null while `nhs_number_status` is `pending`.
    pub nhs_number: Option<String>,
    pub nhs_number_status: NhsNumberStatus,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: Option<String>,
    /// The diagnosed conditions.
    pub diagnoses: Vec<Diagnosis>,
    /// Every condition with its status (diagnosed, suspected, awaiting assessment).
    pub conditions: Vec<Condition>,
    pub area: String,
    pub local_authority: Option<String>,
    pub gp_practice: Option<String>,
    pub consent_status: ConsentStatus,
    pub consent_note: Option<String>,
    pub ethnic_category: Option<String>,
    pub communication_needs: Option<String>,
    pub reasonable_adjustments: Option<String>,
    pub looked_after: bool,
    pub postcode_district: Option<String>,
    pub responsible_icb: Option<String>,
    pub at_objection: bool,
    /// This record was merged into that person: it is read-only, kept so nothing is lost.
    pub merged_into: Option<String>,
    /// Whole years today (Europe/London).
    pub age: u32,
    pub age_group: AgeGroup,
    /// 25 or under: eligible for the children and young people keyworking service.
    pub keyworker_eligible: bool,
    /// The named lead worker (a keyworker or clinician).
    pub keyworker: Option<UserSummary>,
    /// The CYP keyworker of an allocated keyworking episode (0-25), apart from the named lead
    /// worker; they see the person as part of their caseload.
    pub cyp_keyworker: Option<UserSummary>,
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
        (keyworker, cyp_keyworker): (Option<UserSummary>, Option<UserSummary>),
        entry: Option<(String, Option<NaiveDate>)>,
    ) -> PersonView {
        let age = age_on(row.date_of_birth, today);
        let conditions = stored_conditions(&row.conditions, &row.diagnoses);
        PersonView {
            // The stored list (sorted), kept equal to the diagnosed conditions by every write.
            diagnoses: serde_json::from_str(&row.diagnoses).unwrap_or_default(),
            conditions,
            ethnic_category: row.ethnic_category,
            communication_needs: row.communication_needs,
            reasonable_adjustments: row.reasonable_adjustments,
            looked_after: row.looked_after,
            postcode_district: row.postcode_district,
            responsible_icb: row.responsible_icb,
            at_objection: row.at_objection,
            merged_into: row.merged_into,
            consent_status: row.consent_status,
            age,
            age_group: AgeGroup::of_age(age),
            keyworker_eligible: keyworker_eligible(age),
            keyworker,
            cyp_keyworker,
            register_entry_id: entry.as_ref().map(|(id, _)| id.clone()),
            next_cetr_due: entry.and_then(|(_, due)| due),
            id: row.id,
            nhs_number: row.nhs_number,
            nhs_number_status: row.nhs_number_status,
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

/// The stored conditions; a person recorded before conditions existed (`[]`) has their
/// diagnoses, diagnosed.
pub fn stored_conditions(conditions: &str, diagnoses: &str) -> Vec<Condition> {
    let list: Vec<Condition> = serde_json::from_str(conditions).unwrap_or_default();
    if !list.is_empty() {
        return list;
    }
    let diagnoses: Vec<Diagnosis> = serde_json::from_str(diagnoses).unwrap_or_default();
    diagnoses
        .into_iter()
        .map(|condition| Condition {
            condition,
            status: ConditionStatus::Diagnosed,
        })
        .collect()
}

/// The short form of a person embedded in register entries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonBrief {
    pub id: String,
    /// Null while pending.
    pub nhs_number: Option<String>,
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
