use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{CreatePersonRequest, PersonQuery, PersonView, UpdatePersonRequest};
use super::service;
use super::store::{PersonFilter, SearchTerm};
use crate::access::Scope;
use crate::auth::{CurrentUser, Permission};
use crate::error::{ApiResult, Problem};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams, ValidJson};
use crate::startup::AppState;

/// Add a person (coordinators).
#[utoipa::path(
    tag = "people",
    request_body = CreatePersonRequest,
    responses(
        (status = 201, body = PersonView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, description = "NHS number already recorded", body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/people")]
pub async fn create_person(
    state: web::Data<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<CreatePersonRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
    let ctx = user.audit_ctx(state.clock.now());
    let today = state.clock.today();
    let view = state
        .db
        .write(move |conn| {
            let row = service::create(conn, &ctx, body)?;
            service::view(conn, row, today)
        })
        .await?;
    Ok(created(
        &format!("/api/v1/people/{}", view.id),
        &view,
        view.version,
    ))
}

/// Search people by NHS number or name (keyworkers: their caseload only).
#[utoipa::path(
    tag = "people",
    params(PersonQuery, PageParams),
    responses(
        (status = 200, body = ListResponse<PersonView>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/people")]
pub async fn list_people(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<PersonQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let page = page.resolve()?;
    let filter = PersonFilter {
        search: query.search.as_deref().and_then(SearchTerm::parse),
        keyworker_id: Scope::of(&user).caseload_of().map(String::from),
    };
    let ctx = user.audit_ctx(state.clock.now());
    let today = state.clock.today();
    let (items, total) = state
        .db
        .run(move |conn| service::search(conn, &ctx, filter, page, today))
        .await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(items, total, page)))
}

/// Read a person (audited).
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/people/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope, today) = (
        user.audit_ctx(state.clock.now()),
        Scope::of(&user),
        state.clock.today(),
    );
    let id = id.into_inner().to_string();
    let view = state
        .db
        .run(move |conn| service::read(conn, &ctx, &scope, &id, today))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Update a person (coordinators). Honours `If-Match`.
#[utoipa::path(
    tag = "people",
    params(
        ("id" = String, Path, description = "Person id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdatePersonRequest,
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/people/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<UpdatePersonRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
    let ctx = user.audit_ctx(state.clock.now());
    let today = state.clock.today();
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::update(conn, &ctx, &id, &if_match, body)?;
            service::view(conn, row, today)
        })
        .await?;
    Ok(ok_versioned(&view, view.version))
}
