//! A person's whole record as one read: the person, their newest register entry with its
//! rating history, reviews and reasons for risk, contacts, admissions and visits, C(E)TRs and actions, the open
//! admission's discharge plan and open alerts, each list newest first, read through the same
//! service functions the API's endpoints use (each audited about the person). The record page
//! shows it (`web::record`).

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
use crate::involvements::model::InvolvementView;
use crate::involvements::service as involvements;
use crate::keyworking::model::KeyworkingView;
use crate::people::model::PersonView;
use crate::people::service as people;
use crate::register::model::{EntryView, RagChange, ReviewView};
use crate::register::service as register;
use crate::register::store as entries;
use crate::risk_factors::model::RiskFactorView;
use crate::risk_factors::service as risk_factors;
use crate::transitions::model::TransitionPlanView;
use crate::transitions::service as transitions;

/// Items a section shows on the record before "See all".
pub const FEW: usize = 5;

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
    /// The entry's reasons for risk, current ones first, then ended ones.
    pub risk_factors: Vec<RiskFactorView>,
    pub contacts: Vec<ContactView>,
    pub contacts_total: i64,
    /// The professionals involved, current ones first.
    pub involvements: Vec<InvolvementView>,
    /// The plan for the move to adult services, if there is one.
    pub transition: Option<TransitionPlanView>,
    pub admissions: Vec<AdmissionWithVisits>,
    pub cetrs: Vec<CetrView>,
    pub plan: Option<PlanView>,
    /// Out of hospital: the latest stay's frozen plan, whose follow-up point still changes.
    pub frozen_plan: Option<PlanView>,
    pub alerts: Vec<AlertView>,
    /// The CYP keyworking episodes, newest referral first.
    pub keyworking: Vec<KeyworkingView>,
}

impl Record {
    /// A keyworking episode still runs (a new referral waits until it ends).
    pub fn keyworking_open(&self) -> bool {
        self.keyworking.iter().any(|k| k.open)
    }

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
    let (mut ratings, reviews, risk_factors) = match &entry {
        Some(e) => (
            register::history(conn, a, &e.id)?,
            register::reviews(conn, a, &e.id)?,
            risk_factors::list(conn, a, &e.id)?,
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
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
    let latest = admission_list
        .iter()
        .map(|a| &a.admission)
        .max_by_key(|adm| adm.admitted_on);
    let frozen_plan = match latest {
        Some(adm) if adm.discharged_on.is_some() => {
            match discharge::read_for_admission(conn, a, &adm.id) {
                Ok(p) => Some(p),
                Err(ApiError::NotFound) => None,
                Err(other) => return Err(other),
            }
        }
        _ => None,
    };
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
        keyworking: crate::keyworking::service::for_person(conn, a, person_id)?,
        contacts_total: contact_list.total,
        involvements: involvements::list(conn, a, person_id, every)?.items,
        transition: transitions::find(conn, a, person_id)?,
        contacts: contact_list.items,
        person,
        entry,
        ratings,
        reviews,
        risk_factors,
        admissions: admission_list,
        plan,
        frozen_plan,
        alerts: alert_list,
    })
}
