use actix_web::http::header;
use actix_web::{get, put, HttpResponse};

use super::model::{TransitionPlanRequest, TransitionPlanView};
use super::service;
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::etag::etag;
use crate::http::extract::{Id, ValidJson};
use crate::http::{ok_versioned, IfMatch};

/// Set the person's transition plan (coordinators, clinicians, keyworkers for their
/// caseload): 201 when it is new, 200 when it replaces one (honouring `If-Match`).
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Person id")),
    request_body = TransitionPlanRequest,
    responses(
        (status = 200, body = TransitionPlanView, headers(("ETag" = String))),
        (status = 201, body = TransitionPlanView, headers(("ETag" = String), ("Location" = String))),
    )
)]
#[put("/people/{id}/transition-plan")]
pub async fn put_transition_plan(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<TransitionPlanRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::TransitionPlanWrite, body)?;
    let (view, created) = ctx
        .write(move |c, a| service::put(c, a, &id.key(), &if_match, body))
        .await?;
    if created {
        return Ok(HttpResponse::Created()
            .insert_header((
                header::LOCATION,
                format!("/api/v1/people/{}/transition-plan", id.0),
            ))
            .insert_header((header::ETAG, etag(view.version)))
            .json(view));
    }
    Ok(ok_versioned(&view, view.version))
}

/// The person's transition plan (404 when there is none yet).
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = TransitionPlanView, headers(("ETag" = String))))
)]
#[get("/people/{id}/transition-plan")]
pub async fn get_transition_plan(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}
