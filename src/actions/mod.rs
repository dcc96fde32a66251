//! Actions from every meeting: a C(E)TR's recommendations (as before), a LAEP's, a DSR
//! review's and an oversight visit's. Each has an owner who can see the person, a due date and
//! a status; a recommendation the responsible clinician declines is `declined` with their
//! justification. One table and one list across sources (`GET /actions`); overdue actions raise
//! `cetr_action_overdue` (C(E)TRs but LAEPs) or `action_overdue` (the rest).

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
