//! Taking someone onto the register (coordinators): **Add a person** (`/people/new`), then
//! **Put on the register** from their record. The same service calls as `POST /api/v1/people`
//! and `POST /api/v1/register`, the fields checked by the API's rules.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::forms::{self, DateInput, DateParts, FormErrors, Sent};
use super::respond::{html, see_other};
use super::review::RATINGS;
use super::session::Page;
use crate::auth::Permission;
use crate::domain::person::Diagnosis;
use crate::error::ApiError;
use crate::http::{IfMatch, Now};
use crate::people::model::{CreatePersonRequest, PersonView, UpdatePersonRequest};
use crate::people::service as people;
use crate::register::model::OpenEntryRequest;
use crate::register::service as register;

pub const CONSENTS: [(&str, &str); 5] = [
    ("given", "Consent given"),
    (
        "best_interests",
        "Lacks capacity: best interests decision recorded",
    ),
    ("parental", "Someone with parental responsibility consented"),
    ("declined", "Declined"),
    ("not_recorded", "Not recorded yet"),
];

/// Puts `value` into `fields` when it is not blank (optional text).
fn put_text(fields: &mut serde_json::Map<String, serde_json::Value>, id: &str, value: &str) {
    if !value.trim().is_empty() {
        fields.insert(id.into(), value.into());
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub nhs_number: String,
    /// Ticked: the NHS number is not known yet (pending).
    #[serde(default)]
    pub nhs_pending: String,
    #[serde(default, rename = "date_of_birth-day")]
    pub day: String,
    #[serde(default, rename = "date_of_birth-month")]
    pub month: String,
    #[serde(default, rename = "date_of_birth-year")]
    pub year: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub learning_disability: String,
    #[serde(default)]
    pub autism: String,
    /// Where each condition stands: `diagnosed` (or blank), `suspected`,
    /// `awaiting_assessment`.
    #[serde(default)]
    pub learning_disability_status: String,
    #[serde(default)]
    pub autism_status: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub local_authority: String,
    #[serde(default)]
    pub gp_practice: String,
    #[serde(default)]
    pub consent_status: String,
    #[serde(default)]
    pub consent_note: String,
    #[serde(default)]
    pub ethnic_category: String,
    #[serde(default)]
    pub communication_needs: String,
    #[serde(default)]
    pub reasonable_adjustments: String,
    /// `yes` when ticked.
    #[serde(default)]
    pub looked_after: String,
    #[serde(default)]
    pub postcode_district: String,
    #[serde(default)]
    pub responsible_icb: String,
    /// `yes`: not the look-alike already recorded (asked only after one was found).
    #[serde(default)]
    pub confirm_not_duplicate: String,
    /// The person's version when the form was filled (changing details only).
    #[serde(default)]
    pub version: i32,
}

/// Where a ticked condition stands (diagnosed unless said otherwise).
pub const CONDITION_STATUSES: [(&str, &str); 3] = [
    ("diagnosed", "Diagnosed"),
    ("suspected", "Suspected, not yet assessed"),
    ("awaiting_assessment", "Awaiting assessment"),
];

/// The NHS Data Dictionary's ethnic categories, as the form offers them.
pub const ETHNIC_CHOICES: [(&str, &str); 19] = [
    ("", "Not recorded yet"),
    ("A", "A: White British"),
    ("B", "B: White Irish"),
    ("C", "C: Any other White background"),
    ("D", "D: White and Black Caribbean"),
    ("E", "E: White and Black African"),
    ("F", "F: White and Asian"),
    ("G", "G: Any other mixed background"),
    ("H", "H: Indian"),
    ("J", "J: Pakistani"),
    ("K", "K: Bangladeshi"),
    ("L", "L: Any other Asian background"),
    ("M", "M: Caribbean"),
    ("N", "N: African"),
    ("P", "P: Any other Black background"),
    ("R", "R: Chinese"),
    ("S", "S: Any other ethnic group"),
    ("Z", "Z: Not stated"),
    ("99", "99: Not known"),
];

pub const PERSON_LABELS: &[(&str, &str)] = &[
    ("ethnic_category", "Ethnic category"),
    ("communication_needs", "Communication needs"),
    ("reasonable_adjustments", "Reasonable adjustments"),
    ("postcode_district", "Home postcode district"),
    ("responsible_icb", "Responsible ICB"),
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("nhs_number", "NHS number"),
    ("date_of_birth", "Date of birth"),
    ("gender", "Gender"),
    ("conditions", "Diagnosis"),
    ("area", "Area"),
    ("local_authority", "Local authority"),
    ("gp_practice", "GP practice"),
    ("consent_status", "Consent"),
    ("consent_note", "Consent note"),
];

impl PersonForm {
    pub fn born(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    /// The form as it stands for `person`.
    fn of(person: &PersonView) -> PersonForm {
        let born = DateParts::of(person.date_of_birth);
        let status = |d: Diagnosis| person.conditions.iter().find(|c| c.condition == d);
        let has = |d: Diagnosis| if status(d).is_some() { "yes" } else { "" };
        let stands = |d: Diagnosis| {
            status(d)
                .map(|c| serde_json::to_value(c.status).ok())
                .and_then(|v| v?.as_str().map(String::from))
                .unwrap_or_default()
        };
        PersonForm {
            given_name: person.given_name.clone(),
            family_name: person.family_name.clone(),
            nhs_number: person.nhs_number.clone().unwrap_or_default(),
            nhs_pending: if person.nhs_number.is_none() {
                "yes".into()
            } else {
                String::new()
            },
            day: born.day,
            month: born.month,
            year: born.year,
            gender: person.gender.clone().unwrap_or_default(),
            learning_disability: has(Diagnosis::LearningDisability).into(),
            autism: has(Diagnosis::Autism).into(),
            learning_disability_status: stands(Diagnosis::LearningDisability),
            autism_status: stands(Diagnosis::Autism),
            area: person.area.clone(),
            local_authority: person.local_authority.clone().unwrap_or_default(),
            gp_practice: person.gp_practice.clone().unwrap_or_default(),
            consent_status: person.consent_status.as_str().into(),
            consent_note: person.consent_note.clone().unwrap_or_default(),
            ethnic_category: person.ethnic_category.clone().unwrap_or_default(),
            communication_needs: person.communication_needs.clone().unwrap_or_default(),
            reasonable_adjustments: person.reasonable_adjustments.clone().unwrap_or_default(),
            looked_after: if person.looked_after { "yes" } else { "" }.into(),
            postcode_district: person.postcode_district.clone().unwrap_or_default(),
            responsible_icb: person.responsible_icb.clone().unwrap_or_default(),
            version: person.version,
            ..PersonForm::default()
        }
    }

    fn request(&self, now: Now) -> Result<CreatePersonRequest, Result<FormErrors, ApiError>> {
        let (fields, found) = self.fields();
        forms::request(now, fields, found, PERSON_LABELS, &["date_of_birth"])
    }

    /// The same fields as a change: every one sent, a blank optional one as `null` (cleared).
    fn change(&self, now: Now) -> Result<UpdatePersonRequest, Result<FormErrors, ApiError>> {
        let (mut fields, found) = self.fields();
        // A change records a number; leaving the box empty leaves a pending one pending.
        fields.remove("nhs_number_status");
        if self.nhs_number.trim().is_empty() {
            fields.remove("nhs_number");
        }
        for optional in [
            "gender",
            "local_authority",
            "gp_practice",
            "consent_note",
            "ethnic_category",
            "communication_needs",
            "reasonable_adjustments",
            "postcode_district",
            "responsible_icb",
        ] {
            fields.entry(optional).or_insert(serde_json::Value::Null);
        }
        forms::request(now, fields, found, PERSON_LABELS, &["date_of_birth"])
    }

    pub fn fields(&self) -> (serde_json::Map<String, serde_json::Value>, FormErrors) {
        let mut found = FormErrors::default();
        let mut fields = serde_json::Map::new();
        for (id, value) in [
            ("given_name", &self.given_name),
            ("family_name", &self.family_name),
            ("area", &self.area),
        ] {
            fields.insert(id.into(), value.clone().into());
        }
        // Pending: no number (one typed as well is the API's error to name).
        if self.nhs_pending.is_empty() {
            fields.insert("nhs_number".into(), self.nhs_number.clone().into());
        } else {
            fields.insert("nhs_number_status".into(), "pending".into());
            put_text(&mut fields, "nhs_number", &self.nhs_number);
        }
        put_text(&mut fields, "gender", &self.gender);
        put_text(&mut fields, "local_authority", &self.local_authority);
        put_text(&mut fields, "gp_practice", &self.gp_practice);
        put_text(&mut fields, "consent_note", &self.consent_note);
        put_text(&mut fields, "ethnic_category", &self.ethnic_category);
        put_text(
            &mut fields,
            "communication_needs",
            &self.communication_needs,
        );
        put_text(
            &mut fields,
            "reasonable_adjustments",
            &self.reasonable_adjustments,
        );
        put_text(&mut fields, "postcode_district", &self.postcode_district);
        put_text(&mut fields, "responsible_icb", &self.responsible_icb);
        fields.insert(
            "looked_after".into(),
            (!self.looked_after.is_empty()).into(),
        );
        if !self.confirm_not_duplicate.is_empty() {
            fields.insert("confirm_not_duplicate".into(), true.into());
        }
        self.born()
            .put(&mut fields, &mut found, "date_of_birth", "Date of birth");
        if self.born().date() == DateInput::Blank {
            found.add("date_of_birth", "Enter the date of birth");
        }
        // Each condition ticked, with where it stands (diagnosed unless said otherwise).
        let conditions: Vec<serde_json::Value> = [
            (
                "learning_disability",
                &self.learning_disability,
                &self.learning_disability_status,
            ),
            ("autism", &self.autism, &self.autism_status),
        ]
        .into_iter()
        .filter(|(_, ticked, _)| !ticked.is_empty())
        .map(|(condition, _, status)| {
            let status = if status.is_empty() {
                "diagnosed"
            } else {
                status.as_str()
            };
            serde_json::json!({"condition": condition, "status": status})
        })
        .collect();
        fields.insert("conditions".into(), conditions.into());
        // Stand-ins where the page already knows what is wrong (see forms::request).
        fields
            .entry("date_of_birth")
            .or_insert_with(|| "2000-01-01".into());
        forms::put_choice(
            &mut fields,
            &mut found,
            "consent_status",
            &self.consent_status,
            "not_recorded",
            "Select what consent has been recorded",
        );
        (fields, found)
    }
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonPage {
    chrome: super::chrome::Chrome,
    errors: FormErrors,
    form: PersonForm,
    consents: [(&'static str, &'static str); 5],
    condition_statuses: [(&'static str, &'static str); 3],
    ethnic_choices: [(&'static str, &'static str); 19],
    /// Changing this person's details (`None`: adding someone).
    changing: Option<String>,
    stale: bool,
}

fn person_page(page: &Page, form: PersonForm, errors: FormErrors) -> PersonPage {
    PersonPage {
        chrome: page.chrome("/register"),
        errors,
        form,
        consents: CONSENTS,
        condition_statuses: CONDITION_STATUSES,
        ethnic_choices: ETHNIC_CHOICES,
        changing: None,
        stale: false,
    }
}

#[get("/people/new")]
pub async fn person_form(page: Page) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let view = person_page(&page, PersonForm::default(), FormErrors::default());
    Ok(html(StatusCode::OK, view.render()))
}

#[post("/people/new")]
pub async fn add_person(page: Page, form: web::Form<PersonForm>) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    let form = form.into_inner();
    let errors = match form.request(page.now()) {
        Ok(body) => match page
            .write(move |c, a| people::create_view(c, a, body))
            .await
        {
            Ok(person) => return Ok(see_other(&format!("/people/{}?done=person", person.id))),
            Err(ApiError::Conflict(message)) => FormErrors::one("nhs_number", message),
            Err(err @ ApiError::PossibleDuplicate(_)) => {
                match forms::outcome::<()>(Err(err), PERSON_LABELS, None)? {
                    forms::Sent::Refused(errors) => errors,
                    _ => FormErrors::default(),
                }
            }
            Err(err) => FormErrors::from_validation(err, PERSON_LABELS)?,
        },
        Err(errors) => errors?,
    };
    let view = person_page(&page, form, errors);
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
}

async fn person_of(page: &Page, id: &str) -> Result<PersonView, ApiError> {
    let id = id.to_string();
    page.read(move |c, a| people::read(c, a, &id)).await
}

/// **Change details** on the record: the person form filled in as they are now; what is
/// sent goes through `PATCH /api/v1/people/{id}`'s service call with the version the form
/// was filled at.
#[get("/people/{id}/details")]
pub async fn details_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let person = person_of(&page, &id).await?;
    let view = PersonPage {
        changing: Some(person.id.clone()),
        ..person_page(&page, PersonForm::of(&person), FormErrors::default())
    };
    Ok(html(StatusCode::OK, view.render()))
}

#[post("/people/{id}/details")]
pub async fn change_details(
    page: Page,
    id: web::Path<String>,
    form: web::Form<PersonForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let person = person_of(&page, &id).await?;
    let sent = match form.change(page.now()) {
        Ok(body) => {
            let (target, tag) = (id.clone(), IfMatch::Tags(vec![Some(form.version)]));
            let written = page
                .write(move |c, a| people::update_view(c, a, &target, &tag, body))
                .await;
            forms::outcome(written, PERSON_LABELS, Some("nhs_number"))?
        }
        Err(errors) => Sent::Refused(errors?),
    };
    let Some(again) = sent.again(form, || PersonForm::of(&person), &["date_of_birth"]) else {
        return Ok(see_other(&format!("/people/{id}?done=details")));
    };
    let view = PersonPage {
        changing: Some(id),
        stale: again.stale,
        ..person_page(&page, again.form, again.errors)
    };
    Ok(html(again.status, view.render()))
}

#[derive(Debug, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    pub rag: String,
    #[serde(default)]
    pub risk_summary: String,
    #[serde(default)]
    pub referral_source: String,
    #[serde(default)]
    pub consent_note: String,
    #[serde(default, rename = "opened_on-day")]
    pub day: String,
    #[serde(default, rename = "opened_on-month")]
    pub month: String,
    #[serde(default, rename = "opened_on-year")]
    pub year: String,
}

const ENTRY_LABELS: &[(&str, &str)] = &[
    ("risk_summary", "Why they are at risk"),
    ("rag", "Rating"),
    ("opened_on", "Date on the register"),
    ("referral_source", "Referred by"),
    ("consent_note", "Consent note"),
];

impl EntryForm {
    pub fn opened(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    fn request(
        &self,
        person_id: &str,
        now: Now,
    ) -> Result<OpenEntryRequest, Result<FormErrors, ApiError>> {
        let mut found = FormErrors::default();
        let mut fields = serde_json::Map::new();
        fields.insert("person_id".into(), person_id.into());
        fields.insert("risk_summary".into(), self.risk_summary.clone().into());
        put_text(&mut fields, "referral_source", &self.referral_source);
        put_text(&mut fields, "consent_note", &self.consent_note);
        self.opened()
            .put(&mut fields, &mut found, "opened_on", "Date on the register");
        forms::put_choice(
            &mut fields,
            &mut found,
            "rag",
            &self.rag,
            "amber",
            "Select the rating",
        );
        forms::request(now, fields, found, ENTRY_LABELS, &["opened_on"])
    }
}

#[derive(Template)]
#[template(path = "entry_form.html")]
struct EntryPage {
    chrome: super::chrome::Chrome,
    person: PersonView,
    name: String,
    errors: FormErrors,
    form: EntryForm,
    ratings: [(&'static str, &'static str); 4],
}

async fn entry_page(
    page: &Page,
    id: &str,
    form: EntryForm,
    errors: FormErrors,
) -> Result<EntryPage, ApiError> {
    let person_id = id.to_string();
    let person = page
        .read(move |c, a| people::read(c, a, &person_id))
        .await?;
    Ok(EntryPage {
        chrome: page.chrome("/register"),
        name: format!("{} {}", person.given_name, person.family_name),
        person,
        errors,
        form,
        ratings: RATINGS,
    })
}

#[get("/people/{id}/register")]
pub async fn entry_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let view = entry_page(&page, &id, EntryForm::default(), FormErrors::default()).await?;
    Ok(html(StatusCode::OK, view.render()))
}

#[post("/people/{id}/register")]
pub async fn open_entry(
    page: Page,
    id: web::Path<String>,
    form: web::Form<EntryForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    let form = form.into_inner();
    let errors = match form.request(&id, page.now()) {
        Ok(body) => match page
            .write(move |c, a| register::open_view(c, a, body))
            .await
        {
            Ok(_) => return Ok(see_other(&format!("/people/{id}?done=entry"))),
            Err(ApiError::Conflict(message)) => FormErrors::one("rag", message),
            Err(err) => FormErrors::from_validation(err, ENTRY_LABELS)?,
        },
        Err(errors) => errors?,
    };
    let view = entry_page(&page, &id, form, errors).await?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
}
