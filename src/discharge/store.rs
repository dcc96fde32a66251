use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{discharge_plan_reviews, discharge_plans, discharge_points};
use crate::db::AnyConnection;
use crate::domain::discharge::PointStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = discharge_plans)]
pub struct PlanRow {
    pub id: String,
    pub admission_id: String,
    pub person_id: String,
    pub planned_discharge_date: Option<NaiveDate>,
    pub review_cycle_days: i32,
    pub last_review_on: Option<NaiveDate>,
    pub next_review_due: NaiveDate,
    pub complete_count: i32,
    pub closed_count: i32,
    pub frozen_on: Option<NaiveDate>,
    pub created_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = discharge_plans)]
pub struct PlanChanges {
    pub planned_discharge_date: Option<Option<NaiveDate>>,
    pub review_cycle_days: Option<i32>,
    pub last_review_on: Option<Option<NaiveDate>>,
    pub next_review_due: Option<NaiveDate>,
    pub complete_count: Option<i32>,
    pub closed_count: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = discharge_points)]
pub struct PointRow {
    pub id: String,
    pub plan_id: String,
    pub number: i32,
    pub title: String,
    pub status: PointStatus,
    pub owner_id: Option<String>,
    pub target_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = discharge_points)]
pub struct PointChanges {
    pub status: Option<PointStatus>,
    pub owner_id: Option<Option<String>>,
    pub target_date: Option<Option<NaiveDate>>,
    pub notes: Option<Option<String>>,
    pub completed_on: Option<Option<NaiveDate>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = discharge_plan_reviews)]
pub struct PlanReviewRow {
    pub id: String,
    pub plan_id: String,
    pub reviewed_on: NaiveDate,
    pub summary: String,
    pub next_review_due: NaiveDate,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, plan: &PlanRow, points: &[PointRow]) -> QueryResult<()> {
    diesel::insert_into(discharge_plans::table)
        .values(plan)
        .execute(conn)?;
    crate::insert_batch!(conn, discharge_points::table, points)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<PlanRow> {
    discharge_plans::table
        .find(id)
        .select(PlanRow::as_select())
        .first(conn)
}

pub fn for_admission(conn: &mut AnyConnection, admission_id: &str) -> QueryResult<Option<PlanRow>> {
    discharge_plans::table
        .filter(discharge_plans::admission_id.eq(admission_id))
        .select(PlanRow::as_select())
        .first(conn)
        .optional()
}

pub fn points(conn: &mut AnyConnection, plan_id: &str) -> QueryResult<Vec<PointRow>> {
    discharge_points::table
        .filter(discharge_points::plan_id.eq(plan_id))
        .order(discharge_points::number.asc())
        .select(PointRow::as_select())
        .load(conn)
}

pub fn get_point(conn: &mut AnyConnection, plan_id: &str, number: i32) -> QueryResult<PointRow> {
    discharge_points::table
        .filter(discharge_points::plan_id.eq(plan_id))
        .filter(discharge_points::number.eq(number))
        .select(PointRow::as_select())
        .first(conn)
}

pub fn update_point(
    conn: &mut AnyConnection,
    id: &str,
    changes: &PointChanges,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(discharge_points::table.find(id))
        .set((changes, discharge_points::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

crate::db::versioned::versioned_update!(update_if_version, discharge_plans, PlanChanges);

pub fn freeze(
    conn: &mut AnyConnection,
    id: &str,
    on: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(discharge_plans::table.find(id))
        .set((
            discharge_plans::frozen_on.eq(on),
            discharge_plans::version.eq(discharge_plans::version + 1),
            discharge_plans::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_review(conn: &mut AnyConnection, row: &PlanReviewRow) -> QueryResult<()> {
    diesel::insert_into(discharge_plan_reviews::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Reviews, newest first.
pub fn reviews(conn: &mut AnyConnection, plan_id: &str) -> QueryResult<Vec<PlanReviewRow>> {
    discharge_plan_reviews::table
        .filter(discharge_plan_reviews::plan_id.eq(plan_id))
        .order((
            discharge_plan_reviews::reviewed_on.desc(),
            discharge_plan_reviews::id.desc(),
        ))
        .select(PlanReviewRow::as_select())
        .load(conn)
}

/// The open points `owner` owns in plans still running, with each plan's person, soonest
/// target first (points without a target last).
pub fn open_points_owned_by(
    conn: &mut AnyConnection,
    owner: &str,
) -> QueryResult<Vec<(PointRow, String)>> {
    let mut rows: Vec<(PointRow, String)> = discharge_points::table
        .inner_join(discharge_plans::table)
        .filter(discharge_points::owner_id.eq(owner))
        .filter(discharge_points::status.eq_any(PointStatus::open()))
        .filter(discharge_plans::frozen_on.is_null())
        .select((PointRow::as_select(), discharge_plans::person_id))
        .limit(500)
        .load(conn)?;
    rows.sort_by_key(|(p, _)| (p.target_date.is_none(), p.target_date, p.number));
    Ok(rows)
}

/// Passes the open points owned by `from` in the person's plans to `to` (`None`: unowned);
/// each plan touched moves to a new version (points share their plan's ETag). Returns the
/// points' ids.
pub fn hand_over_open_points(
    conn: &mut AnyConnection,
    person_id: &str,
    from: &str,
    to: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    let found: Vec<(String, String)> = discharge_points::table
        .inner_join(discharge_plans::table)
        .filter(discharge_plans::person_id.eq(person_id))
        .filter(discharge_points::owner_id.eq(from))
        .filter(discharge_points::status.eq_any(PointStatus::open()))
        .select((discharge_points::id, discharge_points::plan_id))
        .load(conn)?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let (ids, mut plans): (Vec<String>, Vec<String>) = found.into_iter().unzip();
    plans.sort();
    plans.dedup();
    diesel::update(discharge_points::table.filter(discharge_points::id.eq_any(&ids)))
        .set((
            discharge_points::owner_id.eq(to),
            discharge_points::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(discharge_plans::table.filter(discharge_plans::id.eq_any(&plans)))
        .set((
            discharge_plans::version.eq(discharge_plans::version + 1),
            discharge_plans::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(ids)
}
