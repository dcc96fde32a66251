use uuid::Uuid;

use super::model::{NoteRiskFactorRequest, RiskFactorView, UpdateRiskFactorRequest};
use super::store::{self, RiskFactorChanges, RiskFactorRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::register::EntryStatus;
use crate::error::ApiError;
use crate::http::{tidy, Diff, IfMatch};
use crate::register::store::{self as entries, EntryRow};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "risk_factor";

/// The entry, visible to the caller and still open (a closed entry's reasons are history).
fn open_entry(conn: &mut AnyConnection, a: &Actor, entry_id: &str) -> Result<EntryRow, ApiError> {
    let entry = entries::get(conn, entry_id)?;
    access::ensure_person_visible(conn, &a.scope, &entry.person_id)?;
    crate::people::merge::ensure_writable(conn, &entry.person_id)?;
    if entry.status != EntryStatus::Active {
        return Err(ApiError::Conflict(format!(
            "register entry {} is closed",
            entry.reference
        )));
    }
    Ok(entry)
}

/// Notes a reason for risk on an open entry. The same code cannot be current twice (422
/// naming `code`); the entry's version moves, since its `risk_factors` changed.
pub fn note(
    conn: &mut AnyConnection,
    a: &Actor,
    entry_id: &str,
    req: NoteRiskFactorRequest,
) -> Result<RiskFactorView, ApiError> {
    let entry = open_entry(conn, a, entry_id)?;
    if let Some(problem) = a.settings.register.unknown_risk_factor(&req.code) {
        return Err(ApiError::validation("code", problem));
    }
    if let Some(current) = store::current_with_code(conn, entry_id, &req.code)? {
        return Err(ApiError::validation(
            "code",
            format!(
                "is already a current reason on this entry (noted on {}): end it or change its note",
                current.noted_on
            ),
        ));
    }
    if req.noted_on < entry.opened_on {
        return Err(ApiError::validation(
            "noted_on",
            format!("must not be before the entry opened ({})", entry.opened_on),
        ));
    }
    let now = a.audit.now;
    let row = RiskFactorRow {
        id: Uuid::now_v7().to_string(),
        register_entry_id: entry.id.clone(),
        code: req.code,
        noted_on: req.noted_on,
        note: tidy(req.note),
        ended_on: None,
        version: 1,
        recorded_by: a.audit.actor_id.clone().unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    store::insert(conn, &row)?;
    entries::touch(conn, &entry.id, now)?;
    audit::record(
        conn,
        &a.audit,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(&entry.person_id)
            .fields(vec!["code", "noted_on", "note"]),
    )?;
    one_view(conn, a, &entry, row)
}

/// Ends a factor (or makes it current again) or changes its note.
pub fn update(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateRiskFactorRequest,
) -> Result<RiskFactorView, ApiError> {
    let current = store::get(conn, id)?;
    let entry = open_entry(conn, a, &current.register_entry_id)?;
    if_match.check(current.version)?;
    let mut changes = RiskFactorChanges::default();
    let mut d = Diff::default();
    d.set(
        "ended_on",
        req.ended_on,
        &current.ended_on,
        &mut changes.ended_on,
    );
    d.set("note", req.note.map(tidy), &current.note, &mut changes.note);
    if changes
        .ended_on
        .flatten()
        .is_some_and(|on| on < current.noted_on)
    {
        return Err(ApiError::validation(
            "ended_on",
            format!("must not be before noted_on ({})", current.noted_on),
        ));
    }
    if changes.ended_on == Some(None)
        && store::current_with_code(conn, &entry.id, &current.code)?.is_some()
    {
        return Err(ApiError::validation(
            "ended_on",
            "another current reason on this entry has the same code",
        ));
    }
    if d.is_empty() {
        return one_view(conn, a, &entry, current);
    }
    store::update_if_version(conn, id, current.version, &changes, a.audit.now)?;
    entries::touch(conn, &entry.id, a.audit.now)?;
    audit::record(
        conn,
        &a.audit,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(&entry.person_id)
            .fields(d.fields),
    )?;
    let row = store::get(conn, id)?;
    one_view(conn, a, &entry, row)
}

pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<RiskFactorView, ApiError> {
    let row = store::get(conn, id)?;
    let entry = entries::get(conn, &row.register_entry_id)?;
    access::ensure_person_visible(conn, &a.scope, &entry.person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about(&entry.person_id));
    one_view(conn, a, &entry, row)
}

/// Every factor of the entry, current ones first (audited).
pub fn list(
    conn: &mut AnyConnection,
    a: &Actor,
    entry_id: &str,
) -> Result<Vec<RiskFactorView>, ApiError> {
    let entry = entries::get(conn, entry_id)?;
    access::ensure_person_visible(conn, &a.scope, &entry.person_id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "risk_factor_list", Some(entry_id))
            .about(&entry.person_id),
    );
    let rows = store::for_entry(conn, entry_id)?;
    views(conn, a, &entry, rows)
}

fn one_view(
    conn: &mut AnyConnection,
    a: &Actor,
    entry: &EntryRow,
    row: RiskFactorRow,
) -> Result<RiskFactorView, ApiError> {
    views(conn, a, entry, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound)
}

fn views(
    conn: &mut AnyConnection,
    a: &Actor,
    entry: &EntryRow,
    rows: Vec<RiskFactorRow>,
) -> Result<Vec<RiskFactorView>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let recorders = users::find_many(conn, &ids)?;
    let register = &a.settings.register;
    Ok(rows
        .into_iter()
        .map(|r| RiskFactorView {
            label: register
                .risk_factor_label(&r.code)
                .unwrap_or(&r.code)
                .to_string(),
            recorded_by: recorders.get(&r.recorded_by).map(UserSummary::from),
            current: r.ended_on.is_none(),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            person_id: entry.person_id.clone(),
            id: r.id,
            register_entry_id: r.register_entry_id,
            code: r.code,
            noted_on: r.noted_on,
            note: r.note,
            ended_on: r.ended_on,
            version: r.version,
        })
        .collect())
}
