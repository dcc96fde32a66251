//! The keyworking service for children and young people (0-25), kept apart from the named
//! lead worker: referrals to it, their decisions, the CYP keyworker allocated (who then sees
//! the person as part of their caseload) and the episode's close, with the history of each
//! move. The sweep's `keyworking_referral_missing` and `keyworking_past_25` read these.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
