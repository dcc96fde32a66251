use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::InvolvementRole;
use crate::db::schema::involvements;
use crate::db::AnyConnection;
use crate::http::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = involvements)]
pub struct InvolvementRow {
    pub id: String,
    pub person_id: String,
    pub name: String,
    pub organisation: String,
    pub role: InvolvementRole,
    pub contact: Option<String>,
    pub from_on: NaiveDate,
    pub to_on: Option<NaiveDate>,
    pub version: i32,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = involvements)]
pub struct InvolvementChanges {
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub role: Option<InvolvementRole>,
    pub contact: Option<Option<String>>,
    pub from_on: Option<NaiveDate>,
    pub to_on: Option<Option<NaiveDate>>,
}

pub fn insert(conn: &mut AnyConnection, row: &InvolvementRow) -> QueryResult<()> {
    diesel::insert_into(involvements::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<InvolvementRow> {
    involvements::table
        .find(id)
        .select(InvolvementRow::as_select())
        .first(conn)
}

/// The person's involvements, those with no end date first, then the latest started, and
/// how many there are.
pub fn list(
    conn: &mut AnyConnection,
    person_id: &str,
    page: Page,
) -> QueryResult<(Vec<InvolvementRow>, i64)> {
    let total = involvements::table
        .filter(involvements::person_id.eq(person_id))
        .count()
        .get_result(conn)?;
    let rows = involvements::table
        .filter(involvements::person_id.eq(person_id))
        .order((
            involvements::to_on.is_not_null(),
            involvements::from_on.desc(),
            involvements::id.desc(),
        ))
        .limit(page.limit)
        .offset(page.offset)
        .select(InvolvementRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

crate::db::versioned::versioned_update!(update_if_version, involvements, InvolvementChanges);
