//! `/people/{id}`: the person's record (`people::record`), newest first, a few items a
//! section with a link to see them all at `/people/{id}/{section}`.

use std::sync::Arc;

use actix_web::{get, web};
use askama::Template;
use chrono::NaiveDate;

use super::error::{ok, PageResult};
use super::format::{Fmt, Words};
use super::session::Page;
use crate::actions::model::ActionView;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::Permission;
use crate::domain::register::EntryStatus;
use crate::domain::Role;
use crate::error::ApiError;
use crate::people::record::{gather, Record, FEW};

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

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    chrome: super::chrome::Chrome,
    record: Arc<Record>,
    /// `None`: the whole record, a few of each; `Some`: one section in full.
    only: Option<Section>,
    /// What this viewer may do from the record.
    may_review: bool,
    may_log_contact: bool,
    /// Record and change the professionals involved.
    may_record_involvements: bool,
    /// Set the transition plan.
    may_plan_transition: bool,
    /// Coordinators merge a record made twice into the one to keep (not a merged one).
    may_merge: bool,
    may_assign: bool,
    /// Not on the register and the viewer may put them there.
    may_open: bool,
    /// Admissions, discharges and visits (coordinators).
    may_record_stays: bool,
    /// Create a plan (coordinators, clinicians); update its points (and keyworkers).
    may_plan: bool,
    may_update_points: bool,
    /// Record C(E)TRs and add their actions (coordinators, clinicians).
    may_record_cetr: bool,
    /// The viewer's id: a keyworker may update only the actions they own.
    me: String,
    may_update_actions: bool,
    /// The confirmation after a form sent here (post/redirect/get).
    done: Option<&'static str>,
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

    /// Coordinators and clinicians any action; keyworkers those they own.
    fn may_update(&self, action: &ActionView) -> bool {
        self.may_update_actions
            && (self.may_record_cetr || action.owner.as_ref().is_some_and(|o| o.id == self.me))
    }

    /// The name of a meeting's actions table, one per meeting on the page.
    fn actions_of(&self, what: &str, on: &NaiveDate) -> String {
        format!("Actions of the {what} of {}", self.date(on))
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

/// How long a record may be kept when nothing this server sees has changed.
pub const RECORD_FRESH_SECS: i64 = 2;

/// The record for this viewer, kept under the change stamp: the same person seen again by
/// the same viewer (a refresh, the way back from a section) is not read again while nothing
/// has changed. The key holds what the record depends on besides the data: the viewer's
/// scope and role (clinicians see their own alerts, keyworkers their caseload), today, and
/// whether a section is shown in full. Every view is audited, read again or not.
async fn record_for(page: &Page, id: String, full: bool) -> Result<Arc<Record>, ApiError> {
    let state = page.state();
    let viewer = match page.user.role {
        Role::Clinician | Role::Keyworker => page.user.id.as_str(),
        _ => "",
    };
    // The change counter moves with people, entries and users, whoever writes them; a contact,
    // a C(E)TR or an alert written by another process (a second server, `dsr sweep`) does not
    // move it, so a record is kept at most RECORD_FRESH_SECS however quiet the register is.
    let window = state.clock.now().timestamp() / RECORD_FRESH_SECS;
    let key = format!(
        "{id}|{:?}|{viewer}|{:?}|{}|{full}|{window}",
        page.user.role, page.scope, page.today
    );
    let record = state
        .records
        .get_or_build(
            key,
            || state.changes.stamp(),
            || async {
                let id = id.clone();
                let record = page.read(move |c, a| gather(c, a, &id, full)).await?;
                Ok::<_, ApiError>(Arc::new(record))
            },
        )
        .await?;
    let event = AuditEvent::new(AuditAction::Read, "person_record", Some(&id)).about(&id);
    state.read_audit.record(&page.audit, event).await?;
    Ok(record)
}

/// The banner after a form: `?done=review` and the like (anything else shows none).
fn done_banner(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "review" => Some("Review recorded."),
        "risk_factor" => Some("Reason for risk noted."),
        "keyworking" => Some("Referred to CYP keyworking."),
        "keyworking_saved" => Some("CYP keyworking updated."),
        "risk_factor_ended" => Some("Reason for risk ended: it stays in the entry's history."),
        "rating" => Some("Rating changed."),
        "contact" => Some("Contact logged."),
        "contact_corrected" => {
            Some("Correction logged. The original stays on the record, marked as corrected.")
        }
        "keyworker" => Some("Keyworker assigned."),
        "involvement" => Some("Professional saved."),
        "referral" => Some("Referral accepted: the person is on the register."),
        "merged" => Some("Records merged: everything is on this record now."),
        "transition" => Some("Transition plan saved."),
        "keyworker_removed" => Some("Keyworker removed: nobody is named now."),
        "person" => Some("Person added. Put them on the register below if they are at risk."),
        "details" => Some("Details saved."),
        "entry_saved" => Some("Register entry saved."),
        "entry" => Some("On the register."),
        "closed" => Some("Entry closed."),
        "admitted" => Some("Admission recorded."),
        "discharged" => Some("Discharge recorded."),
        "visit" => Some("Oversight visit recorded."),
        "inpatient_details" => Some("Inpatient details saved."),
        "plan" => Some("Discharge plan created."),
        "point" => Some("Discharge plan point saved."),
        "plan_review" => Some("Plan review recorded."),
        "plan_changed" => Some("Discharge plan saved."),
        "cetr" => Some("C(E)TR recorded. Add the actions it agreed below."),
        "action" => Some("Action added."),
        "cetr_saved" => Some("C(E)TR saved."),
        "action_saved" => Some("Action saved."),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
pub struct RecordQuery {
    done: Option<String>,
}

async fn render(page: Page, id: String, only: Option<Section>, done: Option<&str>) -> PageResult {
    page.require(Permission::RecordsRead)?;
    let record = record_for(&page, id, only.is_some()).await?;
    let nav = if page.user.role == Role::Keyworker {
        "/my-work"
    } else {
        "/register"
    };
    let active = record
        .entry
        .as_ref()
        .is_some_and(|e| e.status == EntryStatus::Active);
    let view = RecordPage {
        chrome: page.chrome(nav),
        today: page.today,
        may_review: active && page.user.require(Permission::RegisterWrite).is_ok(),
        may_log_contact: page.user.require(Permission::ContactsWrite).is_ok(),
        may_record_involvements: page.user.require(Permission::InvolvementsWrite).is_ok(),
        may_plan_transition: page.user.require(Permission::TransitionPlanWrite).is_ok(),
        may_merge: page.user.require(Permission::RegisterWrite).is_ok(),
        may_assign: page.user.require(Permission::KeyworkerAssign).is_ok(),
        may_open: !active && page.user.require(Permission::RegisterWrite).is_ok(),
        may_record_stays: page.user.require(Permission::RegisterWrite).is_ok(),
        may_plan: page.user.require(Permission::DischargeWrite).is_ok(),
        may_update_points: page.user.require(Permission::PointUpdate).is_ok(),
        may_record_cetr: page.user.require(Permission::CetrWrite).is_ok(),
        may_update_actions: page.user.require(Permission::ActionUpdate).is_ok(),
        me: page.user.id.clone(),
        done: done_banner(done),
        record,
        only,
    };
    ok(view.render())
}

#[get("/people/{id}")]
pub async fn person_record(
    page: Page,
    id: web::Path<String>,
    query: web::Query<RecordQuery>,
) -> PageResult {
    render(page, id.into_inner(), None, query.done.as_deref()).await
}

#[get("/people/{id}/{section}")]
pub async fn record_section(page: Page, path: web::Path<(String, String)>) -> PageResult {
    let (id, slug) = path.into_inner();
    let section = Section::parse(&slug).ok_or(ApiError::NotFound)?;
    render(page, id, Some(section), None).await
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
