//! The escalation sweep: gather overdue obligations with indexed queries, decide what to
//! raise, escalate and resolve (a pure plan), apply it with the notifications in one
//! transaction under a lease, then send the digests.

pub mod gather;
pub mod lease;
pub mod plan;
pub mod routes;
pub mod run;
pub mod scheduler;
