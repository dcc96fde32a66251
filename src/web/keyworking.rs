//! The CYP keyworking service from the record (coordinators and managers): **Refer to CYP
//! keyworking** and **Update** an episode (accept, decline with a reason, allocate to a CYP
//! keyworker, close). The same service calls as `POST /api/v1/people/{id}/keyworking` and
//! `PATCH /api/v1/keyworking/{id}` (at the version the form was filled from). Pages say
//! "CYP keyworker" for this service and "named lead worker" for the person's named worker.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::format::{Fmt, Words};
use super::forms::{self, DateParts, FormErrors, Sent};
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, About};
use crate::auth::Permission;
use crate::domain::Role;
use crate::error::ApiError;
use crate::http::{IfMatch, Page as Paging};
use crate::keyworking::model::{
    KeyworkingStatus, KeyworkingView, ReferRequest, UpdateKeyworkingRequest,
};
use crate::keyworking::service as keyworking;
use crate::users::model::UserSummary;
use crate::users::store::{self as users, UserFilter};

const LABELS: [(&str, &str); 6] = [
    ("referred_on", "Date referred"),
    ("on", "Date"),
    ("status", "What happened"),
    ("keyworker_id", "CYP keyworker"),
    ("reason", "Reason"),
    ("note", "Note"),
];

const DATES: [&str; 2] = ["referred_on", "on"];

/// The CYP keyworkers a form offers: active users with the keyworker role.
const CHOICES: i64 = 500;

#[derive(Debug, Default, Deserialize)]
pub struct KeyworkingForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub keyworker_id: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
    // One date: referred on (a referral) or the day of the move, named as the API names it.
    #[serde(default, rename = "referred_on-day", alias = "on-day")]
    pub day: String,
    #[serde(default, rename = "referred_on-month", alias = "on-month")]
    pub month: String,
    #[serde(default, rename = "referred_on-year", alias = "on-year")]
    pub year: String,
    #[serde(default)]
    pub version: i32,
}

impl KeyworkingForm {
    pub fn on(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    fn today(page: &Page) -> KeyworkingForm {
        let today = DateParts::of(page.today);
        KeyworkingForm {
            day: today.day,
            month: today.month,
            year: today.year,
            ..KeyworkingForm::default()
        }
    }

    /// The API body's fields: the date at `field` and the text fields named (a referral
    /// has a note, a move a reason), each only when filled in.
    fn fields(
        &self,
        field: &str,
        texts: &[(&str, &String)],
        today: chrono::NaiveDate,
    ) -> (serde_json::Map<String, serde_json::Value>, FormErrors) {
        let mut fields = serde_json::Map::new();
        let mut found = FormErrors::default();
        for (name, value) in texts {
            if !value.trim().is_empty() {
                fields.insert((*name).into(), (*value).clone().into());
            }
        }
        self.on().put(&mut fields, &mut found, field, "Date");
        if !fields.contains_key(field) && found.get(field).is_none() {
            found.add(field, "Enter the date");
        }
        // A stand-in date where the page already knows it is missing, so the rest is checked.
        fields
            .entry(field)
            .or_insert_with(|| today.to_string().into());
        (fields, found)
    }
}

#[derive(Template)]
#[template(path = "keyworking_form.html")]
struct KeyworkingPage {
    chrome: super::chrome::Chrome,
    about: About,
    /// The episode being moved on (`None`: a new referral).
    episode: Option<KeyworkingView>,
    /// Where the episode may go, as (status, label).
    moves: Vec<(&'static str, &'static str)>,
    keyworkers: Vec<UserSummary>,
    errors: FormErrors,
    form: KeyworkingForm,
    stale: bool,
    today: chrono::NaiveDate,
}

impl Fmt for KeyworkingPage {
    fn today(&self) -> chrono::NaiveDate {
        self.today
    }
}

impl KeyworkingPage {
    fn chosen(&self, id: &str) -> bool {
        self.form.keyworker_id == id
    }
}

fn move_label(status: KeyworkingStatus) -> &'static str {
    match status {
        KeyworkingStatus::Accepted => "Accepted by the keyworking service",
        KeyworkingStatus::Declined => "Declined (give the reason)",
        KeyworkingStatus::Allocated => "Allocated to a CYP keyworker",
        KeyworkingStatus::Closed => "Closed",
        KeyworkingStatus::Referred => "Referred",
    }
}

async fn cyp_keyworkers(page: &Page) -> Result<Vec<UserSummary>, ApiError> {
    let filter = UserFilter {
        role: Some(Role::Keyworker),
        active: Some(true),
    };
    let first = Paging {
        limit: CHOICES,
        offset: 0,
    };
    let (rows, _) = page
        .read(move |c, _| Ok(users::list(c, &filter, first)?))
        .await?;
    let mut found: Vec<UserSummary> = rows.iter().map(UserSummary::from).collect();
    found.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(found)
}

struct Shown {
    episode: Option<KeyworkingView>,
    form: KeyworkingForm,
    errors: FormErrors,
    stale: bool,
}

async fn render(page: &Page, about: About, shown: Shown, status: StatusCode) -> PageResult {
    let moves = shown
        .episode
        .as_ref()
        .map(|e| {
            e.status
                .next()
                .into_iter()
                .map(|s| (s.as_str(), move_label(s)))
                .collect()
        })
        .unwrap_or_default();
    let view = KeyworkingPage {
        chrome: page.chrome("/register"),
        keyworkers: cyp_keyworkers(page).await?,
        about,
        moves,
        episode: shown.episode,
        errors: shown.errors.dates_at_day(&DATES),
        form: shown.form,
        stale: shown.stale,
        today: page.today,
    };
    Ok(html(status, view.render()))
}

#[get("/people/{id}/keyworking/new")]
pub async fn refer_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::KeyworkerAssign)?;
    let about = about(&page, &id).await?;
    let shown = Shown {
        episode: None,
        form: KeyworkingForm::today(&page),
        errors: FormErrors::default(),
        stale: false,
    };
    render(&page, about, shown, StatusCode::OK).await
}

#[post("/people/{id}/keyworking/new")]
pub async fn refer(
    page: Page,
    id: web::Path<String>,
    form: web::Form<KeyworkingForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::KeyworkerAssign)?;
    referred(&page, &id, form.into_inner()).await
}

async fn referred(page: &Page, id: &str, form: KeyworkingForm) -> PageResult {
    let about = about(page, id).await?;
    let (fields, found) = form.fields("referred_on", &[("note", &form.note)], page.today);
    let errors = match forms::request::<ReferRequest>(page.now(), fields, found, &LABELS, &DATES) {
        Ok(body) => {
            let person = id.to_string();
            let written = page
                .write(move |c, a| keyworking::refer_view(c, a, &person, body))
                .await;
            match forms::outcome(written, &LABELS, Some("referred_on"))? {
                Sent::Refused(errors) => errors,
                _ => {
                    return Ok(see_other(&format!(
                        "/people/{id}?done=keyworking#keyworking"
                    )))
                }
            }
        }
        Err(errors) => errors?,
    };
    let shown = Shown {
        episode: None,
        form,
        errors,
        stale: false,
    };
    render(page, about, shown, StatusCode::UNPROCESSABLE_ENTITY).await
}

async fn episode(page: &Page, id: &str) -> Result<(KeyworkingView, About), ApiError> {
    let id = id.to_string();
    let view = page.read(move |c, a| keyworking::read(c, a, &id)).await?;
    let about = about(page, &view.person_id).await?;
    Ok((view, about))
}

#[get("/keyworking/{id}/update")]
pub async fn update_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::KeyworkerAssign)?;
    let (view, about) = episode(&page, &id).await?;
    let form = KeyworkingForm {
        version: view.version,
        keyworker_id: view
            .keyworker
            .as_ref()
            .map(|k| k.id.clone())
            .unwrap_or_default(),
        ..KeyworkingForm::today(&page)
    };
    let shown = Shown {
        episode: Some(view),
        form,
        errors: FormErrors::default(),
        stale: false,
    };
    render(&page, about, shown, StatusCode::OK).await
}

#[post("/keyworking/{id}/update")]
pub async fn update(
    page: Page,
    id: web::Path<String>,
    form: web::Form<KeyworkingForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::KeyworkerAssign)?;
    let (view, about) = episode(&page, &id).await?;
    moved(&page, view, about, form.into_inner()).await
}

async fn moved(
    page: &Page,
    view: KeyworkingView,
    about: About,
    form: KeyworkingForm,
) -> PageResult {
    let (mut fields, mut found) = form.fields("on", &[("reason", &form.reason)], page.today);
    forms::put_choice(
        &mut fields,
        &mut found,
        "status",
        &form.status,
        "closed",
        "Select what happened",
    );
    let allocating = form.status == KeyworkingStatus::Allocated.as_str();
    if allocating && form.keyworker_id.trim().is_empty() {
        found.add("keyworker_id", "Select the CYP keyworker");
    } else if allocating {
        fields.insert("keyworker_id".into(), form.keyworker_id.trim().into());
    }
    let sent =
        match forms::request::<UpdateKeyworkingRequest>(page.now(), fields, found, &LABELS, &DATES)
        {
            Ok(body) => {
                let (id, tag) = (view.id.clone(), IfMatch::Tags(vec![Some(form.version)]));
                let written = page
                    .write(move |c, a| keyworking::update_view(c, a, &id, &tag, body))
                    .await;
                forms::outcome(written, &LABELS, None)?
            }
            Err(errors) => Sent::Refused(errors?),
        };
    let person = view.person_id.clone();
    let current = || KeyworkingForm {
        version: view.version,
        ..KeyworkingForm::today(page)
    };
    let Some(again) = sent.again(form, current, &DATES) else {
        return Ok(see_other(&format!(
            "/people/{person}?done=keyworking_saved#keyworking"
        )));
    };
    let episode = match again.stale {
        true => episode(page, &view.id).await?.0,
        false => view,
    };
    let shown = Shown {
        episode: Some(episode),
        form: again.form,
        errors: again.errors,
        stale: again.stale,
    };
    render(page, about, shown, again.status).await
}
