//! Care (Education) and Treatment Reviews and LAEPs (their actions live in `actions`).

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
