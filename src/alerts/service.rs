//! Alerts as people see them: listing in scope, reading and acknowledging (audited).

use super::model::{AcknowledgeRequest, AlertQuery, AlertStatus, AlertView};
use super::store::{self, AlertFilter, AlertRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access::AlertScope;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::alerts::AlertKind;
use crate::error::{ApiError, FieldError};
use crate::http::{comma_list, ListResponse, Page};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "alert";

fn views(conn: &mut AnyConnection, rows: Vec<AlertRow>) -> Result<Vec<AlertView>, ApiError> {
    let ids: Vec<String> = rows.iter().filter_map(|r| r.assignee_id.clone()).collect();
    let found = users::find_many(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let assignee = r
                .assignee_id
                .as_ref()
                .and_then(|a| found.get(a))
                .map(UserSummary::from);
            AlertView::new(r, assignee)
        })
        .collect())
}

fn filter_from(query: &AlertQuery) -> Result<AlertFilter, ApiError> {
    let mut errors = Vec::new();
    let statuses = comma_list(query.status.as_deref(), "status", &mut errors, |s| {
        AlertStatus::parse(s)
            .ok_or_else(|| format!("unknown status {s:?}: use open, acknowledged, resolved"))
    });
    let statuses = match statuses {
        list if list.is_empty() => AlertStatus::OPEN.to_vec(),
        list => list,
    };
    let kinds = comma_list(query.kind.as_deref(), "kind", &mut errors, |k| {
        AlertKind::parse(k).ok_or_else(|| format!("unknown alert kind {k:?}"))
    });
    if query.level.is_some_and(|l| !(1..=3).contains(&l)) {
        errors.push(FieldError::new("level", "must be 1, 2 or 3"));
    }
    if !errors.is_empty() {
        return Err(ApiError::BadQuery(errors));
    }
    Ok(AlertFilter {
        statuses,
        kinds,
        level: query.level,
        assignee_id: query.assignee_id.map(|a| a.to_string()),
        person_id: query.person_id.map(|p| p.to_string()),
    })
}

fn visible_alert(
    conn: &mut AnyConnection,
    scope: &AlertScope,
    id: &str,
) -> Result<AlertRow, ApiError> {
    let alert = store::get(conn, id)?;
    if !store::visible(conn, &alert, scope)? {
        return Err(ApiError::NotFound);
    }
    Ok(alert)
}

/// Alerts in the caller's scope, most overdue first (the list read is audited).
pub fn list(
    conn: &mut AnyConnection,
    a: &Actor,
    query: AlertQuery,
    page: Page,
) -> Result<ListResponse<AlertView>, ApiError> {
    let filter = filter_from(&query)?;
    let (rows, total) = store::list(conn, &filter, &AlertScope::of(&a.user), page)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "alert_list", None)
            .about_all(rows.iter().filter_map(|r| r.person_id.clone())),
    );
    Ok(ListResponse::new(views(conn, rows)?, total, page))
}

/// One alert in the caller's scope (audited).
pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<AlertView, ApiError> {
    let alert = visible_alert(conn, &AlertScope::of(&a.user), id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about_all(alert.person_id.clone()),
    );
    views(conn, vec![alert])?.pop().ok_or(ApiError::NotFound)
}

/// Acknowledges an open alert in the caller's scope with a note (audited).
pub fn acknowledge(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    req: AcknowledgeRequest,
) -> Result<AlertView, ApiError> {
    visible_alert(conn, &AlertScope::of(&a.user), id)?;
    let ctx = &a.audit;
    if !store::acknowledge(conn, id, &a.user.id, req.note.trim(), ctx.now)? {
        return Err(ApiError::Conflict(
            "only an open alert can be acknowledged".into(),
        ));
    }
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .fields(vec!["status", "acknowledge_note"]),
    )?;
    let alert = store::get(conn, id)?;
    views(conn, vec![alert])?.pop().ok_or(ApiError::NotFound)
}
