use actix_web::{get, post, web, HttpResponse};

use super::model::{AcknowledgeRequest, AlertQuery, AlertStatus, AlertView};
use super::store::{self, AlertFilter, AlertRow, AlertScope};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::{CurrentUser, Permission};
use crate::db::AnyConnection;
use crate::domain::alerts::AlertKind;
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::{ListResponse, PageParams, ValidJson};
use crate::startup::AppState;
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "alert";

/// Coordinators and managers see every alert; clinicians those assigned to them; keyworkers
/// those assigned to them and their caseload's.
fn scope_of(user: &CurrentUser) -> AlertScope {
    match user.role {
        Role::Clinician => AlertScope::AssignedTo(user.id.clone()),
        Role::Keyworker => AlertScope::AssignedOrCaseload(user.id.clone()),
        _ => AlertScope::All,
    }
}

fn views(conn: &mut AnyConnection, rows: Vec<AlertRow>) -> Result<Vec<AlertView>, ApiError> {
    let ids: Vec<String> = rows.iter().filter_map(|r| r.assignee_id.clone()).collect();
    let found = users::find_many(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let assignee = r
                .assignee_id
                .as_ref()
                .and_then(|a| found.get(a))
                .map(UserSummary::from);
            AlertView::new(r, assignee)
        })
        .collect())
}

fn filter_from(query: &AlertQuery) -> Result<AlertFilter, ApiError> {
    let mut errors = Vec::new();
    let split = |raw: &Option<String>| -> Vec<String> {
        raw.iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let statuses = match split(&query.status) {
        list if list.is_empty() => vec!["open".to_string(), "acknowledged".to_string()],
        list => list,
    };
    for s in statuses.iter().filter(|s| AlertStatus::parse(s).is_none()) {
        errors.push(FieldError::new(
            "status",
            format!("unknown status {s:?}: use open, acknowledged, resolved"),
        ));
    }
    let kinds = split(&query.kind);
    for k in kinds.iter().filter(|k| AlertKind::parse(k).is_none()) {
        errors.push(FieldError::new("kind", format!("unknown alert kind {k:?}")));
    }
    if query.level.is_some_and(|l| !(1..=3).contains(&l)) {
        errors.push(FieldError::new("level", "must be 1, 2 or 3"));
    }
    if !errors.is_empty() {
        return Err(ApiError::BadQuery(errors));
    }
    Ok(AlertFilter {
        statuses,
        kinds,
        level: query.level,
        assignee_id: query.assignee_id.map(|a| a.to_string()),
        person_id: query.person_id.map(|p| p.to_string()),
    })
}

/// Alerts, most overdue first (default: open and acknowledged).
#[utoipa::path(
    tag = "escalation",
    params(AlertQuery, PageParams),
    responses(
        (status = 200, body = ListResponse<AlertView>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/alerts")]
pub async fn list_alerts(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<AlertQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::AlertsRead)?;
    let page = page.resolve()?;
    let filter = filter_from(&query)?;
    let (scope, ctx) = (scope_of(&user), user.audit_ctx(state.clock.now()));
    let (items, total) = state
        .db
        .run(move |conn| {
            let (rows, total) = store::list(conn, &filter, &scope, page)?;
            audit::record(
                conn,
                &ctx,
                AuditEvent::new(AuditAction::Read, "alert_list", None),
            )?;
            Ok((views(conn, rows)?, total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(items, total, page)))
}

fn visible_alert(
    conn: &mut AnyConnection,
    scope: &AlertScope,
    id: &str,
) -> Result<AlertRow, ApiError> {
    let alert = store::find(conn, id)?.ok_or(ApiError::NotFound)?;
    if !store::visible(conn, &alert, scope)? {
        return Err(ApiError::NotFound);
    }
    Ok(alert)
}

/// One alert.
#[utoipa::path(
    tag = "escalation",
    params(("id" = String, Path, description = "Alert id")),
    responses(
        (status = 200, body = AlertView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/alerts/{id}")]
pub async fn get_alert(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::AlertsRead)?;
    let (scope, ctx) = (scope_of(&user), user.audit_ctx(state.clock.now()));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .run(move |conn| {
            let alert = visible_alert(conn, &scope, &id)?;
            audit::record(
                conn,
                &ctx,
                AuditEvent::new(AuditAction::Read, ENTITY, Some(&id)),
            )?;
            views(conn, vec![alert])?.pop().ok_or(ApiError::NotFound)
        })
        .await?;
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
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Already acknowledged or resolved", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/alerts/{id}/acknowledge")]
pub async fn acknowledge_alert(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<AcknowledgeRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::AlertsRead)?;
    let (scope, ctx) = (scope_of(&user), user.audit_ctx(state.clock.now()));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            visible_alert(conn, &scope, &id)?;
            let by = ctx.actor_id.clone().unwrap_or_default();
            if !store::acknowledge(conn, &id, &by, body.note.trim(), ctx.now)? {
                return Err(ApiError::Conflict(
                    "only an open alert can be acknowledged".into(),
                ));
            }
            audit::record(
                conn,
                &ctx,
                AuditEvent::new(AuditAction::Update, ENTITY, Some(&id))
                    .fields(vec!["status", "acknowledge_note"]),
            )?;
            let alert = store::find(conn, &id)?.ok_or(ApiError::NotFound)?;
            views(conn, vec![alert])?.pop().ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
