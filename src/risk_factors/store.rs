use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::risk_factors;
use crate::db::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = risk_factors)]
pub struct RiskFactorRow {
    pub id: String,
    pub register_entry_id: String,
    pub code: String,
    pub noted_on: NaiveDate,
    pub note: Option<String>,
    pub ended_on: Option<NaiveDate>,
    pub version: i32,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = risk_factors)]
pub struct RiskFactorChanges {
    pub note: Option<Option<String>>,
    pub ended_on: Option<Option<NaiveDate>>,
}

pub fn insert(conn: &mut AnyConnection, row: &RiskFactorRow) -> QueryResult<()> {
    diesel::insert_into(risk_factors::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<RiskFactorRow> {
    risk_factors::table
        .find(id)
        .select(RiskFactorRow::as_select())
        .first(conn)
}

/// The entry's factors: current ones first, then the latest noted.
pub fn for_entry(conn: &mut AnyConnection, entry_id: &str) -> QueryResult<Vec<RiskFactorRow>> {
    risk_factors::table
        .filter(risk_factors::register_entry_id.eq(entry_id))
        .order((
            risk_factors::ended_on.is_not_null(),
            risk_factors::noted_on.desc(),
            risk_factors::id.desc(),
        ))
        .select(RiskFactorRow::as_select())
        .load(conn)
}

/// The current factor of this code on the entry, if there is one.
pub fn current_with_code(
    conn: &mut AnyConnection,
    entry_id: &str,
    code: &str,
) -> QueryResult<Option<RiskFactorRow>> {
    risk_factors::table
        .filter(risk_factors::register_entry_id.eq(entry_id))
        .filter(risk_factors::code.eq(code))
        .filter(risk_factors::ended_on.is_null())
        .select(RiskFactorRow::as_select())
        .first(conn)
        .optional()
}

/// The current codes of each of these entries (one query for a page of the register), in
/// the order they were noted.
pub fn current_codes(
    conn: &mut AnyConnection,
    entry_ids: &[&str],
) -> QueryResult<HashMap<String, Vec<String>>> {
    let mut codes: HashMap<String, Vec<String>> = HashMap::new();
    if entry_ids.is_empty() {
        return Ok(codes);
    }
    let rows: Vec<(String, String)> = risk_factors::table
        .filter(risk_factors::register_entry_id.eq_any(entry_ids))
        .filter(risk_factors::ended_on.is_null())
        .order((risk_factors::noted_on.asc(), risk_factors::id.asc()))
        .select((risk_factors::register_entry_id, risk_factors::code))
        .load(conn)?;
    for (entry, code) in rows {
        codes.entry(entry).or_default().push(code);
    }
    Ok(codes)
}

crate::db::versioned::versioned_update!(update_if_version, risk_factors, RiskFactorChanges);
