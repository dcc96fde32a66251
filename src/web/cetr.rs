//! C(E)TRs from the record: **Record a C(E)TR** with its panel (coordinators, clinicians),
//! **Add an action** to one, and **Update** an action (coordinators, clinicians; keyworkers the
//! actions they own, status and completion note only). The same service calls as
//! `POST /people/{id}/cetrs`, `POST /cetrs/{id}/actions` and `PATCH /cetr-actions/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::format::Words;
use super::forms::{self, DateInput, DateParts, FormErrors, Sent};
use super::plan::BackQuery;
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, owners, About};
use crate::auth::Permission;
use crate::cetrs::model::{
    ActionView, CetrView, CreateActionRequest, CreateCetrRequest, UpdateActionRequest,
    UpdateCetrRequest,
};
use crate::cetrs::service as cetrs;
use crate::domain::inpatient::{missing_panel_roles, CetrKind, PanelRole};
use crate::error::ApiError;
use crate::http::{IfMatch, Now};
use crate::users::model::UserSummary;

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

pub const STATUSES: [(&str, &str); 4] = [
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
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

const ACTION_LABELS: &[(&str, &str)] = &[
    ("description", "Action"),
    ("owner_id", "Owner"),
    ("due_on", "Due date"),
    ("status", "Status"),
    ("completion_note", "Note"),
];

/// The action forms as sent. A field the form did not carry is left as it is: the quick
/// "Mark done" from My work sends only the status.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf_token: String,
    pub description: Option<String>,
    pub owner_id: Option<String>,
    #[serde(rename = "due_on-day")]
    pub day: Option<String>,
    #[serde(default, rename = "due_on-month")]
    pub month: String,
    #[serde(default, rename = "due_on-year")]
    pub year: String,
    pub status: Option<String>,
    pub completion_note: Option<String>,
    #[serde(default)]
    pub version: i32,
    /// `my-work`: go back there afterwards.
    #[serde(default)]
    pub back: String,
}

impl ActionForm {
    fn of(action: &ActionView) -> ActionForm {
        let due = DateParts::of(action.due_on);
        ActionForm {
            owner_id: action.owner.as_ref().map(|u| u.id.clone()),
            day: Some(due.day),
            month: due.month,
            year: due.year,
            status: Some(action.status.as_str().into()),
            completion_note: action.completion_note.clone(),
            version: action.version,
            ..ActionForm::default()
        }
    }

    pub fn due(&self) -> DateParts {
        DateParts::new(self.day.as_deref().unwrap_or(""), &self.month, &self.year)
    }

    pub fn text(value: &Option<String>) -> &str {
        value.as_deref().unwrap_or("")
    }

    fn put_due(
        &self,
        fields: &mut serde_json::Map<String, serde_json::Value>,
        found: &mut FormErrors,
    ) {
        match self.due().date() {
            DateInput::Blank => found.add("due_on", "Enter the date the action is due"),
            _ => self.due().put(fields, found, "due_on", "Due date"),
        }
    }

    fn create(&self, now: Now) -> Result<CreateActionRequest, Result<FormErrors, ApiError>> {
        let mut found = FormErrors::default();
        let mut fields = serde_json::Map::new();
        fields.insert("description".into(), Self::text(&self.description).into());
        let owner = Self::text(&self.owner_id).trim();
        if owner.is_empty() {
            found.add("owner_id", "Select who owns the action");
        }
        // a stand-in that parses, so the API checks everything else
        let stand_in = uuid::Uuid::nil().to_string();
        fields.insert(
            "owner_id".into(),
            if owner.is_empty() {
                stand_in.as_str()
            } else {
                owner
            }
            .into(),
        );
        self.put_due(&mut fields, &mut found);
        fields
            .entry("due_on")
            .or_insert_with(|| now.today.to_string().into());
        forms::request(now, fields, found, ACTION_LABELS, &["due_on"])
    }

    /// Only what changed is sent: a keyworker may move an action's status and note but not
    /// replan it.
    fn update(
        &self,
        now: Now,
        current: &ActionView,
    ) -> Result<UpdateActionRequest, Result<FormErrors, ApiError>> {
        let mut found = FormErrors::default();
        let mut fields = serde_json::Map::new();
        if let Some(status) = &self.status {
            if status.is_empty() {
                found.add("status", "Select the action's status");
            } else if status != current.status.as_str() {
                fields.insert("status".into(), status.clone().into());
            }
        }
        if let Some(owner) = self.owner_id.as_deref().map(str::trim) {
            let now_owner = current.owner.as_ref().map_or("", |u| u.id.as_str());
            if owner.is_empty() && !now_owner.is_empty() {
                found.add("owner_id", "Select who owns the action");
            } else if owner != now_owner {
                fields.insert("owner_id".into(), owner.into());
            }
        }
        if self.day.is_some() && self.due().date() != DateInput::Date(current.due_on) {
            self.put_due(&mut fields, &mut found);
        }
        if let Some(note) = &self.completion_note {
            if note.trim() != current.completion_note.as_deref().unwrap_or("").trim() {
                fields.insert("completion_note".into(), note.clone().into());
            }
        }
        forms::request(now, fields, found, ACTION_LABELS, &["due_on"])
    }
}

#[derive(Template)]
#[template(path = "action_form.html")]
struct ActionPage {
    chrome: super::chrome::Chrome,
    about: About,
    cetr: Option<CetrView>,
    /// `None`: adding one.
    action: Option<ActionView>,
    owners: Vec<UserSummary>,
    /// May change the owner and due date (not a keyworker's own action).
    may_replan: bool,
    errors: FormErrors,
    form: ActionForm,
    statuses: [(&'static str, &'static str); 4],
    stale: bool,
}

impl ActionPage {
    fn owns(&self, id: &str) -> bool {
        self.form.owner_id.as_deref() == Some(id)
    }
    fn text(&self, value: &Option<String>) -> String {
        ActionForm::text(value).to_string()
    }
    fn held(&self, cetr: &CetrView) -> String {
        super::format::date(&cetr.held_on)
    }
}

struct Shown {
    cetr: Option<CetrView>,
    action: Option<ActionView>,
    form: ActionForm,
    errors: FormErrors,
    stale: bool,
}

async fn action_page(page: &Page, person: &str, shown: Shown, status: StatusCode) -> PageResult {
    let about = about(page, person).await?;
    let current = shown.action.as_ref().and_then(|a| a.owner.as_ref());
    let view = ActionPage {
        chrome: page.chrome(if shown.form.back == "my-work" {
            "/my-work"
        } else {
            "/register"
        }),
        owners: owners(page, &about, current),
        may_replan: page.user.require(Permission::CetrWrite).is_ok(),
        about,
        cetr: shown.cetr,
        action: shown.action,
        errors: shown.errors.dates_at_day(&["due_on"]),
        form: shown.form,
        statuses: STATUSES,
        stale: shown.stale,
    };
    Ok(html(status, view.render()))
}

async fn cetr_of(page: &Page, person: &str, cetr: &str) -> Result<CetrView, ApiError> {
    let id = cetr.to_string();
    let view = page.read(move |c, a| cetrs::read(c, a, &id)).await?;
    // One person's record, one person's C(E)TRs: another's is no such page.
    (view.person_id == person)
        .then_some(view)
        .ok_or(ApiError::NotFound)
}

async fn action_of(page: &Page, person: &str, action: &str) -> Result<ActionView, ApiError> {
    let id = action.to_string();
    let view = page.read(move |c, a| cetrs::read_action(c, a, &id)).await?;
    (view.person_id == person)
        .then_some(view)
        .ok_or(ApiError::NotFound)
}

#[get("/people/{id}/cetrs/{cetr}/action")]
pub async fn new_action_form(page: Page, path: web::Path<(String, String)>) -> PageResult {
    page.require(Permission::CetrWrite)?;
    let (person, cetr) = path.into_inner();
    let cetr = cetr_of(&page, &person, &cetr).await?;
    let shown = Shown {
        cetr: Some(cetr),
        action: None,
        form: ActionForm::default(),
        errors: FormErrors::default(),
        stale: false,
    };
    action_page(&page, &person, shown, StatusCode::OK).await
}

#[post("/people/{id}/cetrs/{cetr}/action")]
pub async fn add_action(
    page: Page,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::CetrWrite)?;
    let ((person, cetr), form) = (path.into_inner(), form.into_inner());
    let cetr = cetr_of(&page, &person, &cetr).await?;
    let errors = match form.create(page.now()) {
        Ok(body) => {
            let id = cetr.id.clone();
            let written = page
                .write(move |c, a| cetrs::create_action_view(c, a, &id, body))
                .await;
            match forms::outcome(written, ACTION_LABELS, Some("description"))? {
                Sent::Refused(errors) => errors,
                _ => return Ok(see_other(&format!("/people/{person}?done=action#cetrs"))),
            }
        }
        Err(errors) => errors?,
    };
    let shown = Shown {
        cetr: Some(cetr),
        action: None,
        form,
        errors,
        stale: false,
    };
    action_page(&page, &person, shown, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[get("/people/{id}/actions/{action}")]
pub async fn action_form(
    page: Page,
    path: web::Path<(String, String)>,
    query: web::Query<BackQuery>,
) -> PageResult {
    page.require(Permission::ActionUpdate)?;
    let (person, action) = path.into_inner();
    let action = action_of(&page, &person, &action).await?;
    let mut form = ActionForm::of(&action);
    form.back = query.into_inner().back;
    let shown = Shown {
        cetr: None,
        form,
        action: Some(action),
        errors: FormErrors::default(),
        stale: false,
    };
    action_page(&page, &person, shown, StatusCode::OK).await
}

async fn send_update(
    page: &Page,
    action: &ActionView,
    form: &ActionForm,
) -> Result<Sent, ApiError> {
    let body = match form.update(page.now(), action) {
        Ok(body) => body,
        Err(errors) => return Ok(Sent::Refused(errors?)),
    };
    let (id, tag) = (action.id.clone(), IfMatch::Tags(vec![Some(form.version)]));
    let written = page
        .write(move |c, a| cetrs::update_action_view(c, a, &id, &tag, body))
        .await;
    forms::outcome(written, ACTION_LABELS, Some("status"))
}

#[post("/people/{id}/actions/{action}")]
pub async fn update_action(
    page: Page,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::ActionUpdate)?;
    let ((person, action), form) = (path.into_inner(), form.into_inner());
    let action = action_of(&page, &person, &action).await?;
    let sent = send_update(&page, &action, &form).await?;
    let done = match form.back.as_str() {
        "my-work" => "/my-work?done=action#actions".to_string(),
        _ => format!("/people/{person}?done=action_saved#cetrs"),
    };
    let back = form.back.clone();
    let current = || ActionForm {
        back,
        ..ActionForm::of(&action)
    };
    let Some(again) = sent.again(form, current, &["due_on"]) else {
        return Ok(see_other(&done));
    };
    let shown = Shown {
        cetr: None,
        action: Some(action),
        form: again.form,
        errors: again.errors,
        stale: again.stale,
    };
    action_page(&page, &person, shown, again.status).await
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
