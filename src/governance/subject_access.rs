//! Everything the service holds about one person, in one document, for a subject-access
//! request. It is an export for the information governance lead to review: deciding what to
//! withhold (serious harm, third parties) is theirs, not the service's.

use serde::Serialize;
use utoipa::ToSchema;

use crate::actions::model::ActionView;
use crate::admissions::model::{AdmissionView, VisitView};
use crate::admissions::service as admissions;
use crate::alerts::model::{AlertQuery, AlertView};
use crate::alerts::service as alerts;
use crate::audit::model::AccessLogEntry;
use crate::audit::service as audit_log;
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::actor::Actor;
use crate::cetrs::model::CetrView;
use crate::cetrs::service as cetrs;
use crate::contacts::model::ContactView;
use crate::contacts::service as contacts;
use crate::db::AnyConnection;
use crate::discharge::model::PlanView;
use crate::discharge::service as discharge;
use crate::error::ApiError;
use crate::http::Page;
use crate::involvements::model::InvolvementView;
use crate::involvements::service as involvements;
use crate::keyworkers::model::AssignmentView;
use crate::keyworkers::service as keyworkers;
use crate::people::model::PersonView;
use crate::people::service as people;
use crate::register::model::{EntryView, RagChange, ReviewView};
use crate::register::service as register;
use crate::register::store as entries;

/// Every section is present; one with nothing in it is `[]`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccess {
    pub person: PersonView,
    pub register_entries: Vec<EntryView>,
    pub rag_history: Vec<RagChange>,
    pub reviews: Vec<ReviewView>,
    pub keyworker_history: Vec<AssignmentView>,
    /// Other professionals involved, current ones first.
    pub involvements: Vec<InvolvementView>,
    pub contacts: Vec<ContactView>,
    pub admissions: Vec<AdmissionView>,
    pub visits: Vec<VisitView>,
    pub cetrs: Vec<CetrView>,
    pub actions: Vec<ActionView>,
    /// CYP keyworking episodes with their history, newest referral first.
    pub keyworking: Vec<crate::keyworking::model::KeyworkingView>,
    pub discharge_plans: Vec<PlanView>,
    pub alerts: Vec<AlertView>,
    pub access_log: Vec<AccessLogEntry>,
}

/// Large enough for any one person's records: the sections are not paged.
const ALL: Page = Page {
    limit: i64::MAX / 2,
    offset: 0,
};

/// Gathers the document through the same readers the API uses (each read is audited about
/// the person), and records the whole as one export.
pub fn export(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
) -> Result<SubjectAccess, ApiError> {
    let person = people::read(conn, a, person_id)?;
    let rows = entries::for_person(conn, person_id)?;
    let entry_ids: Vec<String> = rows.iter().map(|(e, _)| e.id.clone()).collect();
    let register_entries = register::views(conn, rows, a.today)?;
    let (mut rag_history, mut reviews) = (Vec::new(), Vec::new());
    for id in &entry_ids {
        rag_history.extend(register::history(conn, a, id)?);
        reviews.extend(register::reviews(conn, a, id)?);
    }
    let admissions = admissions::for_person(conn, a, person_id)?;
    let (mut visits, mut discharge_plans) = (Vec::new(), Vec::new());
    for admission in &admissions {
        visits.extend(admissions::visits(conn, a, &admission.id)?);
        match discharge::read_for_admission(conn, a, &admission.id) {
            Ok(plan) => discharge_plans.push(plan),
            Err(ApiError::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    let cetrs = cetrs::for_person(conn, a, person_id)?;
    // Every action, whichever meeting it came from (C(E)TRs, LAEPs, reviews, visits).
    let actions = crate::actions::service::for_person(conn, person_id, a.today)?;
    let every_alert = AlertQuery {
        status: Some("open,acknowledged,resolved".into()),
        kind: None,
        level: None,
        assignee_id: None,
        person_id: person_id.parse().ok(),
    };
    let document = SubjectAccess {
        keyworker_history: keyworkers::history(conn, a, person_id)?,
        contacts: contacts::list(conn, a, person_id, ALL)?.items,
        alerts: alerts::list(conn, a, every_alert, ALL)?.items,
        access_log: audit_log::access_log(conn, a, person_id, ALL)?.items,
        involvements: involvements::list(conn, a, person_id, ALL)?.items,
        keyworking: crate::keyworking::service::for_person(conn, a, person_id)?,
        person,
        register_entries,
        rag_history,
        reviews,
        admissions,
        visits,
        cetrs,
        actions,
        discharge_plans,
    };
    audit::record(
        conn,
        &a.audit,
        AuditEvent::new(AuditAction::Export, "subject_access", Some(person_id)).about(person_id),
    )?;
    Ok(document)
}
