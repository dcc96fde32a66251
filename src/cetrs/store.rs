use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::cetrs;
use crate::db::AnyConnection;
use crate::domain::inpatient::{CetrKind, LaepOutcome};

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
