//! Keyworking episodes: who may refer and decide (coordinators and managers), which moves
//! are allowed (`domain::keyworking`), and the CYP keyworker kept on the person so that they
//! see the person as part of their caseload while the episode is allocated to them.

use std::collections::HashMap;

use diesel::OptionalExtension;
use uuid::Uuid;

use super::model::{
    KeyworkingChangeView, KeyworkingStatus, KeyworkingView, ReferRequest, UpdateKeyworkingRequest,
};
use super::store::{self, ChangeRow, EpisodeChanges, EpisodeRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::person::{age_on, keyworker_eligible};
use crate::domain::Role;
use crate::error::ApiError;
use crate::http::{tidy, IfMatch};
use crate::people::store as people;
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "keyworking";

pub fn refer(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: ReferRequest,
) -> Result<EpisodeRow, ApiError> {
    let ctx = &a.audit;
    let person = people::get(conn, person_id)?;
    crate::people::merge::refuse_if_merged(&person)?;
    if req.referred_on < person.date_of_birth {
        return Err(ApiError::validation(
            "referred_on",
            "must not be before the person was born",
        ));
    }
    if !keyworker_eligible(age_on(person.date_of_birth, req.referred_on)) {
        return Err(ApiError::validation(
            "referred_on",
            "the keyworking service is for children and young people aged 25 or under, and the person was older on this day",
        ));
    }
    if let Some(open) = store::open_for_person(conn, person_id)? {
        return Err(ApiError::Conflict(format!(
            "the person already has an open keyworking episode ({}, {} on {}): close or decline it first",
            open.id,
            open.status.as_str(),
            open.status_on
        )));
    }
    let row = EpisodeRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.to_string(),
        status: KeyworkingStatus::Referred,
        referred_on: req.referred_on,
        status_on: req.referred_on,
        keyworker_id: None,
        reason: None,
        note: tidy(req.note),
        recorded_by: ctx.actor_id.clone().unwrap_or_default(),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    store::insert(conn, &row)?;
    record_change(conn, a, &row)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(person_id)
            .fields(vec!["referred_on", "note"]),
    )?;
    Ok(row)
}

/// The episode's history gains its latest move.
fn record_change(conn: &mut AnyConnection, a: &Actor, row: &EpisodeRow) -> Result<(), ApiError> {
    store::insert_change(
        conn,
        &ChangeRow {
            id: Uuid::now_v7().to_string(),
            episode_id: row.id.clone(),
            status: row.status,
            changed_on: row.status_on,
            keyworker_id: row.keyworker_id.clone(),
            reason: row.reason.clone(),
            changed_by: a.audit.actor_id.clone().unwrap_or_default(),
            changed_at: a.audit.now,
        },
    )?;
    Ok(())
}

/// 422 naming `keyworker_id` unless the user is an active keyworker.
fn check_keyworker(conn: &mut AnyConnection, id: &str) -> Result<(), ApiError> {
    match users::get(conn, id).optional()? {
        Some(u) if u.active && u.role == Role::Keyworker => Ok(()),
        Some(_) => Err(ApiError::validation(
            "keyworker_id",
            "must be an active user with the keyworker role",
        )),
        None => Err(ApiError::validation("keyworker_id", "no such user")),
    }
}

pub fn update(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateKeyworkingRequest,
) -> Result<EpisodeRow, ApiError> {
    let ctx = &a.audit;
    let episode = store::get(conn, id)?;
    access::ensure_person_visible(conn, &a.scope, &episode.person_id)?;
    crate::people::merge::ensure_writable(conn, &episode.person_id)?;
    if_match.check(episode.version)?;
    if !episode.status.may_move_to(req.status) {
        let next: Vec<&str> = episode.status.next().iter().map(|s| s.as_str()).collect();
        let message = match next.is_empty() {
            true => format!(
                "a {} episode is finished: refer the person again to start a new one",
                episode.status.as_str()
            ),
            false => format!(
                "a {} episode can move to {}",
                episode.status.as_str(),
                next.join(", ")
            ),
        };
        return Err(ApiError::validation("status", message));
    }
    if req.on < episode.status_on {
        return Err(ApiError::validation(
            "on",
            format!(
                "must not be before the episode's last move ({} on {})",
                episode.status.as_str(),
                episode.status_on
            ),
        ));
    }
    let keyworker = req.keyworker_id.map(|k| k.to_string());
    if let Some(k) = &keyworker {
        check_keyworker(conn, k)?;
    }
    // An allocation names the CYP keyworker; anything after it ends theirs.
    let kept = match req.status {
        KeyworkingStatus::Allocated => keyworker.clone(),
        _ => None,
    };
    let changes = EpisodeChanges {
        status: Some(req.status),
        status_on: Some(req.on),
        keyworker_id: Some(kept.clone()),
        reason: Some(tidy(req.reason)),
    };
    store::update_if_version(conn, id, episode.version, &changes, ctx.now)?;
    let updated = store::get(conn, id)?;
    record_change(conn, a, &updated)?;
    let person = people::get(conn, &episode.person_id)?;
    if person.cyp_keyworker_id != kept {
        store::set_cyp_keyworker(conn, &episode.person_id, kept.as_deref(), ctx.now)?;
    }
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(&episode.person_id)
            .fields(vec!["status", "status_on", "keyworker_id", "reason"]),
    )?;
    Ok(updated)
}

/// Episode views with their histories and people, in three queries whatever the count.
pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<EpisodeRow>,
) -> Result<Vec<KeyworkingView>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let changes = store::changes_of(conn, &ids)?;
    let mut user_ids: Vec<String> = rows
        .iter()
        .flat_map(|r| [Some(r.recorded_by.clone()), r.keyworker_id.clone()])
        .chain(
            changes
                .iter()
                .flat_map(|c| [Some(c.changed_by.clone()), c.keyworker_id.clone()]),
        )
        .flatten()
        .collect();
    user_ids.sort();
    user_ids.dedup();
    let named = users::find_many(conn, &user_ids)?;
    let user = |id: &str| named.get(id).map(UserSummary::from);
    let summary = |id: &Option<String>| id.as_deref().and_then(user);
    let mut history: HashMap<String, Vec<KeyworkingChangeView>> = HashMap::new();
    for c in changes {
        history
            .entry(c.episode_id.clone())
            .or_default()
            .push(KeyworkingChangeView {
                status: c.status,
                on: c.changed_on,
                keyworker: summary(&c.keyworker_id),
                changed_by: user(&c.changed_by),
                reason: c.reason,
                changed_at: c.changed_at.and_utc(),
            });
    }
    Ok(rows
        .into_iter()
        .map(|r| KeyworkingView {
            keyworker: summary(&r.keyworker_id),
            recorded_by: user(&r.recorded_by),
            history: history.remove(&r.id).unwrap_or_default(),
            open: r.status.is_open(),
            id: r.id,
            person_id: r.person_id,
            status: r.status,
            referred_on: r.referred_on,
            status_on: r.status_on,
            reason: r.reason,
            note: r.note,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
        .collect())
}

fn view(conn: &mut AnyConnection, row: EpisodeRow) -> Result<KeyworkingView, ApiError> {
    views(conn, vec![row])?.pop().ok_or(ApiError::NotFound)
}

/// The person's episodes, newest referral first (the read is audited).
pub fn for_person(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
) -> Result<Vec<KeyworkingView>, ApiError> {
    access::ensure_person_visible(conn, &a.scope, person_id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "keyworking_list", Some(person_id)).about(person_id),
    );
    let rows = store::for_person(conn, person_id)?;
    views(conn, rows)
}

pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<KeyworkingView, ApiError> {
    let row = store::get(conn, id)?;
    access::ensure_person_visible(conn, &a.scope, &row.person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about(&row.person_id));
    view(conn, row)
}

/// Refers the person and answers the episode's view.
pub fn refer_view(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: ReferRequest,
) -> Result<KeyworkingView, ApiError> {
    let row = refer(conn, a, person_id, req)?;
    view(conn, row)
}

/// Moves an episode on and answers its view.
pub fn update_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateKeyworkingRequest,
) -> Result<KeyworkingView, ApiError> {
    let row = update(conn, a, id, if_match, req)?;
    view(conn, row)
}
