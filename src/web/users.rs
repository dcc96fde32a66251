//! `/admin/users/new` and `/admin/users/{id}` (admins): create a user, change their name,
//! email, role and line manager, deactivate them, reset their password. The same flows as
//! `POST /api/v1/users` and `PATCH /api/v1/users/{id}` (`users::admin`), the fields checked by
//! the API's rules; a reset ends the user's sessions and tells them by email.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::forms::{self, FormErrors, Sent};
use super::respond::{html, see_other};
use super::session::Page;
use crate::auth::Permission;
use crate::domain::Role;
use crate::error::ApiError;
use crate::http::{IfMatch, Page as Paging};
use crate::users::admin;
use crate::users::model::{CreateUserRequest, UpdateUserRequest, UserQuery, UserView};
use crate::users::service as users;

pub const ROLES: [(&str, &str); 5] = [
    ("coordinator", "Coordinator (Transforming Care Team)"),
    ("keyworker", "Keyworker"),
    ("clinician", "Clinician"),
    ("manager", "Manager (receives escalations)"),
    ("admin", "Administrator (users only, no records)"),
];

const LABELS: &[(&str, &str)] = &[
    ("username", "Username"),
    ("display_name", "Name"),
    ("email", "Email address"),
    ("role", "Role"),
    ("manager_id", "Line manager"),
    ("password", "Password"),
    ("active", "Account"),
];

#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub manager_id: String,
    #[serde(default)]
    pub password: String,
    /// "yes" when the box is ticked (edit form only).
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub version: i32,
}

impl UserForm {
    fn of(user: &UserView) -> UserForm {
        UserForm {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            role: user.role.as_str().into(),
            manager_id: user.manager_id.clone().unwrap_or_default(),
            active: if user.active {
                "yes".into()
            } else {
                String::new()
            },
            version: user.version,
            ..UserForm::default()
        }
    }

    /// The fields every user form sends, as the API's JSON.
    fn fields(&self, found: &mut FormErrors) -> serde_json::Map<String, serde_json::Value> {
        let mut fields = serde_json::Map::new();
        fields.insert("display_name".into(), self.display_name.clone().into());
        fields.insert("email".into(), self.email.trim().into());
        forms::put_choice(
            &mut fields,
            found,
            "role",
            &self.role,
            "keyworker",
            "Select the role",
        );
        let manager = self.manager_id.trim();
        fields.insert(
            "manager_id".into(),
            if manager.is_empty() {
                serde_json::Value::Null
            } else {
                manager.into()
            },
        );
        fields
    }
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct UserPage {
    chrome: super::chrome::Chrome,
    /// `None` for a new user.
    user: Option<UserView>,
    managers: Vec<UserView>,
    errors: FormErrors,
    form: UserForm,
    roles: [(&'static str, &'static str); 5],
    stale: bool,
}

impl UserPage {
    fn is_manager(&self, id: &str) -> bool {
        self.form.manager_id == id
    }
}

async fn managers(page: &Page) -> Result<Vec<UserView>, ApiError> {
    let query = UserQuery {
        role: Some(Role::Manager),
        active: Some(true),
    };
    let most = Paging {
        limit: 500,
        offset: 0,
    };
    Ok(page
        .read(move |c, _| users::list(c, query, most))
        .await?
        .items)
}

async fn user_page(
    page: &Page,
    user: Option<UserView>,
    form: UserForm,
    errors: FormErrors,
) -> Result<UserPage, ApiError> {
    Ok(UserPage {
        chrome: page.chrome("/admin/users"),
        managers: managers(page).await?,
        user,
        errors,
        form,
        roles: ROLES,
        stale: false,
    })
}

#[get("/admin/users/new")]
pub async fn new_user_form(page: Page) -> PageResult {
    page.require(Permission::UsersWrite)?;
    let view = user_page(&page, None, UserForm::default(), FormErrors::default()).await?;
    Ok(html(StatusCode::OK, view.render()))
}

async fn try_create(page: &Page, form: &UserForm) -> Result<Option<FormErrors>, ApiError> {
    let mut found = FormErrors::default();
    let mut fields = form.fields(&mut found);
    fields.insert("username".into(), form.username.trim().into());
    fields.insert("password".into(), form.password.clone().into());
    let body = match forms::request::<CreateUserRequest>(page.now(), fields, found, LABELS, &[]) {
        Ok(body) => body,
        Err(errors) => return errors.map(Some),
    };
    match admin::create(page, body).await {
        Ok(_) => Ok(None),
        Err(ApiError::Conflict(message)) => Ok(Some(FormErrors::one("username", message))),
        Err(ApiError::Validation(errors)) => Ok(Some(FormErrors::from_api(&errors, LABELS))),
        Err(other) => Err(other),
    }
}

#[post("/admin/users/new")]
pub async fn create_user(page: Page, form: web::Form<UserForm>) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::UsersWrite)?;
    let mut form = form.into_inner();
    match try_create(&page, &form).await? {
        None => Ok(see_other("/admin/users?done=created")),
        Some(errors) => {
            form.password.clear();
            let view = user_page(&page, None, form, errors).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
        }
    }
}

#[get("/admin/users/{id}")]
pub async fn edit_user_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::UsersWrite)?;
    let user_id = id.into_inner();
    let user = page.read(move |c, _| users::read(c, &user_id)).await?;
    let form = UserForm::of(&user);
    let view = user_page(&page, Some(user), form, FormErrors::default()).await?;
    Ok(html(StatusCode::OK, view.render()))
}

async fn try_update(page: &Page, id: &str, form: &UserForm) -> Result<Sent, ApiError> {
    let mut found = FormErrors::default();
    let mut fields = form.fields(&mut found);
    fields.insert("active".into(), (form.active == "yes").into());
    if !form.password.is_empty() {
        fields.insert("password".into(), form.password.clone().into());
    }
    let body = match forms::request::<UpdateUserRequest>(page.now(), fields, found, LABELS, &[]) {
        Ok(body) => body,
        Err(errors) => return errors.map(Sent::Refused),
    };
    let tag = IfMatch::Tags(vec![Some(form.version)]);
    let written = admin::update(page, id.to_string(), tag, body).await;
    forms::outcome(written, LABELS, Some("role"))
}

#[post("/admin/users/{id}")]
pub async fn update_user(
    page: Page,
    id: web::Path<String>,
    form: web::Form<UserForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::UsersWrite)?;
    let (id, mut form) = (id.into_inner(), form.into_inner());
    let outcome = try_update(&page, &id, &form).await?;
    let user_id = id.clone();
    let user = page.read(move |c, _| users::read(c, &user_id)).await?;
    form.password.clear();
    let (status, errors, stale) = match outcome {
        Sent::Done => return Ok(see_other("/admin/users?done=updated")),
        Sent::Stale => (StatusCode::PRECONDITION_FAILED, FormErrors::default(), true),
        Sent::Refused(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, false),
    };
    if stale {
        form = UserForm::of(&user);
    }
    let mut view = user_page(&page, Some(user), form, errors).await?;
    view.stale = stale;
    Ok(html(status, view.render()))
}
