use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::ReferralStatus;
use crate::db::schema::{referrals, sequences};
use crate::db::AnyConnection;
use crate::http::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub id: String,
    pub reference_number: i64,
    pub reference: String,
    pub status: ReferralStatus,
    pub person_id: Option<String>,
    /// The referred person's details as JSON (a `CreatePersonRequest`) until accepted.
    pub person_details: Option<String>,
    pub area: String,
    pub referrer_name: String,
    pub referrer_organisation: Option<String>,
    pub referrer_contact: Option<String>,
    pub reason: String,
    pub received_on: NaiveDate,
    pub first_contact_on: Option<NaiveDate>,
    pub screened_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub decision_reason: Option<String>,
    pub referrer_told_on: Option<NaiveDate>,
    pub register_entry_id: Option<String>,
    pub version: i32,
    pub recorded_by: String,
    pub decided_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = referrals)]
pub struct ReferralChanges {
    pub status: Option<ReferralStatus>,
    pub person_id: Option<Option<String>>,
    pub person_details: Option<Option<String>>,
    pub first_contact_on: Option<Option<NaiveDate>>,
    pub screened_on: Option<Option<NaiveDate>>,
    pub decided_on: Option<Option<NaiveDate>>,
    pub decision_reason: Option<Option<String>>,
    pub referrer_told_on: Option<Option<NaiveDate>>,
    pub register_entry_id: Option<Option<String>>,
    pub decided_by: Option<Option<String>>,
}

/// The next reference number, from the same one-row-per-name sequence table the register
/// references use (both backends, inside the caller's transaction).
pub fn next_reference_number(conn: &mut AnyConnection) -> QueryResult<i64> {
    diesel::update(sequences::table.find("referral_reference"))
        .set(sequences::value.eq(sequences::value + 1))
        .execute(conn)?;
    sequences::table
        .find("referral_reference")
        .select(sequences::value)
        .first(conn)
}

pub fn insert(conn: &mut AnyConnection, row: &ReferralRow) -> QueryResult<()> {
    diesel::insert_into(referrals::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<ReferralRow> {
    referrals::table
        .find(id)
        .select(ReferralRow::as_select())
        .first(conn)
}

/// Referrals in these states (all when empty), made by `recorded_by` when given, oldest
/// received first: the queue is worked from its oldest end.
pub fn list(
    conn: &mut AnyConnection,
    statuses: &[ReferralStatus],
    recorded_by: Option<&str>,
    page: Page,
) -> QueryResult<(Vec<ReferralRow>, i64)> {
    let query = || {
        let mut q = referrals::table.into_boxed();
        if !statuses.is_empty() {
            q = q.filter(referrals::status.eq_any(statuses));
        }
        if let Some(me) = recorded_by {
            q = q.filter(referrals::recorded_by.eq(me));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((
            referrals::received_on.asc(),
            referrals::reference_number.asc(),
        ))
        .limit(page.limit)
        .offset(page.offset)
        .select(ReferralRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The references of these referrals, by id.
pub fn references(
    conn: &mut AnyConnection,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(referrals::table
        .filter(referrals::id.eq_any(ids))
        .select((referrals::id, referrals::reference))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// Undecided referrals, for the sweep's two clocks.
pub fn undecided(conn: &mut AnyConnection) -> QueryResult<Vec<ReferralRow>> {
    referrals::table
        .filter(referrals::status.eq_any(ReferralStatus::UNDECIDED))
        .select(ReferralRow::as_select())
        .load(conn)
}

crate::db::versioned::versioned_update!(update_if_version, referrals, ReferralChanges);
