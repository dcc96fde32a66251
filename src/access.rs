//! Caseload scoping: keyworkers see only the people currently assigned to them. Anything
//! about anyone else answers 404, exactly as if it did not exist, and lists leave them out.

use diesel::prelude::*;

use crate::auth::CurrentUser;
use crate::db::schema::people;
use crate::db::AnyConnection;
use crate::domain::Role;
use crate::error::ApiError;

/// Whose records a user may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only people whose current keyworker is this user.
    Caseload(String),
}

impl Scope {
    pub fn of(user: &CurrentUser) -> Scope {
        match user.role {
            Role::Keyworker => Scope::Caseload(user.id.clone()),
            _ => Scope::All,
        }
    }

    /// The keyworker whose caseload bounds this scope, if any (for list filters).
    pub fn caseload_of(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::Caseload(id) => Some(id),
        }
    }
}

/// Ok when the person exists and is in scope; 404 otherwise (never 403, so a keyworker
/// cannot learn that someone outside their caseload is on the register).
pub fn ensure_person_visible(
    conn: &mut AnyConnection,
    scope: &Scope,
    person_id: &str,
) -> Result<(), ApiError> {
    let keyworker: Option<Option<String>> = people::table
        .find(person_id)
        .select(people::keyworker_id)
        .first(conn)
        .optional()?;
    match (keyworker, scope) {
        (None, _) => Err(ApiError::NotFound),
        (Some(_), Scope::All) => Ok(()),
        (Some(Some(kw)), Scope::Caseload(me)) if kw == *me => Ok(()),
        (Some(_), Scope::Caseload(_)) => Err(ApiError::NotFound),
    }
}

/// Whether `user` may own work about the person (a C(E)TR action, a discharge point):
/// any active clinician, coordinator or manager; a keyworker only if the person is on their
/// caseload. Admins never see people's records.
pub fn can_own_work_for(
    user: &crate::users::store::UserRow,
    person_keyworker: Option<&str>,
) -> bool {
    if !user.active {
        return false;
    }
    match Role::parse(&user.role) {
        Some(Role::Clinician | Role::Coordinator | Role::Manager) => true,
        Some(Role::Keyworker) => person_keyworker == Some(user.id.as_str()),
        _ => false,
    }
}

/// 422 naming `owner_id` unless that user exists and may own work for this person.
pub fn check_owner(
    conn: &mut AnyConnection,
    owner_id: &str,
    person_id: &str,
) -> Result<(), ApiError> {
    let owner = crate::users::store::find(conn, owner_id)?;
    let keyworker: Option<String> = people::table
        .find(person_id)
        .select(people::keyworker_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    match owner {
        Some(u) if can_own_work_for(&u, keyworker.as_deref()) => Ok(()),
        Some(_) => Err(ApiError::validation(
            "owner_id",
            "must be a user who can see this person: an active clinician, coordinator or manager, or their keyworker",
        )),
        None => Err(ApiError::validation("owner_id", "no such user")),
    }
}
