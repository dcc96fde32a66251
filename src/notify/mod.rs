//! Email: the notification outbox, digest rendering, lettre transports (SMTP and file) and
//! the sender that claims queued notifications and sends one digest per recipient.

pub mod account;
pub mod digest;
pub mod outbox;
pub mod relay;
pub mod routes;
pub mod sender;
pub mod service;
pub mod transport;
