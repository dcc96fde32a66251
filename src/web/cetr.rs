//! C(E)TRs from the record: **Record a C(E)TR** with its panel (coordinators, clinicians),
//! **Add an action** to one, and **Update** an action (coordinators, clinicians; keyworkers the
//! actions they own, status and completion note only). The same service calls as
//! `POST /people/{id}/cetrs`, `POST /cetrs/{id}/actions` and `PATCH /cetr-actions/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;

use super::error::PageResult;
use super::format::Words;
use super::forms::{self, DateInput, DateParts, FormErrors, Sent};
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, About};
use crate::auth::Permission;
use crate::cetrs::model::{CetrView, CreateCetrRequest, UpdateCetrRequest};
use crate::cetrs::service as cetrs;
use crate::domain::inpatient::{missing_panel_roles, CetrKind, PanelRole};
use crate::error::ApiError;
use crate::http::{IfMatch, Now};

/// Panel rows on the form: enough for a full panel (chair, two experts, commissioners and
/// others); blank rows are left out.
pub const PANEL_ROWS: usize = 8;

pub const KINDS: [(&str, &str); 5] = [
    ("community", "Community C(E)TR"),
    ("laep", "Local area emergency protocol (LAEP)"),
    ("post_admission", "Post-admission C(E)TR"),
    ("inpatient", "Inpatient C(E)TR"),
    ("independent", "Independent C(E)TR"),
];

pub const ROLES: [(&str, &str); 5] = [
    ("chair", "Chair"),
    ("clinical_expert", "Clinical expert"),
    ("expert_by_experience", "Expert by experience"),
    ("commissioner", "Commissioner"),
    ("other", "Other"),
];

const CETR_LABELS: &[(&str, &str)] = &[
    ("kind", "Kind"),
    ("held_on", "Date held"),
    ("panel", "Panel"),
    ("summary", "Summary"),
    ("outcome", "Outcome"),
    ("agencies", "Agencies present"),
    ("laep_outcome", "What the LAEP decided"),
];

/// The LAEP outcomes as the form offers them, in the record's words.
fn laep_outcomes() -> [(&'static str, &'static str); 4] {
    use super::format::Words;
    crate::domain::inpatient::LaepOutcome::ALL.map(|o| (o.as_str(), o.words()))
}

#[derive(Debug, Default, Clone)]
pub struct Member {
    pub name: String,
    pub role: String,
}

/// The C(E)TR form as sent: its panel rows are `panel-{n}-name` and `panel-{n}-role`.
#[derive(Debug, Default)]
pub struct CetrForm {
    csrf_token: String,
    pub kind: String,
    pub held: DateParts,
    pub panel: Vec<Member>,
    pub summary: String,
    pub outcome: String,
    /// A LAEP's agencies present, one a line.
    pub agencies: String,
    pub laep_outcome: String,
    /// Correcting a C(E)TR only.
    pub version: i32,
}

/// `panel-3-name` → (3, "name").
fn panel_field(key: &str) -> Option<(usize, &str)> {
    let (n, part) = key.strip_prefix("panel-")?.split_once('-')?;
    let n: usize = n.parse().ok()?;
    (n < PANEL_ROWS).then_some((n, part))
}

/// "a chair, a clinical expert and an expert by experience".
fn listed(roles: &[&str]) -> String {
    let each: Vec<String> = roles
        .iter()
        .map(|r| {
            let r = r.to_lowercase();
            let article = if r.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!("{article} {r}")
        })
        .collect();
    match each.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

impl CetrForm {
    /// Today, and the three roles every panel but a LAEP's needs already chosen.
    fn blank(page: &Page) -> CetrForm {
        let mut panel = vec![Member::default(); PANEL_ROWS];
        for (row, role) in panel.iter_mut().zip([
            "chair",
            "clinical_expert",
            "expert_by_experience",
            "commissioner",
        ]) {
            row.role = role.into();
        }
        CetrForm {
            held: DateParts::of(page.today),
            panel,
            ..CetrForm::default()
        }
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> CetrForm {
        let mut form = CetrForm {
            panel: vec![Member::default(); PANEL_ROWS],
            ..CetrForm::default()
        };
        for (key, value) in pairs {
            match key.as_str() {
                "csrf_token" => form.csrf_token = value,
                "kind" => form.kind = value,
                "held_on-day" => form.held.day = value.trim().into(),
                "held_on-month" => form.held.month = value.trim().into(),
                "held_on-year" => form.held.year = value.trim().into(),
                "summary" => form.summary = value,
                "outcome" => form.outcome = value,
                "agencies" => form.agencies = value,
                "laep_outcome" => form.laep_outcome = value,
                "version" => form.version = value.trim().parse().unwrap_or_default(),
                other => match panel_field(other) {
                    Some((n, "name")) => form.panel[n].name = value,
                    Some((n, "role")) => form.panel[n].role = value,
                    _ => {}
                },
            }
        }
        form
    }

    /// The members named on the form (a row with no name is not a member).
    fn members(&self) -> impl Iterator<Item = (usize, &Member)> {
        self.panel
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.name.trim().is_empty())
    }

    /// What only the page knows: a named member without a role, and the panel's missing
    /// roles in words (the API names them by their machine names).
    fn found(&self) -> FormErrors {
        let mut found = FormErrors::default();
        match self.held.date() {
            DateInput::Blank => found.add("held_on", "Enter the date the C(E)TR was held"),
            DateInput::NotADate => {
                found.add("held_on", "Date held must be a real date, like 27 3 2026")
            }
            DateInput::Date(_) => {}
        }
        if self.kind.is_empty() {
            found.add("kind", "Select the kind of C(E)TR");
        }
        for (n, m) in self.members() {
            if PanelRole::parse(&m.role).is_none() {
                found.add(
                    &format!("panel-{n}-role"),
                    format!("Select a role for {}", m.name.trim()),
                );
            }
        }
        let kind = CetrKind::parse(&self.kind).unwrap_or(CetrKind::Community);
        let roles: Vec<PanelRole> = self
            .members()
            .filter_map(|(_, m)| PanelRole::parse(&m.role))
            .collect();
        let missing: Vec<&str> = missing_panel_roles(kind, &roles)
            .iter()
            .map(|r| r.words())
            .collect();
        if !missing.is_empty() && !self.kind.is_empty() {
            found.items.push(forms::FormError {
                id: "panel".into(),
                target: "panel-0-name".into(),
                text: format!("The panel needs {}", listed(&missing)),
            });
        }
        found
    }

    fn request(&self, now: Now) -> Result<CreateCetrRequest, Result<FormErrors, ApiError>> {
        forms::request(
            now,
            self.fields(now),
            self.found(),
            CETR_LABELS,
            &["held_on"],
        )
    }

    /// The same fields as a correction (the kind is not changed; a blank outcome clears it).
    fn change(&self, now: Now) -> Result<UpdateCetrRequest, Result<FormErrors, ApiError>> {
        let mut fields = self.fields(now);
        fields.remove("kind");
        fields.entry("outcome").or_insert(serde_json::Value::Null);
        fields
            .entry("laep_outcome")
            .or_insert(serde_json::Value::Null);
        forms::request(now, fields, self.found(), CETR_LABELS, &["held_on"])
    }

    /// The form as it stands for `cetr`, its empty rows after its panel.
    fn of(cetr: &CetrView) -> CetrForm {
        let mut panel: Vec<Member> = cetr
            .panel
            .iter()
            .take(PANEL_ROWS)
            .map(|m| Member {
                name: m.name.clone(),
                role: m.role.as_str().into(),
            })
            .collect();
        panel.resize(PANEL_ROWS, Member::default());
        CetrForm {
            kind: cetr.kind.as_str().into(),
            held: DateParts::of(cetr.held_on),
            panel,
            summary: cetr.summary.clone(),
            outcome: cetr.outcome.clone().unwrap_or_default(),
            agencies: cetr.agencies.join("\n"),
            laep_outcome: cetr
                .laep_outcome
                .map(|o| o.as_str().to_string())
                .unwrap_or_default(),
            version: cetr.version,
            ..CetrForm::default()
        }
    }

    fn fields(&self, now: Now) -> serde_json::Map<String, serde_json::Value> {
        let mut fields = serde_json::Map::new();
        // Stand-ins where the page has already said what is wrong, so the API checks the rest.
        let kind = CetrKind::parse(&self.kind);
        fields.insert(
            "kind".into(),
            kind.unwrap_or(CetrKind::Laep).as_str().into(),
        );
        let mut agencies: Vec<&str> = self
            .agencies
            .lines()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect();
        if kind.is_none() && agencies.is_empty() {
            agencies.push("Not chosen");
        }
        fields.insert("agencies".into(), agencies.into());
        if !self.laep_outcome.trim().is_empty() {
            fields.insert("laep_outcome".into(), self.laep_outcome.trim().into());
        }
        let held = match self.held.date() {
            DateInput::Date(d) => d,
            _ => now.today,
        };
        fields.insert("held_on".into(), held.to_string().into());
        let panel: Vec<serde_json::Value> = self
            .members()
            .map(|(_, m)| {
                let role = PanelRole::parse(&m.role).unwrap_or(PanelRole::Other);
                serde_json::json!({"name": m.name.trim(), "role": role.as_str()})
            })
            .collect();
        fields.insert("panel".into(), panel.into());
        fields.insert("summary".into(), self.summary.clone().into());
        if !self.outcome.trim().is_empty() {
            fields.insert("outcome".into(), self.outcome.clone().into());
        }
        fields
    }
}

#[derive(Template)]
#[template(path = "cetr_form.html")]
struct CetrPage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    form: CetrForm,
    kinds: [(&'static str, &'static str); 5],
    roles: [(&'static str, &'static str); 5],
    laep_outcomes: [(&'static str, &'static str); 4],
    /// Correcting this C(E)TR (`None`: recording one).
    changing: Option<CetrView>,
    stale: bool,
}

impl CetrPage {
    fn row_error(&self, n: &usize) -> Option<&str> {
        self.errors.get(&format!("panel-{n}-role"))
    }
}

async fn cetr_page(
    page: &Page,
    person: &str,
    form: CetrForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let view = CetrPage {
        chrome: page.chrome("/register"),
        about: about(page, person).await?,
        errors,
        form,
        kinds: KINDS,
        laep_outcomes: laep_outcomes(),
        roles: ROLES,
        changing: None,
        stale: false,
    };
    Ok(html(status, view.render()))
}

#[get("/people/{id}/cetrs/{cetr}/change")]
pub async fn change_cetr_form(page: Page, path: web::Path<(String, String)>) -> PageResult {
    page.require(Permission::CetrWrite)?;
    let (person, cetr) = path.into_inner();
    let cetr = cetr_of(&page, &person, &cetr).await?;
    let view = CetrPage {
        chrome: page.chrome("/register"),
        about: about(&page, &person).await?,
        errors: FormErrors::default(),
        form: CetrForm::of(&cetr),
        kinds: KINDS,
        laep_outcomes: laep_outcomes(),
        roles: ROLES,
        changing: Some(cetr),
        stale: false,
    };
    Ok(html(StatusCode::OK, view.render()))
}

/// **Correct** a C(E)TR: its date, panel, summary and outcome, through `PATCH /cetrs/{id}`'s
/// service call at the version the form was filled.
#[post("/people/{id}/cetrs/{cetr}/change")]
pub async fn change_cetr(
    page: Page,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let mut form = CetrForm::from_pairs(form.into_inner());
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::CetrWrite)?;
    let (person, cetr) = path.into_inner();
    let cetr = cetr_of(&page, &person, &cetr).await?;
    // The kind is the record's, whatever the form says.
    form.kind = cetr.kind.as_str().into();
    let sent = match form.change(page.now()) {
        Ok(body) => {
            let (id, tag) = (cetr.id.clone(), IfMatch::Tags(vec![Some(form.version)]));
            let written = page
                .write(move |c, a| cetrs::update_view(c, a, &id, &tag, body))
                .await;
            forms::outcome(written, CETR_LABELS, Some("held_on"))?
        }
        Err(errors) => Sent::Refused(errors?),
    };
    let Some(again) = sent.again(form, || CetrForm::of(&cetr), &["held_on"]) else {
        return Ok(see_other(&format!(
            "/people/{person}?done=cetr_saved#cetrs"
        )));
    };
    let view = CetrPage {
        chrome: page.chrome("/register"),
        about: about(&page, &person).await?,
        errors: again.errors,
        form: again.form,
        kinds: KINDS,
        laep_outcomes: laep_outcomes(),
        roles: ROLES,
        changing: Some(cetr),
        stale: again.stale,
    };
    Ok(html(again.status, view.render()))
}

#[get("/people/{id}/cetr")]
pub async fn cetr_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::CetrWrite)?;
    let form = CetrForm::blank(&page);
    cetr_page(&page, &id, form, FormErrors::default(), StatusCode::OK).await
}

#[post("/people/{id}/cetr")]
pub async fn record_cetr(
    page: Page,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let form = CetrForm::from_pairs(form.into_inner());
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::CetrWrite)?;
    let person = about(&page, &id).await?.person_id;
    let errors = match form.request(page.now()) {
        Ok(body) => {
            let written = page
                .write(move |c, a| cetrs::create_view(c, a, &person, body))
                .await;
            match forms::outcome(written, CETR_LABELS, Some("kind"))? {
                Sent::Refused(errors) => errors.dates_at_day(&["held_on"]),
                _ => return Ok(see_other(&format!("/people/{id}?done=cetr#cetrs"))),
            }
        }
        Err(errors) => errors?,
    };
    cetr_page(&page, &id, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn cetr_of(page: &Page, person: &str, cetr: &str) -> Result<CetrView, ApiError> {
    let id = cetr.to_string();
    let view = page.read(move |c, a| cetrs::read(c, a, &id)).await?;
    // One person's record, one person's C(E)TRs: another's is no such page.
    (view.person_id == person)
        .then_some(view)
        .ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_rows_come_from_their_field_names() {
        assert_eq!(panel_field("panel-0-name"), Some((0, "name")));
        assert_eq!(panel_field("panel-7-role"), Some((7, "role")));
        assert_eq!(panel_field("panel-8-name"), None, "past the form's rows");
        assert_eq!(panel_field("panel-x-name"), None);
        assert_eq!(panel_field("panelists"), None);
        let pairs = [
            ("kind", "community"),
            ("panel-0-name", "Ann Chair"),
            ("panel-0-role", "chair"),
            ("panel-2-name", "  "),
            ("panel-2-role", "other"),
            ("panel-3-name", "Bea"),
        ];
        let form = CetrForm::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let named: Vec<usize> = form.members().map(|(n, _)| n).collect();
        assert_eq!(named, [0, 3], "a row without a name is not a member");
        let found = form.found();
        assert_eq!(found.get("panel-3-role"), Some("Select a role for Bea"));
        assert_eq!(
            found.get("panel"),
            Some("The panel needs a clinical expert and an expert by experience")
        );
    }

    #[test]
    fn missing_roles_read_as_a_sentence() {
        assert_eq!(listed(&["Chair"]), "a chair");
        assert_eq!(
            listed(&["Chair", "Expert by experience"]),
            "a chair and an expert by experience"
        );
        assert_eq!(
            listed(&["Chair", "Clinical expert", "Expert by experience"]),
            "a chair, a clinical expert and an expert by experience"
        );
    }
}
