//! Staff accounts: who may log in, in which role, and their line manager (used by escalation).

pub mod admin;
pub mod model;
pub mod routes;
pub mod service;
pub mod store;
