//! Alerts raised by the escalation sweep: listing with per-role visibility, acknowledging.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
