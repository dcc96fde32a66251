//! 12-point discharge plans: one per admission, points with owners and target dates, an
//! agreed review cycle; frozen (kept, read-only) when the admission is discharged.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
