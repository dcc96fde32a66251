use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::AnyConnection;
use crate::domain::Role;
use crate::http::Page;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub manager_id: Option<String>,
    pub password_hash: String,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Moves to end every session at once (see `auth::store::end_all_sessions`).
    pub token_generation: i32,
    /// Set by an admin's reset until the user chooses a password of their own.
    pub must_change_password: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow {
    pub id: String,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub manager_id: Option<String>,
    pub password_hash: String,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns a PATCH may change; `None` leaves a column alone.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub manager_id: Option<Option<String>>,
    pub password_hash: Option<String>,
    pub active: Option<bool>,
    pub must_change_password: Option<bool>,
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
}

pub fn find_by_username(conn: &mut AnyConnection, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, row: &NewUserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

crate::db::versioned::versioned_update!(update_if_version, users, UserChanges);

/// The user's own new password: a new version, and no reset pending any more.
pub fn set_password(
    conn: &mut AnyConnection,
    id: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(false),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn count(conn: &mut AnyConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn count_active_admins(conn: &mut AnyConnection) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

fn filtered(
    filter: &UserFilter,
) -> users::BoxedQuery<'_, <AnyConnection as diesel::Connection>::Backend> {
    let mut query = users::table.into_boxed();
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    query
}

pub fn list(
    conn: &mut AnyConnection,
    filter: &UserFilter,
    page: Page,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((users::username.asc(), users::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Users by id, in one query (for embedding summaries in lists without N+1 queries).
pub fn find_many(
    conn: &mut AnyConnection,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, UserRow>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect())
}
