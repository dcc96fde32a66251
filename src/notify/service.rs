//! The notification outbox as people see it: admins every notification, others their own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::outbox::{self, NotificationFilter, NotificationRow};
use crate::auth::access::NotificationScope;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::alerts::NotificationStatus;
use crate::error::{ApiError, FieldError};
use crate::http::{ListResponse, Page};
use crate::users::store as users;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub alert_id: String,
    pub level: i32,
    pub recipient_email: String,
    pub status: NotificationStatus,
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
            next_attempt_at: (r.status == NotificationStatus::Queued)
                .then(|| r.next_attempt_at.and_utc()),
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
    #[param(value_type = Option<NotificationStatus>)]
    pub status: Option<String>,
    pub alert_id: Option<Uuid>,
}

/// Notifications in the caller's scope, newest first.
pub fn list(
    conn: &mut AnyConnection,
    a: &Actor,
    query: NotificationQuery,
    page: Page,
) -> Result<ListResponse<NotificationView>, ApiError> {
    let status = match query.status.as_deref() {
        None => None,
        Some(s) => Some(NotificationStatus::parse(s).ok_or_else(|| {
            ApiError::BadQuery(vec![FieldError::new(
                "status",
                format!("unknown status {s:?}: use queued, sent or failed"),
            )])
        })?),
    };
    let recipient = match NotificationScope::of(&a.user) {
        NotificationScope::All => None,
        NotificationScope::Recipient(id) => {
            let me = users::get(conn, &id)?;
            Some((me.id, me.email))
        }
    };
    let filter = NotificationFilter {
        recipient,
        status,
        alert_id: query.alert_id.map(|a| a.to_string()),
    };
    let (rows, total) = outbox::list(conn, &filter, page)?;
    let items = rows.into_iter().map(NotificationView::from).collect();
    Ok(ListResponse::new(items, total, page))
}
