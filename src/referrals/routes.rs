use actix_web::{get, patch, post, HttpResponse};

use super::model::{CreateReferralRequest, ReferralQuery, ReferralView, UpdateReferralRequest};
use super::service;
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, Query, ValidJson};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams};

/// Refer someone to the register (any signed-in role but admin). The person's details are
/// held on the referral until it is accepted; or refer someone already recorded by
/// `person_id`.
#[utoipa::path(
    tag = "referrals",
    request_body = CreateReferralRequest,
    responses(
        (status = 201, body = ReferralView, headers(("Location" = String), ("ETag" = String))),
        (status = 404, description = "person_id names someone outside the caller's caseload", body = Problem),
        (status = 409, description = "person_id names a merged record", body = Problem),
    )
)]
#[post("/referrals")]
pub async fn create_referral(
    ctx: Ctx,
    body: ValidJson<CreateReferralRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::ReferralsCreate, body)?;
    let view = ctx.write(move |c, a| service::create(c, a, body)).await?;
    Ok(created("/api/v1/referrals", &view.id, &view, view.version))
}

/// The referral queue, oldest first (coordinators and managers: all; others: their own).
#[utoipa::path(
    tag = "referrals",
    params(ReferralQuery, PageParams),
    responses((status = 200, body = ListResponse<ReferralView>))
)]
#[get("/referrals")]
pub async fn list_referrals(
    ctx: Ctx,
    query: Query<ReferralQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::ReferralsCreate, (query, page))?;
    let list = ctx
        .read(move |c, a| service::list(c, a, query, page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One referral.
#[utoipa::path(
    tag = "referrals",
    params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, body = ReferralView, headers(("ETag" = String))))
)]
#[get("/referrals/{id}")]
pub async fn get_referral(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::ReferralsCreate)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(ok_versioned(&view, view.version))
}

/// Screen, accept or decline a referral, or record its first contact and when the referrer
/// was told (coordinators). Accepting creates or links the person and opens the register
/// entry (`register_entry_id`). Honours `If-Match`.
#[utoipa::path(
    tag = "referrals",
    params(("id" = String, Path, description = "Referral id")),
    request_body = UpdateReferralRequest,
    responses(
        (status = 200, body = ReferralView, headers(("ETag" = String))),
        (status = 409, description = "Already decided; the person already has an active entry or is in hospital; or a possible duplicate (`urn:dsr:problem:possible-duplicate` with `matches`)", body = Problem),
    )
)]
#[patch("/referrals/{id}")]
pub async fn update_referral(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateReferralRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::ReferralsTriage, body)?;
    let view = ctx
        .write(move |c, a| service::update(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}
