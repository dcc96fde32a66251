//! The role table: every permission check in the service reads this one table.
//!
//! It restates the Permissions table of the API contract. Caseload scoping for keyworkers
//! ("caseload only", "actions they own") is a second check, done where the person is known.

use crate::domain::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    UsersWrite,
    UsersRead,
    AuditRead,
    EscalationsRun,
    /// People, register entries, reviews, RAG changes, closing.
    RegisterWrite,
    /// People, register, history, reviews, contacts (keyworkers: their caseload only).
    RecordsRead,
    /// Name or remove a person's keyworker.
    KeyworkerAssign,
    /// A keyworker's caseload (keyworkers: their own only).
    CaseloadRead,
    /// Log contacts (keyworkers: their caseload only).
    ContactsWrite,
    /// Record and change the professionals involved with a person (keyworkers: their
    /// caseload only).
    InvolvementsWrite,
    /// Set a young person's transition plan (keyworkers: their caseload only).
    TransitionPlanWrite,
    /// Record and change C(E)TRs and create their actions.
    CetrWrite,
    /// Update C(E)TR actions (keyworkers: only actions they own).
    ActionUpdate,
    /// Create and change discharge plans and record their reviews.
    DischargeWrite,
    /// Update discharge plan points (keyworkers: only points they own).
    PointUpdate,
    /// Read and acknowledge alerts (clinicians: assigned to them; keyworkers: also their
    /// caseload's).
    AlertsRead,
    /// The notification outbox (admins: all; others: their own).
    NotificationsRead,
    /// Reports and the register export.
    ReportsRead,
    /// Import a spreadsheet register.
    Import,
    /// Who has seen or changed a person, and their subject-access export.
    PersonAuditRead,
    /// Refer someone to the register, and read one's own referrals (coordinators and
    /// managers read them all).
    ReferralsCreate,
    /// Screen, accept or decline referrals, and record their contacts.
    ReferralsTriage,
}

use Role::*;

impl Permission {
    pub const ALL: [Permission; 22] = [
        Permission::UsersWrite,
        Permission::UsersRead,
        Permission::AuditRead,
        Permission::EscalationsRun,
        Permission::RegisterWrite,
        Permission::RecordsRead,
        Permission::KeyworkerAssign,
        Permission::CaseloadRead,
        Permission::ContactsWrite,
        Permission::InvolvementsWrite,
        Permission::TransitionPlanWrite,
        Permission::CetrWrite,
        Permission::ActionUpdate,
        Permission::DischargeWrite,
        Permission::PointUpdate,
        Permission::AlertsRead,
        Permission::NotificationsRead,
        Permission::ReportsRead,
        Permission::Import,
        Permission::PersonAuditRead,
        Permission::ReferralsCreate,
        Permission::ReferralsTriage,
    ];

    /// The roles granted this permission. A `match`, so a new permission without a row
    /// does not compile.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Permission::UsersWrite => &[Admin],
            Permission::UsersRead => &[Admin, Coordinator, Manager],
            Permission::AuditRead => &[Admin],
            Permission::EscalationsRun => &[Admin, Coordinator, Manager],
            Permission::RegisterWrite => &[Coordinator],
            Permission::RecordsRead => &[Coordinator, Manager, Clinician, Keyworker],
            Permission::KeyworkerAssign => &[Coordinator, Manager],
            Permission::CaseloadRead => &[Coordinator, Manager, Keyworker],
            Permission::ContactsWrite => &[Coordinator, Clinician, Keyworker],
            Permission::InvolvementsWrite => &[Coordinator, Clinician, Keyworker],
            Permission::TransitionPlanWrite => &[Coordinator, Clinician, Keyworker],
            Permission::CetrWrite => &[Coordinator, Clinician],
            Permission::ActionUpdate => &[Coordinator, Clinician, Keyworker],
            Permission::DischargeWrite => &[Coordinator, Clinician],
            Permission::PointUpdate => &[Coordinator, Clinician, Keyworker],
            Permission::AlertsRead => &[Coordinator, Manager, Clinician, Keyworker],
            Permission::NotificationsRead => &[Admin, Coordinator, Manager, Clinician, Keyworker],
            Permission::ReportsRead => &[Coordinator, Manager],
            Permission::Import => &[Coordinator],
            Permission::PersonAuditRead => &[Coordinator, Manager],
            Permission::ReferralsCreate => &[Coordinator, Manager, Clinician, Keyworker],
            Permission::ReferralsTriage => &[Coordinator],
        }
    }
}

pub fn allows(role: Role, permission: Permission) -> bool {
    permission.roles().contains(&role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_never_read_clinical_records() {
        for p in [
            Permission::RegisterWrite,
            Permission::RecordsRead,
            Permission::KeyworkerAssign,
            Permission::CaseloadRead,
            Permission::ContactsWrite,
            Permission::InvolvementsWrite,
            Permission::TransitionPlanWrite,
            Permission::CetrWrite,
            Permission::ActionUpdate,
            Permission::DischargeWrite,
            Permission::PointUpdate,
            Permission::AlertsRead,
            Permission::ReportsRead,
            Permission::Import,
        ] {
            assert!(!allows(Admin, p), "{p:?}");
        }
    }

    #[test]
    fn the_table_matches_the_contract() {
        // (permission, admin, coordinator, manager, clinician, keyworker)
        let rows = [
            (Permission::UsersWrite, [true, false, false, false, false]),
            (Permission::UsersRead, [true, true, true, false, false]),
            (Permission::AuditRead, [true, false, false, false, false]),
            (Permission::EscalationsRun, [true, true, true, false, false]),
            (
                Permission::RegisterWrite,
                [false, true, false, false, false],
            ),
            (Permission::RecordsRead, [false, true, true, true, true]),
            (
                Permission::KeyworkerAssign,
                [false, true, true, false, false],
            ),
            (Permission::CaseloadRead, [false, true, true, false, true]),
            (Permission::ContactsWrite, [false, true, false, true, true]),
            (
                Permission::InvolvementsWrite,
                [false, true, false, true, true],
            ),
            (
                Permission::TransitionPlanWrite,
                [false, true, false, true, true],
            ),
            (Permission::CetrWrite, [false, true, false, true, false]),
            (Permission::ActionUpdate, [false, true, false, true, true]),
            (
                Permission::DischargeWrite,
                [false, true, false, true, false],
            ),
            (Permission::PointUpdate, [false, true, false, true, true]),
            (Permission::AlertsRead, [false, true, true, true, true]),
            (
                Permission::NotificationsRead,
                [true, true, true, true, true],
            ),
            (Permission::ReportsRead, [false, true, true, false, false]),
            (Permission::Import, [false, true, false, false, false]),
            (
                Permission::PersonAuditRead,
                [false, true, true, false, false],
            ),
            (Permission::ReferralsCreate, [false, true, true, true, true]),
            (
                Permission::ReferralsTriage,
                [false, true, false, false, false],
            ),
        ];
        assert_eq!(rows.len(), Permission::ALL.len());
        for (permission, expected) in rows {
            for (role, allowed) in [Admin, Coordinator, Manager, Clinician, Keyworker]
                .into_iter()
                .zip(expected)
            {
                assert_eq!(allows(role, permission), allowed, "{role} / {permission:?}");
            }
        }
    }
}
