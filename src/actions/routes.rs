use actix_web::{get, patch, post, HttpResponse};

use super::model::{
    ActionQuery, ActionSource, ActionView, CreateActionRequest, UpdateActionRequest,
};
use super::service::{self, Origin};
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, Query, ReviewId, ValidJson, VisitId};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams};

/// What `/cetr-actions` serves: the actions of C(E)TRs and LAEPs, as in round 1.
const CETR_SOURCES: [ActionSource; 2] = [ActionSource::Cetr, ActionSource::Laep];

/// Add an action from a C(E)TR or LAEP recommendation (coordinators, clinicians).
#[utoipa::path(
    tag = "actions",
    params(("id" = String, Path, description = "C(E)TR id")),
    request_body = CreateActionRequest,
    responses(
        (status = 201, body = ActionView, headers(("Location" = String), ("ETag" = String))),
        (status = 422, description = "Includes an owner who cannot see the person, naming `owner_id`", body = Problem),
    )
)]
#[post("/cetrs/{id}/actions")]
pub async fn create_cetr_action(
    ctx: Ctx,
    id: Id,
    body: ValidJson<CreateActionRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::CetrWrite, body)?;
    let view = ctx
        .write(move |c, a| service::create_view(c, a, |c| Origin::cetr(c, &id.key()), body))
        .await?;
    Ok(created(
        "/api/v1/cetr-actions",
        &view.id,
        &view,
        view.version,
    ))
}

/// Add an action agreed at a DSR review (coordinators).
#[utoipa::path(
    tag = "actions",
    params(
        ("id" = String, Path, description = "Register entry id"),
        ("review_id" = String, Path, description = "DSR review id"),
    ),
    request_body = CreateActionRequest,
    responses(
        (status = 201, body = ActionView, headers(("Location" = String), ("ETag" = String))),
        (status = 422, description = "Includes an owner who cannot see the person, naming `owner_id`", body = Problem),
    )
)]
#[post("/register/{id}/reviews/{review_id}/actions")]
pub async fn create_review_action(
    ctx: Ctx,
    id: Id,
    review_id: ReviewId,
    body: ValidJson<CreateActionRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let origin = move |c: &mut _| Origin::review(c, &id.key(), &review_id.key());
    let view = ctx
        .write(move |c, a| service::create_view(c, a, origin, body))
        .await?;
    Ok(created("/api/v1/actions", &view.id, &view, view.version))
}

/// Add an action from an oversight (Safe and Wellbeing) visit (coordinators).
#[utoipa::path(
    tag = "actions",
    params(
        ("id" = String, Path, description = "Admission id"),
        ("visit_id" = String, Path, description = "Oversight visit id"),
    ),
    request_body = CreateActionRequest,
    responses(
        (status = 201, body = ActionView, headers(("Location" = String), ("ETag" = String))),
        (status = 422, description = "Includes an owner who cannot see the person, naming `owner_id`", body = Problem),
    )
)]
#[post("/admissions/{id}/visits/{visit_id}/actions")]
pub async fn create_visit_action(
    ctx: Ctx,
    id: Id,
    visit_id: VisitId,
    body: ValidJson<CreateActionRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let origin = move |c: &mut _| Origin::visit(c, &id.key(), &visit_id.key());
    let view = ctx
        .write(move |c, a| service::create_view(c, a, origin, body))
        .await?;
    Ok(created("/api/v1/actions", &view.id, &view, view.version))
}

/// Actions from every meeting, soonest due first, by owner, status, person, source and overdue.
#[utoipa::path(
    tag = "actions",
    params(ActionQuery, PageParams),
    responses((status = 200, body = ListResponse<ActionView>))
)]
#[get("/actions")]
pub async fn list_actions(
    ctx: Ctx,
    query: Query<ActionQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::RecordsRead, (query, page))?;
    let list = ctx
        .read(move |c, a| service::list(c, a, query, &ActionSource::ALL, page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// C(E)TR and LAEP actions (as in round 1; `/actions` lists every source).
#[utoipa::path(
    tag = "actions",
    params(ActionQuery, PageParams),
    responses((status = 200, body = ListResponse<ActionView>))
)]
#[get("/cetr-actions")]
pub async fn list_cetr_actions(
    ctx: Ctx,
    query: Query<ActionQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::RecordsRead, (query, page))?;
    let list = ctx
        .read(move |c, a| service::list(c, a, query, &CETR_SOURCES, page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One action.
#[utoipa::path(
    tag = "actions",
    params(("id" = String, Path, description = "Action id")),
    responses((status = 200, body = ActionView, headers(("ETag" = String))))
)]
#[get("/actions/{id}")]
pub async fn get_action(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    get_action_at(ctx, id).await
}

/// One action (the round-1 path).
#[utoipa::path(
    tag = "actions",
    params(("id" = String, Path, description = "Action id")),
    responses((status = 200, body = ActionView, headers(("ETag" = String))))
)]
#[get("/cetr-actions/{id}")]
pub async fn get_cetr_action(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    get_action_at(ctx, id).await
}

async fn get_action_at(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}

async fn update_action_at(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateActionRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::ActionUpdate, body)?;
    let view = ctx
        .write(move |c, a| service::update_view(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Update an action: status (`done` sets `completed_on`; `declined` needs a `justification`),
/// due date, owner, notes. Keyworkers may move the status and completion note of actions they
/// own, but not decline them. Honours `If-Match`.
#[utoipa::path(
    tag = "actions",
    params(("id" = String, Path, description = "Action id")),
    request_body = UpdateActionRequest,
    responses(
        (status = 200, body = ActionView, headers(("ETag" = String))),
        (status = 422, description = "Includes `declined` without a justification, naming `justification`", body = Problem),
    )
)]
#[patch("/actions/{id}")]
pub async fn update_action(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateActionRequest>,
) -> ApiResult<HttpResponse> {
    update_action_at(ctx, id, if_match, body).await
}

/// Update an action (the round-1 path).
#[utoipa::path(
    tag = "actions",
    params(("id" = String, Path, description = "Action id")),
    request_body = UpdateActionRequest,
    responses((status = 200, body = ActionView, headers(("ETag" = String))))
)]
#[patch("/cetr-actions/{id}")]
pub async fn update_cetr_action(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateActionRequest>,
) -> ApiResult<HttpResponse> {
    update_action_at(ctx, id, if_match, body).await
}
