//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations through
//! the same route table the server uses, so it cannot drift from what is served.

use actix_web::App;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::openapi::{Content, RefOr, Required, Response, ResponseBuilder};
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
        (name = "cetrs", description = "Care (Education) and Treatment Reviews and LAEPs"),
        (name = "actions", description = "Actions from C(E)TRs, LAEPs, DSR reviews and oversight visits"),
        (name = "discharge", description = "12-point discharge plans"),
        (name = "escalation", description = "Alerts, escalation runs and the notification outbox"),
        (name = "referrals", description = "Referrals to the register and their decisions"),
        (name = "reports", description = "The summary, the monthly series, the people behind each figure, and the inpatient return"),
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

/// Operations anyone may call without a bearer token (besides those outside `/api/v1`).
const PUBLIC: [&str; 2] = ["/api/v1/auth/login", "/api/v1/auth/refresh"];

/// What operations have in common, added here once rather than on each handler: the bearer
/// requirement with its 401 and 403 on every authenticated operation; 404 wherever the path
/// names a record; 400 (unreadable body) and 422 (invalid fields) wherever a body is taken
/// (and 415 for a JSON body sent as anything else),
/// and 400 (a bad parameter) wherever a query is;
/// `If-Match` and its 412 on every authenticated PATCH. Every error is documented as
/// `application/problem+json`, the type the server sends.
fn common_responses(api: &mut OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let authenticated = path.starts_with("/api/v1") && !PUBLIC.contains(&path.as_str());
        if authenticated {
            if let Some(patch) = item.patch.as_mut() {
                add_if_match(patch);
            }
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let mut shared = Vec::new();
            if authenticated {
                operation.security = Some(vec![SecurityRequirement::new(
                    "bearer",
                    Vec::<String>::new(),
                )]);
                shared.extend(["401", "403"]);
            }
            if path.contains('{') {
                shared.push("404");
            }
            if let Some(body) = &operation.request_body {
                shared.extend(["400", "422"]);
                if body.content.contains_key("application/json") {
                    shared.push("415");
                }
            }
            let takes_query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            if takes_query {
                shared.push("400");
            }
            let responses = &mut operation.responses.responses;
            for status in shared {
                responses
                    .entry(status.to_string())
                    .or_insert_with(problem_response);
            }
            for (status, response) in responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if status.starts_with(['4', '5']) {
                    if let Some(content) = response.content.shift_remove("application/json") {
                        response.content.insert(PROBLEM_JSON.to_string(), content);
                    }
                }
            }
        }
    }
}

fn problem_response() -> RefOr<Response> {
    let schema = RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem"));
    RefOr::T(
        ResponseBuilder::new()
            .content(PROBLEM_JSON, Content::new(Some(schema)))
            .build(),
    )
}

/// A PATCH applies only to the version the client read (optional header; 412 when stale).
fn add_if_match(operation: &mut Operation) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    if !parameters.iter().any(|p| p.name == "If-Match") {
        parameters.push(
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .description(Some("The ETag last read"))
                .required(Required::False)
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(SchemaType::from_iter([Type::String, Type::Null])),
                ))
                .build(),
        );
    }
    operation
        .responses
        .responses
        .entry("412".to_string())
        .or_insert_with(problem_response);
}

const PROBLEM_JSON: &str = "application/problem+json";

/// Adds what the route table cannot: the bearer security scheme and the responses every
/// authenticated operation shares.
pub fn finish(mut api: OpenApi) -> OpenApi {
    common_responses(&mut api);
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
        .configure(crate::routes::configure)
        .split_for_parts();
    finish(api)
}

pub fn yaml() -> String {
    to_yaml(&document())
}

pub fn to_yaml(document: &OpenApi) -> String {
    document
        .to_yaml()
        .unwrap_or_else(|e| format!("# could not render the OpenAPI document: {e}\n"))
}
