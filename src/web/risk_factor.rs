//! **Note a reason for risk** and **End** on the record's register entry (coordinators): the
//! same service calls as `POST /api/v1/register/{id}/risk-factors` and
//! `PATCH /api/v1/risk-factors/{id}` (the end at the version the form was filled from).

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::format::Fmt;
use super::forms::{self, DateParts, FormErrors, Sent};
use super::respond::{html, see_other};
use super::review::{about, About};
use super::session::Page;
use crate::auth::Permission;
use crate::error::ApiError;
use crate::http::IfMatch;
use crate::risk_factors::model::{NoteRiskFactorRequest, RiskFactorView, UpdateRiskFactorRequest};
use crate::risk_factors::service as risk_factors;

const LABELS: [(&str, &str); 4] = [
    ("code", "Reason for risk"),
    ("noted_on", "Date noted"),
    ("note", "Note"),
    ("ended_on", "Date it ended"),
];

const DATES: [&str; 2] = ["noted_on", "ended_on"];

#[derive(Debug, Default, Deserialize)]
pub struct RiskFactorForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub note: String,
    // One date: noted on (a new reason) or ended on (an end), named as the API names it so
    // that its errors land on it.
    #[serde(default, rename = "noted_on-day", alias = "ended_on-day")]
    pub day: String,
    #[serde(default, rename = "noted_on-month", alias = "ended_on-month")]
    pub month: String,
    #[serde(default, rename = "noted_on-year", alias = "ended_on-year")]
    pub year: String,
    /// The version the end form was filled from.
    #[serde(default)]
    pub version: i32,
}

impl RiskFactorForm {
    /// The date the form asks for: noted on (a new reason) or ended on (an end).
    pub fn on(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    /// The end form for `view`: today, its note, its version.
    fn ending(page: &Page, view: &RiskFactorView) -> RiskFactorForm {
        RiskFactorForm {
            note: view.note.clone().unwrap_or_default(),
            version: view.version,
            ..RiskFactorForm::today(page)
        }
    }

    fn today(page: &Page) -> RiskFactorForm {
        let today = DateParts::of(page.today);
        RiskFactorForm {
            day: today.day,
            month: today.month,
            year: today.year,
            ..RiskFactorForm::default()
        }
    }

    /// The API body's fields; `field` is where the form's date goes (`noted_on` or
    /// `ended_on`), and a missing date is named in the page's own words.
    fn fields(
        &self,
        field: &str,
        missing: &str,
    ) -> (serde_json::Map<String, serde_json::Value>, FormErrors) {
        let mut fields = serde_json::Map::new();
        let mut found = FormErrors::default();
        if !self.note.trim().is_empty() {
            fields.insert("note".into(), self.note.clone().into());
        }
        self.on()
            .put(&mut fields, &mut found, field, label_of(field));
        if !fields.contains_key(field) && found.get(field).is_none() {
            found.add(field, missing);
        }
        (fields, found)
    }
}

fn label_of(field: &str) -> &'static str {
    LABELS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, l)| *l)
        .unwrap_or("Date")
}

#[derive(Template)]
#[template(path = "risk_factor_form.html")]
struct RiskFactorPage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    form: RiskFactorForm,
    /// The configured reasons, as (code, label).
    choices: Vec<(String, String)>,
    /// The reason being ended (`None`: noting a new one).
    ending: Option<RiskFactorView>,
    stale: bool,
    today: chrono::NaiveDate,
}

impl Fmt for RiskFactorPage {
    fn today(&self) -> chrono::NaiveDate {
        self.today
    }
}

fn render(
    page: &Page,
    about: About,
    form: RiskFactorForm,
    errors: FormErrors,
    ending: Option<RiskFactorView>,
    stale: bool,
    status: StatusCode,
) -> PageResult {
    let choices = page
        .settings
        .register
        .risk_factors
        .iter()
        .map(|f| (f.code.clone(), f.label.clone()))
        .collect();
    let view = RiskFactorPage {
        chrome: page.chrome("/register"),
        about,
        errors,
        form,
        choices,
        ending,
        stale,
        today: page.today,
    };
    Ok(html(status, view.render()))
}

/// A form as it first shows: nothing wrong yet.
fn show(
    page: &Page,
    about: About,
    form: RiskFactorForm,
    ending: Option<RiskFactorView>,
) -> PageResult {
    render(
        page,
        about,
        form,
        FormErrors::default(),
        ending,
        false,
        StatusCode::OK,
    )
}

#[get("/people/{id}/risk-factors/new")]
pub async fn new_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let about = about(&page, &id).await?;
    show(&page, about, RiskFactorForm::today(&page), None)
}

#[post("/people/{id}/risk-factors/new")]
pub async fn note(
    page: Page,
    id: web::Path<String>,
    form: web::Form<RiskFactorForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    noted(&page, &id, form.into_inner()).await
}

/// Notes the reason through the API's service call, or shows the form again with what is
/// wrong.
async fn noted(page: &Page, id: &str, form: RiskFactorForm) -> PageResult {
    let about = about(page, id).await?;
    let (mut fields, mut found) = form.fields("noted_on", "Enter the date it was noted");
    forms::put_choice(
        &mut fields,
        &mut found,
        "code",
        &form.code,
        "placement_breakdown",
        "Select the reason for risk",
    );
    // A stand-in date where the page already knows it is missing, so the rest is checked too.
    fields
        .entry("noted_on")
        .or_insert_with(|| page.today.to_string().into());
    let errors =
        match forms::request::<NoteRiskFactorRequest>(page.now(), fields, found, &LABELS, &DATES) {
            Ok(body) => {
                let entry = about.entry.id.clone();
                let written = page
                    .write(move |c, a| risk_factors::note(c, a, &entry, body))
                    .await;
                match forms::outcome(written, &LABELS, None)? {
                    Sent::Refused(errors) => errors.dates_at_day(&DATES),
                    _ => {
                        return Ok(see_other(&format!(
                            "/people/{id}?done=risk_factor#register-entry"
                        )))
                    }
                }
            }
            Err(errors) => errors?,
        };
    render(
        page,
        about,
        form,
        errors,
        None,
        false,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

async fn factor(page: &Page, id: &str) -> Result<(RiskFactorView, About), ApiError> {
    let id = id.to_string();
    let view = page.read(move |c, a| risk_factors::read(c, a, &id)).await?;
    let about = about(page, &view.person_id).await?;
    Ok((view, about))
}

#[get("/risk-factors/{id}/end")]
pub async fn end_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let (view, about) = factor(&page, &id).await?;
    show(
        &page,
        about,
        RiskFactorForm::ending(&page, &view),
        Some(view),
    )
}

#[post("/risk-factors/{id}/end")]
pub async fn end(page: Page, id: web::Path<String>, form: web::Form<RiskFactorForm>) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    ended(&page, &id, form.into_inner()).await
}

/// Ends the reason at the version the form was filled from, or shows the form again: with
/// what is wrong, or (someone else changed it) with the reason as it is now.
async fn ended(page: &Page, id: &str, form: RiskFactorForm) -> PageResult {
    let (view, about) = factor(page, id).await?;
    let (mut fields, found) = form.fields("ended_on", "Enter the date it ended");
    // A blank note clears it.
    fields.entry("note").or_insert(serde_json::Value::Null);
    let sent =
        match forms::request::<UpdateRiskFactorRequest>(page.now(), fields, found, &LABELS, &DATES)
        {
            Ok(body) => {
                let (factor_id, tag) = (view.id.clone(), IfMatch::Tags(vec![Some(form.version)]));
                let written = page
                    .write(move |c, a| risk_factors::update(c, a, &factor_id, &tag, body))
                    .await;
                forms::outcome(written, &LABELS, None)?
            }
            Err(errors) => Sent::Refused(errors?),
        };
    let Some(again) = sent.again(form, RiskFactorForm::default, &DATES) else {
        return Ok(see_other(&format!(
            "/people/{}?done=risk_factor_ended#register-entry",
            about.person_id
        )));
    };
    // After a stale end the form shows the reason as it is now.
    let (form, ending) = if again.stale {
        let now = factor(page, id).await?.0;
        (RiskFactorForm::ending(page, &now), now)
    } else {
        (again.form, view)
    };
    render(
        page,
        about,
        form,
        again.errors,
        Some(ending),
        again.stale,
        again.status,
    )
}
