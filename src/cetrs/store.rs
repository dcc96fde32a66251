use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::cetrs::model::ActionStatus;
use crate::db::schema::{cetr_actions, cetrs, people};
use crate::db::AnyConnection;
use crate::domain::inpatient::{CetrKind, LaepOutcome};
use crate::http::Page;

type Backend = <AnyConnection as diesel::Connection>::Backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cetrs)]
pub struct CetrRow {
    pub id: String,
    pub person_id: String,
    pub admission_id: Option<String>,
    pub kind: CetrKind,
    pub held_on: NaiveDate,
    pub panel: String,
    pub summary: String,
    pub outcome: Option<String>,
    pub next_due: Option<NaiveDate>,
    pub recorded_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// JSON list of the agencies present (a LAEP's; `[]` for other kinds).
    pub agencies: String,
    pub laep_outcome: Option<LaepOutcome>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = cetrs)]
pub struct CetrChanges {
    pub held_on: Option<NaiveDate>,
    pub panel: Option<String>,
    pub summary: Option<String>,
    pub outcome: Option<Option<String>>,
    pub agencies: Option<String>,
    pub laep_outcome: Option<Option<LaepOutcome>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cetr_actions)]
pub struct ActionRow {
    pub id: String,
    pub cetr_id: String,
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
}

pub fn insert(conn: &mut AnyConnection, row: &CetrRow) -> QueryResult<()> {
    diesel::insert_into(cetrs::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<CetrRow> {
    cetrs::table
        .find(id)
        .select(CetrRow::as_select())
        .first(conn)
}

/// The person's C(E)TRs, newest first.
pub fn for_person(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Vec<CetrRow>> {
    cetrs::table
        .filter(cetrs::person_id.eq(person_id))
        .order((cetrs::held_on.desc(), cetrs::id.desc()))
        .select(CetrRow::as_select())
        .load(conn)
}

crate::db::versioned::versioned_update!(update_if_version, cetrs, CetrChanges);

pub fn set_next_due(conn: &mut AnyConnection, id: &str, due: Option<NaiveDate>) -> QueryResult<()> {
    diesel::update(cetrs::table.find(id))
        .set(cetrs::next_due.eq(due))
        .execute(conn)?;
    Ok(())
}

/// The latest inpatient C(E)TR held during this admission: it sets the repeat clock.
pub fn last_inpatient_held_on(
    conn: &mut AnyConnection,
    admission_id: &str,
) -> QueryResult<Option<NaiveDate>> {
    cetrs::table
        .filter(cetrs::admission_id.eq(admission_id))
        .filter(cetrs::kind.eq_any(CetrKind::inpatient_kinds()))
        .select(diesel::dsl::max(cetrs::held_on))
        .first(conn)
}

/// The newest C(E)TR of this admission (whose `next_due` shows the clock).
pub fn latest_for_admission(
    conn: &mut AnyConnection,
    admission_id: &str,
) -> QueryResult<Option<CetrRow>> {
    cetrs::table
        .filter(cetrs::admission_id.eq(admission_id))
        .filter(cetrs::kind.eq_any(CetrKind::inpatient_kinds()))
        .order((cetrs::held_on.desc(), cetrs::id.desc()))
        .select(CetrRow::as_select())
        .first(conn)
        .optional()
}

/// The latest community C(E)TR or LAEP for the person.
pub fn last_community_held_on(
    conn: &mut AnyConnection,
    person_id: &str,
) -> QueryResult<Option<NaiveDate>> {
    cetrs::table
        .filter(cetrs::person_id.eq(person_id))
        .filter(cetrs::kind.eq_any(CetrKind::community_kinds()))
        .select(diesel::dsl::max(cetrs::held_on))
        .first(conn)
}

pub fn insert_action(conn: &mut AnyConnection, row: &ActionRow) -> QueryResult<()> {
    diesel::insert_into(cetr_actions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get_action(conn: &mut AnyConnection, id: &str) -> QueryResult<ActionRow> {
    cetr_actions::table
        .find(id)
        .select(ActionRow::as_select())
        .first(conn)
}

/// Actions of these C(E)TRs, in one query.
pub fn actions_of(conn: &mut AnyConnection, cetr_ids: &[String]) -> QueryResult<Vec<ActionRow>> {
    if cetr_ids.is_empty() {
        return Ok(Vec::new());
    }
    cetr_actions::table
        .filter(cetr_actions::cetr_id.eq_any(cetr_ids))
        .order((cetr_actions::due_on.asc(), cetr_actions::id.asc()))
        .select(ActionRow::as_select())
        .load(conn)
}

crate::db::versioned::versioned_update!(update_action_if_version, cetr_actions, ActionChanges);

#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub owner_id: Option<String>,
    pub statuses: Vec<ActionStatus>,
    pub person_id: Option<String>,
    /// Past due (before this date) and not done or cancelled.
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
    if let Some(person) = &filter.person_id {
        query = query.filter(cetr_actions::person_id.eq(person));
    }
    if let Some(before) = filter.overdue_before {
        query = query
            .filter(cetr_actions::due_on.lt(before))
            .filter(cetr_actions::status.ne_all(["done", "cancelled"]));
    }
    if let Some(kw) = &filter.caseload_of {
        query = query.filter(people::keyworker_id.eq(kw));
    }
    query
}

/// Soonest due first.
pub fn list_actions(
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
pub fn hand_over_open_actions(
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
