//! The register: entries with RAG ratings, their history, DSR reviews and closure.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
