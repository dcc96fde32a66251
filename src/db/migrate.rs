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

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, RunQueryDsl, SqliteConnection};
    use diesel_migrations::MigrationHarness;

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }

    /// The table rebuilds (alerts, then people) keep every row and every link: a database
    /// with a person, an entry and an alert from before them comes through whole, its
    /// foreign keys intact, its change-counter triggers still firing.
    #[test]
    fn the_sqlite_rebuilds_keep_rows_links_and_triggers() {
        let mut c = SqliteConnection::establish(":memory:").unwrap();
        c.batch_execute("PRAGMA foreign_keys = ON;").unwrap();
        let all = diesel::migration::MigrationSource::<diesel::sqlite::Sqlite>::migrations(
            &super::SQLITE,
        )
        .unwrap();
        // Every migration before the first rebuild (000021, referrals).
        let before_rebuilds = all
            .iter()
            .filter(|m| m.name().to_string().as_str() < "2026-12-03-000021")
            .count();
        assert_eq!(before_rebuilds, 20);
        for _ in 0..before_rebuilds {
            c.run_next_migration(super::SQLITE).unwrap();
        }
        c.batch_execute(
            "INSERT INTO users (id, username, email, display_name, role, password_hash, active, \
               created_at, updated_at) VALUES ('u1','u','u@nhs.net','U','coordinator','x',1, \
               '2026-01-01 00:00:00','2026-01-01 00:00:00');
             INSERT INTO people (id, nhs_number, given_name, family_name, search_name, date_of_birth, \
               diagnoses, area, consent_status, keyworker_id, version, created_at, updated_at) VALUES \
               ('p1','9990000018','Ann','Lee','ann lee|lee ann','2000-01-01','[\"autism\"]','North', \
               'given',NULL,1,'2026-01-01 00:00:00','2026-01-01 00:00:00');
             INSERT INTO alerts (id, kind, subject_type, subject_id, person_id, due_on, days_overdue, \
               level, status, raised_at, updated_at) VALUES ('a1','no_keyworker','register_entry', \
               'e1','p1','2026-01-01',3,1,'open','2026-01-01 00:00:00','2026-01-01 00:00:00');",
        )
        .unwrap();
        let generation = |c: &mut SqliteConnection| {
            diesel::sql_query(
                "SELECT CAST(generation AS TEXT) AS v FROM change_counters WHERE name = 'register'",
            )
            .get_result::<Row>(c)
            .unwrap()
            .v
        };
        c.run_pending_migrations(super::SQLITE).unwrap();
        let person = diesel::sql_query(
            "SELECT nhs_number || ' ' || nhs_number_status || ' ' || given_name AS v FROM people",
        )
        .get_result::<Row>(&mut c)
        .unwrap();
        assert_eq!(person.v, "9990000018 recorded Ann");
        let alert = diesel::sql_query("SELECT person_id AS v FROM alerts WHERE id = 'a1'")
            .get_result::<Row>(&mut c)
            .unwrap();
        assert_eq!(alert.v, "p1");
        let broken = diesel::sql_query("SELECT \"table\" AS v FROM pragma_foreign_key_check")
            .load::<Row>(&mut c)
            .unwrap();
        assert!(broken.is_empty(), "foreign keys intact");
        let before = generation(&mut c);
        c.batch_execute("UPDATE people SET area = 'South' WHERE id = 'p1'")
            .unwrap();
        assert_ne!(generation(&mut c), before, "the counter trigger fires");
        // Still enforced after the rebuild: an alert about no such person is refused.
        assert!(c
            .batch_execute(
                "INSERT INTO alerts (id, kind, subject_type, subject_id, person_id, due_on, \
                 days_overdue, level, status, raised_at, updated_at) VALUES ('a2','no_keyworker', \
                 'register_entry','e2','nobody','2026-01-01',3,1,'open','2026-01-01 00:00:00', \
                 '2026-01-01 00:00:00')"
            )
            .is_err());
    }
}
