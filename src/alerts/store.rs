use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::access::AlertScope;
use crate::db::schema::{alerts, people};
use crate::db::AnyConnection;
use crate::domain::alerts::AlertKind;
use crate::domain::alerts::AlertStatus;
use crate::http::Page;

type Backend = <AnyConnection as diesel::Connection>::Backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
// NULL, never DEFAULT, for `None`: batches are then one multi-row INSERT on SQLite too.
#[diesel(table_name = alerts, treat_none_as_default_value = false)]
pub struct AlertRow {
    pub id: String,
    pub kind: AlertKind,
    pub subject_type: String,
    pub subject_id: String,
    /// None for an alert about a referral not yet accepted (no person record yet).
    pub person_id: Option<String>,
    pub register_entry_id: Option<String>,
    pub due_on: NaiveDate,
    pub days_overdue: i32,
    pub level: i32,
    pub status: AlertStatus,
    pub assignee_id: Option<String>,
    pub raised_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
    pub acknowledge_note: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// Every open (or acknowledged) alert: as many as there are overdue obligations. For the
/// sweep, which must go on past a bad row: an open alert of a kind this build does not know
/// is logged, counted and left out, never allowed to fail the whole load.
pub fn open_alerts(conn: &mut AnyConnection) -> QueryResult<Vec<AlertRow>> {
    let unknown: Vec<(String, String)> = alerts::table
        .filter(alerts::status.eq_any(AlertStatus::OPEN))
        .filter(alerts::kind.ne_all(AlertKind::ALL))
        .select((alerts::id, alerts::kind))
        .load(conn)?;
    for (id, kind) in &unknown {
        crate::db::types::skip_unreadable("alerts.kind", id, kind);
    }
    alerts::table
        .filter(alerts::status.eq_any(AlertStatus::OPEN))
        .filter(alerts::kind.eq_any(AlertKind::ALL))
        .select(AlertRow::as_select())
        .load(conn)
}

pub fn insert_all(conn: &mut AnyConnection, rows: &[AlertRow]) -> QueryResult<()> {
    match conn {
        AnyConnection::Postgresql(pg) => rows.chunks(10_000).try_for_each(|c| insert_pg(pg, c)),
        AnyConnection::Sqlite(_) => rows
            .chunks(500)
            .try_for_each(|chunk| crate::insert_batch!(conn, alerts::table, chunk).map(drop)),
    }
}

/// PostgreSQL: one array per column through `unnest`, one statement for a whole sweep's new
/// alerts (VALUES lists of 500 rows, 8,500 parameters each, took 0.3 s for 6,920 alerts).
fn insert_pg(conn: &mut diesel::PgConnection, rows: &[AlertRow]) -> QueryResult<()> {
    use diesel::sql_types::{Array, Date, Integer, Nullable, Text, Timestamp};
    diesel::sql_query(
        "INSERT INTO alerts (id, kind, subject_type, subject_id, person_id, register_entry_id, \
         due_on, days_overdue, level, status, assignee_id, raised_at, acknowledged_at, \
         acknowledged_by, acknowledge_note, resolved_at, updated_at) SELECT * FROM unnest(\
         $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], \
         $8::int[], $9::int[], $10::text[], $11::text[], $12::timestamp[], $13::timestamp[], \
         $14::text[], $15::text[], $16::timestamp[], $17::timestamp[])",
    )
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.id.clone()))
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.kind))
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.subject_type.clone()))
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.subject_id.clone()))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.person_id.clone()))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.register_entry_id.clone()))
    .bind::<Array<Date>, _>(crate::db::column(rows, |r| r.due_on))
    .bind::<Array<Integer>, _>(crate::db::column(rows, |r| r.days_overdue))
    .bind::<Array<Integer>, _>(crate::db::column(rows, |r| r.level))
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.status))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.assignee_id.clone()))
    .bind::<Array<Timestamp>, _>(crate::db::column(rows, |r| r.raised_at))
    .bind::<Array<Nullable<Timestamp>>, _>(crate::db::column(rows, |r| r.acknowledged_at))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.acknowledged_by.clone()))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.acknowledge_note.clone()))
    .bind::<Array<Nullable<Timestamp>>, _>(crate::db::column(rows, |r| r.resolved_at))
    .bind::<Array<Timestamp>, _>(crate::db::column(rows, |r| r.updated_at))
    .execute(conn)
    .map(drop)
}

/// Written whole: a responsible person or entry that is gone must become NULL, not be kept.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = alerts, treat_none_as_null = true)]
pub struct AlertProgress {
    pub due_on: NaiveDate,
    pub days_overdue: i32,
    pub level: i32,
    pub assignee_id: Option<String>,
    pub register_entry_id: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn update_progress(
    conn: &mut AnyConnection,
    id: &str,
    progress: &AlertProgress,
) -> QueryResult<()> {
    diesel::update(alerts::table.find(id))
        .set(progress)
        .execute(conn)?;
    Ok(())
}

pub fn resolve(conn: &mut AnyConnection, ids: &[String], now: NaiveDateTime) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::update(
            alerts::table
                .filter(alerts::id.eq_any(chunk))
                .filter(alerts::status.eq_any(AlertStatus::OPEN)),
        )
        .set((
            alerts::status.eq(AlertStatus::Resolved),
            alerts::resolved_at.eq(now),
            alerts::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    Ok(n)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<AlertRow> {
    alerts::table
        .find(id)
        .select(AlertRow::as_select())
        .first(conn)
}

pub fn find_many(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<AlertRow>> {
    alerts::table
        .filter(alerts::id.eq_any(ids))
        .select(AlertRow::as_select())
        .load(conn)
}

/// Acknowledges an open alert; false when it is not open any more.
pub fn acknowledge(
    conn: &mut AnyConnection,
    id: &str,
    by: &str,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        alerts::table
            .filter(alerts::id.eq(id))
            .filter(alerts::status.eq(AlertStatus::Open)),
    )
    .set((
        alerts::status.eq(AlertStatus::Acknowledged),
        alerts::acknowledged_at.eq(now),
        alerts::acknowledged_by.eq(by),
        alerts::acknowledge_note.eq(note),
        alerts::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Open alerts by kind, for the metrics.
pub fn open_counts_by_kind(conn: &mut AnyConnection) -> QueryResult<Vec<(String, i64)>> {
    alerts::table
        .filter(alerts::status.eq_any(AlertStatus::OPEN))
        .group_by(alerts::kind)
        .select((alerts::kind, diesel::dsl::count_star()))
        .load(conn)
}

/// Who may see which alerts.

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub statuses: Vec<AlertStatus>,
    pub kinds: Vec<AlertKind>,
    pub level: Option<i32>,
    pub assignee_id: Option<String>,
    pub person_id: Option<String>,
}

// A left join: an alert about a referral not yet accepted has no person.
type Joined = diesel::dsl::LeftJoin<alerts::table, people::table>;

fn filtered<'a>(
    filter: &'a AlertFilter,
    scope: &'a AlertScope,
) -> diesel::dsl::IntoBoxed<'a, Joined, Backend> {
    let mut query = alerts::table.left_join(people::table).into_boxed();
    if !filter.statuses.is_empty() {
        query = query.filter(alerts::status.eq_any(&filter.statuses));
    }
    if !filter.kinds.is_empty() {
        query = query.filter(alerts::kind.eq_any(&filter.kinds));
    }
    if let Some(level) = filter.level {
        query = query.filter(alerts::level.eq(level));
    }
    if let Some(a) = &filter.assignee_id {
        query = query.filter(alerts::assignee_id.eq(a));
    }
    if let Some(p) = &filter.person_id {
        query = query.filter(alerts::person_id.eq(p));
    }
    match scope {
        AlertScope::All => {}
        AlertScope::AssignedTo(me) => query = query.filter(alerts::assignee_id.eq(me)),
        AlertScope::Caseload(me) => query = query.filter(crate::auth::access::on_caseload_of(me)),
    }
    query
}

/// Most overdue first.
pub fn list(
    conn: &mut AnyConnection,
    filter: &AlertFilter,
    scope: &AlertScope,
    page: Page,
) -> QueryResult<(Vec<AlertRow>, i64)> {
    let total = filtered(filter, scope).count().get_result(conn)?;
    let rows = filtered(filter, scope)
        .order((alerts::days_overdue.desc(), alerts::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(AlertRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Whether `scope` may see this alert (for single reads and acknowledging).
pub fn visible(
    conn: &mut AnyConnection,
    alert: &AlertRow,
    scope: &AlertScope,
) -> QueryResult<bool> {
    let (lead, cyp): (Option<String>, Option<String>) = match (scope, &alert.person_id) {
        (AlertScope::Caseload(_), Some(person)) => people::table
            .find(person)
            .select((people::keyworker_id, people::cyp_keyworker_id))
            .first(conn)
            .optional()?
            .unwrap_or_default(),
        _ => (None, None),
    };
    // A keyworker sees alerts about the people they are named lead worker or CYP keyworker of.
    let assignee = alert.assignee_id.as_deref();
    Ok(scope.sees(assignee, lead.as_deref()) || scope.sees(assignee, cyp.as_deref()))
}
