//! Care (Education) and Treatment Reviews and the actions they recommend.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
