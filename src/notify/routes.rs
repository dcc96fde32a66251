use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::outbox::{self, NotificationFilter, NotificationRow};
use crate::auth::{CurrentUser, Permission};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::{ListResponse, PageParams};
use crate::startup::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub alert_id: String,
    pub level: i32,
    pub recipient_email: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    /// The digest email this notification went out in.
    pub message_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl From<NotificationRow> for NotificationView {
    fn from(r: NotificationRow) -> NotificationView {
        NotificationView {
            next_attempt_at: (r.status == "queued").then(|| r.next_attempt_at.and_utc()),
            id: r.id,
            alert_id: r.alert_id,
            level: r.level,
            recipient_email: r.recipient_email,
            status: r.status,
            attempts: r.attempts,
            message_id: r.message_id,
            created_at: r.created_at.and_utc(),
            sent_at: r.sent_at.map(|t| t.and_utc()),
            last_error: r.last_error,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// `queued`, `sent` or `failed`.
    pub status: Option<String>,
    pub alert_id: Option<Uuid>,
}

/// The notification outbox, newest first (admins: all; others: their own).
#[utoipa::path(
    tag = "escalation",
    params(NotificationQuery, PageParams),
    responses(
        (status = 200, body = ListResponse<NotificationView>),
        (status = 400, body = Problem), (status = 401, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<NotificationQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::NotificationsRead)?;
    let page = page.resolve()?;
    if let Some(status) = query
        .status
        .as_deref()
        .filter(|s| !["queued", "sent", "failed"].contains(s))
    {
        return Err(ApiError::BadQuery(vec![FieldError::new(
            "status",
            format!("unknown status {status:?}: use queued, sent or failed"),
        )]));
    }
    let id = user.id.clone();
    let (rows, total) = state
        .db
        .run(move |conn| {
            let recipient = match user.role {
                Role::Admin => None,
                _ => {
                    let me = crate::users::store::find(conn, &id)?.ok_or(ApiError::NotFound)?;
                    Some((me.id, me.email))
                }
            };
            let filter = NotificationFilter {
                recipient,
                status: query.status.clone(),
                alert_id: query.alert_id.map(|a| a.to_string()),
            };
            Ok(outbox::list(conn, &filter, page)?)
        })
        .await?;
    let items = rows.into_iter().map(NotificationView::from).collect();
    Ok(HttpResponse::Ok().json(ListResponse::new(items, total, page)))
}
