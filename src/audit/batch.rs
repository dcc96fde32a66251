//! Audit rows for busy list reads, written together.
//!
//! Every read of the register must leave an audit row before its data leaves the server. One
//! INSERT per request made that row the costliest part of a cached triage page, and on SQLite
//! every commit also empties the other connections' page caches. Here a request queues its row
//! and waits; one task writes whatever has queued in one multi-row INSERT and then answers
//! every waiter (group commit). Under load a batch holds one row per waiting request; alone, a
//! request waits for its own single-row insert, as before. A failed batch fails each of its
//! requests, so no data is sent without its audit row.

use std::sync::mpsc;

use tokio::sync::oneshot;

use super::store::{self, AuditCtx, AuditEvent, AuditRecord};
use crate::db::Db;
use crate::error::ApiError;

/// At most this many rows per INSERT (9 columns each stays far below either backend's limit on
/// bound parameters).
const MAX_BATCH: usize = 500;
/// Requests waiting beyond this many are told the log is unavailable rather than queueing
/// without bound.
const QUEUE: usize = 8192;

struct Pending {
    record: AuditRecord,
    done: oneshot::Sender<bool>,
}

#[derive(Clone)]
pub struct ReadAudit {
    queue: mpsc::SyncSender<Pending>,
}

impl ReadAudit {
    /// Starts the writer: its own thread, blocking on the queue and then on the database, so
    /// a batch costs no hops through the async runtime or the blocking pool.
    pub fn start(db: Db) -> ReadAudit {
        let (queue, incoming) = mpsc::sync_channel::<Pending>(QUEUE);
        std::thread::Builder::new()
            .name("dsr-read-audit".into())
            .spawn(move || {
                let mut known = store::KnownSets::default();
                while let Ok(first) = incoming.recv() {
                    // Whatever queued while the last batch was written; waiting for more
                    // was measured to lower throughput (requests here wait on each other).
                    let mut batch = vec![first];
                    batch.extend(incoming.try_iter().take(MAX_BATCH - 1));
                    let (rows, waiters): (Vec<AuditRecord>, Vec<_>) =
                        batch.into_iter().map(|p| (p.record, p.done)).unzip();
                    let written = write(&db, &rows, &mut known);
                    if let Err(error) = &written {
                        tracing::error!(%error, rows = rows.len(), "cannot write read audit rows");
                    }
                    for done in waiters {
                        // A request that gave up waiting has nothing to be told.
                        let _ = done.send(written.is_ok());
                    }
                }
            })
            .expect("start the read-audit thread");
        ReadAudit { queue }
    }

    /// Queues a row without waiting for it (a refusal: nothing is answered that needs it).
    pub fn note(&self, ctx: &AuditCtx, event: AuditEvent<'_>) {
        let (done, _) = oneshot::channel();
        let pending = Pending {
            record: AuditRecord::new(ctx, event),
            done,
        };
        if self.queue.try_send(pending).is_err() {
            tracing::error!("the audit queue is full: a refusal was not recorded");
        }
    }

    /// Writes these rows (one request's reads), returning once all are committed.
    pub async fn record_all(&self, records: Vec<AuditRecord>) -> Result<(), ApiError> {
        let unavailable = || ApiError::Unavailable("the audit log cannot be written".into());
        let mut waiting = Vec::with_capacity(records.len());
        for record in records {
            let (done, written) = oneshot::channel();
            self.queue
                .try_send(Pending { record, done })
                .map_err(|_| unavailable())?;
            waiting.push(written);
        }
        for written in waiting {
            if written.await != Ok(true) {
                return Err(unavailable());
            }
        }
        Ok(())
    }

    /// Writes the audit row for a read, returning once it is committed.
    pub async fn record(&self, ctx: &AuditCtx, event: AuditEvent<'_>) -> Result<(), ApiError> {
        self.record_all(vec![AuditRecord::new(ctx, event)]).await
    }
}

fn write(db: &Db, rows: &[AuditRecord], known: &mut store::KnownSets) -> Result<(), ApiError> {
    if !db.is_schema_ready() {
        return Err(ApiError::Unavailable("the database is not ready".into()));
    }
    let mut conn = db.pool.get()?;
    store::insert_many(&mut conn, rows, known)?;
    known.remember(rows);
    Ok(())
}
