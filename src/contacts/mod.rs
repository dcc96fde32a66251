//! The contact log: keyworkers, clinicians and coordinators record contacts with a person.
//! Contacts are never edited in place; a correction is a new contact naming the one it corrects.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
