//! The connection over both backends and the write-transaction helpers every store uses.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::{AnsiTransactionManager, TransactionManager};

/// One connection type over both backends; the variant is chosen from the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl AnyConnection {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, AnyConnection::Sqlite(_))
    }
}

/// SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps
/// (1 ms, 2 ms, 5 ms…) between tries and wastes most of the time under load. Writers in this
/// process queue on this lock instead and go in the moment the previous one commits.
/// (Other processes on the same file still meet `busy_timeout`.)
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Takes the SQLite writer lock for a write that is not already inside a transaction (whose
/// opener holds it). `None` on PostgreSQL, which needs no such queue.
pub fn sqlite_writer(conn: &mut AnyConnection) -> Option<std::sync::MutexGuard<'static, ()>> {
    match conn {
        AnyConnection::Sqlite(c) => {
            let status =
                <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::transaction_manager_status_mut(c);
            let in_transaction = status.transaction_depth().ok().flatten().is_some();
            (!in_transaction).then(|| SQLITE_WRITER.lock().unwrap_or_else(|e| e.into_inner()))
        }
        AnyConnection::Postgresql(_) => None,
    }
}

/// Runs `f` in a write transaction.
///
/// SQLite's plain `BEGIN` is deferred: a transaction that reads and then writes fails with
/// `SQLITE_BUSY_SNAPSHOT` when another writer got in between, and `busy_timeout` never retries
/// that. `BEGIN IMMEDIATE` takes the write lock up front, so concurrent writers queue instead.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let _writer = sqlite_writer(conn);
    // Whatever the outcome, what this process has cached may now be out of date.
    let _noted = NoteWrite;
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        AnyConnection::Postgresql(c) => <AnsiTransactionManager as TransactionManager<
            diesel::PgConnection,
        >>::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            <AnyConnection as TransactionManager<AnyConnection>>::commit_transaction(conn)?;
            Ok(value)
        }
        Err(user_error) => {
            match <AnyConnection as TransactionManager<AnyConnection>>::rollback_transaction(conn) {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(user_error),
                Err(rollback_error) => Err(rollback_error.into()),
            }
        }
    }
}

/// Moves the local change counter when dropped, i.e. after the commit or rollback.
struct NoteWrite;

impl Drop for NoteWrite {
    fn drop(&mut self) {
        note_local_write();
    }
}

/// One field of every row, as the array a PostgreSQL `unnest` bulk statement binds.
pub fn column<R, T>(rows: &[R], field: impl Fn(&R) -> T) -> Vec<T> {
    rows.iter().map(field).collect()
}

/// Multi-row INSERT. diesel's `MultiBackend` cannot build batch inserts, so this issues the
/// same statement on the concrete connection: one round trip for many rows (discharge plan
/// points, demo data).
#[macro_export]
macro_rules! insert_batch {
    ($conn:expr, $table:expr, $values:expr) => {
        match $conn {
            $crate::db::AnyConnection::Sqlite(c) => {
                diesel::insert_into($table).values($values).execute(c)
            }
            $crate::db::AnyConnection::Postgresql(c) => {
                diesel::insert_into($table).values($values).execute(c)
            }
        }
    };
}

/// Write transactions run by this process (all `Db` handles share it: a write through any of
/// them may change what any cache holds).
static LOCAL_WRITES: AtomicU64 = AtomicU64::new(0);

/// Called after every write transaction, committed or not.
pub fn note_local_write() {
    LOCAL_WRITES.fetch_add(1, Ordering::SeqCst);
}

/// Write transactions this process has run so far (see `db::changes`).
pub fn local_writes() -> u64 {
    LOCAL_WRITES.load(Ordering::SeqCst)
}
