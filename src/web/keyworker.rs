//! **Change named lead worker**: name a person's keyworker (coordinators and managers), the same
//! service call as `PUT /api/v1/people/{id}/keyworker`. Where the service has more keyworkers
//! than a list can hold (see `board::KEYWORKER_CHOICES`), the keyworker is typed by username.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::board::keyworker_choices;
use super::error::{PageError, PageResult};
use super::forms::{self, FormErrors};
use super::respond::{html, see_other};
use super::session::Page;
use crate::auth::Permission;
use crate::error::ApiError;
use crate::keyworkers::model::AssignKeyworkerRequest;
use crate::keyworkers::service as keyworkers;
use crate::keyworkers::service::NAMED_WORKER_ROLES;
use crate::people::model::PersonView;
use crate::people::service as people;
use crate::users::model::UserSummary;
use crate::users::store as users;

#[derive(Debug, Default, Deserialize)]
pub struct KeyworkerForm {
    #[serde(default)]
    csrf_token: String,
    /// An id from the list, or a username typed.
    #[serde(default)]
    pub keyworker: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Template)]
#[template(path = "keyworker_form.html")]
struct KeyworkerPage {
    chrome: super::chrome::Chrome,
    person: PersonView,
    name: String,
    choices: Option<Arc<Vec<UserSummary>>>,
    errors: FormErrors,
    form: KeyworkerForm,
}

impl KeyworkerPage {
    fn chosen(&self, id: &str) -> bool {
        self.form.keyworker == id
    }
}

async fn show(
    page: &Page,
    id: &str,
    form: KeyworkerForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let person_id = id.to_string();
    let person = page
        .read(move |c, a| people::read(c, a, &person_id))
        .await?;
    let view = KeyworkerPage {
        chrome: page.chrome("/register"),
        name: format!("{} {}", person.given_name, person.family_name),
        choices: keyworker_choices(page).await?,
        person,
        errors,
        form,
    };
    Ok(html(status, view.render()))
}

#[get("/people/{id}/keyworker")]
pub async fn keyworker_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::KeyworkerAssign)?;
    show(
        &page,
        &id,
        KeyworkerForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The named worker the form names: an id from the list, or an active keyworker's or
/// clinician's username.
async fn chosen(page: &Page, typed: &str) -> Result<Option<uuid::Uuid>, ApiError> {
    if let Ok(id) = typed.trim().parse::<uuid::Uuid>() {
        return Ok(Some(id));
    }
    let name = typed.trim().to_lowercase();
    if name.is_empty() {
        return Ok(None);
    }
    let found = page
        .read(move |c, _| Ok(users::find_by_username(c, &name)?))
        .await?;
    Ok(found
        .filter(|u| NAMED_WORKER_ROLES.contains(&u.role) && u.active)
        .and_then(|u| u.id.parse().ok()))
}

async fn try_assign(
    page: &Page,
    id: &str,
    form: &KeyworkerForm,
) -> Result<Option<FormErrors>, ApiError> {
    let Some(user_id) = chosen(page, &form.keyworker).await? else {
        let text = if form.keyworker.trim().is_empty() {
            "Choose the named lead worker"
        } else {
            "There is no active keyworker or clinician with that username"
        };
        return Ok(Some(FormErrors::one("keyworker", text)));
    };
    let mut fields = serde_json::Map::new();
    fields.insert("user_id".into(), user_id.to_string().into());
    if !form.note.trim().is_empty() {
        fields.insert("note".into(), form.note.clone().into());
    }
    let now = page.now();
    let labels = &[("keyworker", "Keyworker"), ("note", "Note")];
    let body = match forms::parse::<AssignKeyworkerRequest>(now, fields) {
        Ok(body) => body,
        Err(err) => return FormErrors::from_validation(err, labels).map(Some),
    };
    let person = id.to_string();
    match page
        .write(move |c, a| keyworkers::assign_view(c, a, &person, body))
        .await
    {
        Ok(_) => Ok(None),
        Err(ApiError::Validation(errors)) => Ok(Some(FormErrors::from_api(&errors, labels))),
        Err(other) => Err(other),
    }
}

#[post("/people/{id}/keyworker")]
pub async fn assign_keyworker(
    page: Page,
    id: web::Path<String>,
    form: web::Form<KeyworkerForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::KeyworkerAssign)?;
    let form = form.into_inner();
    match try_assign(&page, &id, &form)
        .await
        .map_err(PageError::from)?
    {
        None => Ok(see_other(&format!("/people/{id}?done=keyworker"))),
        Some(errors) => show(&page, &id, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf_token: String,
}

/// **Remove named lead worker**: nobody is named until someone is assigned again (the same service
/// call as `DELETE /api/v1/people/{id}/keyworker`; the sweep then raises "No named lead worker").
#[post("/people/{id}/keyworker/remove")]
pub async fn remove_keyworker(
    page: Page,
    id: web::Path<String>,
    form: web::Form<RemoveForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::KeyworkerAssign)?;
    let person = id.clone();
    page.write(move |c, a| keyworkers::unassign(c, a, &person))
        .await?;
    Ok(see_other(&format!("/people/{id}?done=keyworker_removed")))
}
