//! **Inpatient details** of an admission (`/people/{id}/admissions/{aid}/details`): the items
//! the Assuring Transformation return asks of every inpatient, by the same service call as
//! `PATCH /api/v1/admissions/{id}`, with the version the form was filled from. A blank field
//! clears its item (the form shows them all, so what is sent is the whole set).

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;

use super::error::PageResult;
use super::format::Words;
use super::forms::{self, DateParts, FormErrors, Sent};
use super::inpatient::admission_of;
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, About};
use crate::admissions::model::{AdmissionView, UpdateAdmissionRequest};
use crate::admissions::service as admissions;
use crate::auth::Permission;
use crate::domain::inpatient_data::{
    AdmissionReason, Advocacy, DelayReason, LegalStatusCode, WardType,
};
use crate::error::ApiError;
use crate::http::IfMatch;

const TEXTS: [(&str, &str, &str); 3] = [
    (
        "provider_ods",
        "Provider ODS code (optional)",
        "The provider organisation, for example RXM.",
    ),
    (
        "hospital_ods",
        "Hospital ODS code (optional)",
        "The hospital site, for example RXM01.",
    ),
    (
        "hospital_icb",
        "Hospital's ICB code (optional)",
        "The ICB the hospital is in, for example QHM. Out of area is worked out from this.",
    ),
];

const DATES: [(&str, &str, &str); 3] = [
    (
        "lts_started_on",
        "Long-term segregation began (optional)",
        "For example, 27 3 2026.",
    ),
    (
        "lts_ended_on",
        "Long-term segregation ended (optional)",
        "For example, 27 3 2026.",
    ),
    (
        "clinically_ready_on",
        "Clinically ready for discharge (optional)",
        "For example, 27 3 2026. Not in the future.",
    ),
];

const DATE_IDS: [&str; 3] = ["lts_started_on", "lts_ended_on", "clinically_ready_on"];

const LABELS: [(&str, &str); 11] = [
    ("provider_ods", "Provider ODS code"),
    ("hospital_ods", "Hospital ODS code"),
    ("hospital_icb", "Hospital's ICB code"),
    ("ward_type", "Ward type"),
    ("legal_status_code", "Legal status"),
    ("admission_reason", "Reason for admission"),
    ("advocacy", "Advocacy"),
    ("lts_started_on", "Long-term segregation began"),
    ("lts_ended_on", "Long-term segregation ended"),
    ("clinically_ready_on", "Clinically ready for discharge"),
    ("delay_reasons", "What delays the discharge"),
];

fn options<T: Copy + Words>(
    all: &[T],
    code: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), v.words())).collect()
}

/// One list to choose from: its field, label, the codes in words, and what is chosen.
pub struct Choice {
    pub id: &'static str,
    pub label: &'static str,
    pub options: Vec<(&'static str, &'static str)>,
    pub chosen: String,
}

/// What the form holds, by field name (a date as its three boxes, `<id>-day` and so on);
/// the ticked delays apart, since that box repeats.
#[derive(Debug, Default, Clone)]
pub struct DetailsForm {
    values: Vec<(String, String)>,
    pub delays: Vec<String>,
    pub version: i32,
}

impl DetailsForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> (DetailsForm, String) {
        let mut form = DetailsForm::default();
        let mut csrf = String::new();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf_token" => csrf = value,
                "version" => form.version = value.trim().parse().unwrap_or(0),
                "delay_reasons" => form.delays.push(value),
                _ => form.values.push((key, value)),
            }
        }
        (form, csrf)
    }

    fn of(a: &AdmissionView) -> DetailsForm {
        let mut values: Vec<(String, String)> = Vec::new();
        let mut put =
            |k: &str, v: Option<&str>| values.push((k.into(), v.unwrap_or_default().into()));
        put("provider_ods", a.provider_ods.as_deref());
        put("hospital_ods", a.hospital_ods.as_deref());
        put("hospital_icb", a.hospital_icb.as_deref());
        put("ward_type", a.ward_type.map(WardType::as_str));
        put(
            "legal_status_code",
            a.legal_status_code.map(LegalStatusCode::as_str),
        );
        put(
            "admission_reason",
            a.admission_reason.map(AdmissionReason::as_str),
        );
        put("advocacy", a.advocacy.map(Advocacy::as_str));
        for (id, date) in
            DATE_IDS
                .iter()
                .zip([a.lts_started_on, a.lts_ended_on, a.clinically_ready_on])
        {
            let parts = date.map(DateParts::of).unwrap_or_default();
            values.push((format!("{id}-day"), parts.day));
            values.push((format!("{id}-month"), parts.month));
            values.push((format!("{id}-year"), parts.year));
        }
        DetailsForm {
            values,
            delays: a
                .delay_reasons
                .iter()
                .map(|d| d.as_str().to_string())
                .collect(),
            version: a.version,
        }
    }

    pub fn get(&self, id: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == id)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn date(&self, id: &str) -> DateParts {
        let part = |p: &str| self.get(&format!("{id}-{p}")).to_string();
        DateParts::new(&part("day"), &part("month"), &part("year"))
    }

    pub fn ticked(&self, code: &str) -> bool {
        self.delays.iter().any(|d| d == code)
    }

    fn request(&self, page: &Page) -> Result<UpdateAdmissionRequest, Result<FormErrors, ApiError>> {
        let mut fields = serde_json::Map::new();
        let mut found = FormErrors::default();
        let blank_is_null = |v: &str| match v.trim() {
            "" => serde_json::Value::Null,
            v => v.into(),
        };
        for id in [
            "provider_ods",
            "hospital_ods",
            "hospital_icb",
            "ward_type",
            "legal_status_code",
            "admission_reason",
            "advocacy",
        ] {
            fields.insert(id.into(), blank_is_null(self.get(id)));
        }
        for (id, label) in DATE_IDS.iter().zip([
            "Long-term segregation began",
            "Long-term segregation ended",
            "Clinically ready for discharge",
        ]) {
            self.date(id).put(&mut fields, &mut found, id, label);
            fields
                .entry(id.to_string())
                .or_insert(serde_json::Value::Null);
        }
        fields.insert("delay_reasons".into(), self.delays.clone().into());
        forms::request(page.now(), fields, found, &LABELS, &DATE_IDS)
    }
}

#[derive(Template)]
#[template(path = "inpatient_details_form.html")]
struct DetailsPage {
    chrome: super::chrome::Chrome,
    about: About,
    admission: AdmissionView,
    errors: FormErrors,
    form: DetailsForm,
    stale: bool,
    texts: [(&'static str, &'static str, &'static str); 3],
    choices: Vec<Choice>,
    dates: [(&'static str, &'static str, &'static str); 3],
    delays: Vec<(&'static str, &'static str)>,
}

fn render(
    page: &Page,
    about: About,
    admission: AdmissionView,
    form: DetailsForm,
    errors: FormErrors,
    stale: bool,
    status: StatusCode,
) -> PageResult {
    let choice = |id, label, options| Choice {
        id,
        label,
        options,
        chosen: form.get(id).to_string(),
    };
    let choices = vec![
        choice(
            "ward_type",
            "Ward type (optional)",
            options(WardType::ALL, WardType::as_str),
        ),
        choice(
            "legal_status_code",
            "Legal status (optional)",
            options(LegalStatusCode::ALL, LegalStatusCode::as_str),
        ),
        choice(
            "admission_reason",
            "Reason for admission (optional)",
            options(AdmissionReason::ALL, AdmissionReason::as_str),
        ),
        choice(
            "advocacy",
            "Advocacy (optional)",
            options(Advocacy::ALL, Advocacy::as_str),
        ),
    ];
    let view = DetailsPage {
        chrome: page.chrome("/register"),
        about,
        admission,
        errors,
        stale,
        texts: TEXTS,
        choices,
        dates: DATES,
        delays: options(DelayReason::ALL, DelayReason::as_str),
        form,
    };
    Ok(html(status, view.render()))
}

#[get("/people/{id}/admissions/{admission}/details")]
pub async fn details_form(page: Page, path: web::Path<(String, String)>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let (person, admission) = path.into_inner();
    let about = about(&page, &person).await?;
    let admission = admission_of(&page, &person, &admission).await?;
    let form = DetailsForm::of(&admission);
    render(
        &page,
        about,
        admission,
        form,
        FormErrors::default(),
        false,
        StatusCode::OK,
    )
}

#[post("/people/{id}/admissions/{admission}/details")]
pub async fn save_details(
    page: Page,
    path: web::Path<(String, String)>,
    body: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let (form, csrf) = DetailsForm::from_pairs(body.into_inner());
    page.check_csrf(&csrf)?;
    page.require(Permission::RegisterWrite)?;
    let (person, id) = path.into_inner();
    let about = about(&page, &person).await?;
    admission_of(&page, &person, &id).await?;
    let sent = match form.request(&page) {
        Ok(body) => {
            let (tag, stay) = (IfMatch::Tags(vec![Some(form.version)]), id.clone());
            let written = page
                .write(move |c, a| admissions::update_view(c, a, &stay, &tag, body))
                .await;
            forms::outcome(written, &LABELS, None)?
        }
        Err(errors) => Sent::Refused(errors?),
    };
    let now = admission_of(&page, &person, &id).await?;
    let Some(again) = sent.again(form, || DetailsForm::of(&now), &DATE_IDS) else {
        return Ok(see_other(&format!(
            "/people/{person}?done=inpatient_details#admissions"
        )));
    };
    render(
        &page,
        about,
        now,
        again.form,
        again.errors,
        again.stale,
        again.status,
    )
}
