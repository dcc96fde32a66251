//! The notification outbox: one row per (alert, level, recipient), written in the same
//! transaction as the alert change, claimed by a sender with a conditional update.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::notifications;
use crate::db::AnyConnection;
use crate::domain::alerts::NotificationStatus;
use crate::http::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
// NULL, never DEFAULT, for `None`: batches are then one multi-row INSERT on SQLite too.
#[diesel(table_name = notifications, treat_none_as_default_value = false)]
pub struct NotificationRow {
    pub id: String,
    pub alert_id: String,
    pub level: i32,
    pub recipient_email: String,
    pub recipient_user_id: Option<String>,
    pub status: NotificationStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub message_id: Option<String>,
    pub claim_token: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Inserts rows in chunks (one statement each). The sweep has already left out every
/// (alert, level, recipient) that exists, and the unique key refuses any it missed.
pub fn insert_all(conn: &mut AnyConnection, rows: &[NotificationRow]) -> QueryResult<()> {
    match conn {
        AnyConnection::Postgresql(pg) => rows.chunks(10_000).try_for_each(|c| insert_pg(pg, c)),
        AnyConnection::Sqlite(_) => rows.chunks(500).try_for_each(|chunk| {
            crate::insert_batch!(conn, notifications::table, chunk).map(drop)
        }),
    }
}

/// PostgreSQL: one array per column through `unnest`. A cold sweep at 100,000 people queues
/// 54,824 notifications; as VALUES lists of 500 rows (7,000 parameters each, parsed and
/// planned every time) that took 1.1 s.
fn insert_pg(conn: &mut diesel::PgConnection, rows: &[NotificationRow]) -> QueryResult<()> {
    use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamp};
    diesel::sql_query(
        "INSERT INTO notifications (id, alert_id, level, recipient_email, recipient_user_id, \
         status, attempts, next_attempt_at, last_error, message_id, claim_token, claimed_until, \
         created_at, sent_at) SELECT * FROM unnest($1::text[], $2::text[], $3::int[], \
         $4::text[], $5::text[], $6::text[], $7::int[], $8::timestamp[], $9::text[], \
         $10::text[], $11::text[], $12::timestamp[], $13::timestamp[], $14::timestamp[])",
    )
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.id.clone()))
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.alert_id.clone()))
    .bind::<Array<Integer>, _>(crate::db::column(rows, |r| r.level))
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.recipient_email.clone()))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.recipient_user_id.clone()))
    .bind::<Array<Text>, _>(crate::db::column(rows, |r| r.status))
    .bind::<Array<Integer>, _>(crate::db::column(rows, |r| r.attempts))
    .bind::<Array<Timestamp>, _>(crate::db::column(rows, |r| r.next_attempt_at))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.last_error.clone()))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.message_id.clone()))
    .bind::<Array<Nullable<Text>>, _>(crate::db::column(rows, |r| r.claim_token.clone()))
    .bind::<Array<Nullable<Timestamp>>, _>(crate::db::column(rows, |r| r.claimed_until))
    .bind::<Array<Timestamp>, _>(crate::db::column(rows, |r| r.created_at))
    .bind::<Array<Nullable<Timestamp>>, _>(crate::db::column(rows, |r| r.sent_at))
    .execute(conn)
    .map(drop)
}

/// (alert, level, recipient) already queued or sent for these alerts.
pub fn existing_keys(
    conn: &mut AnyConnection,
    alert_ids: &[String],
) -> QueryResult<Vec<(String, i32, String)>> {
    let mut keys = Vec::new();
    for chunk in alert_ids.chunks(500) {
        keys.extend(
            notifications::table
                .filter(notifications::alert_id.eq_any(chunk))
                .select((
                    notifications::alert_id,
                    notifications::level,
                    notifications::recipient_email,
                ))
                .load::<(String, i32, String)>(conn)?,
        );
    }
    Ok(keys)
}

/// Recipients with queued notifications whose next attempt is due and not claimed by a live
/// sender.
pub fn due_recipients(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    notifications::table
        .filter(notifications::status.eq(NotificationStatus::Queued))
        .filter(notifications::next_attempt_at.le(now))
        .filter(
            notifications::claimed_until
                .is_null()
                .or(notifications::claimed_until.lt(now)),
        )
        .select(notifications::recipient_email)
        .distinct()
        .order(notifications::recipient_email.asc())
        .load(conn)
}

/// Claims every queued row of the recipient for this sender, provided one of them is due:
/// rows still backing off go out in the same digest rather than as an email each when they
/// come due (after a relay outage a manager got 51 emails in a minute). Only rows the
/// conditional update changed carry `token`, so two senders can never both claim a row.
pub fn claim(
    conn: &mut AnyConnection,
    recipient: &str,
    token: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<NotificationRow>> {
    diesel::update(
        notifications::table
            .filter(notifications::recipient_email.eq(recipient))
            .filter(notifications::status.eq(NotificationStatus::Queued))
            .filter(
                notifications::claimed_until
                    .is_null()
                    .or(notifications::claimed_until.lt(now)),
            ),
    )
    .set((
        notifications::claim_token.eq(token),
        notifications::claimed_until.eq(until),
    ))
    .execute(conn)?;
    let rows: Vec<NotificationRow> = notifications::table
        .filter(notifications::claim_token.eq(token))
        .filter(notifications::status.eq(NotificationStatus::Queued))
        .order(notifications::created_at.asc())
        .select(NotificationRow::as_select())
        .load(conn)?;
    if rows.iter().any(|r| r.next_attempt_at <= now) {
        return Ok(rows);
    }
    // Another sender sent the due rows first: what is left waits for its own time.
    release(conn, token)?;
    Ok(Vec::new())
}

/// Gives back what is still claimed under `token`, so the next pass may take it at once.
pub fn release(conn: &mut AnyConnection, token: &str) -> QueryResult<usize> {
    diesel::update(notifications::table.filter(notifications::claim_token.eq(token)))
        .set(notifications::claimed_until.eq(None::<NaiveDateTime>))
        .execute(conn)
}

/// Extends this sender's claim while it is still sending; false when nothing is claimed
/// under `token` any more.
pub fn renew_claim(
    conn: &mut AnyConnection,
    token: &str,
    until: NaiveDateTime,
) -> QueryResult<bool> {
    let renewed = diesel::update(
        notifications::table
            .filter(notifications::claim_token.eq(token))
            .filter(notifications::status.eq(NotificationStatus::Queued)),
    )
    .set(notifications::claimed_until.eq(until))
    .execute(conn)?;
    Ok(renewed > 0)
}

pub fn set_message_id(
    conn: &mut AnyConnection,
    ids: &[String],
    message_id: &str,
) -> QueryResult<()> {
    diesel::update(notifications::table.filter(notifications::id.eq_any(ids)))
        .set(notifications::message_id.eq(message_id))
        .execute(conn)?;
    Ok(())
}

/// Marks claimed rows sent, once the SMTP server has accepted the message.
pub fn mark_sent(
    conn: &mut AnyConnection,
    ids: &[String],
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq_any(ids))
            .filter(notifications::claim_token.eq(token)),
    )
    .set((
        notifications::status.eq(NotificationStatus::Sent),
        notifications::sent_at.eq(now),
        notifications::attempts.eq(notifications::attempts + 1),
        notifications::last_error.eq(None::<String>),
        notifications::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Records a failed attempt: the rows stay queued with the next attempt backed off, or are
/// marked failed when `give_up`. The relay did not take the message, so its Message-ID was
/// never used: it is cleared, and the next attempt sends these rows in one digest with
/// whatever else is queued for the recipient by then.
pub fn mark_attempt_failed(
    conn: &mut AnyConnection,
    ids: &[String],
    token: &str,
    error: &str,
    next_attempt_at: NaiveDateTime,
    give_up: bool,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq_any(ids))
            .filter(notifications::claim_token.eq(token)),
    )
    .set((
        notifications::status.eq(if give_up {
            NotificationStatus::Failed
        } else {
            NotificationStatus::Queued
        }),
        notifications::attempts.eq(notifications::attempts + 1),
        notifications::last_error.eq(error),
        notifications::next_attempt_at.eq(next_attempt_at),
        notifications::claimed_until.eq(None::<NaiveDateTime>),
        notifications::message_id.eq(None::<String>),
    ))
    .execute(conn)
}

#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    /// Non-admins see notifications addressed to them (by user or by their email address).
    pub recipient: Option<(String, String)>,
    pub status: Option<NotificationStatus>,
    pub alert_id: Option<String>,
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn filtered(filter: &NotificationFilter) -> notifications::BoxedQuery<'_, Backend> {
    let mut query = notifications::table.into_boxed();
    if let Some((user_id, email)) = &filter.recipient {
        query = query.filter(
            notifications::recipient_user_id
                .eq(user_id)
                .or(notifications::recipient_email.eq(email)),
        );
    }
    if let Some(status) = filter.status {
        query = query.filter(notifications::status.eq(status));
    }
    if let Some(alert) = &filter.alert_id {
        query = query.filter(notifications::alert_id.eq(alert));
    }
    query
}

/// Newest first.
pub fn list(
    conn: &mut AnyConnection,
    filter: &NotificationFilter,
    page: Page,
) -> QueryResult<(Vec<NotificationRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(NotificationRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn count_queued(conn: &mut AnyConnection) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::status.eq(NotificationStatus::Queued))
        .count()
        .get_result(conn)
}
