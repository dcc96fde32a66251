//! The role table: every permission check in the service reads this one table.
//!
//! It restates the Permissions table of the API contract. Caseload scoping for keyworkers
//! ("caseload only") is a second check done where the person is known.

use crate::domain::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    UsersWrite,
    UsersRead,
    AuditRead,
    EscalationsRun,
    /// People, register entries, reviews, RAG changes, closing.
    RegisterWrite,
    /// People, register, history, reviews (keyworkers: their caseload only).
    RecordsRead,
}

use Role::*;

const TABLE: &[(Permission, &[Role])] = &[
    (Permission::UsersWrite, &[Admin]),
    (Permission::UsersRead, &[Admin, Coordinator, Manager]),
    (Permission::AuditRead, &[Admin]),
    (Permission::EscalationsRun, &[Admin, Coordinator, Manager]),
    (Permission::RegisterWrite, &[Coordinator]),
    (
        Permission::RecordsRead,
        &[Coordinator, Manager, Clinician, Keyworker],
    ),
];

pub fn allows(role: Role, permission: Permission) -> bool {
    TABLE
        .iter()
        .find(|(p, _)| *p == permission)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_a_row() {
        for p in [
            Permission::UsersWrite,
            Permission::UsersRead,
            Permission::AuditRead,
            Permission::EscalationsRun,
            Permission::RegisterWrite,
            Permission::RecordsRead,
        ] {
            assert_eq!(TABLE.iter().filter(|(q, _)| *q == p).count(), 1, "{p:?}");
        }
    }

    #[test]
    fn the_table_matches_the_contract() {
        let cases: &[(Permission, &[Role])] = &[
            (Permission::UsersWrite, &[Admin]),
            (Permission::UsersRead, &[Admin, Coordinator, Manager]),
            (Permission::AuditRead, &[Admin]),
            (Permission::RegisterWrite, &[Coordinator]),
            (
                Permission::RecordsRead,
                &[Coordinator, Manager, Clinician, Keyworker],
            ),
        ];
        for (permission, allowed) in cases {
            for role in Role::ALL {
                assert_eq!(
                    allows(role, *permission),
                    allowed.contains(&role),
                    "{role} / {permission:?}"
                );
            }
        }
    }
}
