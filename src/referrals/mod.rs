//! Referrals in: anyone may refer someone to the register (professionals, the person,
//! their family). The person's details are held on the referral until the Transforming Care
//! Team accepts it; accepting creates (or links) the person and opens their register entry.
//! Two clocks run until a decision: a first contact within 5 working days and a decision
//! within 28 days (`referral_contact_overdue`, `referral_decision_overdue`).

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
