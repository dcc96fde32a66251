use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::keyworker_assignments as ka;
use crate::db::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ka)]
pub struct AssignmentRow {
    pub id: String,
    pub person_id: String,
    pub user_id: String,
    pub from_on: NaiveDate,
    pub to_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub assigned_by: String,
    pub ended_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn current(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Option<AssignmentRow>> {
    ka::table
        .filter(ka::person_id.eq(person_id))
        .filter(ka::to_on.is_null())
        .select(AssignmentRow::as_select())
        .first(conn)
        .optional()
}

/// Ends the current assignment on `on`; returns how many ended (0 or 1).
pub fn end_current(
    conn: &mut AnyConnection,
    person_id: &str,
    on: NaiveDate,
    ended_by: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(
        ka::table
            .filter(ka::person_id.eq(person_id))
            .filter(ka::to_on.is_null()),
    )
    .set((ka::to_on.eq(on), ka::ended_by.eq(ended_by)))
    .execute(conn)
}

pub fn insert(conn: &mut AnyConnection, row: &AssignmentRow) -> QueryResult<()> {
    diesel::insert_into(ka::table).values(row).execute(conn)?;
    Ok(())
}

/// Every assignment of the person, oldest first.
pub fn history(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Vec<AssignmentRow>> {
    ka::table
        .filter(ka::person_id.eq(person_id))
        .order((ka::from_on.asc(), ka::created_at.asc(), ka::id.asc()))
        .select(AssignmentRow::as_select())
        .load(conn)
}
