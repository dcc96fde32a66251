//! Optimistic concurrency, once for every store: a PATCH applies only while the row is still
//! at the version the client read (its `If-Match`), and moves the version on.

use crate::error::ApiError;

/// Defines a store's `$name(conn, id, expected_version, changes, now)` for a
/// table with `id`, `version` and `updated_at` columns. A row that has moved on answers 412
/// carrying its real current version (so the client can fetch it again); a row that is gone
/// answers 404.
macro_rules! versioned_update {
    ($name:ident, $table:ident, $changes:ty) => {
        /// Applies `changes` only if the row is still at `expected_version`.
        pub fn $name(
            conn: &mut $crate::db::AnyConnection,
            id: &str,
            expected_version: i32,
            changes: &$changes,
            now: chrono::NaiveDateTime,
        ) -> Result<(), $crate::error::ApiError> {
            use diesel::prelude::*;
            let affected = diesel::update(
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::version.eq(expected_version)),
            )
            .set((
                changes,
                $table::version.eq(expected_version + 1),
                $table::updated_at.eq(now),
            ))
            .execute(conn)?;
            if affected == 1 {
                return Ok(());
            }
            let current: Option<i32> = $table::table
                .filter($table::id.eq(id))
                .select($table::version)
                .first(conn)
                .optional()?;
            Err($crate::db::versioned::stale(current))
        }
    };
}
pub(crate) use versioned_update;

/// The answer to an update that found its row moved on (`Some(version)`) or gone (`None`).
pub fn stale(current: Option<i32>) -> ApiError {
    match current {
        Some(current) => ApiError::PreconditionFailed { current },
        None => ApiError::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_row_reports_its_real_version_and_a_gone_row_is_not_found() {
        assert!(matches!(
            stale(Some(7)),
            ApiError::PreconditionFailed { current: 7 }
        ));
        assert!(matches!(stale(None), ApiError::NotFound));
    }
}
