use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::contacts::model::ContactKind;
use crate::db::schema::contacts;
use crate::db::AnyConnection;
use crate::http::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: String,
    pub person_id: String,
    pub occurred_at: NaiveDateTime,
    pub kind: ContactKind,
    pub summary: String,
    pub with_whom: Option<String>,
    pub corrects_id: Option<String>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, row: &ContactRow) -> QueryResult<()> {
    diesel::insert_into(contacts::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn person_of(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<String>> {
    contacts::table
        .find(id)
        .select(contacts::person_id)
        .first(conn)
        .optional()
}

/// The person's contacts, newest first, and how many there are.
pub fn list(
    conn: &mut AnyConnection,
    person_id: &str,
    page: Page,
) -> QueryResult<(Vec<ContactRow>, i64)> {
    let total = contacts::table
        .filter(contacts::person_id.eq(person_id))
        .count()
        .get_result(conn)?;
    let rows = contacts::table
        .filter(contacts::person_id.eq(person_id))
        .order((contacts::occurred_at.desc(), contacts::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(ContactRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// For each of `ids`, the newest contact that corrects it.
pub fn corrections_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pairs: Vec<(Option<String>, String)> = contacts::table
        .filter(contacts::corrects_id.eq_any(ids))
        .order((contacts::created_at.asc(), contacts::id.asc()))
        .select((contacts::corrects_id, contacts::id))
        .load(conn)?;
    Ok(pairs
        .into_iter()
        .filter_map(|(corrects, id)| corrects.map(|c| (c, id)))
        .collect())
}

pub fn get(conn: &mut AnyConnection, person_id: &str, id: &str) -> QueryResult<ContactRow> {
    contacts::table
        .filter(contacts::person_id.eq(person_id))
        .filter(contacts::id.eq(id))
        .select(ContactRow::as_select())
        .first(conn)
}
