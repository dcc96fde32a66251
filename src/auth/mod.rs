//! Authentication (passwords, JWTs, refresh tokens, login throttling) and authorisation
//! (the role table).

pub mod access;
pub mod actor;
pub mod current_user;
pub mod jwt;
pub mod login;
pub mod model;
pub mod page_session;
pub mod password;
pub mod permissions;
pub mod routes;
pub mod service;
pub mod store;

pub use current_user::CurrentUser;
pub use permissions::Permission;
