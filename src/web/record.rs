//! `/people/{id}`: the person's record, read through the same service functions as the API
//! (each audited about the person, committed in one group before the page leaves), newest
//! first, a few items a section with a link to see them all at `/people/{id}/{section}`.

use actix_web::{get, web};
use askama::Template;
use chrono::NaiveDate;

use super::chrome::Chrome;
use super::error::{ok, PageResult};
use super::format::{Fmt, Words};
use super::session::Page;
use crate::admissions::model::{AdmissionView, VisitView};
use crate::admissions::service as admissions;
use crate::alerts::model::{AlertQuery, AlertView};
use crate::alerts::service as alerts;
use crate::auth::actor::Actor;
use crate::auth::Permission;
use crate::cetrs::model::CetrView;
use crate::cetrs::service as cetrs;
use crate::contacts::model::ContactView;
use crate::contacts::service as contacts;
use crate::db::AnyConnection;
use crate::discharge::model::PlanView;
use crate::discharge::service as discharge;
use crate::domain::register::EntryStatus;
use crate::error::ApiError;
use crate::http::Page as Paging;
use crate::people::model::PersonView;
use crate::people::service as people;
use crate::register::model::{EntryView, RagChange, ReviewView};
use crate::register::service as register;
use crate::register::store as entries;

/// Items a section shows on the record before "See all".
pub const FEW: usize = 5;

/// The record's sections that can be seen in full on a page of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Ratings,
    Reviews,
    Contacts,
    Admissions,
    Cetrs,
    Alerts,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Ratings,
        Section::Reviews,
        Section::Contacts,
        Section::Admissions,
        Section::Cetrs,
        Section::Alerts,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Section::Ratings => "rating-history",
            Section::Reviews => "reviews",
            Section::Contacts => "contacts",
            Section::Admissions => "admissions",
            Section::Cetrs => "cetrs",
            Section::Alerts => "alerts",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Ratings => "Rating history",
            Section::Reviews => "DSR reviews",
            Section::Contacts => "Contacts",
            Section::Admissions => "Admissions and oversight visits",
            Section::Cetrs => "C(E)TRs and their actions",
            Section::Alerts => "Open alerts",
        }
    }

    pub fn parse(slug: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

pub struct AdmissionWithVisits {
    pub admission: AdmissionView,
    pub visits: Vec<VisitView>,
}

/// Everything the record shows, each list newest first.
pub struct Record {
    pub person: PersonView,
    /// The active entry, else the newest closed one.
    pub entry: Option<EntryView>,
    pub ratings: Vec<RagChange>,
    pub reviews: Vec<ReviewView>,
    pub contacts: Vec<ContactView>,
    pub contacts_total: i64,
    pub admissions: Vec<AdmissionWithVisits>,
    pub cetrs: Vec<CetrView>,
    pub plan: Option<PlanView>,
    pub alerts: Vec<AlertView>,
}

impl Record {
    pub fn in_hospital(&self) -> bool {
        self.admissions
            .iter()
            .any(|a| a.admission.discharged_on.is_none())
    }

    /// The reason the current rating was given (the newest change's).
    pub fn rating_reason(&self) -> Option<&str> {
        self.ratings.first().map(|c| c.reason.as_str())
    }
}

fn newest_entry(mut views: Vec<EntryView>) -> Option<EntryView> {
    views.sort_by(|a, b| {
        (a.status == EntryStatus::Active, a.opened_on)
            .cmp(&(b.status == EntryStatus::Active, b.opened_on))
    });
    views.pop()
}

/// `full`: a section is seen in full (else contacts, the one list that grows without end,
/// are read only as far as the record shows them).
pub fn gather(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    full: bool,
) -> Result<Record, ApiError> {
    let person = people::read(conn, a, person_id)?;
    let rows = entries::for_person(conn, person_id)?;
    let entry = newest_entry(register::views(conn, rows, a.today)?);
    let (mut ratings, reviews) = match &entry {
        Some(e) => (
            register::history(conn, a, &e.id)?,
            register::reviews(conn, a, &e.id)?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    ratings.reverse();
    let every = Paging {
        limit: 1000,
        offset: 0,
    };
    let shown = Paging {
        limit: if full { 1000 } else { FEW as i64 },
        offset: 0,
    };
    let contact_list = contacts::list(conn, a, person_id, shown)?;
    let mut admission_list = Vec::new();
    let mut plan = None;
    for admission in admissions::for_person(conn, a, person_id)? {
        let mut visits = admissions::visits(conn, a, &admission.id)?;
        visits.sort_by_key(|v| std::cmp::Reverse(v.visited_on));
        if admission.discharged_on.is_none() && plan.is_none() {
            plan = match discharge::read_for_admission(conn, a, &admission.id) {
                Ok(p) => Some(p),
                Err(ApiError::NotFound) => None,
                Err(other) => return Err(other),
            };
        }
        admission_list.push(AdmissionWithVisits { admission, visits });
    }
    let open = AlertQuery {
        status: Some("open,acknowledged".into()),
        kind: None,
        level: None,
        assignee_id: None,
        person_id: person_id.parse().ok(),
    };
    // Alerts are shown to those who may read them (clinicians: theirs only).
    let mut alert_list = match a.user.require(Permission::AlertsRead) {
        Ok(()) => alerts::list(conn, a, open, every)?.items,
        Err(_) => Vec::new(),
    };
    alert_list.sort_by_key(|al| std::cmp::Reverse(al.raised_at));
    Ok(Record {
        cetrs: cetrs::for_person(conn, a, person_id)?,
        contacts_total: contact_list.total,
        contacts: contact_list.items,
        person,
        entry,
        ratings,
        reviews,
        admissions: admission_list,
        plan,
        alerts: alert_list,
    })
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    chrome: Chrome,
    record: Record,
    /// `None`: the whole record, a few of each; `Some`: one section in full.
    only: Option<Section>,
    today: NaiveDate,
}

impl Fmt for RecordPage {
    fn today(&self) -> NaiveDate {
        self.today
    }
}

impl RecordPage {
    fn shows(&self, section: Section) -> bool {
        self.only.is_none_or(|s| s == section)
    }

    /// How many items of a section to show.
    fn take(&self) -> usize {
        if self.only.is_some() {
            usize::MAX
        } else {
            FEW
        }
    }

    /// "See all" under a section that has more than it shows.
    fn see_all(&self, section: Section, count: usize) -> Option<String> {
        let count = match section {
            Section::Contacts => self.record.contacts_total as usize,
            _ => count,
        };
        (self.only.is_none() && count > FEW)
            .then(|| format!("/people/{}/{}", self.record.person.id, section.slug()))
    }

    fn name(&self) -> String {
        format!(
            "{} {}",
            self.record.person.given_name, self.record.person.family_name
        )
    }
}

async fn render(page: Page, id: String, only: Option<Section>) -> PageResult {
    page.require(Permission::RecordsRead)?;
    let full = only.is_some();
    let record = page.read(move |c, a| gather(c, a, &id, full)).await?;
    let nav = if page.user.role == crate::domain::Role::Keyworker {
        "/my-work"
    } else {
        "/register"
    };
    let view = RecordPage {
        chrome: page.chrome(nav),
        today: page.today,
        record,
        only,
    };
    ok(view.render())
}

#[get("/people/{id}")]
pub async fn person_record(page: Page, id: web::Path<String>) -> PageResult {
    render(page, id.into_inner(), None).await
}

#[get("/people/{id}/{section}")]
pub async fn record_section(page: Page, path: web::Path<(String, String)>) -> PageResult {
    let (id, slug) = path.into_inner();
    let section = Section::parse(&slug).ok_or(ApiError::NotFound)?;
    render(page, id, Some(section)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_have_one_address_each() {
        for section in Section::ALL {
            assert_eq!(Section::parse(section.slug()), Some(section));
        }
        assert_eq!(Section::parse("passwords"), None);
    }
}
