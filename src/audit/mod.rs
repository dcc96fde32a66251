//! The audit log: who did what to which record, when, under which request. Every write path
//! and every read of a person's record calls `record` inside its own transaction, so an audit
//! row exists exactly when the change does; the triage list's reads go through `ReadAudit`,
//! which commits them in batches before each answer is sent. It names fields, never their values, so the log
//! itself holds no clinical data or secrets.

pub mod batch;
pub mod model;
pub mod routes;
pub mod seal;
pub mod service;
pub mod store;

pub use batch::ReadAudit;
pub use store::{record, AuditAction, AuditCtx, AuditEvent, AuditOutcome};
