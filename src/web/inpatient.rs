//! A stay in hospital from the record (coordinators): **Record an admission**, **Record
//! discharge** (with where to) and **Record oversight visit**. The same service calls as
//! `POST /people/{id}/admissions`, `PATCH /admissions/{id}` and `POST /admissions/{id}/visits`,
//! the fields checked by the API's rules.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::forms::{self, DateInput, DateParts, FormErrors, Sent};
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, About};
use crate::admissions::model::{
    AdmissionView, CreateAdmissionRequest, CreateVisitRequest, UpdateAdmissionRequest,
};
use crate::admissions::service as admissions;
use crate::auth::Permission;
use crate::error::ApiError;
use crate::http::{IfMatch, Now};

pub const SETTINGS: [(&str, &str); 5] = [
    ("non_secure", "Non-secure (acute or assessment ward)"),
    ("low_secure", "Low secure"),
    ("medium_secure", "Medium secure"),
    ("high_secure", "High secure"),
    (
        "cyp_inpatient",
        "Children and young people's inpatient unit",
    ),
];

pub const DESTINATIONS: [(&str, &str); 4] = [
    ("community", "Home or the community"),
    ("other_hospital", "Another hospital"),
    ("died", "Died"),
    ("other", "Somewhere else"),
];

/// Every form here: the date boxes, the choice, the free text, as the page received them.
#[derive(Debug, Default, Deserialize)]
pub struct StayForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default, rename = "on-day")]
    pub day: String,
    #[serde(default, rename = "on-month")]
    pub month: String,
    #[serde(default, rename = "on-year")]
    pub year: String,
    /// The setting (admission) or destination (discharge).
    #[serde(default)]
    pub choice: String,
    /// The hospital (admission) or the visitor (visit).
    #[serde(default)]
    pub text: String,
    /// The legal status (admission) or the notes (visit).
    #[serde(default)]
    pub more: String,
    /// The concerns a visit found (a visit only).
    #[serde(default)]
    pub concerns: String,
    #[serde(default)]
    pub version: i32,
}

/// Which of the three forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stay {
    Admission,
    Discharge,
    Visit,
}

impl Stay {
    /// The forms under `/people/{id}/admissions/{admission}/`.
    fn of_admission(path: &str) -> Option<Stay> {
        match path {
            "discharge" => Some(Stay::Discharge),
            "visit" => Some(Stay::Visit),
            _ => None,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Stay::Admission => "Record an admission",
            Stay::Discharge => "Record discharge",
            Stay::Visit => "Record oversight visit",
        }
    }

    /// The API field each form field fills, and its label.
    fn fields(self) -> [(&'static str, &'static str); 4] {
        match self {
            Stay::Admission => [
                ("admitted_on", "Date admitted"),
                ("setting", "Setting"),
                ("hospital", "Hospital"),
                ("legal_status", "Legal status"),
            ],
            Stay::Discharge => [
                ("discharged_on", "Date discharged"),
                ("discharge_destination", "Discharged to"),
                ("", ""),
                ("", ""),
            ],
            Stay::Visit => [
                ("visited_on", "Date of the visit"),
                ("", ""),
                ("visitor", "Visitor"),
                ("notes", "Notes"),
            ],
        }
    }
}

impl StayForm {
    pub fn date(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    fn body(&self, stay: Stay, now: Now) -> serde_json::Map<String, serde_json::Value> {
        let [(date, _), (choice, _), (text, _), (more, _)] = stay.fields();
        let mut fields = serde_json::Map::new();
        let on = match self.date().date() {
            DateInput::Date(d) => d,
            // a stand-in: the page has said what is wrong with the date (see forms::request)
            _ => now.today,
        };
        fields.insert(date.into(), on.to_string().into());
        let stand_in = match stay {
            Stay::Admission => "non_secure",
            _ => "community",
        };
        if !choice.is_empty() {
            let value = if self.choice.is_empty() {
                stand_in
            } else {
                &self.choice
            };
            fields.insert(choice.into(), value.into());
        }
        if !text.is_empty() {
            fields.insert(text.into(), self.text.clone().into());
        }
        if !more.is_empty() && !self.more.trim().is_empty() {
            fields.insert(more.into(), self.more.clone().into());
        }
        if stay == Stay::Visit && !self.concerns.trim().is_empty() {
            fields.insert("concerns".into(), self.concerns.clone().into());
        }
        fields
    }

    /// What only the page can know is wrong, on the form's own field names.
    fn found(&self, stay: Stay) -> FormErrors {
        let mut found = FormErrors::default();
        let [(_, date_label), (choice, choice_label), _, _] = stay.fields();
        match self.date().date() {
            DateInput::Blank => found.add("on", format!("Enter the {}", date_label.to_lowercase())),
            DateInput::NotADate => found.add(
                "on",
                format!("{date_label} must be a real date, like 27 3 2026"),
            ),
            DateInput::Date(_) => {}
        }
        if !choice.is_empty() && self.choice.is_empty() {
            found.add(
                "choice",
                format!("Select the {}", choice_label.to_lowercase()),
            );
        }
        found
    }

    /// The API's errors moved onto this form's field names.
    fn on_form(stay: Stay, errors: FormErrors) -> FormErrors {
        let [(date, _), (choice, _), (text, _), (more, _)] = stay.fields();
        let mut out = FormErrors::default();
        for e in errors.items {
            let id = match e.id.as_str() {
                id if id == date => "on",
                id if id == choice && !choice.is_empty() => "choice",
                id if id == text && !text.is_empty() => "text",
                id if id == more && !more.is_empty() => "more",
                "concerns" if stay == Stay::Visit => "concerns",
                _ => "on",
            };
            if out.get(id).is_none() {
                out.add(id, e.text);
            }
        }
        out.dates_at_day(&["on"])
    }

    fn request<T>(&self, stay: Stay, now: Now) -> Result<T, Result<FormErrors, ApiError>>
    where
        T: serde::de::DeserializeOwned
            + validator::Validate
            + crate::http::DateRules
            + utoipa::ToSchema,
    {
        let labels: Vec<(&str, &str)> = stay
            .fields()
            .into_iter()
            .filter(|(f, _)| !f.is_empty())
            .chain((stay == Stay::Visit).then_some(("concerns", "Concerns")))
            .collect();
        let found = self.found(stay);
        // The page's errors are already on its own ids; the API's are moved onto them.
        match forms::request::<T>(
            now,
            self.body(stay, now),
            FormErrors::default(),
            &labels,
            &[],
        ) {
            Ok(body) if found.is_empty() => Ok(body),
            Ok(_) => Err(Ok(found.dates_at_day(&["on"]))),
            Err(Ok(api)) => {
                let mut all = found;
                for e in Self::on_form(stay, api).items {
                    if all.get(&e.id).is_none() {
                        all.items.push(e);
                    }
                }
                Err(Ok(all.dates_at_day(&["on"])))
            }
            Err(Err(other)) => Err(Err(other)),
        }
    }
}

#[derive(Template)]
#[template(path = "stay_form.html")]
struct StayPage {
    chrome: super::chrome::Chrome,
    about: About,
    admission: Option<AdmissionView>,
    stay: Stay,
    action: String,
    errors: FormErrors,
    form: StayForm,
    stale: bool,
    settings: [(&'static str, &'static str); 5],
    destinations: [(&'static str, &'static str); 4],
}

impl StayPage {
    fn title(&self) -> &'static str {
        self.stay.title()
    }
    fn is(&self, name: &str) -> bool {
        matches!(
            (self.stay, name),
            (Stay::Admission, "admission")
                | (Stay::Discharge, "discharge")
                | (Stay::Visit, "visit")
        )
    }
}

pub(super) async fn admission_of(
    page: &Page,
    person: &str,
    admission: &str,
) -> Result<AdmissionView, ApiError> {
    let id = admission.to_string();
    let view = page.read(move |c, a| admissions::read(c, a, &id)).await?;
    // One person's record, one person's admissions: another's is no such page.
    (view.person_id == person)
        .then_some(view)
        .ok_or(ApiError::NotFound)
}

struct Shown {
    stay: Stay,
    admission: Option<AdmissionView>,
    form: StayForm,
    errors: FormErrors,
    stale: bool,
}

async fn show(page: &Page, person: &str, shown: Shown, status: StatusCode) -> PageResult {
    let about = about(page, person).await?;
    let action = match (&shown.admission, shown.stay) {
        (Some(a), Stay::Discharge) => format!("/people/{person}/admissions/{}/discharge", a.id),
        (Some(a), _) => format!("/people/{person}/admissions/{}/visit", a.id),
        (None, _) => format!("/people/{person}/admission"),
    };
    let view = StayPage {
        chrome: page.chrome("/register"),
        about,
        admission: shown.admission,
        stay: shown.stay,
        action,
        errors: shown.errors,
        form: shown.form,
        stale: shown.stale,
        settings: SETTINGS,
        destinations: DESTINATIONS,
    };
    Ok(html(status, view.render()))
}

fn today_form(page: &Page) -> StayForm {
    let today = DateParts::of(page.today);
    StayForm {
        day: today.day,
        month: today.month,
        year: today.year,
        ..StayForm::default()
    }
}

#[get("/people/{id}/admission")]
pub async fn admission_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let shown = Shown {
        stay: Stay::Admission,
        admission: None,
        form: today_form(&page),
        errors: FormErrors::default(),
        stale: false,
    };
    show(&page, &id, shown, StatusCode::OK).await
}

#[get("/people/{id}/admissions/{admission}/{form}")]
pub async fn stay_form(page: Page, path: web::Path<(String, String, String)>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let (person, admission, which) = path.into_inner();
    let stay = Stay::of_admission(&which).ok_or(ApiError::NotFound)?;
    let admission = admission_of(&page, &person, &admission).await?;
    let mut form = today_form(&page);
    form.version = admission.version;
    let shown = Shown {
        stay,
        admission: Some(admission),
        form,
        errors: FormErrors::default(),
        stale: false,
    };
    show(&page, &person, shown, StatusCode::OK).await
}

/// Sends a form to its service call and says what became of it.
async fn send(
    page: &Page,
    person: &str,
    admission: Option<&AdmissionView>,
    stay: Stay,
    form: &StayForm,
) -> Result<Sent, ApiError> {
    let now = page.now();
    let (person, version) = (person.to_string(), form.version);
    let refused = |e: Result<FormErrors, ApiError>| e.map(Sent::Refused);
    let written = match (stay, admission) {
        (Stay::Admission, _) => {
            let body: CreateAdmissionRequest = match form.request(stay, now) {
                Ok(body) => body,
                Err(e) => return refused(e),
            };
            page.write(move |c, a| admissions::admit_view(c, a, &person, body))
                .await
                .map(|_| ())
        }
        (Stay::Discharge, Some(adm)) => {
            let body: UpdateAdmissionRequest = match form.request(stay, now) {
                Ok(body) => body,
                Err(e) => return refused(e),
            };
            let (id, tag) = (adm.id.clone(), IfMatch::Tags(vec![Some(version)]));
            page.write(move |c, a| admissions::update_view(c, a, &id, &tag, body))
                .await
                .map(|_| ())
        }
        (Stay::Visit, Some(adm)) => {
            let body: CreateVisitRequest = match form.request(stay, now) {
                Ok(body) => body,
                Err(e) => return refused(e),
            };
            let id = adm.id.clone();
            page.write(move |c, a| admissions::record_visit_view(c, a, &id, body))
                .await
                .map(|_| ())
        }
        _ => return Err(ApiError::NotFound),
    };
    let labels: Vec<(&str, &str)> = stay
        .fields()
        .into_iter()
        .filter(|(f, _)| !f.is_empty())
        .collect();
    match forms::outcome(written, &labels, Some("on"))? {
        Sent::Refused(errors) => Ok(Sent::Refused(StayForm::on_form(stay, errors))),
        other => Ok(other),
    }
}

async fn answer(
    page: Page,
    person: String,
    admission: Option<AdmissionView>,
    stay: Stay,
    form: StayForm,
) -> PageResult {
    let done = match stay {
        Stay::Admission => "admitted",
        Stay::Discharge => "discharged",
        Stay::Visit => "visit",
    };
    let (status, errors, stale) =
        match send(&page, &person, admission.as_ref(), stay, &form).await? {
            Sent::Done => return Ok(see_other(&format!("/people/{person}?done={done}"))),
            Sent::Stale => (StatusCode::PRECONDITION_FAILED, FormErrors::default(), true),
            Sent::Refused(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, false),
        };
    let shown = Shown {
        stay,
        admission,
        form,
        errors,
        stale,
    };
    show(&page, &person, shown, status).await
}

#[post("/people/{id}/admission")]
pub async fn record_admission(
    page: Page,
    id: web::Path<String>,
    form: web::Form<StayForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    answer(
        page,
        id.into_inner(),
        None,
        Stay::Admission,
        form.into_inner(),
    )
    .await
}

#[post("/people/{id}/admissions/{admission}/{form}")]
pub async fn record_stay(
    page: Page,
    path: web::Path<(String, String, String)>,
    form: web::Form<StayForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    let (person, admission, which) = path.into_inner();
    let stay = Stay::of_admission(&which).ok_or(ApiError::NotFound)?;
    let admission = admission_of(&page, &person, &admission).await?;
    answer(page, person, Some(admission), stay, form.into_inner()).await
}
