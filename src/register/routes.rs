use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{
    CloseEntryRequest, EntryView, OpenEntryRequest, RagChange, RecordReviewRequest, RegisterQuery,
    ReviewView, UpdateEntryRequest,
};
use super::service::{self, Rules};
use super::store::{RegisterFilter, Sort};
use crate::access::Scope;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::{CurrentUser, Permission};
use crate::domain::Rag;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, PageParams, ValidJson};
use crate::people::store::SearchTerm;
use crate::startup::AppState;

pub fn rules(state: &AppState) -> Rules {
    Rules {
        today: state.clock.today(),
        cadence: state.settings.register.review_cadence_days,
        timescales: state.settings.timescales,
    }
}

/// Turns the query into a filter and sort, naming every parameter that does not parse.
pub fn filter_from(
    query: &RegisterQuery,
    scope: &Scope,
    today: chrono::NaiveDate,
) -> Result<(RegisterFilter, Sort), ApiError> {
    let mut errors = Vec::new();
    let mut rags = Vec::new();
    for part in query
        .rag
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match Rag::parse(part) {
            Some(rag) => rags.push(rag.as_str().to_string()),
            None => errors.push(FieldError::new(
                "rag",
                format!("unknown rating {part:?}: use red, amber, green, blue"),
            )),
        }
    }
    let status = match query.status.as_deref().unwrap_or("active") {
        "active" => Some("active".to_string()),
        "closed" => Some("closed".to_string()),
        "all" => None,
        _ => {
            errors.push(FieldError::new("status", "must be active, closed or all"));
            None
        }
    };
    let sort = Sort::parse(query.sort.as_deref());
    if sort.is_none() {
        errors.push(FieldError::new(
            "sort",
            "must be next_review_due, rag, opened_on or reference, optionally prefixed with -",
        ));
    }
    match sort {
        Some(sort) if errors.is_empty() => Ok((
            RegisterFilter {
                rags,
                status,
                area: query
                    .area
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(String::from),
                age_group: query.age_group,
                keyworker_id: query.keyworker_id.map(|id| id.to_string()),
                review_due_before: (query.review_overdue == Some(true)).then_some(today),
                with_open_alerts: query.overdue == Some(true),
                search: query.search.as_deref().and_then(SearchTerm::parse),
                caseload_of: scope.caseload_of().map(String::from),
            },
            sort,
        )),
        _ => Err(ApiError::BadQuery(errors)),
    }
}

/// Put a person on the register (coordinators).
#[utoipa::path(
    tag = "register",
    request_body = OpenEntryRequest,
    responses(
        (status = 201, body = EntryView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, description = "The person already has an active entry", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/register")]
pub async fn open_entry(
    state: web::Data<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<OpenEntryRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
    let (ctx, rules) = (user.audit_ctx(state.clock.now()), rules(&state));
    let view = state
        .db
        .write(move |conn| {
            let row = service::open(conn, &ctx, body, rules)?;
            service::view(conn, row, rules.today)
        })
        .await?;
    Ok(created(
        &format!("/api/v1/register/{}", view.id),
        &view,
        view.version,
    ))
}

/// The triage list: filter, sort and page the register (keyworkers: their caseload only).
#[utoipa::path(
    tag = "register",
    params(RegisterQuery, PageParams),
    responses(
        (status = 200, body = ListResponse<EntryView>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/register")]
pub async fn list_register(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RegisterQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let page = page.resolve()?;
    let today = state.clock.today();
    let (filter, sort) = filter_from(&query, &Scope::of(&user), today)?;
    // The triage view is the busiest read: pages are kept, serialised, while nothing they show
    // has changed. The key holds everything the page depends on, the caseload and today's date
    // (overdue flags and ages) included.
    let key = format!("{filter:?}|{sort:?}|{page:?}|{today}");
    // Pages of up to 100 entries (the screens ask for 50) are kept; 200 of them at ~1 kB an
    // entry bound the memory to ~20 MB. Larger pages are built every time.
    let cacheable = page.limit <= 100;
    let body = state
        .register_pages
        .get_or_build(
            key,
            || state.changes.stamp().filter(|_| cacheable),
            || async {
                let (items, total) = state
                    .db
                    .run(move |conn| service::list(conn, filter, sort, page, today))
                    .await?;
                let body = serde_json::to_vec(&ListResponse::new(items, total, page))
                    .map_err(ApiError::internal)?;
                Ok::<_, ApiError>(web::Bytes::from(body))
            },
        )
        .await?;
    let event = AuditEvent::new(AuditAction::Read, "register_list", None);
    state
        .read_audit
        .record(&user.audit_ctx(state.clock.now()), event)
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}

/// Read a register entry (audited).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    responses(
        (status = 200, body = EntryView, headers(("ETag" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/register/{id}")]
pub async fn get_entry(
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

/// Change an entry's rating (with a reason), risk summary or referral source (coordinators).
#[utoipa::path(
    tag = "register",
    params(
        ("id" = String, Path, description = "Register entry id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdateEntryRequest,
    responses(
        (status = 200, body = EntryView, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "The entry is closed", body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/register/{id}")]
pub async fn update_entry(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<UpdateEntryRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
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

/// The entry's RAG changes, oldest first (audited).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    responses(
        (status = 200, body = Vec<RagChange>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/register/{id}/history")]
pub async fn entry_history(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let id = id.into_inner().to_string();
    let items = state
        .db
        .run(move |conn| service::history(conn, &ctx, &scope, &id))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Record a DSR review: sets the rating, the last review date and the next one (coordinators).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    request_body = RecordReviewRequest,
    responses(
        (status = 201, body = ReviewView, headers(("Location" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "The entry is closed", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/register/{id}/reviews")]
pub async fn record_review(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    ValidJson(body): ValidJson<RecordReviewRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
    let (ctx, rules) = (user.audit_ctx(state.clock.now()), rules(&state));
    let id = id.into_inner().to_string();
    let review = state
        .db
        .write(move |conn| {
            let row = service::record_review(conn, &ctx, &id, body, rules)?;
            service::review_views(conn, vec![row])?
                .pop()
                .ok_or(ApiError::NotFound)
        })
        .await?;
    let location = format!(
        "/api/v1/register/{}/reviews/{}",
        review.register_entry_id, review.id
    );
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(review))
}

/// The entry's DSR reviews, newest first (audited).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    responses(
        (status = 200, body = Vec<ReviewView>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/register/{id}/reviews")]
pub async fn list_reviews(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let id = id.into_inner().to_string();
    let items = state
        .db
        .run(move |conn| service::reviews(conn, &ctx, &scope, &id))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// One DSR review (audited).
#[utoipa::path(
    tag = "register",
    params(
        ("id" = String, Path, description = "Register entry id"),
        ("review_id" = String, Path, description = "Review id"),
    ),
    responses(
        (status = 200, body = ReviewView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/register/{id}/reviews/{review_id}")]
pub async fn get_review(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RecordsRead)?;
    let (ctx, scope) = (user.audit_ctx(state.clock.now()), Scope::of(&user));
    let (id, review_id) = path.into_inner();
    let (id, review_id) = (id.to_string(), review_id.to_string());
    let review = state
        .db
        .run(move |conn| service::review(conn, &ctx, &scope, &id, &review_id))
        .await?;
    Ok(HttpResponse::Ok().json(review))
}

/// Close an entry with a reason (coordinators). Closing a closed entry is 409.
#[utoipa::path(
    tag = "register",
    params(
        ("id" = String, Path, description = "Register entry id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = CloseEntryRequest,
    responses(
        (status = 200, body = EntryView, headers(("ETag" = String))),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already closed", body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/register/{id}/close")]
pub async fn close_entry(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    ValidJson(body): ValidJson<CloseEntryRequest>,
) -> ApiResult<HttpResponse> {
    user.require(Permission::RegisterWrite)?;
    let (ctx, today) = (user.audit_ctx(state.clock.now()), state.clock.today());
    let id = id.into_inner().to_string();
    let view = state
        .db
        .write(move |conn| {
            let row = service::close(conn, &ctx, &id, &if_match, body, today)?;
            service::view(conn, row, today)
        })
        .await?;
    Ok(ok_versioned(&view, view.version))
}
