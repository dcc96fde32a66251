use actix_web::{get, patch, post, HttpResponse};

use super::model::{CreatePersonRequest, PersonQuery, PersonView, UpdatePersonRequest};
use super::service;
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, Query, ValidJson};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams};

/// Add a person (coordinators).
#[utoipa::path(
    tag = "people",
    request_body = CreatePersonRequest,
    responses(
        (status = 201, body = PersonView, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "NHS number already recorded", body = Problem),
        (status = 413, body = Problem),
    )
)]
#[post("/people")]
pub async fn create_person(
    ctx: Ctx,
    body: ValidJson<CreatePersonRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx.write(|c, a| service::create_view(c, a, body)).await?;
    Ok(created("/api/v1/people", &view.id, &view, view.version))
}

/// Search people by NHS number or name (keyworkers: their caseload only).
#[utoipa::path(
    tag = "people",
    params(PersonQuery, PageParams),
    responses((status = 200, body = ListResponse<PersonView>),
    )
)]
#[get("/people")]
pub async fn list_people(
    ctx: Ctx,
    query: Query<PersonQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::RecordsRead, (query, page))?;
    let list = ctx
        .read(move |c, a| service::search(c, a, query, page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Read a person (audited).
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = PersonView, headers(("ETag" = String))))
)]
#[get("/people/{id}")]
pub async fn get_person(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let people = &ctx.state().people;
    let view = ctx
        .read_kept(
            people,
            id.key(),
            service::read_unaudited,
            service::read_audit,
        )
        .await?;
    Ok(ok_versioned(&*view, view.version))
}

/// Update a person (coordinators). Honours `If-Match`.
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "Person id")),
    request_body = UpdatePersonRequest,
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String))),
        (status = 409, body = Problem),
    )
)]
#[patch("/people/{id}")]
pub async fn update_person(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdatePersonRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::update_view(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Merge a person recorded twice into the record that stays (coordinators): everything moves
/// to `into`; this record becomes a read-only tombstone (`merged_into`). Refused (409) when
/// both have an active register entry or an open admission.
#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "The person merged away")),
    request_body = super::merge::MergeRequest,
    responses(
        (status = 200, description = "The surviving person", body = PersonView),
        (status = 409, description = "Both have an active entry or an open admission, or one is merged already", body = Problem),
    )
)]
#[post("/people/{id}/merge")]
pub async fn merge_person(
    ctx: Ctx,
    id: Id,
    body: ValidJson<super::merge::MergeRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::merge_view(c, a, &id.key(), body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}
