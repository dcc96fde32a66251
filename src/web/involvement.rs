//! **Add a professional** and **Change** on the record's "Professionals involved": the same
//! service calls as `POST /api/v1/people/{id}/involvements` and `PATCH /api/v1/involvements/{id}`
//! (with the version the form was filled from, so an overtaken change says so).

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::forms::{self, DateParts, FormErrors, Sent};
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, About};
use crate::auth::Permission;
use crate::error::ApiError;
use crate::http::IfMatch;
use crate::involvements::model::{
    CreateInvolvementRequest, InvolvementView, UpdateInvolvementRequest,
};
use crate::involvements::service as involvements;

pub const ROLES: [(&str, &str); 8] = [
    ("care_coordinator", "Care coordinator"),
    ("social_worker", "Social worker"),
    ("responsible_clinician", "Responsible clinician"),
    ("camhs", "CAMHS"),
    ("senco", "SENCo"),
    ("advocate", "Advocate"),
    ("gp", "GP"),
    ("other", "Other"),
];

const LABELS: [(&str, &str); 6] = [
    ("name", "Name"),
    ("organisation", "Organisation"),
    ("role", "Role"),
    ("contact", "Contact details"),
    ("from_on", "Involved since"),
    ("to_on", "Involved until"),
];

const DATES: [&str; 2] = ["from_on", "to_on"];

#[derive(Debug, Default, Deserialize)]
pub struct InvolvementForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default, rename = "from_on-day")]
    pub from_day: String,
    #[serde(default, rename = "from_on-month")]
    pub from_month: String,
    #[serde(default, rename = "from_on-year")]
    pub from_year: String,
    #[serde(default, rename = "to_on-day")]
    pub to_day: String,
    #[serde(default, rename = "to_on-month")]
    pub to_month: String,
    #[serde(default, rename = "to_on-year")]
    pub to_year: String,
    /// The version the form was filled from (a change only).
    #[serde(default)]
    pub version: i32,
}

impl InvolvementForm {
    pub fn from_on(&self) -> DateParts {
        DateParts::new(&self.from_day, &self.from_month, &self.from_year)
    }

    pub fn to_on(&self) -> DateParts {
        DateParts::new(&self.to_day, &self.to_month, &self.to_year)
    }

    fn of(view: &InvolvementView) -> InvolvementForm {
        let (from, to) = (
            DateParts::of(view.from_on),
            view.to_on.map(DateParts::of).unwrap_or_default(),
        );
        InvolvementForm {
            name: view.name.clone(),
            organisation: view.organisation.clone(),
            role: view.role.as_str().into(),
            contact: view.contact.clone().unwrap_or_default(),
            from_day: from.day,
            from_month: from.month,
            from_year: from.year,
            to_day: to.day,
            to_month: to.month,
            to_year: to.year,
            version: view.version,
            ..InvolvementForm::default()
        }
    }

    /// The fields as the API's body; a blank end date or contact clears it on a change.
    fn fields(&self, changing: bool) -> (serde_json::Map<String, serde_json::Value>, FormErrors) {
        let mut fields = serde_json::Map::new();
        let mut found = FormErrors::default();
        fields.insert("name".into(), self.name.clone().into());
        fields.insert("organisation".into(), self.organisation.clone().into());
        forms::put_choice(
            &mut fields,
            &mut found,
            "role",
            &self.role,
            "other",
            "Select the role",
        );
        if !self.contact.trim().is_empty() {
            fields.insert("contact".into(), self.contact.clone().into());
        } else if changing {
            fields.insert("contact".into(), serde_json::Value::Null);
        }
        self.from_on()
            .put(&mut fields, &mut found, "from_on", "Involved since");
        // A stand-in where the page already knows the date is missing, so the API checks
        // the rest in the same answer.
        let missing_start = !fields.contains_key("from_on");
        if missing_start {
            fields.insert("from_on".into(), "2000-01-01".into());
        }
        if changing && self.to_on().date() == forms::DateInput::Blank {
            fields.insert("to_on".into(), serde_json::Value::Null);
        }
        self.to_on()
            .put(&mut fields, &mut found, "to_on", "Involved until");
        if missing_start && found.get("from_on").is_none() {
            found.add("from_on", "Enter the date they became involved");
        }
        (fields, found)
    }
}

#[derive(Template)]
#[template(path = "involvement_form.html")]
struct InvolvementPage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    form: InvolvementForm,
    roles: [(&'static str, &'static str); 8],
    /// The involvement being changed (`None`: a new one).
    changing: Option<String>,
    /// Someone else changed it since the form was filled: it shows as it is now.
    stale: bool,
}

fn render(
    page: &Page,
    about: About,
    form: InvolvementForm,
    errors: FormErrors,
    changing: Option<String>,
    stale: bool,
    status: StatusCode,
) -> PageResult {
    let view = InvolvementPage {
        chrome: page.chrome(""),
        about,
        errors,
        form,
        roles: ROLES,
        changing,
        stale,
    };
    Ok(html(status, view.render()))
}

async fn involvement(page: &Page, id: &str) -> Result<InvolvementView, ApiError> {
    let id = id.to_string();
    page.read(move |c, a| involvements::read(c, a, &id)).await
}

#[get("/people/{id}/involvements/new")]
pub async fn new_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::InvolvementsWrite)?;
    let about = about(&page, &id).await?;
    let today = DateParts::of(page.today);
    let form = InvolvementForm {
        from_day: today.day,
        from_month: today.month,
        from_year: today.year,
        ..InvolvementForm::default()
    };
    render(
        &page,
        about,
        form,
        FormErrors::default(),
        None,
        false,
        StatusCode::OK,
    )
}

#[post("/people/{id}/involvements/new")]
pub async fn add(
    page: Page,
    id: web::Path<String>,
    form: web::Form<InvolvementForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::InvolvementsWrite)?;
    let about = about(&page, &id).await?;
    let form = form.into_inner();
    let (fields, found) = form.fields(false);
    let errors = match forms::request::<CreateInvolvementRequest>(
        page.now(),
        fields,
        found,
        &LABELS,
        &DATES,
    ) {
        Ok(body) => {
            let person = about.person_id.clone();
            let written = page
                .write(move |c, a| involvements::create(c, a, &person, body))
                .await;
            match forms::outcome(written, &LABELS, None)? {
                Sent::Refused(errors) => errors.dates_at_day(&DATES),
                _ => {
                    return Ok(see_other(&format!(
                        "/people/{id}?done=involvement#involvements"
                    )))
                }
            }
        }
        Err(errors) => errors?,
    };
    render(
        &page,
        about,
        form,
        errors,
        None,
        false,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

#[get("/involvements/{id}/change")]
pub async fn change_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::InvolvementsWrite)?;
    let current = involvement(&page, &id).await?;
    let about = about(&page, &current.person_id).await?;
    let form = InvolvementForm::of(&current);
    render(
        &page,
        about,
        form,
        FormErrors::default(),
        Some(current.id),
        false,
        StatusCode::OK,
    )
}

#[post("/involvements/{id}/change")]
pub async fn change(
    page: Page,
    id: web::Path<String>,
    form: web::Form<InvolvementForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::InvolvementsWrite)?;
    let current = involvement(&page, &id).await?;
    let about = about(&page, &current.person_id).await?;
    let form = form.into_inner();
    let (fields, found) = form.fields(true);
    let sent = match forms::request::<UpdateInvolvementRequest>(
        page.now(),
        fields,
        found,
        &LABELS,
        &DATES,
    ) {
        Ok(body) => {
            let (key, tag) = (current.id.clone(), IfMatch::Tags(vec![Some(form.version)]));
            let written = page
                .write(move |c, a| involvements::update(c, a, &key, &tag, body))
                .await;
            forms::outcome(written, &LABELS, None)?
        }
        Err(errors) => Sent::Refused(errors?),
    };
    let person = current.person_id.clone();
    let Some(again) = sent.again(form, || InvolvementForm::of(&current), &DATES) else {
        return Ok(see_other(&format!(
            "/people/{person}?done=involvement#involvements"
        )));
    };
    render(
        &page,
        about,
        again.form,
        again.errors,
        Some(current.id.clone()),
        again.stale,
        again.status,
    )
}
