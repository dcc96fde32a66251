//! What every request and background task shares: settings, the database, the clock, keys,
//! caches. Imported by handlers and extractors; it imports none of them.

use std::sync::Arc;

use actix_web::web;

use crate::audit::ReadAudit;
use crate::auth::current_user::SignedIn;
use crate::auth::jwt::JwtKeys;
use crate::auth::page_session::OpenSession;
use crate::cache::StampedCache;
use crate::config::Settings;
use crate::db::changes::Changes;
use crate::db::Db;
use crate::domain::Clock;
use crate::escalation::run::Escalator;
use crate::metrics::Metrics;
use crate::people::record::Record;
use crate::users::model::UserSummary;

/// A serialised list page and the ids of the people on it.
pub type ShownPage = (web::Bytes, Arc<[String]>);

/// A page's rendered table: its HTML, how many rows it shows of how many, and the people on it.
pub struct RenderedList {
    pub html: String,
    pub shown: i64,
    pub total: i64,
    pub people: Arc<[String]>,
}

pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub jwt: JwtKeys,
    pub clock: Arc<dyn Clock>,
    pub metrics: web::Data<Metrics>,
    pub escalator: Escalator,
    pub started_at: std::time::Instant,
    /// Moves when the register may have changed; keys the two caches below.
    pub changes: Changes,
    /// Signed-in users as last read, so a request need not re-read its user.
    pub signed_in: StampedCache<String, SignedIn>,
    /// Serialised triage-list pages, with the people each shows (for its audit row).
    pub register_pages: StampedCache<String, ShownPage>,
    /// Batched audit rows for list reads.
    pub read_audit: ReadAudit,
    /// The OpenAPI document, built once at start-up from the route table, and its YAML as
    /// served at `/openapi.yaml`.
    pub openapi: utoipa::openapi::OpenApi,
    pub openapi_yaml: String,
    /// Users with an import running (one at a time each).
    pub imports_running: crate::imports::caps::Running,
    /// Files checked on the import page, waiting to be confirmed.
    pub imports_pending: crate::imports::pending::Pending,
    /// Signs the pages' form tokens (derived from the JWT secret: the same on every server).
    pub page_key: Vec<u8>,
    /// Page sessions by cookie hash, as last read (`None`: no such session).
    pub web_sessions: StampedCache<String, Option<Arc<OpenSession>>>,
    /// The triage board page's rows (the API's list pages are kept serialised above).
    pub register_views: StampedCache<String, Arc<RenderedList>>,
    /// The board's keyworker filter choices (`None`: too many to list).
    pub keyworker_choices: StampedCache<(), Option<Arc<Vec<UserSummary>>>>,
    /// People's records as their pages show them, by person and viewer.
    pub records: StampedCache<String, Arc<Record>>,
    /// Register entries and people as `GET /register/{id}` and `GET /people/{id}` answer
    /// them, by id, scope and day (see `Ctx::read_kept`).
    pub entries: StampedCache<String, Arc<crate::register::model::EntryView>>,
    pub people: StampedCache<String, Arc<crate::people::model::PersonView>>,
}
