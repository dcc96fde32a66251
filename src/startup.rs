//! Builds the application from its state and the route table, prepares the database, binds a
//! listener (port 0 in tests) and runs the server. Nothing else lives here.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use utoipa_actix_web::AppExt;
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
use crate::http::deadline::{body_deadline, BodyTimeout};
use crate::http::BodyLimit;
use crate::metrics::Metrics;
use crate::notify::transport::Mailer;
use crate::state::AppState;
use crate::{audit, openapi, routes, telemetry, users};

/// 405 with `Allow` for a documented path asked with another method; else a JSON 404 under
/// the API and the service's 404 page anywhere else.
async fn unknown_route(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    let state = req.app_data::<web::Data<AppState>>();
    let allowed = state.and_then(|s| crate::http::allow::allowed_methods(&s.openapi, req.path()));
    // A path that takes this very method was not matched for another reason: not found.
    let method = req.method().as_str();
    if let Some(allowed) = allowed.filter(|a| !a.is_empty() && !a.contains(&method)) {
        Err(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allowed,
        })
    } else if req.path().starts_with("/api/") {
        Err(ApiError::NotFound)
    } else {
        Ok(crate::web::error::not_found_page())
    }
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
        let document = openapi::document();
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
            openapi_yaml: openapi::to_yaml(&document),
            imports_running: Default::default(),
            imports_pending: Default::default(),
            page_key: crate::web::session::page_key(&secret),
            web_sessions: StampedCache::new(10_000),
            register_views: StampedCache::new(200),
            keyworker_choices: StampedCache::new(1),
            records: StampedCache::new(500),
            entries: StampedCache::new(2_000),
            people: StampedCache::new(2_000),
            openapi: document,
            settings,
        });
        start_database(state.clone()).await?;
        changes.spawn_poller(state.db.clone());
        crate::escalation::scheduler::spawn(state.escalator.clone());
        crate::audit::seal::spawn(
            state.db.clone(),
            state.settings.clone(),
            state.clock.clone(),
            state.escalator.instance_id.clone(),
        )?;

        let listener = TcpListener::bind(state.settings.server.bind)?;
        let port = listener.local_addr()?.port();
        let app_state = state.clone();
        let mut server = HttpServer::new(move || build_app(app_state.clone()))
            .backlog(state.settings.server.backlog)
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
    // The routes come from the utoipa-aware table; the document they describe was built once.
    let (app, _) = App::new()
        .app_data(state.clone())
        .app_data(state.metrics.clone())
        .app_data(BodyLimit(limit))
        .app_data(BodyTimeout(Duration::from_secs(
            state.settings.server.body_timeout_secs,
        )))
        .app_data(web::PayloadConfig::new(limit))
        .into_utoipa_app()
        .openapi(openapi::base())
        .configure(routes::configure)
        .split_for_parts();
    let app = app.configure(crate::web::configure);
    // Swagger UI would send the document's address to an outside validator: never.
    let docs = SwaggerUi::new("/docs/{_:.*}")
        .url("/openapi.json", state.openapi.clone())
        .config(utoipa_swagger_ui::Config::new(["/openapi.json"]).validator_url("none"));
    app.service(docs)
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(unknown_route))
        .wrap(from_fn(body_deadline))
        .wrap(safe_headers())
        .wrap(from_fn(telemetry::request_context))
}

/// Headers every response carries unless it set its own: nothing is cached (records,
/// tokens and exports are personal data), content types are not sniffed, no page may frame
/// ours, and no address leaks to another site in `Referer`.
fn safe_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CACHE_CONTROL, "no-store"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"))
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
        hand_over_admin_password(&state.settings.server.data_dir, &password);
    }
    state.db.mark_schema_ready();
    Ok(())
}

/// The generated admin password goes to a person, never through the log: printed once when
/// stderr is a terminal (someone is watching), otherwise (stderr captured by a service
/// manager or a log shipper) written to `<data_dir>/admin_password`, readable only by this
/// user, and the log says where, without the password.
fn hand_over_admin_password(data_dir: &std::path::Path, password: &str) {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprintln!("\n  Created user `admin` with password: {password}\n  Sign in and change it.\n");
        return;
    }
    let path = data_dir.join(ADMIN_PASSWORD_FILE);
    let written = std::fs::create_dir_all(data_dir)
        .and_then(|()| match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
        .and_then(|()| crate::secrets::write_new_private(&path, &format!("{password}\n")));
    match written {
        Ok(()) => tracing::warn!(
            path = %path.display(),
            "created user `admin`; its password is in this file, readable only by this user: \
             sign in, change the password, then delete the file"
        ),
        Err(error) => tracing::error!(
            path = %path.display(),
            %error,
            "created user `admin` but could not write its password: start again on an \
             empty database with DSR_AUTH__BOOTSTRAP_ADMIN_PASSWORD set"
        ),
    }
}

/// Where the generated admin password is left when no terminal is watching.
pub const ADMIN_PASSWORD_FILE: &str = "admin_password";
