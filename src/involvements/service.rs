use uuid::Uuid;

use super::model::{CreateInvolvementRequest, InvolvementView, UpdateInvolvementRequest};
use super::store::{self, InvolvementChanges, InvolvementRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::http::{tidy, Diff, IfMatch, ListResponse, Page};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "involvement";

pub fn create(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateInvolvementRequest,
) -> Result<InvolvementView, ApiError> {
    access::ensure_person_visible(conn, &a.scope, person_id)?;
    crate::people::merge::ensure_writable(conn, person_id)?;
    let now = a.audit.now;
    let row = InvolvementRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.to_string(),
        name: req.name.trim().to_string(),
        organisation: req.organisation.trim().to_string(),
        role: req.role,
        contact: tidy(req.contact),
        from_on: req.from_on,
        to_on: req.to_on,
        version: 1,
        recorded_by: a.audit.actor_id.clone().unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    store::insert(conn, &row)?;
    audit::record(
        conn,
        &a.audit,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(person_id)
            .fields(vec![
                "name",
                "organisation",
                "role",
                "contact",
                "from_on",
                "to_on",
            ]),
    )?;
    one_view(conn, a, row)
}

/// Changes an involvement (its person must be visible to the caller: a keyworker's caseload).
pub fn update(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateInvolvementRequest,
) -> Result<InvolvementView, ApiError> {
    let current = store::get(conn, id)?;
    access::ensure_person_visible(conn, &a.scope, &current.person_id)?;
    if_match.check(current.version)?;
    let mut changes = InvolvementChanges::default();
    let mut d = Diff::default();
    d.set(
        "name",
        req.name.map(|n| n.trim().to_string()),
        &current.name,
        &mut changes.name,
    );
    d.set(
        "organisation",
        req.organisation.map(|o| o.trim().to_string()),
        &current.organisation,
        &mut changes.organisation,
    );
    d.set("role", req.role, &current.role, &mut changes.role);
    d.set(
        "contact",
        req.contact.map(tidy),
        &current.contact,
        &mut changes.contact,
    );
    d.set(
        "from_on",
        req.from_on,
        &current.from_on,
        &mut changes.from_on,
    );
    d.set("to_on", req.to_on, &current.to_on, &mut changes.to_on);
    let from_on = changes.from_on.unwrap_or(current.from_on);
    let to_on = changes.to_on.unwrap_or(current.to_on);
    if to_on.is_some_and(|to| to < from_on) {
        return Err(ApiError::validation("to_on", "must not be before from_on"));
    }
    if d.is_empty() {
        return one_view(conn, a, current);
    }
    store::update_if_version(conn, id, current.version, &changes, a.audit.now)?;
    audit::record(
        conn,
        &a.audit,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(&current.person_id)
            .fields(d.fields),
    )?;
    let row = store::get(conn, id)?;
    one_view(conn, a, row)
}

pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<InvolvementView, ApiError> {
    let row = store::get(conn, id)?;
    access::ensure_person_visible(conn, &a.scope, &row.person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about(&row.person_id));
    one_view(conn, a, row)
}

/// The person's involvements: current ones first, then by start, latest first.
pub fn list(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    page: Page,
) -> Result<ListResponse<InvolvementView>, ApiError> {
    access::ensure_person_visible(conn, &a.scope, person_id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "involvement_list", Some(person_id)).about(person_id),
    );
    let (rows, total) = store::list(conn, person_id, page)?;
    Ok(ListResponse::new(views(conn, a, rows)?, total, page))
}

fn one_view(
    conn: &mut AnyConnection,
    a: &Actor,
    row: InvolvementRow,
) -> Result<InvolvementView, ApiError> {
    views(conn, a, vec![row])?.pop().ok_or(ApiError::NotFound)
}

fn views(
    conn: &mut AnyConnection,
    a: &Actor,
    rows: Vec<InvolvementRow>,
) -> Result<Vec<InvolvementView>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let recorders = users::find_many(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| InvolvementView {
            recorded_by: recorders.get(&r.recorded_by).map(UserSummary::from),
            current: r.to_on.is_none_or(|to| to >= a.today),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            id: r.id,
            person_id: r.person_id,
            name: r.name,
            organisation: r.organisation,
            role: r.role,
            contact: r.contact,
            from_on: r.from_on,
            to_on: r.to_on,
            version: r.version,
        })
        .collect())
}
