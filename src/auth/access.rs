//! Which rows a user may see or act on, in one place (`permissions.rs` says which routes a
//! role may use). Keyworkers see only the people currently assigned to them: anything about
//! anyone else answers 404, exactly as if it did not exist, and lists leave them out.

use diesel::prelude::*;

use super::CurrentUser;
use crate::db::schema::people;
use crate::db::AnyConnection;
use crate::domain::Role;
use crate::error::ApiError;

/// Whose records a user may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only people on this keyworker's caseload (see `on_caseload_of`).
    Caseload(String),
}

/// The condition on `people` of a keyworker's caseload: the people they are the named lead
/// worker of, and those whose keyworking episode is allocated to them (their CYP keyworker).
pub type OnCaseload<'a> = diesel::dsl::Or<
    diesel::dsl::Eq<people::keyworker_id, &'a str>,
    diesel::dsl::Eq<people::cyp_keyworker_id, &'a str>,
>;

pub fn on_caseload_of(me: &str) -> OnCaseload<'_> {
    people::keyworker_id
        .eq(me)
        .or(people::cyp_keyworker_id.eq(me))
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

/// Which alerts a user may read and acknowledge: coordinators and managers every alert;
/// clinicians those assigned to them; keyworkers those about their caseload, and nothing
/// about anyone else even if it was once assigned to them (an alert tells of a person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertScope {
    All,
    AssignedTo(String),
    Caseload(String),
}

impl AlertScope {
    pub fn of(user: &CurrentUser) -> AlertScope {
        match user.role {
            Role::Clinician => AlertScope::AssignedTo(user.id.clone()),
            Role::Keyworker => AlertScope::Caseload(user.id.clone()),
            _ => AlertScope::All,
        }
    }

    /// Whether an alert about a person with this named keyworker, assigned as given, is in
    /// scope.
    pub fn sees(&self, assignee: Option<&str>, person_keyworker: Option<&str>) -> bool {
        match self {
            AlertScope::All => true,
            AlertScope::AssignedTo(me) => assignee == Some(me),
            AlertScope::Caseload(me) => person_keyworker == Some(me),
        }
    }
}

/// Whose notifications a user may list: admins every one, everyone else their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationScope {
    All,
    Recipient(String),
}

impl NotificationScope {
    pub fn of(user: &CurrentUser) -> NotificationScope {
        match user.role {
            Role::Admin => NotificationScope::All,
            _ => NotificationScope::Recipient(user.id.clone()),
        }
    }
}

/// Whether `user` may read the caseload of `keyworker_id` (keyworkers: only their own; the
/// route's permission says who else may).
pub fn may_read_caseload(user: &CurrentUser, keyworker_id: &str) -> bool {
    user.role != Role::Keyworker || user.id == keyworker_id
}

/// Whether `user` may change a C(E)TR action or discharge point owned by `owner`.
/// Keyworkers report progress on what they own; re-planning (`replans`: owner, dates,
/// wording) stays with the panel and the team.
pub fn may_update_owned_work(user: &CurrentUser, owner: Option<&str>, replans: bool) -> bool {
    user.role != Role::Keyworker || (owner == Some(user.id.as_str()) && !replans)
}

/// Ok when the person exists and is in scope; 404 otherwise (never 403, so a keyworker
/// cannot learn that someone outside their caseload is on the register).
pub fn ensure_person_visible(
    conn: &mut AnyConnection,
    scope: &Scope,
    person_id: &str,
) -> Result<(), ApiError> {
    let workers: Option<(Option<String>, Option<String>)> = people::table
        .find(person_id)
        .select((people::keyworker_id, people::cyp_keyworker_id))
        .first(conn)
        .optional()?;
    match (workers, scope) {
        (None, _) => Err(ApiError::NotFound),
        (Some(_), Scope::All) => Ok(()),
        (Some((lead, cyp)), Scope::Caseload(me))
            if lead.as_ref() == Some(me) || cyp.as_ref() == Some(me) =>
        {
            Ok(())
        }
        (Some(_), Scope::Caseload(_)) => Err(ApiError::OutOfScope {
            person_id: person_id.to_string(),
        }),
    }
}

/// Whether `user` may own work about the person (a C(E)TR action, a discharge point):
/// any active clinician, coordinator or manager; a keyworker only if the person is on their
/// caseload. Admins never see people's records.
pub fn can_own_work_for(
    user: &crate::users::store::UserRow,
    person_keyworker: Option<&str>,
) -> bool {
    user.active && may_own_work(Some(user.role), &user.id, person_keyworker)
}

/// The rule behind `can_own_work_for`, on a role already read (the sweep's directory).
pub fn may_own_work(role: Option<Role>, user_id: &str, person_keyworker: Option<&str>) -> bool {
    match role {
        Some(Role::Clinician | Role::Coordinator | Role::Manager) => true,
        Some(Role::Keyworker) => person_keyworker == Some(user_id),
        _ => false,
    }
}

/// 422 naming `owner_id` unless that user exists and may own work for this person.
pub fn check_owner(
    conn: &mut AnyConnection,
    owner_id: &str,
    person_id: &str,
) -> Result<(), ApiError> {
    let owner = crate::users::store::get(conn, owner_id).optional()?;
    let (lead, cyp): (Option<String>, Option<String>) = people::table
        .find(person_id)
        .select((people::keyworker_id, people::cyp_keyworker_id))
        .first(conn)
        .optional()?
        .unwrap_or_default();
    // The named lead worker and the CYP keyworker both see the person.
    let may = |u: &crate::users::store::UserRow| {
        can_own_work_for(u, lead.as_deref()) || can_own_work_for(u, cyp.as_deref())
    };
    match owner {
        Some(u) if may(&u) => Ok(()),
        Some(_) => Err(ApiError::validation(
            "owner_id",
            "must be a user who can see this person: an active clinician, coordinator or manager, or their keyworker",
        )),
        None => Err(ApiError::validation("owner_id", "no such user")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> CurrentUser {
        CurrentUser {
            id: "me".into(),
            username: "me".into(),
            role,
            manager_id: None,
            request_id: String::new(),
            session_id: String::new(),
            must_change_password: false,
        }
    }

    #[test]
    fn who_sees_and_acts_on_which_rows() {
        use Role::*;
        // (role, person scope is the caseload, alert scope, notifications all,
        //  may read another's caseload, may update own work / another's / re-plan own,
        //  may own work for a person whose keyworker is someone else)
        type Row = (Role, bool, &'static str, bool, bool, [bool; 3], bool);
        let table: [Row; 5] = [
            (Admin, false, "all", true, true, [true, true, true], false),
            (
                Coordinator,
                false,
                "all",
                false,
                true,
                [true, true, true],
                true,
            ),
            (Manager, false, "all", false, true, [true, true, true], true),
            (
                Clinician,
                false,
                "assigned",
                false,
                true,
                [true, true, true],
                true,
            ),
            (
                Keyworker,
                true,
                "caseload",
                false,
                false,
                [true, false, false],
                false,
            ),
        ];
        for (role, caseload, alerts, all_notifications, others_caseload, work, own_for_others) in
            table
        {
            let u = user(role);
            assert_eq!(
                Scope::of(&u) == Scope::Caseload("me".into()),
                caseload,
                "{role}"
            );
            let alert_scope = match AlertScope::of(&u) {
                AlertScope::All => "all",
                AlertScope::AssignedTo(_) => "assigned",
                AlertScope::Caseload(_) => "caseload",
            };
            assert_eq!(alert_scope, alerts, "{role}");
            assert_eq!(
                NotificationScope::of(&u) == NotificationScope::All,
                all_notifications,
                "{role}"
            );
            assert!(may_read_caseload(&u, "me"), "{role}");
            assert_eq!(may_read_caseload(&u, "other"), others_caseload, "{role}");
            assert_eq!(
                [
                    may_update_owned_work(&u, Some("me"), false),
                    may_update_owned_work(&u, Some("other"), false),
                    may_update_owned_work(&u, Some("me"), true),
                ],
                work,
                "{role}"
            );
            assert!(
                may_own_work(Some(role), "me", Some("me")) || role == Admin,
                "{role}"
            );
            assert_eq!(
                may_own_work(Some(role), "me", Some("other")),
                own_for_others,
                "{role}"
            );
        }
        assert!(
            !may_own_work(None, "me", Some("me")),
            "an unknown role owns nothing"
        );
    }

    #[test]
    fn alert_scopes_see_what_they_name() {
        let cases = [
            (AlertScope::All, None, None, true),
            (AlertScope::AssignedTo("me".into()), Some("me"), None, true),
            (
                AlertScope::AssignedTo("me".into()),
                Some("x"),
                Some("me"),
                false,
            ),
            (
                AlertScope::Caseload("me".into()),
                Some("x"),
                Some("me"),
                true,
            ),
            (
                AlertScope::Caseload("me".into()),
                Some("me"),
                Some("x"),
                false,
            ),
            (AlertScope::Caseload("me".into()), Some("me"), None, false),
            (AlertScope::Caseload("me".into()), None, Some("x"), false),
        ];
        for (scope, assignee, keyworker, sees) in cases {
            assert_eq!(
                scope.sees(assignee, keyworker),
                sees,
                "{scope:?} {assignee:?} {keyworker:?}"
            );
        }
    }
}
