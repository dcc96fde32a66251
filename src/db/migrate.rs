//! Embedded migrations, one folder per backend with the same schema.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::AnyConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Arbitrary constant naming our advisory lock; only `dsr` instances take it.
const MIGRATION_LOCK_KEY: i64 = 0x0064_7372_5f6d_6967;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies pending migrations and returns how many ran.
///
/// Two instances starting together on one PostgreSQL would race on diesel's migrations table,
/// so PostgreSQL migrations run under a session advisory lock. SQLite switches to WAL here,
/// once: the journal mode is a property of the file, not of each connection.
pub fn run_pending(conn: &mut AnyConnection) -> Result<usize, BoxError> {
    match conn {
        AnyConnection::Sqlite(c) => {
            c.batch_execute("PRAGMA journal_mode = WAL;")?;
            // SQLite has no advisory lock: if another process applied a migration between our
            // check and our attempt, ours fails and rolls back; it is done if all are applied.
            let result = c
                .run_pending_migrations(SQLITE)
                .map(|applied| applied.len());
            match result {
                Ok(n) => Ok(n),
                Err(err) => {
                    let message = err.to_string();
                    if c.has_pending_migration(SQLITE)? {
                        return Err(message.into());
                    }
                    tracing::info!(error = %message, "another process applied the migrations first");
                    Ok(0)
                }
            }
        }
        AnyConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c.run_pending_migrations(POSTGRES).map(|v| v.len());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            Ok(result?)
        }
    }
}

/// True when every embedded migration has been applied.
pub fn is_up_to_date(conn: &mut AnyConnection) -> Result<bool, BoxError> {
    let pending = match conn {
        AnyConnection::Sqlite(c) => c.has_pending_migration(SQLITE)?,
        AnyConnection::Postgresql(c) => c.has_pending_migration(POSTGRES)?,
    };
    Ok(!pending)
}
