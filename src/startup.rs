//! Builds the application: state, database preparation, routes, middleware, OpenAPI; binds
//! a listener (port 0 in tests) and runs the server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::audit::AuditCtx;
use crate::auth::jwt::{self, JwtKeys};
use crate::cache::StampedCache;
use crate::config::Settings;
use crate::db::changes::Changes;
use crate::db::{migrate, Db};
use crate::domain::{Clock, SystemClock};
use crate::error::ApiError;
use crate::escalation::run::Escalator;
use crate::http::BodyLimit;
use crate::metrics::Metrics;
use crate::notify::transport::Mailer;
use crate::{
    admissions, alerts, audit, auth, cetrs, contacts, discharge, escalation, health, imports,
    keyworkers, notify, openapi, people, register, reports, telemetry, users,
};

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
    pub signed_in: StampedCache<String, auth::current_user::SignedIn>,
    /// Serialised triage-list pages.
    pub register_pages: StampedCache<String, web::Bytes>,
    /// Batched audit rows for list reads.
    pub read_audit: audit::ReadAudit,
}

/// Every route of the service, in one table. Fixed paths come before parameterised ones.
pub fn register_routes(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(health::metrics)
        .service(openapi::openapi_yaml)
        .service(
            scope::scope("/api/v1")
                .service(auth::routes::login)
                .service(auth::routes::refresh)
                .service(auth::routes::logout)
                .service(auth::routes::me)
                // the busiest route first: actix tries routes in order
                .service(register::routes::list_register)
                .service(users::routes::list_users)
                .service(users::routes::create_user)
                .service(users::routes::get_user)
                .service(users::routes::update_user)
                .service(audit::routes::list_audit)
                .service(people::routes::create_person)
                .service(people::routes::list_people)
                .service(people::routes::get_person)
                .service(people::routes::update_person)
                .service(keyworkers::routes::assign_keyworker)
                .service(keyworkers::routes::unassign_keyworker)
                .service(keyworkers::routes::keyworker_history)
                .service(keyworkers::routes::caseload)
                .service(contacts::routes::create_contact)
                .service(contacts::routes::list_contacts)
                .service(contacts::routes::get_contact)
                .service(admissions::routes::create_admission)
                .service(admissions::routes::list_admissions)
                .service(admissions::routes::get_admission)
                .service(admissions::routes::update_admission)
                .service(admissions::routes::create_visit)
                .service(admissions::routes::list_visits)
                .service(cetrs::routes::create_cetr)
                .service(cetrs::routes::list_cetrs)
                .service(cetrs::routes::get_cetr)
                .service(cetrs::routes::update_cetr)
                .service(cetrs::routes::create_action)
                .service(cetrs::routes::list_actions)
                .service(cetrs::routes::get_action)
                .service(cetrs::routes::update_action)
                .service(discharge::routes::create_plan)
                .service(discharge::routes::get_plan_for_admission)
                .service(discharge::routes::get_plan)
                .service(discharge::routes::update_plan)
                .service(discharge::routes::update_point)
                .service(discharge::routes::create_review)
                .service(discharge::routes::list_reviews)
                .service(alerts::routes::list_alerts)
                .service(alerts::routes::get_alert)
                .service(alerts::routes::acknowledge_alert)
                .service(escalation::routes::run_escalations)
                .service(notify::routes::list_notifications)
                .service(reports::routes::summary)
                .service(imports::routes::import)
                .service(register::routes::open_entry)
                // before /register/{id}, which would otherwise take "export.csv" as an id
                .service(reports::routes::export_register)
                .service(register::routes::get_entry)
                .service(register::routes::update_entry)
                .service(register::routes::entry_history)
                .service(register::routes::record_review)
                .service(register::routes::list_reviews)
                .service(register::routes::get_review)
                .service(register::routes::close_entry),
        );
}

async fn unknown_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Application> {
        let secret = jwt::resolve_secret(&settings)?;
        let jwt = JwtKeys::new(
            &secret,
            &settings.auth.issuer,
            &settings.auth.audience,
            settings.auth.access_token_ttl_secs,
        );
        let db = Db::new(&settings.database);
        let settings = Arc::new(settings);
        let escalator = Escalator {
            db: db.clone(),
            settings: settings.clone(),
            clock: clock.clone(),
            mailer: Mailer::from_settings(&settings.email, &settings.server.data_dir)?,
            instance_id: uuid::Uuid::new_v4().to_string(),
        };
        let changes = Changes::new(settings.cache.refresh_ms);
        let state = web::Data::new(AppState {
            read_audit: audit::ReadAudit::start(db.clone()),
            changes: changes.clone(),
            signed_in: StampedCache::new(10_000),
            register_pages: StampedCache::new(200),
            jwt,
            db,
            clock,
            metrics: web::Data::new(Metrics::new()),
            escalator,
            started_at: std::time::Instant::now(),
            settings,
        });
        start_database(state.clone()).await?;
        changes.spawn_poller(state.db.clone());
        crate::escalation::scheduler::spawn(state.escalator.clone());

        let listener = TcpListener::bind(state.settings.server.bind)?;
        let port = listener.local_addr()?.port();
        let app_state = state.clone();
        let mut server = HttpServer::new(move || build_app(app_state.clone()))
            .listen(listener)?
            .shutdown_timeout(10);
        if state.settings.server.workers > 0 {
            server = server.workers(state.settings.server.workers);
        }
        tracing::info!(port, "listening");
        Ok(Application {
            port,
            server: server.run(),
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.settings.server.body_limit_bytes;
    let (app, api) = App::new()
        .app_data(state.clone())
        .app_data(state.metrics.clone())
        .app_data(BodyLimit(limit))
        .app_data(web::PayloadConfig::new(limit))
        .app_data(web::QueryConfig::default().error_handler(|err, _| {
            ApiError::BadRequest(format!("invalid query parameters: {err}")).into()
        }))
        // A path segment that does not parse (e.g. not a UUID) names nothing that exists.
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        .into_utoipa_app()
        .openapi(openapi::base())
        .configure(register_routes)
        .split_for_parts();
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi::finish(api)))
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(unknown_route))
        .wrap(from_fn(telemetry::request_context))
}

/// Migrates and bootstraps the database. An unreachable database does not stop start-up:
/// the service answers `/health/ready` with 503 and keeps trying, so an orchestrator sees
/// "not ready" rather than a crash loop. Any other failure (a broken migration) is fatal.
async fn start_database(state: web::Data<AppState>) -> anyhow::Result<()> {
    let first = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || prepare_database(&state)).await?
    };
    match first {
        Ok(()) => Ok(()),
        Err(PrepareError::Unreachable(err)) => {
            tracing::error!(error = %err, "database unreachable; will keep trying");
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    let state = state.clone();
                    match tokio::task::spawn_blocking(move || prepare_database(&state)).await {
                        Ok(Ok(())) => break,
                        Ok(Err(PrepareError::Unreachable(_))) => continue,
                        Ok(Err(err)) => {
                            tracing::error!(error = %err, "database preparation failed");
                            break;
                        }
                        Err(err) => {
                            tracing::error!(error = %err, "database preparation panicked");
                            break;
                        }
                    }
                }
            });
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, thiserror::Error)]
enum PrepareError {
    #[error("{0}")]
    Unreachable(crate::db::pool::ConnectionError),
    #[error("migrations failed: {0}")]
    Migrations(Box<dyn std::error::Error + Send + Sync>),
    #[error("bootstrapping the admin user failed: {0}")]
    Bootstrap(ApiError),
}

fn prepare_database(state: &AppState) -> Result<(), PrepareError> {
    let mut conn = state.db.connect_now().map_err(PrepareError::Unreachable)?;
    let applied = migrate::run_pending(&mut conn).map_err(PrepareError::Migrations)?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    let ctx = AuditCtx {
        now: state.clock.now().naive_utc(),
        ..AuditCtx::default()
    };
    let password = &state.settings.auth.bootstrap_admin_password;
    let generated = match crate::db::write_transaction(&mut conn, |c| {
        users::service::bootstrap_admin(c, &ctx, password)
    }) {
        Ok(generated) => generated,
        // Another instance starting at the same moment created `admin` first.
        Err(ApiError::Conflict(_)) => None,
        Err(err) => return Err(PrepareError::Bootstrap(err)),
    };
    if let Some(password) = generated {
        // Printed once, to the terminal only: never to the log.
        eprintln!("\n  Created user `admin` with password: {password}\n  Log in and change it.\n");
    }
    state.db.mark_schema_ready();
    Ok(())
}
