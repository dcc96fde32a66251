use actix_web::{get, HttpResponse};

use super::model::{AccessLogEntry, AuditEntry, AuditQuery};
use super::service;
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, Query};
use crate::http::{ListResponse, PageParams};

/// Who has viewed or changed this person's records, and when: single reads, lists, searches
/// and exports that showed them, and every change; newest first (coordinators, managers).
#[utoipa::path(
    tag = "audit",
    params(("id" = String, Path, description = "Person id"), PageParams),
    responses((status = 200, body = ListResponse<AccessLogEntry>))
)]
#[get("/people/{id}/access-log")]
pub async fn access_log(ctx: Ctx, id: Id, page: Paging) -> ApiResult<HttpResponse> {
    let page = ctx.permit(Permission::PersonAuditRead, page)?;
    let list = ctx
        .read(move |c, a| service::access_log(c, a, &id.key(), page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The audit log, newest first (admins only).
#[utoipa::path(
    tag = "audit",
    params(AuditQuery, PageParams),
    responses(
        (status = 200, body = ListResponse<AuditEntry>),
        (status = 400, description = "Unparseable query parameter", body = crate::error::Problem),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    ctx: Ctx,
    query: Query<AuditQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::AuditRead, (query, page))?;
    let list = ctx.read(move |c, _| service::list(c, query, page)).await?;
    Ok(HttpResponse::Ok().json(list))
}
