//! Merging a person recorded twice into the record that stays: every register entry,
//! contact, admission (with its visits), C(E)TR and action, discharge plan and involvement moves to
//! the survivor, in one transaction; the merged record's keyworker assignment ends; its
//! alerts are resolved rather than moved (the next sweep raises what is still owed, against
//! the survivor); and it stays as a read-only tombstone naming the survivor, so nothing is
//! deleted and its access log is still found through the survivor.

use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::store;
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::actor::Actor;
use crate::db::schema::{
    admissions, alerts, cetr_actions, cetrs, contacts, discharge_plans, involvements, people,
    referrals, register_entries, transition_plans,
};
use crate::db::AnyConnection;
use crate::domain::alerts::AlertStatus;
use crate::error::ApiError;
use crate::http::{not_blank, DateRules};

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The record that stays (and keeps its NHS number).
    pub into: Uuid,
    #[validate(
        custom(function = "not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    pub reason: String,
    /// Required when the two records hold different NHS numbers: twins are the classic
    /// false match, so the merge must say it knows.
    #[serde(default)]
    pub confirm_different_nhs_numbers: bool,
}

impl DateRules for MergeRequest {}

/// 409 for a merged record: it is read-only, and says where its person is now.
pub fn refuse_if_merged(row: &store::PersonRow) -> Result<(), ApiError> {
    match &row.merged_into {
        Some(into) => Err(ApiError::Conflict(format!(
            "this record was merged into person {into}: change that record instead"
        ))),
        None => Ok(()),
    }
}

/// 409 when `person_id` is a merged record (a write about them must go to the survivor).
pub fn ensure_writable(conn: &mut AnyConnection, person_id: &str) -> Result<(), ApiError> {
    match store::get(conn, person_id).optional()? {
        Some(row) => refuse_if_merged(&row),
        None => Ok(()),
    }
}

/// Merges `id` into `req.into`; answers the survivor's row.
pub fn merge(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    req: MergeRequest,
) -> Result<store::PersonRow, ApiError> {
    let into = req.into.to_string();
    if into == id {
        return Err(ApiError::validation("into", "must be another person"));
    }
    let merged = store::get(conn, id)?;
    let survivor = store::get(conn, &into)
        .optional()?
        .ok_or_else(|| ApiError::validation("into", "no such person"))?;
    refuse_if_merged(&merged)?;
    refuse_if_merged(&survivor)?;
    // A pending number (None) differs from nothing: only two recorded numbers can disagree.
    let different = matches!(
        (&merged.nhs_number, &survivor.nhs_number),
        (Some(a), Some(b)) if a != b
    );
    if different && !req.confirm_different_nhs_numbers {
        return Err(ApiError::validation(
            "confirm_different_nhs_numbers",
            "the two records hold different NHS numbers: check they are one person (twins are \
             not), then send true",
        ));
    }
    let both = |a_has: bool, b_has: bool, what: &str| -> Result<(), ApiError> {
        if a_has && b_has {
            return Err(ApiError::Conflict(format!(
                "both records have {what}: close or end one first, then merge"
            )));
        }
        Ok(())
    };
    both(
        crate::register::store::active_for_person(conn, id)?.is_some(),
        crate::register::store::active_for_person(conn, &into)?.is_some(),
        "an active register entry",
    )?;
    both(
        crate::admissions::store::open_for_person(conn, id)?.is_some(),
        crate::admissions::store::open_for_person(conn, &into)?.is_some(),
        "an open admission",
    )?;
    let now = a.audit.now;
    // The merged record's alerts end here; entries that move keep no stale count.
    diesel::update(
        alerts::table
            .filter(alerts::person_id.eq(id))
            .filter(alerts::status.eq_any(AlertStatus::OPEN)),
    )
    .set((
        alerts::status.eq(AlertStatus::Resolved),
        alerts::resolved_at.eq(now),
        alerts::updated_at.eq(now),
    ))
    .execute(conn)?;
    diesel::update(register_entries::table.filter(register_entries::person_id.eq(id)))
        .set((
            register_entries::person_id.eq(&into),
            register_entries::open_alerts.eq(0),
        ))
        .execute(conn)?;
    macro_rules! move_rows {
        ($($table:ident),+) => {$(
            diesel::update($table::table.filter($table::person_id.eq(id)))
                .set($table::person_id.eq(&into))
                .execute(conn)?;
        )+};
    }
    move_rows!(
        contacts,
        involvements,
        admissions,
        cetrs,
        cetr_actions,
        discharge_plans,
        referrals
    );
    // One transition plan a person: the survivor's own stays; else the merged one's moves.
    if crate::transitions::store::get(conn, &into)?.is_none() {
        diesel::update(transition_plans::table.filter(transition_plans::person_id.eq(id)))
            .set(transition_plans::person_id.eq(&into))
            .execute(conn)?;
    }
    let by = a.audit.actor_id.as_deref().unwrap_or_default();
    crate::keyworking::store::merge(conn, id, &into, (a.today, now), by)?;
    crate::keyworkers::store::end_current(conn, id, a.today, a.audit.actor_id.as_deref())?;
    diesel::update(people::table.find(id))
        .set((
            people::merged_into.eq(&into),
            people::merged_at.eq(now),
            people::merge_reason.eq(req.reason.trim()),
            people::keyworker_id.eq(None::<String>),
            people::version.eq(merged.version + 1),
            people::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(people::table.find(&into))
        .set((
            people::version.eq(survivor.version + 1),
            people::updated_at.eq(now),
        ))
        .execute(conn)?;
    for (person, fields) in [
        (id, vec!["merged_into", "merge_reason", "keyworker"]),
        (into.as_str(), vec!["merged_from"]),
    ] {
        audit::record(
            conn,
            &a.audit,
            AuditEvent::new(AuditAction::Update, "person_merge", Some(person))
                .about(id)
                .about(&into)
                .fields(fields),
        )?;
    }
    Ok(store::get(conn, &into)?)
}

/// The person and every record merged into them (a chain of merges included): whose audit
/// an access log of this person must show.
pub fn ids_of(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Vec<String>> {
    let mut ids = vec![person_id.to_string()];
    let mut next = vec![person_id.to_string()];
    // Each round follows one step back along the merges; a bound, as a guard only.
    for _ in 0..16 {
        let found: Vec<String> = people::table
            .filter(people::merged_into.eq_any(&next))
            .select(people::id)
            .load(conn)?;
        let found: Vec<String> = found.into_iter().filter(|f| !ids.contains(f)).collect();
        if found.is_empty() {
            break;
        }
        ids.extend(found.iter().cloned());
        next = found;
    }
    Ok(ids)
}
