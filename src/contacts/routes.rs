use actix_web::{get, post, web, HttpResponse};

use super::model::{ContactView, CreateContactRequest};
use super::service;
use crate::access::Scope;
use crate::auth::{CurrentUser, Permission};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{ListResponse, PageParams, ValidJson};
use crate::startup::AppState;

/// Log a contact (keyworkers for their caseload, clinicians, coordinators).
#[utoipa::path(
    tag = "contacts",
    params(("id" = String, Path, description = "Person id")),
    request_body = CreateContactRequest,
    responses(
        (status = 201, body = ContactView, headers(("Location" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/people/{id}/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<CreateContactRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::ContactsWrite)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::create(conn, &ctx, &scope, &id, body)?;
            service::views(conn, vec![row])?
                .pop()
                .ok_or(ApiError::NotFound)
        })
        .await?;
    let location = format!("/api/v1/people/{}/contacts/{}", view.person_id, view.id);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(view))
}

/// A person's contacts, newest first.
#[utoipa::path(
    tag = "contacts",
    params(("id" = String, Path, description = "Person id"), PageParams),
    responses(
        (status = 200, body = ListResponse<ContactView>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/people/{id}/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let page = page.resolve()?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let id = id.into_inner().to_string();
    let (items, total) = state
        .db
        .run(move |conn| service::list(conn, &ctx, &scope, &id, page))
        .await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(items, total, page)))
}

/// One contact.
#[utoipa::path(
    tag = "contacts",
    params(
        ("id" = String, Path, description = "Person id"),
        ("contact_id" = String, Path, description = "Contact id"),
    ),
    responses(
        (status = 200, body = ContactView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/people/{id}/contacts/{contact_id}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let (person_id, id) = path.into_inner();
    let (person_id, id) = (person_id.to_string(), id.to_string());
    let view = state
        .db
        .run(move |conn| service::read(conn, &ctx, &scope, &person_id, &id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
