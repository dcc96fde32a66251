use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{
    ActionQuery, ActionStatus, ActionView, CetrView, CreateActionRequest, CreateCetrRequest,
    UpdateActionRequest, UpdateCetrRequest,
};
use super::service;
use super::store::ActionFilter;
use crate::access::Scope;
use crate::auth::{CurrentUser, Permission};
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams, ValidJson};
use crate::register::routes::rules;
use crate::startup::AppState;

/// Record a C(E)TR (coordinators, clinicians).
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "Person id")),
    request_body = CreateCetrRequest,
    responses(
        (status = 201, body = CetrView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "Includes an incomplete panel, naming `panel`", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/people/{id}/cetrs")]
pub async fn create_cetr(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<CreateCetrRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::CetrWrite)?;
    let (ctx, rules) = (user.audit_ctx(state.clock.now()), rules(&state));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::create(conn, &ctx, &id, body, rules)?;
            service::view(conn, row, rules.today)
        })
        .await?;
    Ok(created(
        &format!("/api/v1/cetrs/{}", view.id),
        &view,
        view.version,
    ))
}

/// A person's C(E)TRs with their actions, newest first.
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = Vec<CetrView>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/people/{id}/cetrs")]
pub async fn list_cetrs(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope, today) = (
        user.audit_ctx(state.clock.now()),
        Scope::of(&user),
        state.clock.today(),
    );
    let id = id.into_inner().to_string();
    let items = state
        .db
        .run(move |conn| service::for_person(conn, &ctx, &scope, &id, today))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// One C(E)TR with its actions.
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "C(E)TR id")),
    responses(
        (status = 200, body = CetrView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/cetrs/{id}")]
pub async fn get_cetr(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope, today) = (
        user.audit_ctx(state.clock.now()),
        Scope::of(&user),
        state.clock.today(),
    );
    let id = id.into_inner().to_string();
    let view = state
        .db
        .run(move |conn| service::read(conn, &ctx, &scope, &id, today))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Correct a C(E)TR (coordinators, clinicians). Honours `If-Match`.
#[utoipa::path(
    tag = "cetrs",
    params(
        ("id" = String, Path, description = "C(E)TR id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdateCetrRequest,
    responses(
        (status = 200, body = CetrView, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/cetrs/{id}")]
pub async fn update_cetr(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<UpdateCetrRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::CetrWrite)?;
    let (ctx, rules) = (user.audit_ctx(state.clock.now()), rules(&state));
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::update(conn, &ctx, &id, &if_match, body, rules)?;
            service::view(conn, row, rules.today)
        })
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Add an action from a C(E)TR recommendation (coordinators, clinicians).
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "C(E)TR id")),
    request_body = CreateActionRequest,
    responses(
        (status = 201, body = ActionView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "Includes an owner who cannot see the person, naming `owner_id`", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/cetrs/{id}/actions")]
pub async fn create_action(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<CreateActionRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::CetrWrite)?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::create_action(conn, &ctx, &id, body)?;
            service::action_views(conn, vec![row], today)?
                .pop()
                .ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(created(
        &format!("/api/v1/cetr-actions/{}", view.id),
        &view,
        view.version,
    ))
}

fn action_filter(
    query: &ActionQuery,
    scope: &Scope,
    today: chrono::NaiveDate,
) -> Result<ActionFilter, ApiError> {
    let mut statuses = Vec::new();
    let mut errors = Vec::new();
    for part in query
        .status
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match ActionStatus::parse(part) {
            Some(s) => statuses.push(s.as_str().to_string()),
            None => errors.push(FieldError::new(
                "status",
                format!("unknown status {part:?}: use open, in_progress, done, cancelled"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::BadQuery(errors));
    }
    Ok(ActionFilter {
        owner_id: query.owner_id.map(|o| o.to_string()),
        statuses,
        person_id: query.person_id.map(|p| p.to_string()),
        overdue_before: (query.overdue == Some(true)).then_some(today),
        caseload_of: scope.caseload_of().map(String::from),
    })
}

/// C(E)TR actions, soonest due first, filtered by owner, status, person and overdue.
#[utoipa::path(
    tag = "cetrs",
    params(ActionQuery, PageParams),
    responses(
        (status = 200, body = ListResponse<ActionView>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/cetr-actions")]
pub async fn list_actions(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ActionQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let page = page.resolve()?;
    let today = state.clock.today();
    let filter = action_filter(&query, &Scope::of(&user), today)?;
    let ctx = user.audit_ctx(state.clock.now());
    let (items, total) = state
        .db
        .run(move |conn| service::list_actions(conn, &ctx, filter, page, today))
        .await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(items, total, page)))
}

/// One C(E)TR action.
#[utoipa::path(
    tag = "cetrs",
    params(("id" = String, Path, description = "Action id")),
    responses(
        (status = 200, body = ActionView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/cetr-actions/{id}")]
pub async fn get_action(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope, today) = (
        user.audit_ctx(state.clock.now()),
        Scope::of(&user),
        state.clock.today(),
    );
    let id = id.into_inner().to_string();
    let view = state
        .db
        .run(move |conn| service::read_action(conn, &ctx, &scope, &id, today))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// Update an action: status (`done` sets `completed_on`), due date, owner, notes.
/// Keyworkers may update the status and completion note of actions they own.
#[utoipa::path(
    tag = "cetrs",
    params(
        ("id" = String, Path, description = "Action id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdateActionRequest,
    responses(
        (status = 200, body = ActionView, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/cetr-actions/{id}")]
pub async fn update_action(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<UpdateActionRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::ActionUpdate)?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::update_action(conn, &ctx, &user, &id, &if_match, body, today)?;
            service::action_views(conn, vec![row], today)?
                .pop()
                .ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(ok_versioned(&view, view.version))
}
