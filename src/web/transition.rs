//! **Transition plan** on the record of a young person: the same service call as
//! `PUT /api/v1/people/{id}/transition-plan`, with the version the form was filled from.

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
use crate::transitions::model::{TransitionPlanRequest, TransitionPlanView};
use crate::transitions::service as transitions;

const LABELS: [(&str, &str); 4] = [
    ("adult_team", "Adult team"),
    ("education_status", "Education"),
    ("planned_handover_on", "Planned handover date"),
    ("notes", "Notes"),
];

const DATES: [&str; 1] = ["planned_handover_on"];

#[derive(Debug, Default, Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    pub adult_team: String,
    #[serde(default)]
    pub education_status: String,
    #[serde(default, rename = "planned_handover_on-day")]
    pub day: String,
    #[serde(default, rename = "planned_handover_on-month")]
    pub month: String,
    #[serde(default, rename = "planned_handover_on-year")]
    pub year: String,
    #[serde(default)]
    pub notes: String,
    /// The plan's version when the form was filled (0: there was none).
    #[serde(default)]
    pub version: i32,
}

impl TransitionForm {
    pub fn handover(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    fn of(plan: Option<&TransitionPlanView>) -> TransitionForm {
        let Some(plan) = plan else {
            return TransitionForm::default();
        };
        let on = DateParts::of(plan.planned_handover_on);
        TransitionForm {
            adult_team: plan.adult_team.clone(),
            education_status: plan.education_status.clone(),
            day: on.day,
            month: on.month,
            year: on.year,
            notes: plan.notes.clone().unwrap_or_default(),
            version: plan.version,
            ..TransitionForm::default()
        }
    }

    fn request(&self, page: &Page) -> Result<TransitionPlanRequest, Result<FormErrors, ApiError>> {
        let mut fields = serde_json::Map::new();
        let mut found = FormErrors::default();
        fields.insert("adult_team".into(), self.adult_team.clone().into());
        fields.insert(
            "education_status".into(),
            self.education_status.clone().into(),
        );
        if !self.notes.trim().is_empty() {
            fields.insert("notes".into(), self.notes.clone().into());
        }
        self.handover().put(
            &mut fields,
            &mut found,
            "planned_handover_on",
            "Planned handover date",
        );
        if !fields.contains_key("planned_handover_on") {
            if found.get("planned_handover_on").is_none() {
                found.add("planned_handover_on", "Enter the planned handover date");
            }
            // A stand-in, so the API checks the rest in the same answer.
            fields.insert("planned_handover_on".into(), page.today.to_string().into());
        }
        forms::request(page.now(), fields, found, &LABELS, &DATES)
    }
}

#[derive(Template)]
#[template(path = "transition_form.html")]
struct TransitionPage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    form: TransitionForm,
    stale: bool,
}

fn render(
    page: &Page,
    about: About,
    form: TransitionForm,
    errors: FormErrors,
    stale: bool,
    status: StatusCode,
) -> PageResult {
    let view = TransitionPage {
        chrome: page.chrome(""),
        about,
        errors,
        form,
        stale,
    };
    Ok(html(status, view.render()))
}

async fn current(page: &Page, person: &str) -> Result<Option<TransitionPlanView>, ApiError> {
    let person = person.to_string();
    page.read(move |c, a| transitions::find(c, a, &person))
        .await
}

#[get("/people/{id}/transition-plan")]
pub async fn transition_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::TransitionPlanWrite)?;
    let about = about(&page, &id).await?;
    let plan = current(&page, &id).await?;
    render(
        &page,
        about,
        TransitionForm::of(plan.as_ref()),
        FormErrors::default(),
        false,
        StatusCode::OK,
    )
}

#[post("/people/{id}/transition-plan")]
pub async fn save_transition_plan(
    page: Page,
    id: web::Path<String>,
    form: web::Form<TransitionForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::TransitionPlanWrite)?;
    let about = about(&page, &id).await?;
    let form = form.into_inner();
    let sent = match form.request(&page) {
        Ok(body) => {
            // Version 0: the form was filled when there was no plan; one made meanwhile is
            // someone else's, so this must not silently replace it.
            let tag = match form.version {
                0 => IfMatch::Tags(vec![None]),
                v => IfMatch::Tags(vec![Some(v)]),
            };
            let person = about.person_id.clone();
            let written = page
                .write(move |c, a| transitions::put(c, a, &person, &tag, body))
                .await;
            forms::outcome(written, &LABELS, None)?
        }
        Err(errors) => Sent::Refused(errors?),
    };
    let now = current(&page, &id).await?;
    let Some(again) = sent.again(form, || TransitionForm::of(now.as_ref()), &DATES) else {
        return Ok(see_other(&format!(
            "/people/{id}?done=transition#transition"
        )));
    };
    render(
        &page,
        about,
        again.form,
        again.errors,
        again.stale,
        again.status,
    )
}
