use actix_web::http::header;
use actix_web::{get, patch, post, HttpResponse};

use super::model::{
    AdmissionView, CreateAdmissionRequest, CreateVisitRequest, UpdateAdmissionRequest, VisitView,
};
use super::service;
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, ValidJson};
use crate::http::{created, ok_versioned, IfMatch};

/// Record an admission (coordinators): the entry turns blue, or one is opened as blue.
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Person id")),
    request_body = CreateAdmissionRequest,
    responses(
        (status = 201, body = AdmissionView, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The person already has an open admission", body = Problem),
    )
)]
#[post("/people/{id}/admissions")]
pub async fn create_admission(
    ctx: Ctx,
    id: Id,
    body: ValidJson<CreateAdmissionRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::admit_view(c, a, &id.key(), body))
        .await?;
    Ok(created("/api/v1/admissions", &view.id, &view, view.version))
}

/// A person's admissions, newest first.
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = Vec<AdmissionView>))
)]
#[get("/people/{id}/admissions")]
pub async fn list_admissions(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let items = ctx
        .read(move |c, a| service::for_person(c, a, &id.key()))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// One admission (audited).
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Admission id")),
    responses((status = 200, body = AdmissionView, headers(("ETag" = String))))
)]
#[get("/admissions/{id}")]
pub async fn get_admission(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}

/// Discharge (with a destination the register entry follows) or correct an admission
/// (coordinators). Honours `If-Match`; a discharged admission no longer changes (409).
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Admission id")),
    request_body = UpdateAdmissionRequest,
    responses(
        (status = 200, body = AdmissionView, headers(("ETag" = String))),
        (status = 409, description = "Already discharged", body = Problem),
    )
)]
#[patch("/admissions/{id}")]
pub async fn update_admission(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateAdmissionRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::update_view(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Record a commissioner oversight visit (coordinators); moves the next visit date.
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Admission id")),
    request_body = CreateVisitRequest,
    responses((status = 201, body = VisitView))
)]
#[post("/admissions/{id}/visits")]
pub async fn create_visit(
    ctx: Ctx,
    id: Id,
    body: ValidJson<CreateVisitRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::record_visit_view(c, a, &id.key(), body))
        .await?;
    let location = format!("/api/v1/admissions/{}/visits", id.0);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(view))
}

/// An admission's oversight visits, newest first.
#[utoipa::path(
    tag = "admissions",
    params(("id" = String, Path, description = "Admission id")),
    responses((status = 200, body = Vec<VisitView>))
)]
#[get("/admissions/{id}/visits")]
pub async fn list_visits(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let items = ctx
        .read(move |c, a| service::visits(c, a, &id.key()))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}
