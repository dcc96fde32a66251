//! **Merge a duplicate record** (coordinators), from the record of the copy that goes: choose
//! the record that stays (a look-alike shown, or by NHS number), say why, and confirm when the
//! two hold different NHS numbers. The same service call as `POST /api/v1/people/{id}/merge`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::forms::{self, FormErrors, Sent};
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, About};
use crate::auth::Permission;
use crate::error::ApiError;
use crate::people::merge::MergeRequest;
use crate::people::{duplicates, service as people, store};

const LABELS: [(&str, &str); 3] = [
    ("into", "The record to keep"),
    ("reason", "Why they are one person"),
    ("confirm_different_nhs_numbers", "Different NHS numbers"),
];

#[derive(Debug, Default, Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    csrf_token: String,
    /// A look-alike's id, chosen from the list.
    #[serde(default)]
    into: String,
    /// Or the NHS number of the record to keep.
    #[serde(default)]
    into_nhs_number: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm_different_nhs_numbers: String,
}

/// A record that may be the same person, as the form offers it.
pub struct Choice {
    pub id: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "merge_form.html")]
struct MergePage {
    chrome: super::chrome::Chrome,
    about: About,
    choices: Vec<Choice>,
    errors: FormErrors,
    form: MergeForm,
}

/// The person's look-alikes (same date of birth, a similar name), themselves left out.
async fn choices(page: &Page, id: &str) -> Result<Vec<Choice>, ApiError> {
    let id = id.to_string();
    page.read(move |c, a| {
        let me = people::read(c, a, &id)?;
        let found = duplicates::find(c, &me.given_name, &me.family_name, me.date_of_birth)?;
        Ok(found
            .into_iter()
            .filter(|p| p.id != id)
            .map(|p| Choice {
                text: format!(
                    "{} {}, born {}, NHS number {}",
                    p.given_name,
                    p.family_name,
                    super::format::date(&p.date_of_birth),
                    p.nhs_number
                        .as_deref()
                        .map(super::format::nhs_number)
                        .unwrap_or_else(|| "pending".into())
                ),
                id: p.id,
            })
            .collect())
    })
    .await
}

async fn render(page: &Page, id: &str, form: MergeForm, errors: FormErrors) -> PageResult {
    let about = about(page, id).await?;
    let choices = choices(page, id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = MergePage {
        chrome: page.chrome(""),
        about,
        choices,
        errors,
        form,
    };
    Ok(html(status, view.render()))
}

/// The record to keep: the one ticked, else the one whose NHS number was typed; else what
/// to tell the coordinator.
async fn record_to_keep(
    page: &Page,
    form: &MergeForm,
) -> Result<Result<String, &'static str>, ApiError> {
    let chosen = form.into.trim();
    if !chosen.is_empty() {
        return Ok(Ok(chosen.to_string()));
    }
    let typed = form.into_nhs_number.trim();
    if typed.is_empty() {
        return Ok(Err("Choose the record to keep, or enter its NHS number"));
    }
    let Ok(nhs) = crate::domain::NhsNumber::parse(typed) else {
        return Ok(Err("Enter the NHS number as 10 digits"));
    };
    let found = page
        .read(move |c, _| Ok(store::find_by_nhs_number(c, nhs.as_str())?.map(|p| p.id)))
        .await?;
    Ok(found.ok_or("No one is recorded with this NHS number"))
}

#[get("/people/{id}/merge")]
pub async fn merge_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    render(&page, &id, MergeForm::default(), FormErrors::default()).await
}

#[post("/people/{id}/merge")]
pub async fn merge(page: Page, id: web::Path<String>, form: web::Form<MergeForm>) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    let form = form.into_inner();
    let mut found = FormErrors::default();
    let mut fields = serde_json::Map::new();
    match record_to_keep(&page, &form).await? {
        Ok(person) => {
            fields.insert("into".into(), person.into());
        }
        Err(why) => found.add("into", why),
    }
    fields
        .entry("into")
        .or_insert_with(|| uuid::Uuid::nil().to_string().into());
    fields.insert("reason".into(), form.reason.clone().into());
    fields.insert(
        "confirm_different_nhs_numbers".into(),
        (!form.confirm_different_nhs_numbers.is_empty()).into(),
    );
    let errors = match forms::request::<MergeRequest>(page.now(), fields, found, &LABELS, &[]) {
        Ok(body) => {
            let key = id.to_string();
            let written = page
                .write(move |c, a| people::merge_view(c, a, &key, body))
                .await;
            match written {
                Ok(survivor) => {
                    return Ok(see_other(&format!("/people/{}?done=merged", survivor.id)))
                }
                Err(err) => match forms::outcome::<()>(Err(err), &LABELS, Some("into"))? {
                    Sent::Refused(errors) => errors,
                    Sent::Done | Sent::Stale => FormErrors::default(),
                },
            }
        }
        Err(errors) => errors?,
    };
    render(&page, &id, form, errors).await
}
