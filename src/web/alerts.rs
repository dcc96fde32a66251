//! `/alerts/{id}`: where every email link lands. What is overdue, since when, for which
//! register reference, who is responsible, a link to the person, and the **Acknowledge**
//! form with its **Note** for those who may acknowledge.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::chrome::Chrome;
use super::error::PageResult;
use super::format::{Fmt, Words};
use super::forms::{self, FormErrors};
use super::respond::html;
use super::respond::see_other;
use super::session::Page;
use crate::alerts::model::{AcknowledgeRequest, AlertView};
use crate::alerts::service as alerts;
use crate::auth::actor::Actor;
use crate::auth::Permission;
use crate::db::AnyConnection;
use crate::domain::alerts::AlertStatus;
use crate::error::ApiError;
use crate::people::service as people;

/// The alert and whom it is about.
pub struct AlertAbout {
    pub alert: AlertView,
    pub name: String,
    pub reference: Option<String>,
}

fn about(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<AlertAbout, ApiError> {
    let alert = alerts::read(conn, a, id)?;
    let Some(person_id) = &alert.person_id else {
        let referral = crate::referrals::service::read(conn, a, &alert.subject_id)?;
        return Ok(AlertAbout {
            name: format!("the referral of {}", referral.name),
            reference: Some(referral.reference),
            alert,
        });
    };
    let person = people::read(conn, a, person_id)?;
    let reference = match &alert.register_entry_id {
        Some(entry) => Some(crate::register::service::read(conn, a, entry)?.reference),
        None => None,
    };
    Ok(AlertAbout {
        name: format!("{} {}", person.given_name, person.family_name),
        reference,
        alert,
    })
}

#[derive(Template)]
#[template(path = "alert.html")]
struct AlertPage {
    chrome: Chrome,
    about: AlertAbout,
    may_acknowledge: bool,
    acknowledged_now: bool,
    errors: FormErrors,
    note: String,
    today: NaiveDate,
}

impl Fmt for AlertPage {
    fn today(&self) -> NaiveDate {
        self.today
    }
}

impl AlertPage {
    fn is_open(&self) -> bool {
        self.about.alert.status == AlertStatus::Open
    }
}

struct Shown {
    errors: FormErrors,
    note: String,
    acknowledged_now: bool,
}

async fn show(page: &Page, id: String, status: StatusCode, shown: Shown) -> PageResult {
    page.require(Permission::AlertsRead)?;
    let about = page.read(move |c, a| about(c, a, &id)).await?;
    let view = AlertPage {
        chrome: page.chrome(""),
        // Whoever may see an alert may acknowledge it (the API's rule).
        may_acknowledge: page.user.require(Permission::AlertsRead).is_ok(),
        acknowledged_now: shown.acknowledged_now,
        errors: shown.errors,
        note: shown.note,
        today: page.today,
        about,
    };
    Ok(html(status, view.render()))
}

#[derive(Deserialize)]
pub struct AlertQuery {
    acknowledged: Option<String>,
}

#[get("/alerts/{id}")]
pub async fn alert_page(
    page: Page,
    id: web::Path<String>,
    query: web::Query<AlertQuery>,
) -> PageResult {
    let shown = Shown {
        errors: FormErrors::default(),
        note: String::new(),
        acknowledged_now: query.acknowledged.is_some(),
    };
    show(&page, id.into_inner(), StatusCode::OK, shown).await
}

#[derive(Deserialize)]
pub struct AcknowledgeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    note: String,
}

/// The note checked as the API checks it, then the same service call.
async fn try_acknowledge(page: &Page, id: String, note: &str) -> Result<(), ApiError> {
    let now = page.now();
    let mut fields = serde_json::Map::new();
    fields.insert("note".into(), note.into());
    let body = forms::parse::<AcknowledgeRequest>(now, fields)?;
    page.write(move |c, a| alerts::acknowledge(c, a, &id, body))
        .await
        .map(|_| ())
}

/// Why it was not acknowledged, in words on the Note field.
fn refusal(err: ApiError) -> Result<FormErrors, ApiError> {
    match err {
        ApiError::Conflict(_) => Ok(FormErrors::one(
            "note",
            "This alert was acknowledged or resolved by someone else meanwhile",
        )),
        other => FormErrors::from_validation(other, &[("note", "Note")]),
    }
}

#[post("/alerts/{id}/acknowledge")]
pub async fn acknowledge(
    page: Page,
    id: web::Path<String>,
    form: web::Form<AcknowledgeForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::AlertsRead)?;
    let (id, form) = (id.into_inner(), form.into_inner());
    match try_acknowledge(&page, id.clone(), &form.note).await {
        Ok(()) => Ok(see_other(&format!("/alerts/{id}?acknowledged=1"))),
        Err(err) => {
            let errors = refusal(err)?;
            let shown = Shown {
                errors,
                note: form.note,
                acknowledged_now: false,
            };
            show(&page, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await
        }
    }
}

/// The alerts list's filters, as the dashboard's links send them.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    kind: Option<String>,
    level: Option<i32>,
    #[serde(default)]
    page: i64,
}

const PER_PAGE: i64 = 50;

pub struct Listed {
    pub alerts: Vec<AlertView>,
    pub total: i64,
    pub names: super::subject::Names,
}

fn listed(
    conn: &mut AnyConnection,
    a: &Actor,
    query: crate::alerts::model::AlertQuery,
    paging: crate::http::Page,
) -> Result<Listed, ApiError> {
    let found = alerts::list(conn, a, query, paging)?;
    let mut ids: Vec<String> = found
        .items
        .iter()
        .filter_map(|al| al.person_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let names = super::subject::Names::of(conn, &ids)?.with_referrals(conn, &found.items)?;
    Ok(Listed {
        alerts: found.items,
        total: found.total,
        names,
    })
}

#[derive(Template)]
#[template(path = "alert_list.html")]
struct AlertListPage {
    chrome: Chrome,
    listed: Listed,
    /// What the list is filtered to, in words.
    heading: String,
    page: i64,
    /// The filters as a query string, for the paging links.
    filters: String,
    today: NaiveDate,
}

impl Fmt for AlertListPage {
    fn today(&self) -> NaiveDate {
        self.today
    }
}

impl AlertListPage {
    fn name(&self, al: &crate::alerts::model::AlertView) -> String {
        self.listed.names.of_alert(al)
    }
    fn has_next(&self) -> bool {
        (self.page + 1) * PER_PAGE < self.listed.total
    }
    fn first_shown(&self) -> i64 {
        (self.page * PER_PAGE + 1).min(self.listed.total)
    }
    fn last_shown(&self) -> i64 {
        self.page * PER_PAGE + self.listed.alerts.len() as i64
    }
}

/// `/alerts`: the open alerts this user may see, most overdue first (all of them for
/// coordinators and managers; the API's scope for everyone else), filtered by kind or level.
#[get("/alerts")]
pub async fn alert_list(page: Page, query: web::Query<ListQuery>) -> PageResult {
    page.require(Permission::AlertsRead)?;
    let query = query.into_inner();
    let kind = query
        .kind
        .as_deref()
        .map(|k| crate::domain::alerts::AlertKind::parse(k).ok_or(ApiError::NotFound))
        .transpose()?;
    let level = query.level.filter(|l| (1..=3).contains(l));
    let api_query = crate::alerts::model::AlertQuery {
        status: Some("open,acknowledged".into()),
        kind: kind.map(|k| k.as_str().to_string()),
        level,
        assignee_id: None,
        person_id: None,
    };
    let number = query.page.clamp(0, 10_000);
    let paging = crate::http::Page {
        limit: PER_PAGE,
        offset: number * PER_PAGE,
    };
    let listed = page
        .read(move |c, a| listed(c, a, api_query, paging))
        .await?;
    let heading = match (kind, level) {
        (Some(k), _) => format!("Open alerts: {}", k.words()),
        (None, Some(l)) => format!("Open alerts at level {l}"),
        (None, None) => "Open alerts".into(),
    };
    let mut filters = String::new();
    if let Some(k) = kind {
        filters.push_str(&format!("kind={}&", k.as_str()));
    }
    if let Some(l) = level {
        filters.push_str(&format!("level={l}&"));
    }
    let view = AlertListPage {
        chrome: page.chrome("/alerts"),
        listed,
        heading,
        page: number,
        filters,
        today: page.today,
    };
    Ok(html(StatusCode::OK, view.render()))
}
