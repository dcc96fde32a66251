use actix_web::{get, HttpResponse};

use super::model::{AuditEntry, AuditQuery};
use super::service;
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::extract::{Paging, Query};
use crate::http::{ListResponse, PageParams};

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
