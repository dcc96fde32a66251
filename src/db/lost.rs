//! Telling "the database went away" from "the query was wrong". A PostgreSQL crash or
//! restart fails in-flight statements with errors that say the connection is gone: those are
//! 503 (try again), like an unreachable database, never 500.

use diesel::result::{DatabaseErrorKind, Error};

/// What libpq and the server say when a connection dies or the server is stopping or
/// starting (SQLSTATE classes 08 and 57P): diesel passes most of them on as `Unknown`.
const LOST: &[&str] = &[
    "server closed the connection",
    "terminating connection",
    "no connection to the server",
    "could not receive data from server",
    "could not send data to server",
    "connection to server",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "ssl syscall error",
    "ssl connection has been closed",
];

pub fn connection_lost(err: &Error) -> bool {
    match err {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message().to_ascii_lowercase();
            LOST.iter().any(|m| message.contains(m))
        }
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

/// SQLite's single writer kept busy past `busy_timeout`: the request may be retried.
pub fn busy(err: &Error) -> bool {
    matches!(err, Error::DatabaseError(DatabaseErrorKind::Unknown, info)
        if info.message().contains("database is locked"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info(&'static str);
    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn unknown(message: &'static str) -> Error {
        Error::DatabaseError(DatabaseErrorKind::Unknown, Box::new(Info(message)))
    }

    #[test]
    fn a_dead_or_stopping_server_is_a_lost_connection() {
        for message in [
            "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally",
            "terminating connection due to administrator command",
            "FATAL:  the database system is shutting down",
            "no connection to the server\n",
            "could not receive data from server: Connection reset by peer",
        ] {
            assert!(connection_lost(&unknown(message)), "{message}");
        }
        assert!(connection_lost(&Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new(Info("gone"))
        )));
    }

    #[test]
    fn query_mistakes_are_not() {
        for message in [
            "syntax error at or near \"SELEC\"",
            "relation \"people\" does not exist",
            "division by zero",
        ] {
            assert!(!connection_lost(&unknown(message)), "{message}");
        }
        assert!(!connection_lost(&Error::NotFound));
        assert!(busy(&unknown("database is locked")));
        assert!(!busy(&unknown("no such table: x")));
    }
}
