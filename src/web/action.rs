//! Actions from the record: **Add an action** to a C(E)TR or LAEP (coordinators, clinicians),
//! a DSR review or an oversight visit (coordinators), and **Update** one (coordinators,
//! clinicians; keyworkers the actions they own, status and completion note only; declining
//! needs the responsible clinician's justification). The same service calls as the
//! `POST …/actions` routes and `PATCH /actions/{id}`.

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
use crate::actions::model::{ActionSource, ActionView, CreateActionRequest, UpdateActionRequest};
use crate::actions::service::{self as actions, Origin};
use crate::auth::Permission;
use crate::error::ApiError;
use crate::http::{IfMatch, Now};
use crate::users::model::UserSummary;

pub const STATUSES: [(&str, &str); 5] = [
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    (
        "declined",
        "Declined (the responsible clinician does not take it)",
    ),
    ("cancelled", "Cancelled"),
];

const ACTION_LABELS: &[(&str, &str)] = &[
    ("description", "Action"),
    ("owner_id", "Owner"),
    ("due_on", "Due date"),
    ("status", "Status"),
    ("completion_note", "Note"),
    ("justification", "Why it was declined"),
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
    pub justification: Option<String>,
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
            justification: action.justification.clone(),
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
        // The justification goes only with a decline (the field stays on the page for others).
        let declining = self.status.as_deref() == Some("declined");
        if let Some(why) = self.justification.as_deref().map(str::trim) {
            let held = current.justification.as_deref().unwrap_or("");
            if declining && why.is_empty() {
                found.add(
                    "justification",
                    "Enter why the responsible clinician declined it",
                );
            } else if declining && why != held {
                fields.insert("justification".into(), why.into());
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
    /// Adding one: the meeting it comes from.
    meeting: Option<Meeting>,
    /// `None`: adding one.
    action: Option<ActionView>,
    owners: Vec<UserSummary>,
    /// May change the owner and due date, and decline (not a keyworker's own action).
    may_replan: bool,
    errors: FormErrors,
    form: ActionForm,
    statuses: &'static [(&'static str, &'static str)],
    stale: bool,
}

impl ActionPage {
    fn owns(&self, id: &str) -> bool {
        self.form.owner_id.as_deref() == Some(id)
    }
    fn text(&self, value: &Option<String>) -> String {
        ActionForm::text(value).to_string()
    }
}

/// The meeting a new action comes from, as its page names it.
pub struct Meeting {
    /// The path segment: `cetrs`, `reviews` or `visits`.
    kind: &'static str,
    id: String,
    source: ActionSource,
    /// "LAEP, 3 November 2026".
    pub caption: String,
}

impl Meeting {
    fn of(kind: &str) -> Option<&'static str> {
        ["cetrs", "reviews", "visits"]
            .into_iter()
            .find(|k| *k == kind)
    }

    /// C(E)TRs and LAEPs are the clinicians' and coordinators'; reviews and visits the
    /// Transforming Care Team's.
    fn permission(kind: &str) -> Permission {
        match kind {
            "cetrs" => Permission::CetrWrite,
            _ => Permission::RegisterWrite,
        }
    }

    pub fn post_to(&self, person: &str) -> String {
        format!("/people/{person}/{}/{}/action", self.kind, self.id)
    }

    fn origin(
        kind: &'static str,
        id: String,
    ) -> impl FnOnce(&mut crate::db::AnyConnection) -> Result<Origin, ApiError> {
        move |c| match kind {
            "cetrs" => Origin::cetr(c, &id),
            "reviews" => Origin::review_by_id(c, &id),
            _ => Origin::visit_by_id(c, &id),
        }
    }

    /// The meeting, if it is this person's and the viewer may see them (404 otherwise).
    async fn find(page: &Page, person: &str, kind: &str, id: &str) -> Result<Meeting, ApiError> {
        let kind = Meeting::of(kind).ok_or(ApiError::NotFound)?;
        page.require(Meeting::permission(kind))?;
        let (who, find) = (person.to_string(), Meeting::origin(kind, id.to_string()));
        let origin = page
            .read(move |c, a| actions::visible_origin(c, a, find))
            .await?;
        if origin.person_id() != who {
            return Err(ApiError::NotFound);
        }
        Ok(Meeting {
            kind,
            id: id.to_string(),
            source: origin.source(),
            caption: format!(
                "{}, {}",
                origin.source().words(),
                super::format::date(&origin.held_on())
            ),
        })
    }
}

/// Where the record shows an action of this source.
fn section(source: ActionSource) -> &'static str {
    use ActionSource::*;
    match source {
        Cetr | Laep => "cetrs",
        DsrReview => "reviews",
        Visit => "admissions",
    }
}

struct Shown {
    meeting: Option<Meeting>,
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
        meeting: shown.meeting,
        action: shown.action,
        errors: shown.errors.dates_at_day(&["due_on"]),
        form: shown.form,
        statuses: &STATUSES,
        stale: shown.stale,
    };
    Ok(html(status, view.render()))
}

async fn action_of(page: &Page, person: &str, action: &str) -> Result<ActionView, ApiError> {
    let id = action.to_string();
    let view = page.read(move |c, a| actions::read(c, a, &id)).await?;
    (view.person_id == person)
        .then_some(view)
        .ok_or(ApiError::NotFound)
}

#[get("/people/{id}/{meeting}/{mid}/action")]
pub async fn new_action_form(page: Page, path: web::Path<(String, String, String)>) -> PageResult {
    let (person, kind, id) = path.into_inner();
    let meeting = Meeting::find(&page, &person, &kind, &id).await?;
    let shown = Shown {
        meeting: Some(meeting),
        action: None,
        form: ActionForm::default(),
        errors: FormErrors::default(),
        stale: false,
    };
    action_page(&page, &person, shown, StatusCode::OK).await
}

#[post("/people/{id}/{meeting}/{mid}/action")]
pub async fn add_action(
    page: Page,
    path: web::Path<(String, String, String)>,
    form: web::Form<ActionForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    let ((person, kind, id), form) = (path.into_inner(), form.into_inner());
    let meeting = Meeting::find(&page, &person, &kind, &id).await?;
    let errors = match add(&page, &meeting, &form).await? {
        Some(errors) => errors,
        None => {
            let back = format!("/people/{person}?done=action#{}", section(meeting.source));
            return Ok(see_other(&back));
        }
    };
    let shown = Shown {
        meeting: Some(meeting),
        action: None,
        form,
        errors,
        stale: false,
    };
    action_page(&page, &person, shown, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Sends the new action; `None` once it is added, else what the form must show.
async fn add(
    page: &Page,
    meeting: &Meeting,
    form: &ActionForm,
) -> Result<Option<FormErrors>, ApiError> {
    let body = match form.create(page.now()) {
        Ok(body) => body,
        Err(errors) => return Ok(Some(errors?)),
    };
    let origin = Meeting::origin(meeting.kind, meeting.id.clone());
    let written = page
        .write(move |c, a| actions::create_view(c, a, origin, body))
        .await;
    Ok(
        match forms::outcome(written, ACTION_LABELS, Some("description"))? {
            Sent::Refused(errors) => Some(errors),
            _ => None,
        },
    )
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
        meeting: None,
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
        .write(move |c, a| actions::update_view(c, a, &id, &tag, body))
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
        _ => format!(
            "/people/{person}?done=action_saved#{}",
            section(action.source)
        ),
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
        meeting: None,
        action: Some(action),
        form: again.form,
        errors: again.errors,
        stale: again.stale,
    };
    action_page(&page, &person, shown, again.status).await
}
