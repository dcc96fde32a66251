use actix_web::http::header;
use actix_web::{get, patch, post, HttpResponse};

use super::model::{
    CreatePlanRequest, CreatePlanReviewRequest, PlanReviewView, PlanView, UpdatePlanRequest,
    UpdatePointRequest,
};
use super::service;
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, PointNumber, ValidJson};
use crate::http::{created, ok_versioned, IfMatch};

/// Create the 12-point discharge plan for an open admission (coordinators, clinicians).
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Admission id")),
    request_body = CreatePlanRequest,
    responses(
        (status = 201, body = PlanView, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The admission already has a plan, or is discharged", body = Problem),
    )
)]
#[post("/admissions/{id}/discharge-plan")]
pub async fn create_plan(
    ctx: Ctx,
    id: Id,
    body: ValidJson<CreatePlanRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::DischargeWrite, body)?;
    let view = ctx
        .write(move |c, a| service::create_view(c, a, &id.key(), body))
        .await?;
    Ok(created(
        "/api/v1/discharge-plans",
        &view.id,
        &view,
        view.version,
    ))
}

/// The admission's discharge plan.
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Admission id")),
    responses((status = 200, body = PlanView, headers(("ETag" = String))))
)]
#[get("/admissions/{id}/discharge-plan")]
pub async fn get_plan_for_admission(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx
        .read(move |c, a| service::read_for_admission(c, a, &id.key()))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// A discharge plan.
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = PlanView, headers(("ETag" = String))))
)]
#[get("/discharge-plans/{id}")]
pub async fn get_plan(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx
        .read(move |c, a| service::read_plan(c, a, &id.key()))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Change the planned discharge date or review cycle (coordinators, clinicians).
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Plan id")),
    request_body = UpdatePlanRequest,
    responses(
        (status = 200, body = PlanView, headers(("ETag" = String))),
        (status = 409, description = "Frozen", body = Problem),
    )
)]
#[patch("/discharge-plans/{id}")]
pub async fn update_plan(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdatePlanRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::DischargeWrite, body)?;
    let view = ctx
        .write(move |c, a| service::update_view(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Update one point: status, owner, target date, notes. Keyworkers may update the status and
/// notes of points they own. `If-Match` takes the plan's ETag.
#[utoipa::path(
    tag = "discharge",
    params(
        ("id" = String, Path, description = "Plan id"),
        ("number" = i32, Path, description = "Point number, 1 to 12"),
        ("If-Match" = Option<String>, Header, description = "The plan's ETag last read"),
    ),
    request_body = UpdatePointRequest,
    responses(
        (status = 200, body = PlanView, headers(("ETag" = String))),
        (status = 409, description = "Frozen", body = Problem),
    )
)]
#[patch("/discharge-plans/{id}/points/{number}")]
pub async fn update_point(
    ctx: Ctx,
    id: Id,
    number: PointNumber,
    if_match: IfMatch,
    body: ValidJson<UpdatePointRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::PointUpdate, body)?;
    let (id, number) = (id.key(), number.0);
    let view = ctx
        .write(move |c, a| service::update_point_view(c, a, &id, number, &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Record a plan review: the next review is due one cycle after it (coordinators, clinicians).
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Plan id")),
    request_body = CreatePlanReviewRequest,
    responses(
        (status = 201, body = PlanReviewView, headers(("Location" = String))),
        (status = 409, description = "Frozen", body = Problem),
    )
)]
#[post("/discharge-plans/{id}/reviews")]
pub async fn create_review(
    ctx: Ctx,
    id: Id,
    body: ValidJson<CreatePlanReviewRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::DischargeWrite, body)?;
    let view = ctx
        .write(move |c, a| service::record_review_view(c, a, &id.key(), body))
        .await?;
    let location = format!("/api/v1/discharge-plans/{}/reviews", id.0);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(view))
}

/// A plan's reviews, newest first.
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = Vec<PlanReviewView>))
)]
#[get("/discharge-plans/{id}/reviews")]
pub async fn list_reviews(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let items = ctx
        .read(move |c, a| service::reviews(c, a, &id.key()))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}
