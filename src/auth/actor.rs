//! The one thing every service call needs of its request: who is acting, the audit context
//! their writes and reads are recorded under, the rows they may see, today's date and the
//! settings. Built once per request by the `Ctx` extractor; background work and the CLI
//! audit without one.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::access::Scope;
use super::current_user::CurrentUser;
use crate::audit::store::AuditRecord;
use crate::audit::{AuditCtx, AuditEvent};
use crate::config::Settings;

#[derive(Debug)]
pub struct Actor {
    pub user: CurrentUser,
    pub audit: AuditCtx,
    /// Whose records this user may read.
    pub scope: Scope,
    /// Today in Europe/London, from the service's clock.
    pub today: NaiveDate,
    pub settings: Arc<Settings>,
    /// Read audit rows waiting to be committed together with other requests' (see
    /// `audit_read`); the request's answer waits for them.
    pub pending_reads: Mutex<Vec<AuditRecord>>,
}

impl Actor {
    /// Audits a read of a person's records. The row is committed in a group with other
    /// requests' reads (one transaction for many, see `audit::batch`) after the service call
    /// returns and before the answer leaves, rather than by an insert of its own.
    pub fn audit_read(&self, event: AuditEvent<'_>) {
        let record = AuditRecord::new(&self.audit, event);
        self.pending_reads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    /// The reads audited so far, to be committed.
    pub fn take_pending_reads(&self) -> Vec<AuditRecord> {
        std::mem::take(&mut *self.pending_reads.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
