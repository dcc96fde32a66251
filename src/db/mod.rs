//! Storage plumbing shared by every aggregate: the two-backend connection, the pool, the
//! transaction helpers and the migrations. Aggregate queries live in `<aggregate>/store.rs`.

pub mod changes;
pub mod conn;
pub mod lost;
pub mod migrate;
pub mod pool;
pub mod schema;
pub mod types;
pub mod versioned;

pub use conn::{column, sqlite_writer, write_transaction, AnyConnection};
pub use pool::{Db, DbPool};

diesel::define_sql_function! {
    /// SQL `lower()`, for filters that ignore case (`area`): both sides are lowered by the
    /// same database, and an index on `lower(area)` serves them.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
