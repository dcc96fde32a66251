use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::actions::model::ActionView;
use crate::domain::inpatient::{missing_panel_roles, CetrKind, LaepOutcome, PanelRole};
use crate::error::FieldError;
use crate::http::{double_option, not_blank, DateRules};
use crate::users::model::UserSummary;

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelMember {
    #[validate(
        custom(function = "not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    pub name: String,
    pub role: PanelRole,
}

fn panel_size(panel: &[PanelMember]) -> Result<(), ValidationError> {
    if panel.len() > 30 {
        return Err(
            ValidationError::new("panel").with_message("must have at most 30 members".into())
        );
    }
    Ok(())
}

fn check_panel(kind: CetrKind, panel: &[PanelMember]) -> Option<FieldError> {
    let roles: Vec<PanelRole> = panel.iter().map(|m| m.role).collect();
    let missing = missing_panel_roles(kind, &roles);
    if missing.is_empty() {
        return None;
    }
    let names: Vec<&str> = missing.iter().map(|r| r.as_str()).collect();
    Some(FieldError::new(
        "panel",
        format!(
            "a {} C(E)TR panel needs a {}",
            kind.as_str(),
            names.join(", a ")
        ),
    ))
}

/// A LAEP records the agencies present (at least one) and may record its outcome; other
/// kinds have a panel instead and no LAEP outcome. `agencies` is `None` when a change leaves
/// them as they are.
pub fn check_laep(
    kind: CetrKind,
    agencies: Option<&[String]>,
    outcome: Option<LaepOutcome>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let laep = kind == CetrKind::Laep;
    match agencies {
        Some(list) if laep && list.is_empty() => errors.push(FieldError::new(
            "agencies",
            "a LAEP needs the agencies present (at least one)",
        )),
        Some(list) if !laep && !list.is_empty() => errors.push(FieldError::new(
            "agencies",
            "only a LAEP records agencies (other C(E)TRs have a panel)",
        )),
        Some(list)
            if list.len() > 30
                || list
                    .iter()
                    .any(|a| a.trim().is_empty() || a.chars().count() > 200) =>
        {
            errors.push(FieldError::new(
                "agencies",
                "must list at most 30 agencies of 1 to 200 characters each",
            ))
        }
        _ => {}
    }
    if outcome.is_some() && !laep {
        errors.push(FieldError::new(
            "laep_outcome",
            "only a LAEP has a LAEP outcome",
        ));
    }
    errors
}

fn not_future(field: &str, date: Option<NaiveDate>, today: NaiveDate) -> Option<FieldError> {
    date.filter(|d| *d > today)
        .map(|_| FieldError::new(field, "must not be in the future"))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCetrRequest {
    pub kind: CetrKind,
    /// Not in the future.
    pub held_on: NaiveDate,
    /// The admission it was held in. Defaults to the open admission for `post_admission` and
    /// `inpatient` C(E)TRs.
    pub admission_id: Option<Uuid>,
    /// Every kind but `laep` needs a chair, a clinical expert and an expert by experience.
    #[validate(nested, custom(function = "panel_size"))]
    pub panel: Vec<PanelMember>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 10000, message = "must be at most 10000 characters")
    )]
    pub summary: String,
    #[validate(length(max = 5000, message = "must be at most 5000 characters"))]
    pub outcome: Option<String>,
    /// A LAEP's agencies present (required for `laep`, none for other kinds).
    #[serde(default)]
    pub agencies: Vec<String>,
    /// What came of a LAEP (`laep` only).
    pub laep_outcome: Option<LaepOutcome>,
}

impl DateRules for CreateCetrRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        not_future("held_on", Some(self.held_on), today)
            .into_iter()
            .collect()
    }

    fn check_fields(&self) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = check_panel(self.kind, &self.panel).into_iter().collect();
        errors.extend(check_laep(
            self.kind,
            Some(&self.agencies),
            self.laep_outcome,
        ));
        errors
    }
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCetrRequest {
    pub held_on: Option<NaiveDate>,
    #[validate(nested, custom(function = "panel_size"))]
    pub panel: Option<Vec<PanelMember>>,
    #[validate(
        custom(function = "not_blank"),
        length(max = 10000, message = "must be at most 10000 characters")
    )]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub outcome: Option<Option<String>>,
    /// A LAEP's agencies present.
    pub agencies: Option<Vec<String>>,
    /// What came of a LAEP; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<LaepOutcome>)]
    pub laep_outcome: Option<Option<LaepOutcome>>,
}

impl UpdateCetrRequest {
    /// The panel and LAEP rules need the stored kind, so they are checked in the service.
    pub fn kind_errors(&self, kind: CetrKind) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = self
            .panel
            .as_deref()
            .and_then(|p| check_panel(kind, p))
            .into_iter()
            .collect();
        errors.extend(check_laep(
            kind,
            self.agencies.as_deref(),
            self.laep_outcome.flatten(),
        ));
        errors
    }
}

impl DateRules for UpdateCetrRequest {
    fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = not_future("held_on", self.held_on, today)
            .into_iter()
            .collect();
        if matches!(&self.outcome, Some(Some(v)) if v.chars().count() > 5000) {
            errors.push(FieldError::new(
                "outcome",
                "must be at most 5000 characters",
            ));
        }
        errors
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CetrView {
    pub id: String,
    pub person_id: String,
    pub admission_id: Option<String>,
    pub kind: CetrKind,
    pub held_on: NaiveDate,
    pub panel: Vec<PanelMember>,
    pub summary: String,
    pub outcome: Option<String>,
    /// A LAEP's agencies present (empty for other kinds).
    pub agencies: Vec<String>,
    /// What came of a LAEP.
    pub laep_outcome: Option<LaepOutcome>,
    /// For inpatient C(E)TRs during an open admission: when the next one is due.
    pub next_due: Option<NaiveDate>,
    pub recorded_by: Option<UserSummary>,
    pub actions: Vec<ActionView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
