use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    dsr_reviews, people, rag_history, register_entries, risk_factors, sequences,
};
use crate::db::AnyConnection;
use crate::domain::person::{latest_birth_date_for_age, AgeGroup};
use crate::domain::register::{ClosureReason, EntryStatus};
use crate::domain::Rag;
use crate::http::Page;
use crate::people::store::{search_condition, PersonRow, Search};

type Backend = <AnyConnection as diesel::Connection>::Backend;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = register_entries)]
pub struct EntryRow {
    pub id: String,
    pub reference: String,
    pub reference_number: i64,
    pub person_id: String,
    pub status: EntryStatus,
    pub rag: Rag,
    pub rag_rank: i32,
    pub rag_changed_on: NaiveDate,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    pub closure_note: Option<String>,
    pub risk_summary: String,
    pub referral_source: Option<String>,
    pub consent_note: Option<String>,
    pub last_review_on: Option<NaiveDate>,
    pub next_review_due: NaiveDate,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub next_cetr_due: Option<NaiveDate>,
    pub discharge_points_complete: Option<i32>,
    pub open_alerts: i32,
    pub what_has_been_tried: Option<String>,
    pub what_would_help: Option<String>,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = register_entries)]
pub struct EntryChanges {
    pub status: Option<EntryStatus>,
    pub rag: Option<Rag>,
    pub rag_rank: Option<i32>,
    pub rag_changed_on: Option<NaiveDate>,
    pub closed_on: Option<Option<NaiveDate>>,
    pub closure_reason: Option<Option<ClosureReason>>,
    pub closure_note: Option<Option<String>>,
    pub risk_summary: Option<String>,
    pub referral_source: Option<Option<String>>,
    pub last_review_on: Option<Option<NaiveDate>>,
    pub next_review_due: Option<NaiveDate>,
    pub next_cetr_due: Option<Option<NaiveDate>>,
    pub what_has_been_tried: Option<Option<String>>,
    pub what_would_help: Option<Option<String>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rag_history)]
pub struct RagHistoryRow {
    pub id: String,
    pub register_entry_id: String,
    pub from_rag: Option<Rag>,
    pub to_rag: Rag,
    pub reason: String,
    pub changed_by: Option<String>,
    pub changed_at: NaiveDateTime,
    pub changed_on: NaiveDate,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = dsr_reviews)]
pub struct ReviewRow {
    pub id: String,
    pub register_entry_id: String,
    pub reviewed_on: NaiveDate,
    pub rag: Rag,
    pub attendees: String,
    pub summary: String,
    pub next_review_due: NaiveDate,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

/// The next register reference number. Must run inside the write transaction that uses it:
/// the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) serialises callers,
/// and a rollback returns the number, so references have no gaps and no duplicates.
pub fn next_reference_number(conn: &mut AnyConnection) -> QueryResult<i64> {
    diesel::update(sequences::table.find("register_reference"))
        .set(sequences::value.eq(sequences::value + 1))
        .execute(conn)?;
    sequences::table
        .find("register_reference")
        .select(sequences::value)
        .first(conn)
}

pub fn insert(conn: &mut AnyConnection, row: &EntryRow) -> QueryResult<()> {
    diesel::insert_into(register_entries::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<EntryRow> {
    register_entries::table
        .find(id)
        .select(EntryRow::as_select())
        .first(conn)
}

/// Every entry of the person, open or closed, oldest first, with the person.
pub fn for_person(
    conn: &mut AnyConnection,
    person_id: &str,
) -> QueryResult<Vec<(EntryRow, PersonRow)>> {
    register_entries::table
        .inner_join(people::table)
        .filter(register_entries::person_id.eq(person_id))
        .order((
            register_entries::opened_on.asc(),
            register_entries::id.asc(),
        ))
        .select((EntryRow::as_select(), PersonRow::as_select()))
        .load(conn)
}

pub fn active_for_person(
    conn: &mut AnyConnection,
    person_id: &str,
) -> QueryResult<Option<EntryRow>> {
    register_entries::table
        .filter(register_entries::person_id.eq(person_id))
        .filter(register_entries::status.eq(EntryStatus::Active))
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

crate::db::versioned::versioned_update!(update_if_version, register_entries, EntryChanges);

pub fn insert_history(conn: &mut AnyConnection, row: &RagHistoryRow) -> QueryResult<()> {
    diesel::insert_into(rag_history::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn history(conn: &mut AnyConnection, entry_id: &str) -> QueryResult<Vec<RagHistoryRow>> {
    rag_history::table
        .filter(rag_history::register_entry_id.eq(entry_id))
        .order((rag_history::changed_at.asc(), rag_history::id.asc()))
        .select(RagHistoryRow::as_select())
        .load(conn)
}

pub fn insert_review(conn: &mut AnyConnection, row: &ReviewRow) -> QueryResult<()> {
    diesel::insert_into(dsr_reviews::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn reviews(conn: &mut AnyConnection, entry_id: &str) -> QueryResult<Vec<ReviewRow>> {
    dsr_reviews::table
        .filter(dsr_reviews::register_entry_id.eq(entry_id))
        .order((dsr_reviews::reviewed_on.desc(), dsr_reviews::id.desc()))
        .select(ReviewRow::as_select())
        .load(conn)
}

/// The entry a DSR review belongs to.
pub fn review_entry(conn: &mut AnyConnection, review_id: &str) -> QueryResult<String> {
    dsr_reviews::table
        .find(review_id)
        .select(dsr_reviews::register_entry_id)
        .first(conn)
}

pub fn get_review(
    conn: &mut AnyConnection,
    entry_id: &str,
    review_id: &str,
) -> QueryResult<ReviewRow> {
    dsr_reviews::table
        .filter(dsr_reviews::register_entry_id.eq(entry_id))
        .filter(dsr_reviews::id.eq(review_id))
        .select(ReviewRow::as_select())
        .first(conn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    NextReviewDue,
    Rag,
    OpenedOn,
    Reference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    pub fn parse(raw: Option<&str>) -> Option<Sort> {
        let raw = raw.unwrap_or("next_review_due");
        let (descending, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        let key = match name {
            "next_review_due" => SortKey::NextReviewDue,
            "rag" => SortKey::Rag,
            "opened_on" => SortKey::OpenedOn,
            "reference" => SortKey::Reference,
            _ => return None,
        };
        Some(Sort { key, descending })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RegisterFilter {
    pub rags: Vec<Rag>,
    /// `None` means every status.
    pub status: Option<EntryStatus>,
    pub area: Option<String>,
    pub age_group: Option<AgeGroup>,
    /// Only people aged 16 to 18.
    pub transition_age: bool,
    pub keyworker_id: Option<String>,
    /// Entries whose next review is before this date.
    pub review_due_before: Option<NaiveDate>,
    /// Entries with at least one open alert.
    pub with_open_alerts: bool,
    pub search: Option<Search>,
    /// Keyworkers see only their own caseload.
    pub caseload_of: Option<String>,
    /// Entries with this reason for risk current.
    pub risk_factor: Option<String>,
}

type Joined = diesel::dsl::InnerJoin<register_entries::table, people::table>;
type JoinedSource = diesel::dsl::InnerJoinQuerySource<register_entries::table, people::table>;

/// The conditions on `register_entries` itself, for the joined list and the plain count.
macro_rules! entry_conditions {
    ($query:expr, $filter:expr) => {{
        let mut query = $query;
        if !$filter.rags.is_empty() {
            query = query.filter(register_entries::rag.eq_any(&$filter.rags));
        }
        if let Some(status) = &$filter.status {
            query = query.filter(register_entries::status.eq(status));
        }
        if let Some(before) = $filter.review_due_before {
            query = query.filter(register_entries::next_review_due.lt(before));
        }
        if $filter.with_open_alerts {
            query = query.filter(register_entries::open_alerts.gt(0));
        }
        if let Some(code) = &$filter.risk_factor {
            query = query.filter(
                register_entries::id.eq_any(
                    risk_factors::table
                        .filter(risk_factors::code.eq(code))
                        .filter(risk_factors::ended_on.is_null())
                        .select(risk_factors::register_entry_id),
                ),
            );
        }
        query
    }};
}

impl RegisterFilter {
    /// Whether any condition is on the person rather than the entry.
    fn touches_people(&self) -> bool {
        self.area.is_some()
            || self.age_group.is_some()
            || self.transition_age
            || self.keyworker_id.is_some()
            || self.caseload_of.is_some()
            || self.search.is_some()
    }
}

fn filtered(
    filter: &RegisterFilter,
    today: NaiveDate,
) -> diesel::dsl::IntoBoxed<'_, Joined, Backend> {
    let mut query = entry_conditions!(
        register_entries::table
            .inner_join(people::table)
            .into_boxed(),
        filter
    );
    if let Some(area) = &filter.area {
        use crate::db::lower;
        query = query.filter(lower(people::area).eq(lower(area.clone())));
    }
    if let Some(group) = filter.age_group {
        // Age groups become date-of-birth ranges, so the filter uses an index.
        let born_by_18 = latest_birth_date_for_age(today, 18);
        let born_by_26 = latest_birth_date_for_age(today, 26);
        query = match group {
            AgeGroup::Child => query.filter(people::date_of_birth.gt(born_by_18)),
            AgeGroup::YoungPerson => query
                .filter(people::date_of_birth.le(born_by_18))
                .filter(people::date_of_birth.gt(born_by_26)),
            AgeGroup::Adult => query.filter(people::date_of_birth.le(born_by_26)),
        };
    }
    if filter.transition_age {
        query = query
            .filter(people::date_of_birth.le(latest_birth_date_for_age(today, 16)))
            .filter(people::date_of_birth.gt(latest_birth_date_for_age(today, 19)));
    }
    if let Some(kw) = &filter.keyworker_id {
        query = query.filter(people::keyworker_id.eq(kw));
    }
    if let Some(kw) = &filter.caseload_of {
        query = query.filter(crate::auth::access::on_caseload_of(kw));
    }
    match &filter.search {
        Some(Search::Person(term)) => query = query.filter(search_condition::<JoinedSource>(term)),
        Some(Search::Reference(number)) => {
            query = query.filter(register_entries::reference_number.eq(*number))
        }
        None => {}
    }
    query
}

/// How many entries match. Without conditions on people the join is left out: every entry
/// has its person, and the count then reads only a covering index (30x faster measured).
fn count(conn: &mut AnyConnection, filter: &RegisterFilter, today: NaiveDate) -> QueryResult<i64> {
    if filter.touches_people() {
        filtered(filter, today).count().get_result(conn)
    } else {
        entry_conditions!(register_entries::table.into_boxed::<Backend>(), filter)
            .count()
            .get_result(conn)
    }
}

/// One page of entries with their people, in one query, and the total.
pub fn list(
    conn: &mut AnyConnection,
    filter: &RegisterFilter,
    sort: Sort,
    page: Page,
    today: NaiveDate,
) -> QueryResult<(Vec<(EntryRow, crate::people::store::PersonRow)>, i64)> {
    use crate::people::store::PersonRow;
    let total = count(conn, filter, today)?;
    let query = filtered(filter, today);
    let query = match (sort.key, sort.descending) {
        (SortKey::NextReviewDue, false) => query.order((
            register_entries::next_review_due.asc(),
            register_entries::id.asc(),
        )),
        (SortKey::NextReviewDue, true) => query.order((
            register_entries::next_review_due.desc(),
            register_entries::id.desc(),
        )),
        (SortKey::Rag, false) => query.order((
            register_entries::rag_rank.asc(),
            register_entries::next_review_due.asc(),
            register_entries::id.asc(),
        )),
        (SortKey::Rag, true) => query.order((
            register_entries::rag_rank.desc(),
            register_entries::next_review_due.desc(),
            register_entries::id.desc(),
        )),
        (SortKey::OpenedOn, false) => query.order((
            register_entries::opened_on.asc(),
            register_entries::id.asc(),
        )),
        (SortKey::OpenedOn, true) => query.order((
            register_entries::opened_on.desc(),
            register_entries::id.desc(),
        )),
        (SortKey::Reference, false) => query.order((
            register_entries::reference_number.asc(),
            register_entries::id.asc(),
        )),
        (SortKey::Reference, true) => query.order((
            register_entries::reference_number.desc(),
            register_entries::id.desc(),
        )),
    };
    let rows = query
        .limit(page.limit)
        .offset(page.offset)
        .select((EntryRow::as_select(), PersonRow::as_select()))
        .load(conn)?;
    Ok((rows, total))
}

/// Moves the entry's version when what it answers changed outside its own row (a reason for
/// risk noted or ended), so ETags, kept copies and other servers' caches follow.
pub fn touch(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(register_entries::table.find(id))
        .set((
            register_entries::version.eq(register_entries::version + 1),
            register_entries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the derived next-C(E)TR date (kept by the service, not a change by a person).
pub fn set_next_cetr_due(
    conn: &mut AnyConnection,
    id: &str,
    due: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(register_entries::table.find(id))
        .set(register_entries::next_cetr_due.eq(due))
        .execute(conn)?;
    Ok(())
}

/// Sets the derived count of complete discharge points (null without a current plan).
pub fn set_discharge_points_complete(
    conn: &mut AnyConnection,
    id: &str,
    count: Option<i32>,
) -> QueryResult<()> {
    diesel::update(register_entries::table.find(id))
        .set(register_entries::discharge_points_complete.eq(count))
        .execute(conn)?;
    Ok(())
}
