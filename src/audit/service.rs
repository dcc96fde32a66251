//! Reading the audit log (admins).

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};

use super::model::{AccessLogEntry, AuditEntry, AuditQuery};
use super::store::{self, AuditFilter};
use super::store::{AuditAction, AuditEvent};
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::error::{ApiError, FieldError};
use crate::http::{ListResponse, Page};
use crate::people::store as people;
use crate::users::model::UserSummary;
use crate::users::store as users;

/// A date means its midnight (UTC); `to` as a date includes that whole day.
fn parse_bound(name: &str, raw: &str, end_of_day: bool) -> Result<NaiveDateTime, FieldError> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(raw) {
        return Ok(instant.naive_utc());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| if end_of_day { d.succ_opt() } else { Some(d) })
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| FieldError::new(name, "must be a date (YYYY-MM-DD) or an RFC 3339 instant"))
}

fn filter_from(query: AuditQuery) -> Result<AuditFilter, ApiError> {
    let mut errors = Vec::new();
    let mut bound = |name: &str, raw: Option<String>, end: bool| {
        raw.and_then(|r| parse_bound(name, &r, end).map_err(|e| errors.push(e)).ok())
    };
    let from = bound("from", query.from, false);
    // Past the year 9999 there is no upper bound: SQLite compares timestamps as text, and
    // "10000-01-01" sorts before every real one (`to=9999-12-31` found nothing).
    let to = bound("to", query.to, true).filter(|t| t.year() <= 9999);
    if !errors.is_empty() {
        return Err(ApiError::BadQuery(errors));
    }
    Ok(AuditFilter {
        actor_id: query.actor_id,
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        action: query.action,
        from,
        to,
    })
}

/// Who has read or changed this person's records, newest first. Reading it is itself
/// audited, as a read about the person.
pub fn access_log(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    page: Page,
) -> Result<ListResponse<AccessLogEntry>, ApiError> {
    people::get(conn, person_id)?;
    // A survivor's log holds the records merged into it.
    let ids = crate::people::merge::ids_of(conn, person_id)?;
    let (rows, total) = store::about_person(conn, &ids, page)?;
    let actors: Vec<String> = rows.iter().filter_map(|r| r.actor_id.clone()).collect();
    let found = users::find_many(conn, &actors)?;
    store::record(
        conn,
        &a.audit,
        AuditEvent::new(AuditAction::Read, "access_log", Some(person_id)).about(person_id),
    )?;
    let items = rows
        .into_iter()
        .map(|r| AccessLogEntry {
            at: r.at.and_utc(),
            actor: r
                .actor_id
                .as_ref()
                .and_then(|id| found.get(id))
                .map(UserSummary::from),
            action: r.action,
            outcome: r.outcome,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
        })
        .collect();
    Ok(ListResponse::new(items, total, page))
}

/// The audit log, newest first, filtered.
pub fn list(
    conn: &mut AnyConnection,
    query: AuditQuery,
    page: Page,
) -> Result<ListResponse<AuditEntry>, ApiError> {
    let filter = filter_from(query)?;
    let (rows, total) = store::list(conn, &filter, page)?;
    let items = rows.into_iter().map(AuditEntry::from).collect();
    Ok(ListResponse::new(items, total, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_accept_dates_and_instants() {
        let from = parse_bound("from", "2026-11-25", false).unwrap();
        assert_eq!(from.to_string(), "2026-11-25 00:00:00");
        let to = parse_bound("to", "2026-11-25", true).unwrap();
        assert_eq!(to.to_string(), "2026-11-26 00:00:00");
        let instant = parse_bound("from", "2026-11-25T10:00:00+01:00", false).unwrap();
        assert_eq!(instant.to_string(), "2026-11-25 09:00:00");
        assert_eq!(
            parse_bound("to", "yesterday", true).unwrap_err().field,
            "to"
        );
    }
}
