use uuid::Uuid;

use super::model::{ContactView, CreateContactRequest};
use super::store::{self, ContactRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::http::{ListResponse, Page};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "contact";

pub fn create(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateContactRequest,
) -> Result<ContactRow, ApiError> {
    let (ctx, scope) = (&a.audit, &a.scope);
    access::ensure_person_visible(conn, scope, person_id)?;
    crate::people::merge::ensure_writable(conn, person_id)?;
    let corrects_id = req.corrects_id.map(|id| id.to_string());
    if let Some(corrected) = &corrects_id {
        if store::person_of(conn, corrected)?.as_deref() != Some(person_id) {
            return Err(ApiError::validation(
                "corrects_id",
                "must be an earlier contact of the same person",
            ));
        }
    }
    let row = ContactRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.to_string(),
        occurred_at: req.occurred_at.naive_utc(),
        kind: req.kind,
        summary: req.summary.trim().to_string(),
        with_whom: req
            .with_whom
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty()),
        corrects_id,
        recorded_by: ctx.actor_id.clone().unwrap_or_default(),
        created_at: ctx.now,
    };
    store::insert(conn, &row)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(&row.person_id)
            .fields(vec![
                "person_id",
                "occurred_at",
                "kind",
                "summary",
                "with_whom",
                "corrects_id",
            ]),
    )?;
    Ok(row)
}

pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<ContactRow>,
) -> Result<Vec<ContactView>, ApiError> {
    let recorder_ids: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let recorders = users::find_many(conn, &recorder_ids)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut corrections = store::corrections_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| ContactView {
            corrected_by_id: corrections.remove(&r.id),
            recorded_by: recorders.get(&r.recorded_by).map(UserSummary::from),
            kind: r.kind,
            occurred_at: r.occurred_at.and_utc(),
            created_at: r.created_at.and_utc(),
            id: r.id,
            person_id: r.person_id,
            summary: r.summary,
            with_whom: r.with_whom,
            corrects_id: r.corrects_id,
        })
        .collect())
}

pub fn list(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    page: Page,
) -> Result<ListResponse<ContactView>, ApiError> {
    let scope = &a.scope;
    access::ensure_person_visible(conn, scope, person_id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "contact_list", Some(person_id)).about(person_id),
    );
    let (rows, total) = store::list(conn, person_id, page)?;
    Ok(ListResponse::new(views(conn, rows)?, total, page))
}

pub fn read(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    id: &str,
) -> Result<ContactView, ApiError> {
    let scope = &a.scope;
    access::ensure_person_visible(conn, scope, person_id)?;
    let row = store::get(conn, person_id, id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about(person_id));
    views(conn, vec![row])?.pop().ok_or(ApiError::NotFound)
}

/// Logs a contact and answers its view.
pub fn create_view(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateContactRequest,
) -> Result<ContactView, ApiError> {
    let row = create(conn, a, person_id, req)?;
    views(conn, vec![row])?.pop().ok_or(ApiError::NotFound)
}
