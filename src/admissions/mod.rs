//! Admissions to mental health hospital and commissioner oversight visits.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
