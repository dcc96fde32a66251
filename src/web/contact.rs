//! **Log contact**: a keyworker's visit, call or message, from a phone in under a minute.
//! The same service call as `POST /api/v1/people/{id}/contacts`, the fields checked by the
//! API's rules; the time is the reader's in England.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use chrono::{NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use serde::Deserialize;

use super::error::PageResult;
use super::forms::{self, DateInput, DateParts, FormErrors};
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, About};
use crate::auth::Permission;
use crate::contacts::model::{ContactView, CreateContactRequest};
use crate::contacts::service as contacts;
use crate::error::ApiError;
use crate::http::Now;

pub const KINDS: [(&str, &str); 6] = [
    ("face_to_face", "Face to face"),
    ("phone", "Phone"),
    ("video", "Video call"),
    ("meeting", "Meeting"),
    ("message", "Message (text, email, letter)"),
    ("other", "Other"),
];

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default, rename = "occurred_on-day")]
    pub day: String,
    #[serde(default, rename = "occurred_on-month")]
    pub month: String,
    #[serde(default, rename = "occurred_on-year")]
    pub year: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub with_whom: String,
    /// The contact this one corrects (the original stays on the record, marked).
    #[serde(default)]
    pub corrects_id: String,
}

/// `14:30`, `9:05`, `0930` → the time; anything else `None`.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim().replace('.', ":");
    let (h, m) = match t.split_once(':') {
        Some(parts) => parts,
        None if t.len() == 4 => t.split_at(2),
        None => return None,
    };
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl ContactForm {
    pub fn date(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    fn request(&self, now: Now) -> Result<CreateContactRequest, Result<FormErrors, ApiError>> {
        let mut errors = FormErrors::default();
        let mut fields = serde_json::Map::new();
        let time = parse_time(&self.time);
        match (self.date().date(), time) {
            (DateInput::Date(day), Some(time)) => {
                match London.from_local_datetime(&day.and_time(time)).earliest() {
                    Some(local) => {
                        let utc = local.with_timezone(&chrono::Utc);
                        fields.insert("occurred_at".into(), utc.to_rfc3339().into());
                    }
                    None => errors.add(
                        "time",
                        "That time did not happen on that day (the clocks went forward)",
                    ),
                }
            }
            (DateInput::Blank, _) => errors.add("occurred_on", "Enter the date of the contact"),
            (DateInput::NotADate, _) => {
                errors.add("occurred_on", "Date must be a real date, like 27 3 2026")
            }
            (DateInput::Date(_), None) => errors.add("time", "Enter the time like 14:30"),
        }
        // Stand-ins where the page already knows what is wrong, so the API checks the rest.
        fields
            .entry("occurred_at")
            .or_insert_with(|| now.instant.to_rfc3339().into());
        forms::put_choice(
            &mut fields,
            &mut errors,
            "kind",
            &self.kind,
            "other",
            "Select the kind of contact",
        );
        fields.insert("summary".into(), self.summary.clone().into());
        if !self.with_whom.trim().is_empty() {
            fields.insert("with_whom".into(), self.with_whom.clone().into());
        }
        if !self.corrects_id.is_empty() {
            fields.insert("corrects_id".into(), self.corrects_id.clone().into());
        }
        let parsed = forms::parse::<CreateContactRequest>(now, fields);
        let merge = |api: FormErrors, mut all: FormErrors| {
            for mut e in api.items {
                if e.id == "occurred_at" {
                    e.id = "occurred_on".into();
                    e.target = "occurred_on-day".into();
                }
                if all.get(&e.id).is_none() {
                    all.items.push(e);
                }
            }
            all.dates_at_day(&["occurred_on"])
        };
        match parsed {
            Ok(body) if errors.is_empty() => Ok(body),
            Ok(_) => Err(Ok(errors.dates_at_day(&["occurred_on"]))),
            Err(ApiError::Validation(api)) => {
                let api = FormErrors::from_api(
                    &api,
                    &[
                        ("summary", "Summary"),
                        ("occurred_at", "The contact's time"),
                        ("kind", "Kind"),
                        ("with_whom", "With whom"),
                    ],
                );
                Err(Ok(merge(api, errors)))
            }
            Err(other) => Err(Err(other)),
        }
    }
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct ContactPage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    form: ContactForm,
    kinds: [(&'static str, &'static str); 6],
    /// The contact being corrected, shown above the form.
    correcting: Option<ContactView>,
}

impl ContactPage {
    fn when(&self, c: &ContactView) -> String {
        super::format::moment(&c.occurred_at)
    }
}

fn contact_page(
    page: &Page,
    about: About,
    form: ContactForm,
    errors: FormErrors,
    correcting: Option<ContactView>,
) -> ContactPage {
    ContactPage {
        chrome: page.chrome("/my-work"),
        about,
        errors,
        form,
        kinds: KINDS,
        correcting,
    }
}

/// The contact `id` of this person, if this viewer may see it.
async fn contact_of(page: &Page, person: &str, id: &str) -> Result<ContactView, ApiError> {
    let (person, id) = (person.to_string(), id.to_string());
    page.read(move |c, a| contacts::read(c, a, &person, &id))
        .await
}

#[get("/people/{id}/contact")]
pub async fn contact_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::ContactsWrite)?;
    let about = about(&page, &id).await?;
    let local = page.state().clock.now().with_timezone(&London);
    let today = DateParts::of(local.date_naive());
    let form = ContactForm {
        day: today.day,
        month: today.month,
        year: today.year,
        time: local.format("%H:%M").to_string(),
        ..ContactForm::default()
    };
    let view = contact_page(&page, about, form, FormErrors::default(), None);
    Ok(html(StatusCode::OK, view.render()))
}

/// **Correct** a contact: the form filled in as it was logged; what is sent is logged as a
/// new contact that corrects it (the API's `corrects_id`), so the original is never lost.
#[get("/people/{id}/contacts/{contact}/correct")]
pub async fn correct_form(page: Page, path: web::Path<(String, String)>) -> PageResult {
    page.require(Permission::ContactsWrite)?;
    let (person, contact) = path.into_inner();
    let about = about(&page, &person).await?;
    let original = contact_of(&page, &person, &contact).await?;
    let local = original.occurred_at.with_timezone(&London);
    let day = DateParts::of(local.date_naive());
    let form = ContactForm {
        day: day.day,
        month: day.month,
        year: day.year,
        time: local.format("%H:%M").to_string(),
        kind: original.kind.as_str().into(),
        summary: original.summary.clone(),
        with_whom: original.with_whom.clone().unwrap_or_default(),
        corrects_id: original.id.clone(),
        ..ContactForm::default()
    };
    let view = contact_page(&page, about, form, FormErrors::default(), Some(original));
    Ok(html(StatusCode::OK, view.render()))
}

#[post("/people/{id}/contact")]
pub async fn log_contact(
    page: Page,
    id: web::Path<String>,
    form: web::Form<ContactForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::ContactsWrite)?;
    let about = about(&page, &id).await?;
    let form = form.into_inner();
    let errors = match form.request(page.now()) {
        Ok(body) => {
            let person = about.person_id.clone();
            let correction = body.corrects_id.is_some();
            let written = page
                .write(move |c, a| contacts::create_view(c, a, &person, body))
                .await;
            // The form's fields were checked above; what the service alone can refuse is the
            // contact being corrected (another person's), shown by the summary it came with.
            match forms::outcome(written, &[("summary", "The contact being corrected")], None)? {
                forms::Sent::Refused(errors) => errors,
                _ => {
                    let done = if correction {
                        "contact_corrected#contacts"
                    } else {
                        "contact"
                    };
                    return Ok(see_other(&format!("/people/{id}?done={done}")));
                }
            }
        }
        Err(errors) => errors?,
    };
    let correcting = match form.corrects_id.as_str() {
        "" => None,
        original => contact_of(&page, &id, original).await.ok(),
    };
    let view = contact_page(&page, about, form, errors, correcting);
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_people_type_them() {
        for (typed, expected) in [
            ("14:30", Some((14, 30))),
            (" 9:05 ", Some((9, 5))),
            ("0930", Some((9, 30))),
            ("9.30", Some((9, 30))),
            ("25:00", None),
            ("noon", None),
            ("", None),
        ] {
            assert_eq!(
                parse_time(typed),
                expected.and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0)),
                "{typed:?}"
            );
        }
    }
}
