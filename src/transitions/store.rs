use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::transition_plans;
use crate::db::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = transition_plans, treat_none_as_null = true)]
pub struct PlanRow {
    pub person_id: String,
    pub adult_team: String,
    pub education_status: String,
    pub planned_handover_on: NaiveDate,
    pub notes: Option<String>,
    pub version: i32,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn get(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Option<PlanRow>> {
    transition_plans::table
        .find(person_id)
        .select(PlanRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, row: &PlanRow) -> QueryResult<()> {
    diesel::insert_into(transition_plans::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Replaces the plan if it is still at `expected_version`; false when it has moved on.
pub fn replace(
    conn: &mut AnyConnection,
    row: &PlanRow,
    expected_version: i32,
) -> QueryResult<bool> {
    let affected = diesel::update(
        transition_plans::table
            .filter(transition_plans::person_id.eq(&row.person_id))
            .filter(transition_plans::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    Ok(affected == 1)
}
