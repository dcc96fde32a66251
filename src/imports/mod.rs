//! Importing an existing spreadsheet register (CSV or XLSX): every row checked with the same
//! rules as the API, a report naming each rejected row and field, all-or-nothing unless told
//! to skip invalid rows, and NHS number as the key so re-importing creates no duplicates.

pub mod caps;
pub mod parse;
pub mod pending;
pub mod routes;
pub mod service;
