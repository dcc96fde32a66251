use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{
    CreatePlanRequest, CreatePlanReviewRequest, PlanReviewView, PlanView, UpdatePlanRequest,
    UpdatePointRequest,
};
use super::service;
use super::store;
use crate::access::Scope;
use crate::auth::{CurrentUser, Permission};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{created, ok_versioned, IfMatch, ValidJson};
use crate::startup::AppState;

/// Create the 12-point discharge plan for an open admission (coordinators, clinicians).
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Admission id")),
    request_body = CreatePlanRequest,
    responses(
        (status = 201, body = PlanView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "The admission already has a plan, or is discharged", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/admissions/{id}/discharge-plan")]
pub async fn create_plan(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<CreatePlanRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::DischargeWrite)?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let template = state.settings.discharge.points.clone();
    let cycle = state.settings.discharge.review_cycle_days;
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let plan = service::create(conn, &ctx, &id, body, &template, cycle, today)?;
            service::view(conn, plan, today)
        })
        .await?;
    Ok(created(
        &format!("/api/v1/discharge-plans/{}", view.id),
        &view,
        view.version,
    ))
}

/// The admission's discharge plan.
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Admission id")),
    responses(
        (status = 200, body = PlanView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/admissions/{id}/discharge-plan")]
pub async fn get_plan_for_admission(
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
        .run(move |conn| {
            let plan = store::for_admission(conn, &id)?;
            service::read(conn, &ctx, &scope, plan, today)
        })
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// A discharge plan.
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Plan id")),
    responses(
        (status = 200, body = PlanView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/discharge-plans/{id}")]
pub async fn get_plan(
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
        .run(move |conn| {
            let plan = store::find(conn, &id)?;
            service::read(conn, &ctx, &scope, plan, today)
        })
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Change the planned discharge date or review cycle (coordinators, clinicians).
#[utoipa::path(
    tag = "discharge",
    params(
        ("id" = String, Path, description = "Plan id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdatePlanRequest,
    responses(
        (status = 200, body = PlanView, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Frozen", body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/discharge-plans/{id}")]
pub async fn update_plan(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<UpdatePlanRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::DischargeWrite)?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let plan = service::update(conn, &ctx, &id, &if_match, body)?;
            service::view(conn, plan, today)
        })
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
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Frozen", body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/discharge-plans/{id}/points/{number}")]
pub async fn update_point(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(uuid::Uuid, i32)>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<UpdatePointRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::PointUpdate)?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let (id, number) = path.into_inner();
    let id = id.to_string();
    let view = state
        .db
        .write(move |conn| {
            let plan =
                service::update_point(conn, &ctx, &user, &id, number, &if_match, body, today)?;
            service::view(conn, plan, today)
        })
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
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Frozen", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/discharge-plans/{id}/reviews")]
pub async fn create_review(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<CreatePlanReviewRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::DischargeWrite)?;
    let ctx = user.audit_ctx(state.clock.now());
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::record_review(conn, &ctx, &id, body)?;
            service::review_views(conn, vec![row])?
                .pop()
                .ok_or(ApiError::NotFound)
        })
        .await?;
    let location = format!("/api/v1/discharge-plans/{}/reviews", view.plan_id);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(view))
}

/// A plan's reviews, newest first.
#[utoipa::path(
    tag = "discharge",
    params(("id" = String, Path, description = "Plan id")),
    responses(
        (status = 200, body = Vec<PlanReviewView>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/discharge-plans/{id}/reviews")]
pub async fn list_reviews(
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
    let items = state
        .db
        .run(move |conn| {
            let plan = store::find(conn, &id)?;
            let plan = service::read(conn, &ctx, &scope, plan, today)?;
            let rows = store::reviews(conn, &plan.id)?;
            service::review_views(conn, rows)
        })
        .await?;
    Ok(HttpResponse::Ok().json(items))
}
