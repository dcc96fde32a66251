//! Why a person is at risk, as the DSR meeting records it: coded factors on a register entry
//! (the codes and their labels are configuration, `register.risk_factors`), each noted on a
//! date with a note and ended when no longer present. An ended factor stays as history.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
