//! Assigning and ending keyworkers, their history, and caseloads.

use chrono::NaiveDate;
use diesel::OptionalExtension;
use uuid::Uuid;

use super::model::{AssignKeyworkerRequest, AssignmentView};
use super::store::{self, AssignmentRow};
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::register::EntryStatus;
use crate::domain::Role;
use crate::error::ApiError;
use crate::http::{ListResponse, Page};
use crate::people::store as people;
use crate::register::model::EntryView;
use crate::register::service as register;
use crate::register::store::{RegisterFilter, Sort, SortKey};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "keyworker_assignment";

/// Who may be a person's named lead worker (the "keyworker" of the register, apart from the
/// CYP keyworking service): a keyworker, or a clinician such as a care coordinator. Only a
/// keyworker's access is limited to their caseload.
pub const NAMED_WORKER_ROLES: [Role; 2] = [Role::Keyworker, Role::Clinician];

/// Names `user_id` as the person's keyworker from today, ending any previous assignment
/// the same day. Naming the current keyworker again changes nothing.
pub fn assign(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    person_id: &str,
    req: AssignKeyworkerRequest,
    today: NaiveDate,
) -> Result<AssignmentRow, ApiError> {
    crate::people::merge::refuse_if_merged(&people::get(conn, person_id)?)?;
    let user_id = req.user_id.to_string();
    match users::get(conn, &user_id).optional()? {
        Some(u) if u.active && NAMED_WORKER_ROLES.contains(&u.role) => {}
        Some(_) => {
            return Err(ApiError::validation(
                "user_id",
                "must be an active keyworker or clinician (the named lead worker)",
            ))
        }
        None => return Err(ApiError::validation("user_id", "no such user")),
    }
    if let Some(current) = store::current(conn, person_id)?.filter(|c| c.user_id == user_id) {
        return Ok(current);
    }
    let former = store::current(conn, person_id)?;
    store::end_current(conn, person_id, today, ctx.actor_id.as_deref())?;
    let row = AssignmentRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.to_string(),
        user_id: user_id.clone(),
        from_on: today,
        to_on: None,
        note: req
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        assigned_by: ctx.actor_id.clone().unwrap_or_default(),
        ended_by: None,
        created_at: ctx.now,
    };
    store::insert(conn, &row)?;
    people::set_keyworker(conn, person_id, Some(&user_id), ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(&row.person_id)
            .fields(vec!["person_id", "user_id", "from", "note"]),
    )?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(
            AuditAction::Update,
            crate::people::service::ENTITY,
            Some(person_id),
        )
        .about(person_id)
        .fields(vec!["keyworker"]),
    )?;
    if let Some(former) = former {
        hand_over_work(conn, ctx, person_id, &former.user_id, Some(&user_id))?;
    }
    Ok(row)
}

/// Ends the current assignment today; the keyworker loses access at once.
pub fn unassign(conn: &mut AnyConnection, a: &Actor, person_id: &str) -> Result<(), ApiError> {
    let (ctx, today) = (&a.audit, a.today);
    people::get(conn, person_id)?;
    let Some(current) = store::current(conn, person_id)? else {
        return Ok(());
    };
    store::end_current(conn, person_id, today, ctx.actor_id.as_deref())?;
    people::set_keyworker(conn, person_id, None, ctx.now)?;
    hand_over_work(conn, ctx, person_id, &current.user_id, None)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(&current.id))
            .about(&current.person_id)
            .fields(vec!["to"]),
    )?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(
            AuditAction::Update,
            crate::people::service::ENTITY,
            Some(person_id),
        )
        .about(person_id)
        .fields(vec!["keyworker"]),
    )?;
    Ok(())
}

/// Work follows the person: a keyworker who is no longer the named worker cannot see the
/// person any more (keyworkers see only their caseload), so their open C(E)TR actions and
/// discharge points about them pass to the new named worker, or are left unowned, when the
/// sweep's alerts go to the named worker or, with none, every coordinator. Each is audited.
fn hand_over_work(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    person_id: &str,
    former: &str,
    successor: Option<&str>,
) -> Result<(), ApiError> {
    let former_role = users::get(conn, former).optional()?.map(|u| u.role);
    if access::may_own_work(former_role, former, successor) {
        return Ok(()); // a clinician, coordinator or manager still sees the person
    }
    let actions =
        crate::actions::store::hand_over_open(conn, person_id, former, successor, ctx.now)?;
    let points = crate::discharge::store::hand_over_open_points(
        conn, person_id, former, successor, ctx.now,
    )?;
    let moved = actions
        .iter()
        .map(|id| (crate::actions::service::ENTITY, id))
        .chain(
            points
                .iter()
                .map(|id| (crate::discharge::service::POINT_ENTITY, id)),
        );
    for (entity, id) in moved {
        audit::record(
            conn,
            ctx,
            AuditEvent::new(AuditAction::Update, entity, Some(id))
                .about(person_id)
                .fields(vec!["owner_id"]),
        )?;
    }
    Ok(())
}

pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<AssignmentRow>,
) -> Result<Vec<AssignmentView>, ApiError> {
    let ids: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.user_id.clone(), r.assigned_by.clone()])
        .collect();
    let found = users::find_many(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| AssignmentView {
            user: found.get(&r.user_id).map(UserSummary::from),
            assigned_by: found.get(&r.assigned_by).map(UserSummary::from),
            id: r.id,
            person_id: r.person_id,
            from: r.from_on,
            to: r.to_on,
            note: r.note,
            created_at: r.created_at.and_utc(),
        })
        .collect())
}

pub fn history(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
) -> Result<Vec<AssignmentView>, ApiError> {
    let scope = &a.scope;
    access::ensure_person_visible(conn, scope, person_id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "keyworker_history", Some(person_id)).about(person_id),
    );
    let rows = store::history(conn, person_id)?;
    views(conn, rows)
}

/// The keyworker's active register entries, soonest review first (so overdue ones lead).
pub fn caseload(
    conn: &mut AnyConnection,
    a: &Actor,
    keyworker_id: &str,
    page: Page,
) -> Result<ListResponse<EntryView>, ApiError> {
    let today = a.today;
    users::get(conn, keyworker_id)?;
    let filter = RegisterFilter {
        status: Some(EntryStatus::Active),
        caseload_of: Some(keyworker_id.to_string()),
        ..RegisterFilter::default()
    };
    let sort = Sort {
        key: SortKey::NextReviewDue,
        descending: false,
    };
    let (rows, total) = crate::register::store::list(conn, &filter, sort, page, today)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "caseload", Some(keyworker_id))
            .about_all(rows.iter().map(|(entry, _)| entry.person_id.clone())),
    );
    Ok(ListResponse::new(
        register::views(conn, rows, today)?,
        total,
        page,
    ))
}

/// Names a person's keyworker and answers the new assignment.
pub fn assign_view(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: AssignKeyworkerRequest,
) -> Result<AssignmentView, ApiError> {
    let row = assign(conn, &a.audit, person_id, req, a.today)?;
    views(conn, vec![row])?.pop().ok_or(ApiError::NotFound)
}
