//! People: the individuals on (or considered for) the register.

pub mod duplicates;
pub mod merge;
pub mod model;
pub mod record;
pub mod routes;
pub mod service;
pub mod store;
