//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations through
//! the same route table the server uses, so it cannot drift from what is served.

use actix_web::{get, App, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::OpenApi as _;
use utoipa_actix_web::AppExt;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "dsr: Dynamic Support Register",
        description = "The register of people with a learning disability and/or autistic people at risk of admission to a mental health hospital, or in one: C(E)TRs, discharge plans, keyworkers, reviews and escalation.",
    ),
    tags(
        (name = "auth", description = "Login, token refresh, logout"),
        (name = "users", description = "Staff accounts and roles"),
        (name = "people", description = "People on (or considered for) the register"),
        (name = "register", description = "The register: RAG ratings, history, DSR reviews"),
        (name = "keyworkers", description = "Named keyworkers and caseloads"),
        (name = "contacts", description = "The contact log"),
        (name = "admissions", description = "Hospital admissions and commissioner oversight visits"),
        (name = "cetrs", description = "Care (Education) and Treatment Reviews and their actions"),
        (name = "discharge", description = "12-point discharge plans"),
        (name = "escalation", description = "Alerts, escalation runs and the notification outbox"),
        (name = "reports", description = "Summary reports"),
        (name = "imports", description = "Importing an existing spreadsheet register"),
        (name = "audit", description = "Who did what, when"),
        (name = "health", description = "Liveness, readiness, metrics"),
    )
)]
struct ApiDoc;

/// The document's fixed parts; paths are added from the route table.
pub fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// Adds what the route table cannot: the bearer security scheme.
pub fn finish(mut api: OpenApi) -> OpenApi {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api
}

/// The whole document, built from the route table without starting a server.
pub fn document() -> OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(base())
        .configure(crate::startup::register_routes)
        .split_for_parts();
    finish(api)
}

pub fn yaml() -> String {
    document()
        .to_yaml()
        .unwrap_or_else(|e| format!("# could not render the OpenAPI document: {e}\n"))
}

/// The OpenAPI document as YAML.
#[utoipa::path(
    tag = "health",
    responses((status = 200, content_type = "application/yaml", body = String))
)]
#[get("/openapi.yaml")]
pub async fn openapi_yaml() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(yaml())
}
