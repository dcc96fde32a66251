use actix_web::{get, HttpResponse};

use super::service::{self, NotificationQuery, NotificationView};
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::extract::{Paging, Query};
use crate::http::{ListResponse, PageParams};

/// The notification outbox, newest first (admins: all; others: their own).
#[utoipa::path(
    tag = "escalation",
    params(NotificationQuery, PageParams),
    responses((status = 200, body = ListResponse<NotificationView>))
)]
#[get("/notifications")]
pub async fn list_notifications(
    ctx: Ctx,
    query: Query<NotificationQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::NotificationsRead, (query, page))?;
    let list = ctx
        .read(move |c, a| service::list(c, a, query, page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
