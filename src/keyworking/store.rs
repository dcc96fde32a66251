use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::KeyworkingStatus;
use crate::db::schema::{keyworking_changes, keyworking_episodes, people};
use crate::db::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = keyworking_episodes)]
pub struct EpisodeRow {
    pub id: String,
    pub person_id: String,
    pub status: KeyworkingStatus,
    pub referred_on: NaiveDate,
    pub status_on: NaiveDate,
    pub keyworker_id: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = keyworking_episodes)]
pub struct EpisodeChanges {
    pub status: Option<KeyworkingStatus>,
    pub status_on: Option<NaiveDate>,
    pub keyworker_id: Option<Option<String>>,
    pub reason: Option<Option<String>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = keyworking_changes)]
pub struct ChangeRow {
    pub id: String,
    pub episode_id: String,
    pub status: KeyworkingStatus,
    pub changed_on: NaiveDate,
    pub keyworker_id: Option<String>,
    pub reason: Option<String>,
    pub changed_by: String,
    pub changed_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, row: &EpisodeRow) -> QueryResult<()> {
    diesel::insert_into(keyworking_episodes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_change(conn: &mut AnyConnection, row: &ChangeRow) -> QueryResult<()> {
    diesel::insert_into(keyworking_changes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<EpisodeRow> {
    keyworking_episodes::table
        .find(id)
        .select(EpisodeRow::as_select())
        .first(conn)
}

/// The person's episodes, newest referral first.
pub fn for_person(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Vec<EpisodeRow>> {
    keyworking_episodes::table
        .filter(keyworking_episodes::person_id.eq(person_id))
        .order((
            keyworking_episodes::referred_on.desc(),
            keyworking_episodes::id.desc(),
        ))
        .select(EpisodeRow::as_select())
        .load(conn)
}

/// The person's open episode (referred, accepted or allocated), if any.
pub fn open_for_person(
    conn: &mut AnyConnection,
    person_id: &str,
) -> QueryResult<Option<EpisodeRow>> {
    keyworking_episodes::table
        .filter(keyworking_episodes::person_id.eq(person_id))
        .filter(keyworking_episodes::status.eq_any(KeyworkingStatus::OPEN))
        .select(EpisodeRow::as_select())
        .first(conn)
        .optional()
}

/// The moves of these episodes, oldest first.
pub fn changes_of(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<ChangeRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    keyworking_changes::table
        .filter(keyworking_changes::episode_id.eq_any(ids))
        .order((
            keyworking_changes::changed_at.asc(),
            keyworking_changes::id.asc(),
        ))
        .select(ChangeRow::as_select())
        .load(conn)
}

crate::db::versioned::versioned_update!(update_if_version, keyworking_episodes, EpisodeChanges);

/// Keeps the person's CYP keyworker (the caseload rule reads it), moving the person to a
/// new version: what they show has changed.
pub fn set_cyp_keyworker(
    conn: &mut AnyConnection,
    person_id: &str,
    keyworker: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(people::table.find(person_id))
        .set((
            people::cyp_keyworker_id.eq(keyworker),
            people::version.eq(people::version + 1),
            people::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves a merged person's episodes to the survivor. One open episode a person: when both
/// have one, the merged person's is closed ("merged") before it moves. The survivor keeps its
/// CYP keyworker, else takes the merged person's.
pub fn merge(
    conn: &mut AnyConnection,
    from: &str,
    into: &str,
    (today, now): (NaiveDate, NaiveDateTime),
    by: &str,
) -> QueryResult<()> {
    if let (Some(theirs), Some(_)) = (open_for_person(conn, from)?, open_for_person(conn, into)?) {
        let (on, reason) = (
            today.max(theirs.status_on),
            "Closed when the record was merged",
        );
        insert_change(
            conn,
            &ChangeRow {
                id: uuid::Uuid::now_v7().to_string(),
                episode_id: theirs.id.clone(),
                status: KeyworkingStatus::Closed,
                changed_on: on,
                keyworker_id: None,
                reason: Some(reason.into()),
                changed_by: by.to_string(),
                changed_at: now,
            },
        )?;
        diesel::update(keyworking_episodes::table.find(&theirs.id))
            .set((
                keyworking_episodes::status.eq(KeyworkingStatus::Closed),
                keyworking_episodes::status_on.eq(on),
                keyworking_episodes::reason.eq(reason),
                keyworking_episodes::keyworker_id.eq(None::<String>),
                keyworking_episodes::version.eq(theirs.version + 1),
                keyworking_episodes::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    diesel::update(keyworking_episodes::table.filter(keyworking_episodes::person_id.eq(from)))
        .set(keyworking_episodes::person_id.eq(into))
        .execute(conn)?;
    let cyp: Vec<(String, Option<String>)> = people::table
        .filter(people::id.eq_any([from, into]))
        .select((people::id, people::cyp_keyworker_id))
        .load(conn)?;
    let of = |who: &str| {
        cyp.iter()
            .find(|(p, _)| p == who)
            .and_then(|(_, k)| k.clone())
    };
    if of(into).is_none() {
        if let Some(k) = of(from) {
            diesel::update(people::table.find(into))
                .set(people::cyp_keyworker_id.eq(k))
                .execute(conn)?;
        }
    }
    diesel::update(people::table.find(from))
        .set(people::cyp_keyworker_id.eq(None::<String>))
        .execute(conn)?;
    Ok(())
}
