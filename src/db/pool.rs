//! The r2d2 pool over `AnyConnection` and the `Db` handle handlers use to run blocking work.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{InstrumentationEvent, SimpleConnection};
use diesel::{Connection, PgConnection, SqliteConnection};

use super::AnyConnection;
use crate::config::{DatabaseSettings, DatabaseUrl, SqliteSynchronous};
use crate::error::ApiError;

pub type DbPool = r2d2::Pool<ConnectionManager>;

/// Establishes connections for the backend the URL names, directly.
///
/// diesel's derived `MultiConnection::establish` tries each backend in turn and reports only
/// "invalid connection url", losing PostgreSQL's real error; choosing by scheme keeps it.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    synchronous: SqliteSynchronous,
    /// Statements run on every connection this manager made (for metrics and the test that
    /// lists do not issue more queries as they grow).
    queries: Arc<AtomicU64>,
    /// When (ms since the Unix epoch) a statement last failed because its connection was
    /// lost; 0: never. For a while after, connections going back to the pool are checked
    /// and dropped if dead, so a database restart costs each pooled connection one 503 at
    /// most, not an error on every use.
    lost_at_ms: Arc<AtomicU64>,
}

/// How long after a lost connection returning connections are checked.
const CHECK_AFTER_LOSS_MS: u64 = 60_000;

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot create the database directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl, synchronous: SqliteSynchronous) -> ConnectionManager {
        ConnectionManager {
            url,
            synchronous,
            queries: Arc::default(),
            lost_at_ms: Arc::default(),
        }
    }

    pub fn connect_now(&self) -> Result<AnyConnection, ConnectionError> {
        let mut conn = self.establish()?;
        let (counter, lost_at) = (self.queries.clone(), self.lost_at_ms.clone());
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartQuery { .. } => {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            InstrumentationEvent::FinishQuery {
                error: Some(err), ..
            } if super::lost::connection_lost(err) => lost_at.store(now_ms(), Ordering::Relaxed),
            _ => {}
        });
        Ok(conn)
    }

    fn establish(&self) -> Result<AnyConnection, ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                Ok(AnyConnection::Postgresql(PgConnection::establish(url)?))
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty() && !d.exists())
                {
                    std::fs::create_dir_all(dir).map_err(|source| ConnectionError::Directory {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // busy_timeout first so the pragmas below wait for a busy database too.
                let sync = match self.synchronous {
                    SqliteSynchronous::Normal => "NORMAL",
                    SqliteSynchronous::Full => "FULL",
                };
                // A larger page cache (8 MB, not 2): profiling the triage list showed
                // each pooled connection re-reading pages through read(2) into its own 2 MB cache.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync}; \
                     PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY;"
                ))?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<AnyConnection, ConnectionError> {
        self.connect_now()
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        use diesel::connection::TransactionManager;
        if <AnyConnection as TransactionManager<AnyConnection>>::is_broken_transaction_manager(conn)
        {
            return true;
        }
        // A statement on some connection found the server gone: until things have been quiet
        // for a minute, a connection is kept only if it still answers.
        let lost_at = self.lost_at_ms.load(Ordering::Relaxed);
        lost_at > 0
            && now_ms().saturating_sub(lost_at) < CHECK_AFTER_LOSS_MS
            && conn.batch_execute("SELECT 1").is_err()
    }
}

/// Builds the pool without connecting: start-up decides separately whether the database is
/// reachable, so an unreachable database shows as "not ready" rather than a crash loop.
pub fn build_pool(settings: &DatabaseSettings) -> (DbPool, ConnectionManager) {
    let manager = ConnectionManager::new(
        DatabaseUrl::parse(&settings.url),
        settings.sqlite_synchronous,
    );
    let pool = r2d2::Pool::builder()
        .max_size(settings.pool_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .test_on_check_out(false)
        .build_unchecked(manager.clone());
    (pool, manager)
}

/// Handle used by handlers: each unit of work runs on the blocking pool with its whole
/// transaction inside, and carries the request's tracing span with it.
#[derive(Clone)]
pub struct Db {
    pub pool: DbPool,
    manager: ConnectionManager,
    /// Set once migrations have been applied; until then requests get 503, not SQL errors.
    schema_ready: Arc<AtomicBool>,
}

impl Db {
    pub fn new(settings: &DatabaseSettings) -> Db {
        let (pool, manager) = build_pool(settings);
        Db {
            pool,
            manager,
            schema_ready: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn mark_schema_ready(&self) {
        self.schema_ready.store(true, Ordering::SeqCst);
    }

    pub fn is_schema_ready(&self) -> bool {
        self.schema_ready.load(Ordering::SeqCst)
    }

    /// Statements run so far on this database's connections.
    pub fn queries_run(&self) -> u64 {
        self.manager.queries.load(Ordering::Relaxed)
    }

    /// A connection straight from the pool's manager, for start-up and CLI work.
    pub fn connect_now(&self) -> Result<AnyConnection, ConnectionError> {
        self.manager.connect_now()
    }

    /// Runs `f` with a pooled connection, outside any transaction (plain reads).
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if !self.is_schema_ready() {
            return Err(ApiError::Unavailable(
                "the database is not ready yet; try again shortly".into(),
            ));
        }
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        actix_web::web::block(move || {
            let _entered = span.enter();
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction: everything it writes commits together or not at all.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| super::write_transaction(conn, f))
            .await
    }
}
