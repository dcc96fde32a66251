use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{admissions, oversight_visits};
use crate::db::AnyConnection;
use crate::domain::inpatient::{DischargeDestination, Setting};
use crate::domain::inpatient_data::{AdmissionReason, Advocacy, LegalStatusCode, WardType};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = admissions)]
pub struct AdmissionRow {
    pub id: String,
    pub person_id: String,
    pub register_entry_id: Option<String>,
    pub admitted_on: NaiveDate,
    pub hospital: String,
    pub setting: Setting,
    pub legal_status: Option<String>,
    pub discharged_on: Option<NaiveDate>,
    pub discharge_destination: Option<DischargeDestination>,
    pub next_cetr_due: Option<NaiveDate>,
    pub next_visit_due: Option<NaiveDate>,
    pub recorded_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub provider_ods: Option<String>,
    pub hospital_ods: Option<String>,
    pub hospital_icb: Option<String>,
    pub ward_type: Option<WardType>,
    pub legal_status_code: Option<LegalStatusCode>,
    pub admission_reason: Option<AdmissionReason>,
    pub advocacy: Option<Advocacy>,
    pub lts_started_on: Option<NaiveDate>,
    pub lts_ended_on: Option<NaiveDate>,
    pub clinically_ready_on: Option<NaiveDate>,
    /// A JSON list of delay reason codes.
    pub delay_reasons: String,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = admissions)]
pub struct AdmissionChanges {
    pub hospital: Option<String>,
    pub setting: Option<Setting>,
    pub legal_status: Option<Option<String>>,
    pub discharged_on: Option<Option<NaiveDate>>,
    pub discharge_destination: Option<Option<DischargeDestination>>,
    pub next_cetr_due: Option<Option<NaiveDate>>,
    pub next_visit_due: Option<Option<NaiveDate>>,
    pub provider_ods: Option<Option<String>>,
    pub hospital_ods: Option<Option<String>>,
    pub hospital_icb: Option<Option<String>>,
    pub ward_type: Option<Option<WardType>>,
    pub legal_status_code: Option<Option<LegalStatusCode>>,
    pub admission_reason: Option<Option<AdmissionReason>>,
    pub advocacy: Option<Option<Advocacy>>,
    pub lts_started_on: Option<Option<NaiveDate>>,
    pub lts_ended_on: Option<Option<NaiveDate>>,
    pub clinically_ready_on: Option<Option<NaiveDate>>,
    pub delay_reasons: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oversight_visits)]
pub struct VisitRow {
    pub id: String,
    pub admission_id: String,
    pub visited_on: NaiveDate,
    pub visitor: String,
    pub notes: Option<String>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
    pub concerns: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, row: &AdmissionRow) -> QueryResult<()> {
    diesel::insert_into(admissions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<AdmissionRow> {
    admissions::table
        .find(id)
        .select(AdmissionRow::as_select())
        .first(conn)
}

pub fn open_for_person(
    conn: &mut AnyConnection,
    person_id: &str,
) -> QueryResult<Option<AdmissionRow>> {
    admissions::table
        .filter(admissions::person_id.eq(person_id))
        .filter(admissions::discharged_on.is_null())
        .select(AdmissionRow::as_select())
        .first(conn)
        .optional()
}

/// The person's admissions, newest first.
pub fn for_person(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Vec<AdmissionRow>> {
    admissions::table
        .filter(admissions::person_id.eq(person_id))
        .order((admissions::admitted_on.desc(), admissions::id.desc()))
        .select(AdmissionRow::as_select())
        .load(conn)
}

crate::db::versioned::versioned_update!(update_if_version, admissions, AdmissionChanges);

/// Sets a derived due date (not a change by a person: no version bump).
pub fn set_next_cetr_due(
    conn: &mut AnyConnection,
    id: &str,
    due: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(admissions::table.find(id))
        .set(admissions::next_cetr_due.eq(due))
        .execute(conn)?;
    Ok(())
}

pub fn set_next_visit_due(
    conn: &mut AnyConnection,
    id: &str,
    due: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(admissions::table.find(id))
        .set(admissions::next_visit_due.eq(due))
        .execute(conn)?;
    Ok(())
}

pub fn insert_visit(conn: &mut AnyConnection, row: &VisitRow) -> QueryResult<()> {
    diesel::insert_into(oversight_visits::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Visits, newest first.
pub fn visits(conn: &mut AnyConnection, admission_id: &str) -> QueryResult<Vec<VisitRow>> {
    oversight_visits::table
        .filter(oversight_visits::admission_id.eq(admission_id))
        .order((
            oversight_visits::visited_on.desc(),
            oversight_visits::id.desc(),
        ))
        .select(VisitRow::as_select())
        .load(conn)
}

pub fn last_visit_on(
    conn: &mut AnyConnection,
    admission_id: &str,
) -> QueryResult<Option<NaiveDate>> {
    oversight_visits::table
        .filter(oversight_visits::admission_id.eq(admission_id))
        .select(diesel::dsl::max(oversight_visits::visited_on))
        .first(conn)
}

/// One of this admission's oversight visits.
pub fn get_visit(
    conn: &mut AnyConnection,
    admission_id: &str,
    visit_id: &str,
) -> QueryResult<VisitRow> {
    oversight_visits::table
        .filter(oversight_visits::admission_id.eq(admission_id))
        .filter(oversight_visits::id.eq(visit_id))
        .select(VisitRow::as_select())
        .first(conn)
}

/// The admission an oversight visit belongs to.
pub fn visit_admission(conn: &mut AnyConnection, visit_id: &str) -> QueryResult<String> {
    oversight_visits::table
        .find(visit_id)
        .select(oversight_visits::admission_id)
        .first(conn)
}
