//! The other professionals around a person (care coordinator, social worker, CAMHS, SENCo,
//! advocate, GP…): who they are, their organisation and role, how to reach them, and when.
//! An involvement that ends keeps its place on the record with its end date.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
