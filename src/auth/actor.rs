//! The one thing every service call needs of its request: who is acting, the audit context
//! their writes and reads are recorded under, the rows they may see, today's date and the
//! settings. Built once per request by the `Ctx` extractor; background work and the CLI
//! audit without one.

use std::sync::Arc;

use chrono::NaiveDate;

use super::access::Scope;
use super::current_user::CurrentUser;
use crate::audit::AuditCtx;
use crate::config::Settings;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user: CurrentUser,
    pub audit: AuditCtx,
    /// Whose records this user may read.
    pub scope: Scope,
    /// Today in Europe/London, from the service's clock.
    pub today: NaiveDate,
    pub settings: Arc<Settings>,
}
