//! Tamper evidence for the audit: rows are sealed in batches, so no request waits on a chain.
//!
//! A sealer (under the `audit_seal` job lease, one instance at a time) takes the rows older
//! than a short commit margin that come after the last seal in (at, id) order, and stores a
//! seal: the ids it covers and an HMAC-SHA256 over their canonical form (every field in a
//! fixed order, timestamps to the microsecond, the people each row is about) chained to the
//! previous seal's MAC. The key is kept outside the database. The first seal (the genesis)
//! covers every row written before sealing began. `verify` recomputes every seal and names
//! the first row that is missing, added or changed.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::store::AuditRow;
use crate::config::Settings;
use crate::db::schema::{audit_log, audit_seals, audit_subjects};
use crate::db::{write_transaction, AnyConnection};

/// The secret behind the seals: without it nobody can make a seal verify.
pub struct SealKey(Vec<u8>);

impl SealKey {
    pub fn new(secret: &[u8]) -> SealKey {
        SealKey(secret.to_vec())
    }

    /// The configured `audit.seal_key`, else the one kept in `<data_dir>/audit_seal_key`
    /// (generated on first start, readable only by its owner). Every instance sharing a
    /// database must use the same key.
    pub fn resolve(settings: &Settings) -> anyhow::Result<SealKey> {
        let secret = crate::secrets::configured_or_kept(
            &settings.audit.seal_key,
            &settings.server.data_dir.join("audit_seal_key"),
            "audit.seal_key",
        )?;
        Ok(SealKey(secret))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_seals)]
struct SealRow {
    seq: i64,
    sealed_at: NaiveDateTime,
    first_at: NaiveDateTime,
    first_id: String,
    last_at: NaiveDateTime,
    last_id: String,
    row_ids: String,
    mac: String,
}

/// Rows in one seal, at most (a seal's id list stays under a hundred kilobytes).
const MAX_ROWS: i64 = 2_000;

fn at_text(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The MAC of `rows` (with their subjects) after `previous`.
fn mac_of(
    key: &SealKey,
    previous: &str,
    rows: &[AuditRow],
    subjects: &HashMap<String, Vec<String>>,
) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes a key of any length");
    mac.update(previous.as_bytes());
    for row in rows {
        let people = subjects
            .get(&row.id)
            .map(|p| p.join(","))
            .unwrap_or_default();
        let fields = [
            row.id.as_str(),
            &at_text(row.at),
            row.actor_id.as_deref().unwrap_or(""),
            &row.action,
            &row.outcome,
            &row.entity_type,
            row.entity_id.as_deref().unwrap_or(""),
            row.request_id.as_deref().unwrap_or(""),
            &row.changed_fields,
            &people,
        ];
        mac.update(b"\x1e");
        for field in fields {
            mac.update(field.as_bytes());
            mac.update(b"\x1f");
        }
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Each row's people (by row id), read through the sets the rows name.
fn subjects_of(
    conn: &mut AnyConnection,
    rows: &[AuditRow],
) -> QueryResult<HashMap<String, Vec<String>>> {
    let mut sets: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.subject_set.as_deref())
        .collect();
    sets.sort_unstable();
    sets.dedup();
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in sets.chunks(500) {
        let found: Vec<(String, String)> = audit_subjects::table
            .filter(audit_subjects::subject_set.eq_any(chunk))
            .select((audit_subjects::subject_set, audit_subjects::person_id))
            .load(conn)?;
        for (set, person) in found {
            members.entry(set).or_default().push(person);
        }
    }
    for people in members.values_mut() {
        people.sort();
    }
    Ok(rows
        .iter()
        .filter_map(|r| {
            let set = r.subject_set.as_ref()?;
            Some((r.id.clone(), members.get(set).cloned().unwrap_or_default()))
        })
        .collect())
}

fn last_seal(conn: &mut AnyConnection) -> QueryResult<Option<SealRow>> {
    audit_seals::table
        .order(audit_seals::seq.desc())
        .select(SealRow::as_select())
        .first(conn)
        .optional()
}

/// Seals the next batch of rows older than `margin_secs`; the number of rows sealed (0 when
/// there was nothing to seal). The rows are read and the MAC computed outside any
/// transaction (audit rows never change, and only the lease holder seals); the write is one
/// short INSERT, so a backlog of thousands of rows never holds SQLite's writer lock for long.
pub fn seal_next(
    conn: &mut AnyConnection,
    key: &SealKey,
    now: NaiveDateTime,
    margin_secs: i64,
) -> QueryResult<usize> {
    let last = last_seal(conn)?;
    let cutoff = now - Duration::seconds(margin_secs);
    let mut query = audit_log::table
        .filter(audit_log::at.lt(cutoff))
        .into_boxed::<<AnyConnection as diesel::Connection>::Backend>();
    if let Some(last) = &last {
        query = query.filter(
            audit_log::at.gt(last.last_at).or(audit_log::at
                .eq(last.last_at)
                .and(audit_log::id.gt(last.last_id.clone()))),
        );
    }
    let rows: Vec<AuditRow> = query
        .order((audit_log::at.asc(), audit_log::id.asc()))
        .limit(MAX_ROWS)
        .select(AuditRow::as_select())
        .load(conn)?;
    let (Some(first), Some(final_row)) = (rows.first(), rows.last()) else {
        return Ok(0);
    };
    let subjects = subjects_of(conn, &rows)?;
    let previous = last.as_ref().map(|s| s.mac.clone()).unwrap_or_default();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let seal = SealRow {
        seq: last.as_ref().map_or(1, |s| s.seq + 1),
        sealed_at: now,
        first_at: first.at,
        first_id: first.id.clone(),
        last_at: final_row.at,
        last_id: final_row.id.clone(),
        row_ids: serde_json::to_string(&ids).unwrap_or_default(),
        mac: mac_of(key, &previous, &rows, &subjects),
    };
    // The primary key on `seq` refuses a second seal of the same place in the chain, should
    // two sealers ever race (a lease that ran out mid-run).
    write_transaction(conn, |conn| {
        diesel::insert_into(audit_seals::table)
            .values(&seal)
            .execute(conn)
    })?;
    Ok(rows.len())
}

/// Seals everything due, a batch at a time (bounded: a backlog is finished on later runs).
pub fn seal_due(
    conn: &mut AnyConnection,
    key: &SealKey,
    now: NaiveDateTime,
    margin_secs: i64,
) -> QueryResult<usize> {
    let mut sealed = 0;
    for _ in 0..100 {
        let n = seal_next(conn, key, now, margin_secs)?;
        sealed += n;
        if n == 0 {
            break;
        }
    }
    Ok(sealed)
}

pub const LEASE: &str = "audit_seal";

/// Seals every `audit.seal_interval_secs` under the lease (one instance at a time).
pub fn spawn(
    db: crate::db::Db,
    settings: std::sync::Arc<Settings>,
    clock: std::sync::Arc<dyn crate::domain::Clock>,
    holder: String,
) -> anyhow::Result<()> {
    let every = settings.audit.seal_interval_secs;
    if every == 0 {
        return Ok(());
    }
    let key = std::sync::Arc::new(SealKey::resolve(&settings)?);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(every));
        loop {
            ticker.tick().await;
            let (db, key, clock, holder) = (db.clone(), key.clone(), clock.clone(), holder.clone());
            let margin = settings.audit.seal_margin_secs;
            // A run that outlives the lease is safe: a seal is written only on top of the
            // latest one: the primary key on `seq` refuses a second sealer's batch.
            let ttl = settings.escalation.lease_secs;
            let run = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
                let mut conn = db.pool.get()?;
                let now = clock.now().naive_utc();
                use crate::escalation::lease;
                if !lease::take(&mut conn, LEASE, &holder, now, ttl)? {
                    return Ok(0);
                }
                let sealed = seal_due(&mut conn, &key, now, margin);
                lease::release(
                    &mut conn,
                    LEASE,
                    &holder,
                    clock.now().naive_utc(),
                    sealed.is_ok(),
                )?;
                Ok(sealed?)
            });
            match run.await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::error!(%error, "sealing the audit failed"),
                Err(error) => tracing::error!(%error, "the audit sealer stopped"),
            }
        }
    });
    Ok(())
}

/// What `verify` found wrong first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("seal {0} is missing")]
    SealMissing(i64),
    #[error("audit row {row} is missing (it was sealed in seal {seal})")]
    RowMissing { seal: i64, row: String },
    #[error("audit row {row} is not in seal {seal}, whose range it falls in (added afterwards)")]
    RowAdded { seal: i64, row: String },
    #[error("seal {seal} does not match its rows: a row from {first} to {last} was changed")]
    Changed {
        seal: i64,
        first: String,
        last: String,
    },
}

/// Recomputes every seal in order; the number of rows they cover, or the first break.
pub fn verify(conn: &mut AnyConnection, key: &SealKey) -> anyhow::Result<Result<usize, Broken>> {
    let seals: Vec<SealRow> = audit_seals::table
        .order(audit_seals::seq.asc())
        .select(SealRow::as_select())
        .load(conn)?;
    let (mut previous, mut rows_sealed) = (String::new(), 0);
    for (i, seal) in seals.iter().enumerate() {
        if seal.seq != i as i64 + 1 {
            return Ok(Err(Broken::SealMissing(i as i64 + 1)));
        }
        let rows: Vec<AuditRow> = audit_log::table
            .filter(
                audit_log::at
                    .ge(seal.first_at)
                    .and(audit_log::at.le(seal.last_at)),
            )
            .order((audit_log::at.asc(), audit_log::id.asc()))
            .select(AuditRow::as_select())
            .load(conn)?;
        let rows: Vec<AuditRow> = rows
            .into_iter()
            .filter(|r| {
                (r.at, r.id.as_str()) >= (seal.first_at, seal.first_id.as_str())
                    && (r.at, r.id.as_str()) <= (seal.last_at, seal.last_id.as_str())
            })
            .collect();
        let listed: Vec<String> = serde_json::from_str(&seal.row_ids)?;
        let present: std::collections::HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        if let Some(row) = listed.iter().find(|id| !present.contains(id.as_str())) {
            return Ok(Err(Broken::RowMissing {
                seal: seal.seq,
                row: row.clone(),
            }));
        }
        if let Some(row) = rows.iter().find(|r| !listed.contains(&r.id)) {
            return Ok(Err(Broken::RowAdded {
                seal: seal.seq,
                row: row.id.clone(),
            }));
        }
        let subjects = subjects_of(conn, &rows)?;
        if mac_of(key, &previous, &rows, &subjects) != seal.mac {
            return Ok(Err(Broken::Changed {
                seal: seal.seq,
                first: seal.first_id.clone(),
                last: seal.last_id.clone(),
            }));
        }
        previous = seal.mac.clone();
        rows_sealed += rows.len();
    }
    Ok(Ok(rows_sealed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, action: &str) -> AuditRow {
        AuditRow {
            id: id.into(),
            at: chrono::DateTime::from_timestamp(1_700_000_000, 123_456_000)
                .unwrap()
                .naive_utc(),
            actor_id: Some("u1".into()),
            action: action.into(),
            outcome: "success".into(),
            entity_type: "person".into(),
            entity_id: Some("p1".into()),
            request_id: None,
            changed_fields: "[]".into(),
            subject_set: None,
        }
    }

    #[test]
    fn the_mac_changes_with_any_field_the_order_the_chain_or_the_key() {
        let key = SealKey::new(b"k");
        let none = HashMap::new();
        let rows = [row("a", "read"), row("b", "update")];
        let base = mac_of(&key, "", &rows, &none);
        assert_eq!(base, mac_of(&key, "", &rows, &none), "deterministic");
        let changed = [row("a", "read"), row("b", "delete")];
        let swapped = [row("b", "update"), row("a", "read")];
        let mut about = HashMap::new();
        about.insert("a".to_string(), vec!["p9".to_string()]);
        for (other, why) in [
            (mac_of(&key, "", &changed, &none), "a field"),
            (mac_of(&key, "", &swapped, &none), "the order"),
            (mac_of(&key, "prev", &rows, &none), "the chain"),
            (mac_of(&SealKey::new(b"k2"), "", &rows, &none), "the key"),
            (mac_of(&key, "", &rows, &about), "the subjects"),
            (mac_of(&key, "", &rows[..1], &none), "a row fewer"),
        ] {
            assert_ne!(other, base, "{why}");
        }
    }
}
