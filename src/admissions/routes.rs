use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{
    AdmissionView, CreateAdmissionRequest, CreateVisitRequest, UpdateAdmissionRequest, VisitView,
};
use super::service;
use crate::access::Scope;
use crate::auth::{CurrentUser, Permission};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{created, ok_versioned, IfMatch, ValidJson};
use crate::register::routes::rules;
use crate::startup::AppState;

/// Record an admission (coordinators): the entry turns blue, or one is opened as blue.
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Person id")),
    request_body = CreateAdmissionRequest,
    responses(
        (status = 201, body = AdmissionView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "The person already has an open admission", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/people/{id}/admissions")]
pub async fn create_admission(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<CreateAdmissionRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
    let (ctx, rules) = (user.audit_ctx(state.clock.now()), rules(&state));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::admit(conn, &ctx, &id, body, rules)?;
            service::view(conn, row)
        })
        .await?;
    Ok(created(
        &format!("/api/v1/admissions/{}", view.id),
        &view,
        view.version,
    ))
}

/// A person's admissions, newest first.
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = Vec<AdmissionView>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/people/{id}/admissions")]
pub async fn list_admissions(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let id = id.into_inner().to_string();
    let items = state
        .db
        .run(move |conn| service::for_person(conn, &ctx, &scope, &id))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// One admission (audited).
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Admission id")),
    responses(
        (status = 200, body = AdmissionView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/admissions/{id}")]
pub async fn get_admission(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .run(move |conn| {
            let row = service::visible(conn, &ctx, &scope, &id, service::ENTITY)?;
            service::view(conn, row)
        })
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Discharge (with a destination the register entry follows) or correct an admission
/// (coordinators). Honours `If-Match`; a discharged admission no longer changes (409).
#[utoipa::path(
    tag = "admissions",
    params(
        ("id" = String, Path, description = "Admission id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdateAdmissionRequest,
    responses(
        (status = 200, body = AdmissionView, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already discharged", body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/admissions/{id}")]
pub async fn update_admission(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<UpdateAdmissionRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
    let (ctx, rules) = (user.audit_ctx(state.clock.now()), rules(&state));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::update(conn, &ctx, &id, &if_match, body, rules)?;
            service::view(conn, row)
        })
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Record a commissioner oversight visit (coordinators); moves the next visit date.
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Admission id")),
    request_body = CreateVisitRequest,
    responses(
        (status = 201, body = VisitView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/admissions/{id}/visits")]
pub async fn create_visit(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<CreateVisitRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
    let (ctx, rules) = (user.audit_ctx(state.clock.now()), rules(&state));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::record_visit(conn, &ctx, &id, body, rules)?;
            service::visit_views(conn, vec![row])?
                .pop()
                .ok_or(ApiError::NotFound)
        })
        .await?;
    let location = format!("/api/v1/admissions/{}/visits", view.admission_id);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(view))
}

/// An admission's oversight visits, newest first.
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Admission id")),
    responses(
        (status = 200, body = Vec<VisitView>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/admissions/{id}/visits")]
pub async fn list_visits(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let id = id.into_inner().to_string();
    let items = state
        .db
        .run(move |conn| {
            let admission = service::visible(conn, &ctx, &scope, &id, service::VISIT_ENTITY)?;
            let rows = super::store::visits(conn, &admission.id)?;
            service::visit_views(conn, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(items))
}
