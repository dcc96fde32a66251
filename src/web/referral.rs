//! **Referrals**: the queue (`/referrals`), **Refer someone** (`/referrals/new`) and one
//! referral (`/referrals/{id}`) with the coordinator's steps: record the first contact,
//! screen, accept (the person goes on the register) or decline. The same service calls as
//! `POST /api/v1/referrals` and `PATCH /api/v1/referrals/{id}`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::PageResult;
use super::format::Fmt;
use super::forms::{self, DateInput, DateParts, FormErrors, Sent};
use super::intake::{PersonForm, CONDITION_STATUSES, CONSENTS, ETHNIC_CHOICES, PERSON_LABELS};
use super::respond::{html, see_other};
use super::review::RATINGS;
use super::session::Page;
use crate::auth::Permission;
use crate::error::ApiError;
use crate::http::IfMatch;
use crate::referrals::model::{
    CreateReferralRequest, ReferralQuery, ReferralStatus, ReferralView, UpdateReferralRequest,
};
use crate::referrals::service as referrals;

const PER_PAGE: i64 = 50;

/// The queue's views, as `?show=` takes them.
const SHOWS: [(&str, &str, &str); 4] = [
    ("waiting", "Waiting for a decision", "received,screened"),
    ("accepted", "Accepted", "accepted"),
    ("declined", "Declined", "declined"),
    ("all", "All referrals", ""),
];

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    show: Option<String>,
    #[serde(default)]
    page: i64,
}

#[derive(Template)]
#[template(path = "referral_list.html")]
struct QueuePage {
    chrome: super::chrome::Chrome,
    items: Vec<ReferralView>,
    total: i64,
    show: &'static str,
    heading: &'static str,
    shows: [(&'static str, &'static str, &'static str); 4],
    page: i64,
    /// Coordinators and managers see every referral; anyone else their own.
    everyone: bool,
    today: NaiveDate,
}

impl Fmt for QueuePage {
    fn today(&self) -> NaiveDate {
        self.today
    }
}

impl QueuePage {
    fn has_next(&self) -> bool {
        (self.page + 1) * PER_PAGE < self.total
    }
    fn late(&self, due: &Option<NaiveDate>) -> bool {
        due.is_some_and(|d| d < self.today)
    }
}

/// `/referrals`: the queue, oldest received first (coordinators and managers: every
/// referral, waiting ones by default; everyone else: the referrals they made).
#[get("/referrals")]
pub async fn queue(page: Page, query: web::Query<QueueQuery>) -> PageResult {
    page.require(Permission::ReferralsCreate)?;
    let everyone = referrals::sees_every_referral(page.user.role);
    let query = query.into_inner();
    let default = if everyone { "waiting" } else { "all" };
    let wanted = query.show.as_deref().unwrap_or(default);
    let (show, heading, statuses) = SHOWS
        .into_iter()
        .find(|(key, _, _)| *key == wanted)
        .ok_or(ApiError::NotFound)?;
    let number = query.page.clamp(0, 10_000);
    let paging = crate::http::Page {
        limit: PER_PAGE,
        offset: number * PER_PAGE,
    };
    let filter = ReferralQuery {
        status: (!statuses.is_empty()).then(|| statuses.to_string()),
    };
    let list = page
        .read(move |c, a| referrals::list(c, a, filter, paging))
        .await?;
    let view = QueuePage {
        chrome: page.chrome("/referrals"),
        items: list.items,
        total: list.total,
        show,
        heading,
        shows: SHOWS,
        page: number,
        everyone,
        today: page.today,
    };
    Ok(html(StatusCode::OK, view.render()))
}

/// The referrer's part of **Refer someone**; the person's part is the person form's.
#[derive(Debug, Default, Deserialize)]
pub struct ReferrerForm {
    #[serde(default)]
    pub referrer_name: String,
    #[serde(default)]
    pub referrer_organisation: String,
    #[serde(default)]
    pub referrer_contact: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default, rename = "received_on-day")]
    pub received_day: String,
    #[serde(default, rename = "received_on-month")]
    pub received_month: String,
    #[serde(default, rename = "received_on-year")]
    pub received_year: String,
}

impl ReferrerForm {
    pub fn received(&self) -> DateParts {
        DateParts::new(
            &self.received_day,
            &self.received_month,
            &self.received_year,
        )
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReferralForm {
    #[serde(flatten)]
    person: PersonForm,
    #[serde(flatten)]
    referrer: ReferrerForm,
}

const REFERRER_LABELS: [(&str, &str); 5] = [
    ("referrer_name", "Referrer's name"),
    ("referrer_organisation", "Referrer's organisation"),
    ("referrer_contact", "Referrer's contact details"),
    ("reason", "Reason for the referral"),
    ("received_on", "Date received"),
];

/// Every label of the form keyed as the API names its fields (the person's as
/// `person.given_name`), made once.
static LABELS: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
    std::sync::LazyLock::new(|| {
        let person = PERSON_LABELS
            .iter()
            .map(|(id, label)| (&*format!("person.{id}").leak(), *label));
        REFERRER_LABELS.iter().copied().chain(person).collect()
    });

/// The API's `person.given_name` is the form's `given_name`.
fn unprefixed(mut errors: FormErrors) -> FormErrors {
    for e in &mut errors.items {
        for text in [&mut e.id, &mut e.target] {
            if let Some(rest) = text.strip_prefix("person.") {
                *text = rest.to_string();
            }
        }
    }
    errors
}

impl ReferralForm {
    fn request(
        &self,
        now: crate::http::Now,
    ) -> Result<CreateReferralRequest, Result<FormErrors, ApiError>> {
        let (person, mut found) = self.person.fields();
        let mut fields = serde_json::Map::new();
        fields.insert("person".into(), person.into());
        let r = &self.referrer;
        fields.insert("referrer_name".into(), r.referrer_name.clone().into());
        fields.insert("reason".into(), r.reason.clone().into());
        for (id, value) in [
            ("referrer_organisation", &r.referrer_organisation),
            ("referrer_contact", &r.referrer_contact),
        ] {
            if !value.trim().is_empty() {
                fields.insert(id.into(), value.clone().into());
            }
        }
        r.received()
            .put(&mut fields, &mut found, "received_on", "Date received");
        if r.received().date() == DateInput::Blank {
            found.add("received_on", "Enter the date the referral was received");
        }
        fields
            .entry("received_on")
            .or_insert_with(|| "2000-01-01".into());
        forms::request(
            now,
            fields,
            found,
            &LABELS,
            &["received_on", "date_of_birth"],
        )
        .map_err(|e| e.map(unprefixed))
    }
}

#[derive(Template)]
#[template(path = "referral_form.html")]
struct ReferralFormPage {
    chrome: super::chrome::Chrome,
    errors: FormErrors,
    form: PersonForm,
    referrer: ReferrerForm,
    consents: [(&'static str, &'static str); 5],
    condition_statuses: [(&'static str, &'static str); 3],
    ethnic_choices: [(&'static str, &'static str); 19],
}

fn form_page(
    page: &Page,
    form: ReferralForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let view = ReferralFormPage {
        chrome: page.chrome("/referrals"),
        errors,
        form: form.person,
        referrer: form.referrer,
        consents: CONSENTS,
        condition_statuses: CONDITION_STATUSES,
        ethnic_choices: ETHNIC_CHOICES,
    };
    Ok(html(status, view.render()))
}

#[get("/referrals/new")]
pub async fn new_form(page: Page) -> PageResult {
    page.require(Permission::ReferralsCreate)?;
    let today = DateParts::of(page.today);
    let form = ReferralForm {
        person: PersonForm {
            consent_status: "not_recorded".into(),
            ..PersonForm::default()
        },
        referrer: ReferrerForm {
            received_day: today.day,
            received_month: today.month,
            received_year: today.year,
            ..ReferrerForm::default()
        },
    };
    form_page(&page, form, FormErrors::default(), StatusCode::OK)
}

#[post("/referrals/new")]
pub async fn make(page: Page, form: web::Form<ReferralForm>) -> PageResult {
    page.check_csrf(&form.person.csrf_token)?;
    page.require(Permission::ReferralsCreate)?;
    let form = form.into_inner();
    let errors = match form.request(page.now()) {
        Ok(body) => {
            let made = page.write(move |c, a| referrals::create(c, a, body)).await;
            match made {
                Ok(view) => return Ok(see_other(&format!("/referrals/{}?done=made", view.id))),
                Err(ApiError::Validation(api)) => unprefixed(FormErrors::from_api(&api, &LABELS))
                    .dates_at_day(&["received_on", "date_of_birth"]),
                Err(other) => return Err(other.into()),
            }
        }
        Err(errors) => errors?,
    };
    form_page(&page, form, errors, StatusCode::UNPROCESSABLE_ENTITY)
}

/// What the coordinator's steps on one referral send.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: i32,
    #[serde(default, rename = "first_contact_on-day")]
    contact_day: String,
    #[serde(default, rename = "first_contact_on-month")]
    contact_month: String,
    #[serde(default, rename = "first_contact_on-year")]
    contact_year: String,
    #[serde(default, rename = "referrer_told_on-day")]
    told_day: String,
    #[serde(default, rename = "referrer_told_on-month")]
    told_month: String,
    #[serde(default, rename = "referrer_told_on-year")]
    told_year: String,
    #[serde(default)]
    rag: String,
    #[serde(default)]
    risk_summary: String,
    #[serde(default)]
    consent_note: String,
    #[serde(default)]
    decision_reason: String,
    #[serde(default)]
    confirm_not_duplicate: String,
}

impl StepForm {
    fn contacted(&self) -> DateParts {
        DateParts::new(&self.contact_day, &self.contact_month, &self.contact_year)
    }
    fn told(&self) -> DateParts {
        DateParts::new(&self.told_day, &self.told_month, &self.told_year)
    }
}

const STEP_DATES: [&str; 2] = ["first_contact_on", "referrer_told_on"];

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    chrome: super::chrome::Chrome,
    r: ReferralView,
    may_triage: bool,
    errors: FormErrors,
    form: StepForm,
    ratings: [(&'static str, &'static str); 4],
    done: Option<&'static str>,
    stale: bool,
    today: NaiveDate,
}

impl Fmt for ReferralPage {
    fn today(&self) -> NaiveDate {
        self.today
    }
}

impl ReferralPage {
    fn undecided(&self) -> bool {
        !self.r.status.decided()
    }
    fn received(&self) -> bool {
        self.r.status == ReferralStatus::Received
    }
    fn declined(&self) -> bool {
        self.r.status == ReferralStatus::Declined
    }
    fn details(&self) -> Option<&crate::people::model::CreatePersonRequest> {
        self.r.person.as_ref()
    }
}

async fn referral(page: &Page, id: &str) -> Result<ReferralView, ApiError> {
    let id = id.to_string();
    page.read(move |c, a| referrals::read(c, a, &id)).await
}

#[allow(clippy::too_many_arguments)]
fn show(
    page: &Page,
    r: ReferralView,
    errors: FormErrors,
    form: StepForm,
    done: Option<&'static str>,
    stale: bool,
    status: StatusCode,
) -> PageResult {
    // What the forms start from: the referral's reason, amber, and today in the date boxes.
    let mut form = form;
    if form.risk_summary.is_empty() {
        form.risk_summary = r.reason.clone();
    }
    if form.rag.is_empty() {
        form.rag = "amber".into();
    }
    let today = DateParts::of(page.today);
    if form.contact_day.is_empty() && form.contact_year.is_empty() {
        (form.contact_day, form.contact_month, form.contact_year) =
            (today.day.clone(), today.month.clone(), today.year.clone());
    }
    if form.told_day.is_empty() && form.told_year.is_empty() {
        (form.told_day, form.told_month, form.told_year) = (today.day, today.month, today.year);
    }
    let view = ReferralPage {
        chrome: page.chrome("/referrals"),
        may_triage: page.user.require(Permission::ReferralsTriage).is_ok(),
        r,
        errors,
        form,
        ratings: RATINGS,
        done,
        stale,
        today: page.today,
    };
    Ok(html(status, view.render()))
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn done_banner(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "made" => Some("Referral made. The Transforming Care Team will be in touch."),
        "contact" => Some("First contact recorded."),
        "screened" => Some("Referral screened."),
        "declined" => Some("Referral declined."),
        "told" => Some("Recorded when the referrer was told."),
        _ => None,
    }
}

#[get("/referrals/{id}")]
pub async fn one(page: Page, id: web::Path<String>, query: web::Query<DoneQuery>) -> PageResult {
    page.require(Permission::ReferralsCreate)?;
    let r = referral(&page, &id).await?;
    let done = done_banner(query.done.as_deref());
    show(
        &page,
        r,
        FormErrors::default(),
        StepForm::default(),
        done,
        false,
        StatusCode::OK,
    )
}

const STEP_LABELS: [(&str, &str); 7] = [
    ("first_contact_on", "Date of first contact"),
    ("referrer_told_on", "Date the referrer was told"),
    ("decision_reason", "Reason"),
    ("rag", "Rating"),
    ("risk_summary", "Risk summary"),
    ("consent_note", "Consent note"),
    ("status", "Status"),
];

/// One step on a referral: `contact`, `screen`, `accept`, `decline` or `told`.
#[post("/referrals/{id}/{step}")]
pub async fn take_step(
    page: Page,
    path: web::Path<(String, String)>,
    form: web::Form<StepForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::ReferralsTriage)?;
    let (id, step) = path.into_inner();
    let current = referral(&page, &id).await?;
    let form = form.into_inner();
    let mut fields = serde_json::Map::new();
    let mut found = FormErrors::default();
    let done: &'static str = match step.as_str() {
        "contact" => {
            form.contacted().put(
                &mut fields,
                &mut found,
                "first_contact_on",
                "Date of first contact",
            );
            if form.contacted().date() == DateInput::Blank {
                found.add("first_contact_on", "Enter the date of the first contact");
            }
            "contact"
        }
        "told" => {
            form.told().put(
                &mut fields,
                &mut found,
                "referrer_told_on",
                "Date the referrer was told",
            );
            if form.told().date() == DateInput::Blank {
                found.add("referrer_told_on", "Enter the date the referrer was told");
            }
            "told"
        }
        "screen" => {
            fields.insert("status".into(), "screened".into());
            "screened"
        }
        "decline" => {
            fields.insert("status".into(), "declined".into());
            if form.decision_reason.trim().is_empty() {
                found.add("decision_reason", "Enter why the referral is declined");
            } else {
                fields.insert(
                    "decision_reason".into(),
                    form.decision_reason.clone().into(),
                );
            }
            "declined"
        }
        "accept" => {
            fields.insert("status".into(), "accepted".into());
            forms::put_choice(
                &mut fields,
                &mut found,
                "rag",
                &form.rag,
                "amber",
                "Select a rating",
            );
            for (key, value) in [
                ("risk_summary", &form.risk_summary),
                ("consent_note", &form.consent_note),
            ] {
                if !value.trim().is_empty() {
                    fields.insert(key.into(), value.clone().into());
                }
            }
            // The page fills in the referral's reason; a summary cleared is a mistake, not
            // a wish for the default.
            if form.risk_summary.trim().is_empty() {
                found.add("risk_summary", "Enter why they are at risk of admission");
            }
            if !form.confirm_not_duplicate.is_empty() {
                fields.insert("confirm_not_duplicate".into(), true.into());
            }
            "accepted"
        }
        _ => return Err(ApiError::NotFound.into()),
    };
    let sent = match forms::request::<UpdateReferralRequest>(
        page.now(),
        fields,
        found,
        &STEP_LABELS,
        &STEP_DATES,
    ) {
        Ok(body) => {
            let (key, tag) = (current.id.clone(), IfMatch::Tags(vec![Some(form.version)]));
            let written = page
                .write(move |c, a| referrals::update(c, a, &key, &tag, body))
                .await;
            match written {
                Ok(view) if done == "accepted" => {
                    let person = view.person_id.unwrap_or_default();
                    return Ok(see_other(&format!("/people/{person}?done=referral")));
                }
                other => forms::outcome(other, &STEP_LABELS, Some("status"))?,
            }
        }
        Err(errors) => Sent::Refused(errors?),
    };
    match sent {
        Sent::Done => Ok(see_other(&format!("/referrals/{id}?done={done}"))),
        Sent::Stale => {
            let now = referral(&page, &id).await?;
            show(
                &page,
                now,
                FormErrors::default(),
                StepForm::default(),
                None,
                true,
                StatusCode::PRECONDITION_FAILED,
            )
        }
        Sent::Refused(errors) => show(
            &page,
            current,
            errors.dates_at_day(&STEP_DATES),
            form,
            None,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}
