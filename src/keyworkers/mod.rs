//! Named keyworkers: assignments with history, and each keyworker's caseload.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
