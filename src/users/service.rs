//! User rules: unique usernames, a line manager who is an active manager, never losing the
//! last active admin, and sessions revoked when an account is deactivated or its password reset.

use diesel::OptionalExtension;
use uuid::Uuid;

use super::model::{CreateUserRequest, UpdateUserRequest, UserQuery, UserView};
use super::store::{self, NewUserRow, UserChanges, UserFilter, UserRow};
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::auth::password;
use crate::auth::store as sessions;
use crate::db::AnyConnection;
use crate::domain::{Role, Username};
use crate::error::ApiError;
use crate::http::{Diff, IfMatch, ListResponse, Page};

pub const ENTITY: &str = "user";

/// A validated new user; the password is already hashed (hashing is slow, so it happens
/// before the write transaction, not inside it).
pub struct NewUser {
    pub username: Username,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub manager_id: Option<String>,
    pub password_hash: String,
    pub active: bool,
}

impl NewUser {
    /// The new user with their password hashed.
    pub async fn hashed(req: CreateUserRequest) -> Result<NewUser, ApiError> {
        let about = [&*req.username, &*req.email, &*req.display_name];
        password::check_new(&req.password, &about)
            .map_err(|m| ApiError::validation("password", m))?;
        let hash = password::hash_off_thread(req.password.clone()).await?;
        NewUser::from_request(req, hash)
    }

    pub fn from_request(
        req: CreateUserRequest,
        password_hash: String,
    ) -> Result<NewUser, ApiError> {
        let username =
            Username::parse(&req.username).map_err(|msg| ApiError::validation("username", msg))?;
        Ok(NewUser {
            username,
            email: req.email.trim().to_string(),
            display_name: req.display_name.trim().to_string(),
            role: req.role,
            manager_id: req.manager_id.map(|id| id.to_string()),
            password_hash,
            active: req.active.unwrap_or(true),
        })
    }
}

/// The line manager must be an active user with role `manager`, and not the user themself.
fn check_manager(
    conn: &mut AnyConnection,
    manager_id: &str,
    user_id: Option<&str>,
) -> Result<(), ApiError> {
    if user_id == Some(manager_id) {
        return Err(ApiError::validation(
            "manager_id",
            "a user cannot be their own manager",
        ));
    }
    match store::get(conn, manager_id).optional()? {
        Some(m) if m.active && m.role == Role::Manager => Ok(()),
        Some(_) => Err(ApiError::validation(
            "manager_id",
            "must be an active user with role manager",
        )),
        None => Err(ApiError::validation("manager_id", "no such user")),
    }
}

pub fn create(conn: &mut AnyConnection, ctx: &AuditCtx, new: NewUser) -> Result<UserRow, ApiError> {
    if let Some(manager_id) = &new.manager_id {
        check_manager(conn, manager_id, None)?;
    }
    if store::find_by_username(conn, new.username.as_str())?.is_some() {
        return Err(ApiError::Conflict(format!(
            "username {} is already taken",
            new.username.as_str()
        )));
    }
    let id = Uuid::now_v7().to_string();
    store::insert(
        conn,
        &NewUserRow {
            id: id.clone(),
            username: new.username.into_inner(),
            email: new.email,
            display_name: new.display_name,
            role: new.role,
            manager_id: new.manager_id,
            password_hash: new.password_hash,
            active: new.active,
            version: 1,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&id)).fields(vec![
            "username",
            "email",
            "display_name",
            "role",
            "manager_id",
            "password",
            "active",
        ]),
    )?;
    Ok(store::get(conn, &id)?)
}

/// A validated PATCH; the new password, if any, is already hashed.
pub struct UserPatch {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub manager_id: Option<Option<String>>,
    pub password_hash: Option<String>,
    /// The new password itself, kept only to check it against the user's names.
    pub new_password: Option<String>,
    pub active: Option<bool>,
}

impl UserPatch {
    /// The changes, with a new password hashed.
    pub async fn hashed(req: UpdateUserRequest) -> Result<UserPatch, ApiError> {
        let hash = match req.password.clone() {
            Some(pw) => Some(password::hash_off_thread(pw).await?),
            None => None,
        };
        Ok(UserPatch::from_request(req, hash))
    }

    pub fn from_request(req: UpdateUserRequest, password_hash: Option<String>) -> UserPatch {
        UserPatch {
            email: req.email.map(|e| e.trim().to_string()),
            display_name: req.display_name.map(|d| d.trim().to_string()),
            role: req.role,
            manager_id: req.manager_id.map(|m| m.map(|id| id.to_string())),
            password_hash,
            new_password: req.password,
            active: req.active,
        }
    }
}

/// Keeps only what differs from `current`, naming each changed field for the audit log.
fn diff(current: &UserRow, patch: UserPatch) -> (UserChanges, Vec<&'static str>) {
    let mut c = UserChanges::default();
    let mut d = Diff::default();
    d.set("email", patch.email, &current.email, &mut c.email);
    d.set(
        "display_name",
        patch.display_name,
        &current.display_name,
        &mut c.display_name,
    );
    d.set("role", patch.role, &current.role, &mut c.role);
    d.set(
        "manager_id",
        patch.manager_id,
        &current.manager_id,
        &mut c.manager_id,
    );
    // A new password always counts as a change: its hash never equals the stored one.
    d.set(
        "password",
        patch.password_hash,
        &current.password_hash,
        &mut c.password_hash,
    );
    d.set("active", patch.active, &current.active, &mut c.active);
    (c, d.fields)
}

pub fn update(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: &str,
    if_match: &IfMatch,
    patch: UserPatch,
) -> Result<UserRow, ApiError> {
    let current = store::get(conn, id)?;
    if_match.check(current.version)?;
    if let Some(new_password) = &patch.new_password {
        let about = [&*current.username, &*current.email, &*current.display_name];
        password::check_new(new_password, &about)
            .map_err(|m| ApiError::validation("password", m))?;
    }
    let (mut changes, fields) = diff(&current, patch);
    // An admin's reset is a temporary password: the user must choose their own next.
    if changes.password_hash.is_some() {
        changes.must_change_password = Some(true);
    }
    if fields.is_empty() {
        return Ok(current);
    }
    if let Some(Some(manager_id)) = &changes.manager_id {
        check_manager(conn, manager_id, Some(id))?;
    }
    let stays_admin = changes.role.unwrap_or(current.role) == Role::Admin
        && changes.active.unwrap_or(current.active);
    if current.role == Role::Admin
        && current.active
        && !stays_admin
        && store::count_active_admins(conn)? <= 1
    {
        return Err(ApiError::Conflict(
            "this is the last active admin; make another admin first".into(),
        ));
    }
    store::update_if_version(conn, id, current.version, &changes, ctx.now)?;
    if changes.active == Some(false) || changes.password_hash.is_some() {
        sessions::end_all_sessions(conn, id, ctx.now)?;
    }
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id)).fields(fields),
    )?;
    Ok(store::get(conn, id)?)
}

/// On first start with no users, creates `admin`. Returns the password when it was generated
/// here, so the caller can print it once.
pub fn bootstrap_admin(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    configured_password: &str,
) -> Result<Option<String>, ApiError> {
    if store::count(conn)? > 0 {
        return Ok(None);
    }
    let (password, generated) = if configured_password.is_empty() {
        (random_password(), true)
    } else {
        (configured_password.to_string(), false)
    };
    let password_hash = crate::auth::password::hash(&password).map_err(ApiError::internal)?;
    let username = Username::parse("admin").map_err(|m| ApiError::internal(anyhow::anyhow!(m)))?;
    create(
        conn,
        ctx,
        NewUser {
            username,
            email: "admin@localhost".into(),
            display_name: "Administrator".into(),
            role: Role::Admin,
            manager_id: None,
            password_hash,
            active: true,
        },
    )?;
    Ok(generated.then_some(password))
}

fn random_password() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
}

/// Users, filtered by role and active flag.
pub fn list(
    conn: &mut AnyConnection,
    query: UserQuery,
    page: Page,
) -> Result<ListResponse<UserView>, ApiError> {
    let filter = UserFilter {
        role: query.role,
        active: query.active,
    };
    let (rows, total) = store::list(conn, &filter, page)?;
    let items = rows.into_iter().map(UserView::from).collect();
    Ok(ListResponse::new(items, total, page))
}

pub fn read(conn: &mut AnyConnection, id: &str) -> Result<UserView, ApiError> {
    Ok(UserView::from(store::get(conn, id)?))
}
