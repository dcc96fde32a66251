//! Information governance: what an IG lead asks of the service about one person (the access
//! log lives with the audit; the subject-access export is here, as it gathers every aggregate).

pub mod routes;
pub mod subject_access;
