use actix_web::http::header;
use actix_web::{get, post, HttpResponse};

use super::model::{ContactView, CreateContactRequest};
use super::service;
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::extract::{ContactId, Id, Paging, ValidJson};
use crate::http::{ListResponse, PageParams};

/// Log a contact (keyworkers for their caseload, clinicians, coordinators).
#[utoipa::path(
    tag = "contacts",
    params(("id" = String, Path, description = "Person id")),
    request_body = CreateContactRequest,
    responses((status = 201, body = ContactView, headers(("Location" = String))))
)]
#[post("/people/{id}/contacts")]
pub async fn create_contact(
    ctx: Ctx,
    id: Id,
    body: ValidJson<CreateContactRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::ContactsWrite, body)?;
    let view = ctx
        .write(move |c, a| service::create_view(c, a, &id.key(), body))
        .await?;
    let location = format!("/api/v1/people/{}/contacts/{}", id.0, view.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(view))
}

/// A person's contacts, newest first.
#[utoipa::path(
    tag = "contacts",
    params(("id" = String, Path, description = "Person id"), PageParams),
    responses((status = 200, body = ListResponse<ContactView>))
)]
#[get("/people/{id}/contacts")]
pub async fn list_contacts(ctx: Ctx, id: Id, page: Paging) -> ApiResult<HttpResponse> {
    let page = ctx.permit(Permission::RecordsRead, page)?;
    let list = ctx
        .read(move |c, a| service::list(c, a, &id.key(), page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One contact.
#[utoipa::path(
    tag = "contacts",
    params(
        ("id" = String, Path, description = "Person id"),
        ("contact_id" = String, Path, description = "Contact id"),
    ),
    responses((status = 200, body = ContactView))
)]
#[get("/people/{id}/contacts/{contact_id}")]
pub async fn get_contact(ctx: Ctx, id: Id, contact_id: ContactId) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let view = ctx
        .read(move |c, a| service::read(c, a, &id.key(), &contact_id.key()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
