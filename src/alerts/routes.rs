use actix_web::{get, post, HttpResponse};

use super::model::{AcknowledgeRequest, AlertQuery, AlertView};
use super::service;
use crate::auth::Permission;
use crate::error::{ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, Query, ValidJson};
use crate::http::{ListResponse, PageParams};

/// Alerts, most overdue first (default: open and acknowledged).
#[utoipa::path(
    tag = "escalation",
    params(AlertQuery, PageParams),
    responses((status = 200, body = ListResponse<AlertView>))
)]
#[get("/alerts")]
pub async fn list_alerts(
    ctx: Ctx,
    query: Query<AlertQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::AlertsRead, (query, page))?;
    let list = ctx
        .read(move |c, a| service::list(c, a, query, page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One alert.
#[utoipa::path(
    tag = "escalation",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView))
)]
#[get("/alerts/{id}")]
pub async fn get_alert(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::AlertsRead)?;
    let view = ctx.read(move |c, a| service::read(c, a, &id.key())).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Acknowledge an open alert with a note (audited). Levels and emails still follow the days
/// overdue.
#[utoipa::path(
    tag = "escalation",
    params(("id" = String, Path, description = "Alert id")),
    request_body = AcknowledgeRequest,
    responses(
        (status = 200, body = AlertView),
        (status = 409, description = "Already acknowledged or resolved", body = Problem),
    )
)]
#[post("/alerts/{id}/acknowledge")]
pub async fn acknowledge_alert(
    ctx: Ctx,
    id: Id,
    body: ValidJson<AcknowledgeRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::AlertsRead, body)?;
    let view = ctx
        .write(move |c, a| service::acknowledge(c, a, &id.key(), body))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
