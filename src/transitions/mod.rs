//! A young person's transition plan for the move to adult services: the adult team, their
//! education (an EHCP in place, a college place), the planned handover and notes. From 17
//! (`timescales.transition_plan_from_months`) a person on the register without one has a
//! `transition_plan_missing` alert, open past their 18th birthday until a plan exists.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
