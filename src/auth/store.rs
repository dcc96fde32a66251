//! Refresh-token families and failed-login records.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::schema::{login_failures, refresh_tokens, users};
use crate::db::AnyConnection;
use crate::domain::session::SessionKind;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub rotated_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub session_started_at: NaiveDateTime,
    pub kind: SessionKind,
}

/// A new refresh token's place: its session and that session's clock.
#[derive(Debug, Clone, Copy)]
pub struct Session<'a> {
    pub user_id: &'a str,
    pub family_id: &'a str,
    pub started_at: NaiveDateTime,
    /// When the token lapses unused (the idle limit), capped at the absolute end.
    pub expires_at: NaiveDateTime,
    pub kind: SessionKind,
}

/// Refresh tokens are 256 random bits, so a plain SHA-256 is enough to store them: nothing
/// in the database can be replayed, and lookup stays an indexed equality.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Stores a new refresh token in its session and returns the token itself (shown once).
pub fn issue(
    conn: &mut AnyConnection,
    session: Session<'_>,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = new_token();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(uuid::Uuid::now_v7().to_string()),
            refresh_tokens::user_id.eq(session.user_id),
            refresh_tokens::family_id.eq(session.family_id),
            refresh_tokens::token_hash.eq(hash_token(&token)),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(session.expires_at),
            refresh_tokens::session_started_at.eq(session.started_at),
            refresh_tokens::kind.eq(session.kind),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Whether the user's session `family_id` is still open at `now`: not revoked, not past the
/// absolute end, and its newest token not lapsed. Checked (through a cache) on every request.
pub fn session_open(
    conn: &mut AnyConnection,
    user_id: &str,
    family_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let newest: Option<NaiveDateTime> = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(family_id))
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .select(diesel::dsl::max(refresh_tokens::expires_at))
        .first(conn)?;
    Ok(newest.is_some_and(|expires| expires > now))
}

/// Ends every session of the user but `keep` (their own, on a password change).
pub fn revoke_others(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::family_id.ne(keep))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}

/// Ends every session of the user at once: their refresh tokens are revoked and their token
/// generation moves, so access tokens already issued die on their next request too.
pub fn end_all_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    revoke_all_for_user(conn, user_id, now)?;
    diesel::update(users::table.find(user_id))
        .set(users::token_generation.eq(users::token_generation + 1))
        .execute(conn)?;
    Ok(())
}

/// The row a token of this kind names (a cookie is never taken for a refresh token, nor
/// the other way round).
pub fn find_by_token(
    conn: &mut AnyConnection,
    token: &str,
    kind: SessionKind,
) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash_token(token)))
        .filter(refresh_tokens::kind.eq(kind))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Moves a web session's idle end (its one row is kept, not rotated: a cookie is sent by
/// every tab at once, so rotation would race itself).
pub fn extend(conn: &mut AnyConnection, id: &str, expires_at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::expires_at.eq(expires_at))
    .execute(conn)?;
    Ok(())
}

/// Marks a token used; true only for the one caller that got there first.
pub fn mark_rotated(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let affected = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::rotated_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::rotated_at.eq(now))
    .execute(conn)?;
    Ok(affected == 1)
}

pub fn revoke_family(
    conn: &mut AnyConnection,
    family_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}

pub fn revoke_all_for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}

/// Which failed logins count against an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureScope<'a> {
    /// This username from this address.
    Pair(&'a str, &'a str),
    /// This username from any address.
    Username(&'a str),
    /// Any username from this address.
    Address(&'a str),
}

/// The times of the newest `limit` failed logins in `scope` since `since`, oldest first
/// (never more than the limit is read, however many there were).
pub fn recent_failures(
    conn: &mut AnyConnection,
    scope: FailureScope<'_>,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    let mut query = login_failures::table
        .filter(login_failures::failed_at.gt(since))
        .into_boxed::<<AnyConnection as diesel::Connection>::Backend>();
    query = match scope {
        FailureScope::Pair(username, addr) => query
            .filter(login_failures::username.eq(username))
            .filter(login_failures::client_addr.eq(addr)),
        FailureScope::Username(username) => query.filter(login_failures::username.eq(username)),
        FailureScope::Address(addr) => query.filter(login_failures::client_addr.eq(addr)),
    };
    let mut times: Vec<NaiveDateTime> = query
        .order(login_failures::failed_at.desc())
        .limit(limit)
        .select(login_failures::failed_at)
        .load(conn)?;
    times.reverse();
    Ok(times)
}

pub fn record_failure(
    conn: &mut AnyConnection,
    username: &str,
    client_addr: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(uuid::Uuid::now_v7().to_string()),
            login_failures::username.eq(username),
            login_failures::client_addr.eq(client_addr),
            login_failures::failed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A successful login clears the pair's failures, and old rows are pruned as we go.
pub fn clear_failures(
    conn: &mut AnyConnection,
    username: &str,
    client_addr: &str,
    older_than: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::username.eq(username))
            .filter(login_failures::client_addr.eq(client_addr)),
    )
    .execute(conn)?;
    diesel::delete(login_failures::table.filter(login_failures::failed_at.lt(older_than)))
        .execute(conn)?;
    Ok(())
}
