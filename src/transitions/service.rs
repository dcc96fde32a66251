use super::model::{TransitionPlanRequest, TransitionPlanView};
use super::store::{self, PlanRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::http::IfMatch;
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "transition_plan";

/// Sets the person's plan: creates it (version 1), or replaces it honouring `If-Match`.
/// Answers the plan and whether it was created.
pub fn put(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    if_match: &IfMatch,
    req: TransitionPlanRequest,
) -> Result<(TransitionPlanView, bool), ApiError> {
    access::ensure_person_visible(conn, &a.scope, person_id)?;
    crate::people::merge::ensure_writable(conn, person_id)?;
    let current = store::get(conn, person_id)?;
    let now = a.audit.now;
    let mut row = PlanRow {
        person_id: person_id.to_string(),
        adult_team: req.adult_team.trim().to_string(),
        education_status: req.education_status.trim().to_string(),
        planned_handover_on: req.planned_handover_on,
        notes: req
            .notes
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        version: 1,
        updated_by: a.audit.actor_id.clone().unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    let created = match &current {
        None => {
            store::insert(conn, &row)?;
            true
        }
        Some(plan) => {
            if_match.check(plan.version)?;
            let unchanged = (
                &plan.adult_team,
                &plan.education_status,
                plan.planned_handover_on,
                &plan.notes,
            ) == (
                &row.adult_team,
                &row.education_status,
                row.planned_handover_on,
                &row.notes,
            );
            if unchanged {
                return Ok((view(conn, plan.clone())?, false));
            }
            row.version = plan.version + 1;
            row.created_at = plan.created_at;
            if !store::replace(conn, &row, plan.version)? {
                let now = store::get(conn, person_id)?.map(|p| p.version);
                return Err(crate::db::versioned::stale(now));
            }
            false
        }
    };
    let action = if created {
        AuditAction::Create
    } else {
        AuditAction::Update
    };
    audit::record(
        conn,
        &a.audit,
        AuditEvent::new(action, ENTITY, Some(person_id))
            .about(person_id)
            .fields(vec![
                "adult_team",
                "education_status",
                "planned_handover_on",
                "notes",
            ]),
    )?;
    Ok((view(conn, row)?, created))
}

/// The person's plan; 404 when there is none.
pub fn read(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
) -> Result<TransitionPlanView, ApiError> {
    access::ensure_person_visible(conn, &a.scope, person_id)?;
    let plan = store::get(conn, person_id)?.ok_or(ApiError::NotFound)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(person_id)).about(person_id));
    view(conn, plan)
}

/// The plan if there is one (the record page shows either).
pub fn find(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
) -> Result<Option<TransitionPlanView>, ApiError> {
    match read(conn, a, person_id) {
        Ok(plan) => Ok(Some(plan)),
        Err(ApiError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

fn view(conn: &mut AnyConnection, row: PlanRow) -> Result<TransitionPlanView, ApiError> {
    let by = users::find_many(conn, std::slice::from_ref(&row.updated_by))?;
    Ok(TransitionPlanView {
        updated_by: by.get(&row.updated_by).map(UserSummary::from),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        person_id: row.person_id,
        adult_team: row.adult_team,
        education_status: row.education_status,
        planned_handover_on: row.planned_handover_on,
        notes: row.notes,
        version: row.version,
    })
}
