//! Reports managers send monthly, straight from the register; and the CSV export.

pub mod assuring;
pub mod export;
pub mod facts;
pub mod monthly;
pub mod routes;
pub mod service;
