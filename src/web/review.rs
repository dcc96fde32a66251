//! The DSR meeting's two forms on a person's register entry: **Record review** (the review's
//! date, the rating agreed, who attended, what was said, when next) and **Change rating**
//! (outside a review, with a reason). Each calls the service function its API twin calls, with
//! the fields checked by the API's own rules.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::{PageError, PageResult};
use super::format::Words;
use super::forms::{self, DateInput, DateParts, FormErrors, Sent};
use super::respond::{html, see_other};
use super::session::Page;
use crate::auth::actor::Actor;
use crate::auth::Permission;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::http::{IfMatch, Now};
use crate::people::service as people;
use crate::register::model::{
    CloseEntryRequest, EntryView, RecordReviewRequest, UpdateEntryRequest,
};
use crate::register::service as register;

/// The ratings as radio options.
pub const RATINGS: [(&str, &str); 4] = [
    ("red", "Red: at immediate risk of admission"),
    ("amber", "Amber: at risk without support"),
    ("green", "Green: stable, support in place"),
    ("blue", "Blue: in hospital"),
];

/// Whom the form is about: their name and active entry.
pub struct About {
    pub person_id: String,
    pub name: String,
    pub entry: EntryView,
}

pub async fn about(page: &Page, person_id: &str) -> Result<About, ApiError> {
    let id = person_id.to_string();
    page.read(move |c, a| {
        let person = people::read(c, a, &id)?;
        let entry_id = person.register_entry_id.clone().ok_or_else(|| {
            ApiError::Conflict(format!(
                "{} {} is not on the register",
                person.given_name, person.family_name
            ))
        })?;
        Ok(About {
            name: format!("{} {}", person.given_name, person.family_name),
            entry: register::read(c, a, &entry_id)?,
            person_id: id,
        })
    })
    .await
}

#[derive(Template)]
#[template(path = "review_form.html")]
struct ReviewPage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    form: ReviewForm,
    ratings: [(&'static str, &'static str); 4],
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default, rename = "reviewed_on-day")]
    pub day: String,
    #[serde(default, rename = "reviewed_on-month")]
    pub month: String,
    #[serde(default, rename = "reviewed_on-year")]
    pub year: String,
    #[serde(default)]
    pub rag: String,
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default, rename = "next_review_due-day")]
    pub next_day: String,
    #[serde(default, rename = "next_review_due-month")]
    pub next_month: String,
    #[serde(default, rename = "next_review_due-year")]
    pub next_year: String,
}

impl ReviewForm {
    pub fn held(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    pub fn next(&self) -> DateParts {
        DateParts::new(&self.next_day, &self.next_month, &self.next_year)
    }

    /// The API's request, or the errors in words.
    fn request(&self, now: Now) -> Result<RecordReviewRequest, Result<FormErrors, ApiError>> {
        let mut fields = serde_json::Map::new();
        let mut errors = FormErrors::default();
        self.held()
            .put(&mut fields, &mut errors, "reviewed_on", "Date of review");
        self.next().put(
            &mut fields,
            &mut errors,
            "next_review_due",
            "Next review due",
        );
        if self.held().date() == DateInput::Blank {
            errors.add("reviewed_on", "Enter the date of the review");
        }
        // Where the page already knows what is wrong, a stand-in lets the API check every
        // other field too, so one answer lists every problem. The request is refused anyway.
        fields
            .entry("reviewed_on")
            .or_insert_with(|| now.today.to_string().into());
        forms::put_choice(
            &mut fields,
            &mut errors,
            "rag",
            &self.rag,
            "amber",
            "Select the rating the review agreed",
        );
        let attendees: Vec<serde_json::Value> = self
            .attendees
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| l.into())
            .collect();
        fields.insert("attendees".into(), attendees.into());
        fields.insert("summary".into(), self.summary.clone().into());
        forms::request(now, fields, errors, REVIEW_LABELS, DATES)
    }
}

const DATES: &[&str] = &["reviewed_on", "next_review_due"];

const REVIEW_LABELS: &[(&str, &str)] = &[
    ("summary", "Summary"),
    ("reviewed_on", "Date of review"),
    ("rag", "Rating"),
    ("attendees", "Who attended"),
    ("next_review_due", "Next review due"),
];

fn review_page(page: &Page, about: About, form: ReviewForm, errors: FormErrors) -> ReviewPage {
    ReviewPage {
        chrome: page.chrome("/register"),
        about,
        errors,
        form,
        ratings: RATINGS,
    }
}

#[get("/people/{id}/review")]
pub async fn review_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let about = about(&page, &id).await?;
    let today = DateParts::of(page.today);
    let form = ReviewForm {
        day: today.day,
        month: today.month,
        year: today.year,
        rag: about.entry.rag.as_str().into(),
        ..ReviewForm::default()
    };
    let view = review_page(&page, about, form, FormErrors::default());
    Ok(html(StatusCode::OK, view.render()))
}

/// A register form sent back: its token, the role, then whom it is about.
async fn sent_back(page: &Page, csrf: &str, person_id: &str) -> Result<About, PageError> {
    page.check_csrf(csrf)?;
    page.require(Permission::RegisterWrite)?;
    Ok(about(page, person_id).await?)
}

#[post("/people/{id}/review")]
pub async fn record_review(
    page: Page,
    id: web::Path<String>,
    form: web::Form<ReviewForm>,
) -> PageResult {
    let about = sent_back(&page, &form.csrf_token, &id).await?;
    let form = form.into_inner();
    let errors = match form.request(page.now()) {
        Ok(body) => {
            let entry = about.entry.id.clone();
            page.write(move |c, a| register::record_review_view(c, a, &entry, body))
                .await?;
            return Ok(see_other(&format!("/people/{id}?done=review")));
        }
        Err(errors) => errors?,
    };
    let view = review_page(&page, about, form, errors);
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
}

#[derive(Template)]
#[template(path = "rating_form.html")]
struct RatingPage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    rag: String,
    reason: String,
    /// The entry's version the form was filled against (a stale form is refused, 412).
    version: i32,
    /// Someone else changed the entry meanwhile: the page shows it as it is now.
    stale: bool,
    ratings: [(&'static str, &'static str); 4],
}

#[derive(Debug, Default, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    rag: String,
    #[serde(default)]
    rag_reason: String,
    #[serde(default)]
    version: i32,
}

fn rating_page(page: &Page, about: About, form: &RatingForm, errors: FormErrors) -> RatingPage {
    RatingPage {
        chrome: page.chrome("/register"),
        version: about.entry.version,
        about,
        errors,
        rag: form.rag.clone(),
        reason: form.rag_reason.clone(),
        stale: false,
        ratings: RATINGS,
    }
}

#[get("/people/{id}/rating")]
pub async fn rating_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let about = about(&page, &id).await?;
    let form = RatingForm {
        rag: about.entry.rag.as_str().into(),
        ..RatingForm::default()
    };
    let view = rating_page(&page, about, &form, FormErrors::default());
    Ok(html(StatusCode::OK, view.render()))
}

impl RatingForm {
    fn request(&self, now: Now) -> Result<UpdateEntryRequest, Result<FormErrors, ApiError>> {
        let mut errors = FormErrors::default();
        let mut fields = serde_json::Map::new();
        if self.rag.is_empty() {
            errors.add("rag", "Select the new rating");
        } else {
            fields.insert("rag".into(), self.rag.clone().into());
        }
        if self.rag_reason.trim().is_empty() {
            errors.add("rag_reason", "Say why the rating changes");
        }
        fields.insert("rag_reason".into(), self.rag_reason.clone().into());
        forms::request(now, fields, errors, RATING_LABELS, &[])
    }
}

const RATING_LABELS: &[(&str, &str)] = &[("rag_reason", "Reason"), ("rag", "Rating")];

/// A versioned write of the entry (a rating change, a closing) and what became of it.
async fn write_entry<B: Send + 'static>(
    page: &Page,
    about: &About,
    version: i32,
    request: Result<B, Result<FormErrors, ApiError>>,
    labels: &'static [(&'static str, &'static str)],
    write: fn(&mut AnyConnection, &Actor, &str, &IfMatch, B) -> Result<EntryView, ApiError>,
) -> Result<Sent, ApiError> {
    let body = match request {
        Ok(body) => body,
        Err(errors) => return Ok(Sent::Refused(errors?)),
    };
    let (entry, tag) = (about.entry.id.clone(), IfMatch::Tags(vec![Some(version)]));
    let written = page
        .write(move |c, a| write(c, a, &entry, &tag, body))
        .await;
    forms::outcome(written, labels, None)
}

/// The answer to a versioned entry form: on to the record, or the form again (412 when the
/// entry moved on, shown as it is now; 422 with what was wrong). `page_of` renders the form
/// with these errors, stale or not.
fn answered(
    sent: Sent,
    done: String,
    page_of: impl FnOnce(FormErrors, bool) -> askama::Result<String>,
) -> PageResult {
    match sent {
        Sent::Done => Ok(see_other(&done)),
        Sent::Stale => Ok(html(
            StatusCode::PRECONDITION_FAILED,
            page_of(FormErrors::default(), true),
        )),
        Sent::Refused(errors) => Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            page_of(errors, false),
        )),
    }
}

#[post("/people/{id}/rating")]
pub async fn change_rating(
    page: Page,
    id: web::Path<String>,
    form: web::Form<RatingForm>,
) -> PageResult {
    let about = sent_back(&page, &form.csrf_token, &id).await?;
    let form = form.into_inner();
    let sent = write_entry(
        &page,
        &about,
        form.version,
        form.request(page.now()),
        RATING_LABELS,
        register::update_view,
    )
    .await?;
    answered(
        sent,
        format!("/people/{id}?done=rating"),
        |errors, stale| {
            // Stale: shown as it is now (its version); the reason typed is kept, nothing is
            // overwritten. Refused: the version the form was filled against is kept.
            let mut view = rating_page(&page, about, &form, errors);
            view.stale = stale;
            if !stale {
                view.version = form.version;
            }
            view.render()
        },
    )
}

/// The reasons an entry closes, as radio options.
pub const CLOSURES: [(&str, &str); 6] = [
    ("no_longer_at_risk", "No longer at risk"),
    ("moved_out_of_area", "Moved out of the area"),
    (
        "admitted_elsewhere",
        "Admitted elsewhere (another register holds them)",
    ),
    ("died", "Died"),
    ("declined_consent", "Declined consent to be on the register"),
    ("other", "Other (say why below)"),
];

#[derive(Template)]
#[template(path = "close_form.html")]
struct ClosePage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    reason: String,
    note: String,
    version: i32,
    stale: bool,
    closures: [(&'static str, &'static str); 6],
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i32,
}

const CLOSE_LABELS: &[(&str, &str)] = &[("reason", "Reason"), ("note", "Note")];

impl CloseForm {
    fn request(&self, now: Now) -> Result<CloseEntryRequest, Result<FormErrors, ApiError>> {
        let mut found = FormErrors::default();
        let mut fields = serde_json::Map::new();
        forms::put_choice(
            &mut fields,
            &mut found,
            "reason",
            &self.reason,
            "no_longer_at_risk",
            "Select why the entry closes",
        );
        if !self.note.trim().is_empty() {
            fields.insert("note".into(), self.note.clone().into());
        }
        forms::request(now, fields, found, CLOSE_LABELS, &[])
    }
}

fn close_page(page: &Page, about: About, form: &CloseForm, errors: FormErrors) -> ClosePage {
    ClosePage {
        chrome: page.chrome("/register"),
        version: about.entry.version,
        about,
        errors,
        reason: form.reason.clone(),
        note: form.note.clone(),
        stale: false,
        closures: CLOSURES,
    }
}

#[get("/people/{id}/close")]
pub async fn close_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let about = about(&page, &id).await?;
    let view = close_page(&page, about, &CloseForm::default(), FormErrors::default());
    Ok(html(StatusCode::OK, view.render()))
}

#[post("/people/{id}/close")]
pub async fn close_entry(
    page: Page,
    id: web::Path<String>,
    form: web::Form<CloseForm>,
) -> PageResult {
    let about = sent_back(&page, &form.csrf_token, &id).await?;
    let form = form.into_inner();
    let sent = write_entry(
        &page,
        &about,
        form.version,
        form.request(page.now()),
        CLOSE_LABELS,
        register::close_view,
    )
    .await?;
    answered(
        sent,
        format!("/people/{id}?done=closed"),
        |errors, stale| {
            let mut view = close_page(&page, about, &form, errors);
            view.stale = stale;
            if !stale {
                view.version = form.version;
            }
            view.render()
        },
    )
}

impl RatingPage {
    fn current(&self) -> &'static str {
        self.about.entry.rag.words()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Rag;

    #[test]
    fn the_radios_name_every_rating() {
        for rag in [Rag::Red, Rag::Amber, Rag::Green, Rag::Blue] {
            assert!(RATINGS.iter().any(|(v, _)| *v == rag.as_str()), "{rag:?}");
        }
    }
}
