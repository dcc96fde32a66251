//! C(E)TRs (panel rules, the inpatient and community clocks) and their actions (owners who
//! can see the person; keyworkers update only what they own).

use diesel::OptionalExtension;

use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{CetrView, CreateCetrRequest, PanelMember, UpdateCetrRequest};
use super::store::{self, CetrChanges, CetrRow};
use crate::admissions::service as admissions_service;
use crate::admissions::store::{self as admissions, AdmissionRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::inpatient::CetrKind;
use crate::error::ApiError;
use crate::http::{tidy, IfMatch};
use crate::people::store as people;
use crate::register::service::{self as register, Rules};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "cetr";

/// The admission a C(E)TR belongs to: the one named (it must be the person's), else for
/// post-admission and inpatient C(E)TRs the open one.
fn admission_for(
    conn: &mut AnyConnection,
    person_id: &str,
    kind: CetrKind,
    named: Option<String>,
) -> Result<Option<AdmissionRow>, ApiError> {
    if let Some(id) = named {
        return match admissions::get(conn, &id).optional()? {
            Some(a) if a.person_id == person_id => Ok(Some(a)),
            _ => Err(ApiError::validation(
                "admission_id",
                "must be an admission of this person",
            )),
        };
    }
    if matches!(kind, CetrKind::PostAdmission | CetrKind::Inpatient) {
        return match admissions::open_for_person(conn, person_id)? {
            Some(a) => Ok(Some(a)),
            None => Err(ApiError::validation(
                "admission_id",
                "an inpatient C(E)TR needs an admission, and this person has no open one",
            )),
        };
    }
    Ok(None)
}

fn check_held_within(held_on: NaiveDate, admission: Option<&AdmissionRow>) -> Result<(), ApiError> {
    if let Some(a) = admission {
        if held_on < a.admitted_on {
            return Err(ApiError::validation(
                "held_on",
                "must not be before the admission",
            ));
        }
        if a.discharged_on.is_some_and(|d| held_on > d) {
            return Err(ApiError::validation(
                "held_on",
                "must not be after the discharge",
            ));
        }
    }
    Ok(())
}

/// After a C(E)TR is recorded or moved: restart the admission's clock (inpatient kinds) and
/// the entry's community clock (community kinds).
fn refresh_clocks(conn: &mut AnyConnection, cetr: &CetrRow, rules: Rules) -> Result<(), ApiError> {
    let kind = cetr.kind;
    if let (true, Some(admission_id)) = (kind.is_inpatient(), &cetr.admission_id) {
        if let Some(admission) = admissions::get(conn, admission_id).optional()? {
            let due = admissions_service::refresh_cetr_clock(conn, &admission, rules)?;
            if let Some(latest) = store::latest_for_admission(conn, admission_id)? {
                store::set_next_due(conn, &latest.id, due)?;
            }
        }
    }
    register::refresh_cetr_due_for_person(conn, &cetr.person_id, &rules.timescales)
}

pub fn create(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateCetrRequest,
) -> Result<CetrRow, ApiError> {
    let (ctx, rules) = (&a.audit, Rules::of(a));
    crate::people::merge::refuse_if_merged(&people::get(conn, person_id)?)?;
    let admission = admission_for(
        conn,
        person_id,
        req.kind,
        req.admission_id.map(|a| a.to_string()),
    )?;
    check_held_within(req.held_on, admission.as_ref())?;
    let row = CetrRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.to_string(),
        admission_id: admission.map(|a| a.id),
        kind: req.kind,
        held_on: req.held_on,
        panel: panel_json(&req.panel),
        summary: req.summary.trim().to_string(),
        outcome: req
            .outcome
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty()),
        agencies: agencies_json(&req.agencies),
        laep_outcome: req.laep_outcome,
        next_due: None,
        recorded_by: ctx.actor_id.clone().unwrap_or_default(),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    store::insert(conn, &row)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(&row.person_id)
            .fields(vec![
                "kind",
                "held_on",
                "admission_id",
                "panel",
                "summary",
                "outcome",
                "agencies",
                "laep_outcome",
            ]),
    )?;
    refresh_clocks(conn, &row, rules)?;
    Ok(store::get(conn, &row.id)?)
}

/// A LAEP's agencies, trimmed, as stored.
fn agencies_json(agencies: &[String]) -> String {
    let trimmed: Vec<&str> = agencies.iter().map(|a| a.trim()).collect();
    serde_json::to_string(&trimmed).unwrap_or_else(|_| "[]".into())
}

fn panel_json(panel: &[PanelMember]) -> String {
    let trimmed: Vec<PanelMember> = panel
        .iter()
        .map(|m| PanelMember {
            name: m.name.trim().to_string(),
            role: m.role,
        })
        .collect();
    serde_json::to_string(&trimmed).unwrap_or_else(|_| "[]".into())
}

pub fn update(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateCetrRequest,
) -> Result<CetrRow, ApiError> {
    let (ctx, rules) = (&a.audit, Rules::of(a));
    let cetr = store::get(conn, id)?;
    if_match.check(cetr.version)?;
    let wrong = req.kind_errors(cetr.kind);
    if !wrong.is_empty() {
        return Err(ApiError::Validation(wrong));
    }
    let mut changes = CetrChanges::default();
    let mut fields = Vec::new();
    if let Some(held_on) = req.held_on.filter(|h| *h != cetr.held_on) {
        let admission = match &cetr.admission_id {
            Some(a) => admissions::get(conn, a).optional()?,
            None => None,
        };
        check_held_within(held_on, admission.as_ref())?;
        changes.held_on = Some(held_on);
        fields.push("held_on");
    }
    if let Some(panel) = req
        .panel
        .map(|p| panel_json(&p))
        .filter(|p| *p != cetr.panel)
    {
        changes.panel = Some(panel);
        fields.push("panel");
    }
    if let Some(summary) = req
        .summary
        .map(|s| s.trim().to_string())
        .filter(|s| *s != cetr.summary)
    {
        changes.summary = Some(summary);
        fields.push("summary");
    }
    if let Some(outcome) = req.outcome.map(tidy).filter(|o| *o != cetr.outcome) {
        changes.outcome = Some(outcome);
        fields.push("outcome");
    }
    if let Some(agencies) = req
        .agencies
        .map(|a| agencies_json(&a))
        .filter(|a| *a != cetr.agencies)
    {
        changes.agencies = Some(agencies);
        fields.push("agencies");
    }
    if let Some(outcome) = req.laep_outcome.filter(|o| *o != cetr.laep_outcome) {
        changes.laep_outcome = Some(outcome);
        fields.push("laep_outcome");
    }
    if fields.is_empty() {
        return Ok(cetr);
    }
    store::update_if_version(conn, id, cetr.version, &changes, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(&cetr.person_id)
            .fields(fields),
    )?;
    let updated = store::get(conn, id)?;
    if changes.held_on.is_some() {
        refresh_clocks(conn, &updated, rules)?;
    }
    Ok(store::get(conn, id)?)
}

/// C(E)TR views with their actions and recorders, in three queries whatever the count.
pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<CetrRow>,
    today: NaiveDate,
) -> Result<Vec<CetrView>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut actions = crate::actions::service::by_source(conn, &ids, today)?;
    let recorder_ids: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let recorders = users::find_many(conn, &recorder_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| CetrView {
            kind: r.kind,
            panel: serde_json::from_str(&r.panel).unwrap_or_default(),
            agencies: serde_json::from_str(&r.agencies).unwrap_or_default(),
            laep_outcome: r.laep_outcome,
            recorded_by: recorders.get(&r.recorded_by).map(UserSummary::from),
            actions: actions.remove(&r.id).unwrap_or_default(),
            id: r.id,
            person_id: r.person_id,
            admission_id: r.admission_id,
            held_on: r.held_on,
            summary: r.summary,
            outcome: r.outcome,
            next_due: r.next_due,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
        .collect())
}

pub fn view(
    conn: &mut AnyConnection,
    row: CetrRow,
    today: NaiveDate,
) -> Result<CetrView, ApiError> {
    views(conn, vec![row], today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<CetrView, ApiError> {
    let (scope, today) = (&a.scope, a.today);
    let cetr = store::get(conn, id)?;
    access::ensure_person_visible(conn, scope, &cetr.person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about(&cetr.person_id));
    view(conn, cetr, today)
}

pub fn for_person(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
) -> Result<Vec<CetrView>, ApiError> {
    let (scope, today) = (&a.scope, a.today);
    access::ensure_person_visible(conn, scope, person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, "cetr_list", Some(person_id)).about(person_id));
    let rows = store::for_person(conn, person_id)?;
    views(conn, rows, today)
}

/// Records a C(E)TR and answers its view.
pub fn create_view(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateCetrRequest,
) -> Result<CetrView, ApiError> {
    let row = create(conn, a, person_id, req)?;
    view(conn, row, a.today)
}

/// Corrects a C(E)TR and answers its view.
pub fn update_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateCetrRequest,
) -> Result<CetrView, ApiError> {
    let row = update(conn, a, id, if_match, req)?;
    view(conn, row, a.today)
}
