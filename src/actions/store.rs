use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{ActionSource, ActionStatus};
use crate::db::schema::{cetr_actions, people};
use crate::db::AnyConnection;
use crate::http::Page;

type Backend = <AnyConnection as diesel::Connection>::Backend;

/// An action from any meeting. The table keeps its round-1 name, `cetr_actions`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cetr_actions)]
pub struct ActionRow {
    pub id: String,
    /// The C(E)TR or LAEP it came from (`None` for reviews and visits).
    pub cetr_id: Option<String>,
    pub person_id: String,
    pub description: String,
    /// `None` once its owner lost sight of the person and no named worker took it over.
    pub owner_id: Option<String>,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub completed_on: Option<NaiveDate>,
    pub completion_note: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub source: ActionSource,
    pub source_id: String,
    pub justification: Option<String>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = cetr_actions)]
pub struct ActionChanges {
    pub description: Option<String>,
    pub owner_id: Option<Option<String>>,
    pub due_on: Option<NaiveDate>,
    pub status: Option<ActionStatus>,
    pub completed_on: Option<Option<NaiveDate>>,
    pub completion_note: Option<Option<String>>,
    pub justification: Option<Option<String>>,
}

pub fn insert(conn: &mut AnyConnection, row: &ActionRow) -> QueryResult<()> {
    diesel::insert_into(cetr_actions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<ActionRow> {
    cetr_actions::table
        .find(id)
        .select(ActionRow::as_select())
        .first(conn)
}

/// Actions of these meetings (C(E)TRs, reviews, visits), soonest due first, in one query.
pub fn of_sources(conn: &mut AnyConnection, source_ids: &[String]) -> QueryResult<Vec<ActionRow>> {
    if source_ids.is_empty() {
        return Ok(Vec::new());
    }
    cetr_actions::table
        .filter(cetr_actions::source_id.eq_any(source_ids))
        .order((cetr_actions::due_on.asc(), cetr_actions::id.asc()))
        .select(ActionRow::as_select())
        .load(conn)
}

/// Every action about the person, soonest due first.
pub fn for_person(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Vec<ActionRow>> {
    cetr_actions::table
        .filter(cetr_actions::person_id.eq(person_id))
        .order((cetr_actions::due_on.asc(), cetr_actions::id.asc()))
        .select(ActionRow::as_select())
        .load(conn)
}

crate::db::versioned::versioned_update!(update_if_version, cetr_actions, ActionChanges);

#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub owner_id: Option<String>,
    pub statuses: Vec<ActionStatus>,
    pub sources: Vec<ActionSource>,
    pub person_id: Option<String>,
    /// Past due (before this date) and still owed.
    pub overdue_before: Option<NaiveDate>,
    /// Keyworkers see only their caseload's actions.
    pub caseload_of: Option<String>,
}

type Joined = diesel::dsl::InnerJoin<cetr_actions::table, people::table>;

fn filtered(filter: &ActionFilter) -> diesel::dsl::IntoBoxed<'_, Joined, Backend> {
    let mut query = cetr_actions::table.inner_join(people::table).into_boxed();
    if let Some(owner) = &filter.owner_id {
        query = query.filter(cetr_actions::owner_id.eq(owner));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(cetr_actions::status.eq_any(&filter.statuses));
    }
    if !filter.sources.is_empty() {
        query = query.filter(cetr_actions::source.eq_any(&filter.sources));
    }
    if let Some(person) = &filter.person_id {
        query = query.filter(cetr_actions::person_id.eq(person));
    }
    if let Some(before) = filter.overdue_before {
        query = query
            .filter(cetr_actions::due_on.lt(before))
            .filter(cetr_actions::status.eq_any(ActionStatus::open()));
    }
    if let Some(kw) = &filter.caseload_of {
        query = query.filter(crate::auth::access::on_caseload_of(kw));
    }
    query
}

/// Soonest due first.
pub fn list(
    conn: &mut AnyConnection,
    filter: &ActionFilter,
    page: Page,
) -> QueryResult<(Vec<ActionRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((cetr_actions::due_on.asc(), cetr_actions::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(ActionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Passes the person's open actions owned by `from` to `to` (`None`: unowned), each moving
/// to a new version; returns their ids.
pub fn hand_over_open(
    conn: &mut AnyConnection,
    person_id: &str,
    from: &str,
    to: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    let ids: Vec<String> = cetr_actions::table
        .filter(cetr_actions::person_id.eq(person_id))
        .filter(cetr_actions::owner_id.eq(from))
        .filter(cetr_actions::status.eq_any(ActionStatus::open()))
        .select(cetr_actions::id)
        .load(conn)?;
    if !ids.is_empty() {
        diesel::update(cetr_actions::table.filter(cetr_actions::id.eq_any(&ids)))
            .set((
                cetr_actions::owner_id.eq(to),
                cetr_actions::version.eq(cetr_actions::version + 1),
                cetr_actions::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(ids)
}
