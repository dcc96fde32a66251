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
/// so PostgreSQL migrations run under a session advisory lock, SQLite's under a lock file.
/// SQLite switches to WAL here, once: the journal mode is a property of the file, not of
/// each connection.
pub fn run_pending(conn: &mut AnyConnection) -> Result<usize, BoxError> {
    match conn {
        AnyConnection::Sqlite(c) => {
            // Two processes starting together on a fresh file raced here ("database is
            // locked", "table users already exists"): SQLite has no advisory lock, so one
            // is taken on a file beside the database for the WAL switch and the migrations.
            let _lock = StartLock::take(c)?;
            c.batch_execute("PRAGMA journal_mode = WAL;")?;
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

/// An exclusive lock on `<database file>.lock`, held until dropped; the operating system
/// releases it if the process dies. None for an in-memory database.
struct StartLock(Option<std::fs::File>);

#[derive(diesel::QueryableByName)]
struct DatabaseFile {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    file: String,
}

impl StartLock {
    fn take(conn: &mut diesel::SqliteConnection) -> Result<StartLock, BoxError> {
        use diesel::RunQueryDsl;
        let files: Vec<DatabaseFile> = diesel::sql_query("PRAGMA database_list").load(conn)?;
        let Some(main) = files
            .into_iter()
            .find(|f| f.name == "main" && !f.file.is_empty())
        else {
            return Ok(StartLock(None));
        };
        let path = format!("{}.lock", main.file);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open the start-up lock {path}: {e}"))?;
        file.lock()
            .map_err(|e| format!("cannot lock {path}: {e}"))?;
        Ok(StartLock(Some(file)))
    }
}

impl Drop for StartLock {
    fn drop(&mut self) {
        if let Some(file) = &self.0 {
            let _ = file.unlock();
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
