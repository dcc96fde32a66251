use std::sync::Arc;

use actix_web::http::header::{self, ContentType};
use actix_web::{get, patch, post, web, HttpResponse};

use super::model::{
    CloseEntryRequest, EntryView, OpenEntryRequest, RagChange, RecordReviewRequest, RegisterQuery,
    ReviewView, UpdateEntryRequest,
};
use super::service::{self, filter_from};
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::context::Ctx;
use crate::http::extract::{Id, Paging, Query, ReviewId, ValidJson};
use crate::http::{created, ok_versioned, IfMatch, ListResponse, Page, PageParams};

/// Put a person on the register (coordinators).
#[utoipa::path(
    tag = "register",
    request_body = OpenEntryRequest,
    responses(
        (status = 201, body = EntryView, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The person already has an active entry", body = Problem),
    )
)]
#[post("/register")]
pub async fn open_entry(ctx: Ctx, body: ValidJson<OpenEntryRequest>) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx.write(|c, a| service::open_view(c, a, body)).await?;
    Ok(created("/api/v1/register", &view.id, &view, view.version))
}

/// The triage list: filter, sort and page the register (keyworkers: their caseload only).
#[utoipa::path(
    tag = "register",
    params(RegisterQuery, PageParams),
    responses((status = 200, body = ListResponse<EntryView>))
)]
#[get("/register")]
pub async fn list_register(
    ctx: Ctx,
    query: Query<RegisterQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::RecordsRead, (query, page))?;
    let body = triage_page(&ctx, query, page).await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// The triage view is the busiest read: pages are kept, serialised, while nothing they show
/// has changed. The key holds everything the page depends on, the caseload and today's date
/// (overdue flags and ages) included. The read is audited (in a batch) before it is answered.
async fn triage_page(ctx: &Ctx, query: RegisterQuery, page: Page) -> ApiResult<web::Bytes> {
    let (state, today) = (ctx.state(), ctx.today);
    let (filter, sort) = filter_from(&query, &ctx.scope, today, &ctx.settings.register)?;
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
                let people: Arc<[String]> = items.iter().map(|e| e.person_id.clone()).collect();
                let body = serde_json::to_vec(&ListResponse::new(items, total, page))
                    .map_err(ApiError::internal)?;
                Ok::<_, ApiError>((web::Bytes::from(body), people))
            },
        )
        .await?;
    let (body, people) = body;
    let event =
        AuditEvent::new(AuditAction::Read, "register_list", None).about_all(people.iter().cloned());
    state.read_audit.record(&ctx.audit, event).await?;
    Ok(body)
}

/// Read a register entry (audited).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    responses((status = 200, body = EntryView, headers(("ETag" = String))))
)]
#[get("/register/{id}")]
pub async fn get_entry(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let entries = &ctx.state().entries;
    let view = ctx
        .read_kept(
            entries,
            id.key(),
            service::read_unaudited,
            service::read_audit,
        )
        .await?;
    Ok(ok_versioned(&*view, view.version))
}

/// Change an entry's rating (with a reason), risk summary or referral source (coordinators).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    request_body = UpdateEntryRequest,
    responses(
        (status = 200, body = EntryView, headers(("ETag" = String))),
        (status = 409, description = "The entry is closed", body = Problem),
    )
)]
#[patch("/register/{id}")]
pub async fn update_entry(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<UpdateEntryRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::update_view(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}

/// The entry's RAG changes, oldest first (audited).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    responses((status = 200, body = Vec<RagChange>))
)]
#[get("/register/{id}/history")]
pub async fn entry_history(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let items = ctx
        .read(move |c, a| service::history(c, a, &id.key()))
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
        (status = 409, description = "The entry is closed", body = Problem),
    )
)]
#[post("/register/{id}/reviews")]
pub async fn record_review(
    ctx: Ctx,
    id: Id,
    body: ValidJson<RecordReviewRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let review = ctx
        .write(move |c, a| service::record_review_view(c, a, &id.key(), body))
        .await?;
    let location = format!("/api/v1/register/{}/reviews/{}", id.0, review.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(review))
}

/// The entry's DSR reviews, newest first (audited).
#[utoipa::path(
    tag = "register",
    params(("id" = String, Path, description = "Register entry id")),
    responses((status = 200, body = Vec<ReviewView>))
)]
#[get("/register/{id}/reviews")]
pub async fn list_reviews(ctx: Ctx, id: Id) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let items = ctx
        .read(move |c, a| service::reviews(c, a, &id.key()))
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
    responses((status = 200, body = ReviewView))
)]
#[get("/register/{id}/reviews/{review_id}")]
pub async fn get_review(ctx: Ctx, id: Id, review_id: ReviewId) -> ApiResult<HttpResponse> {
    ctx.require(Permission::RecordsRead)?;
    let review = ctx
        .read(move |c, a| service::review(c, a, &id.key(), &review_id.key()))
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
        (status = 409, description = "Already closed", body = Problem),
        (status = 412, body = Problem),
    )
)]
#[post("/register/{id}/close")]
pub async fn close_entry(
    ctx: Ctx,
    id: Id,
    if_match: IfMatch,
    body: ValidJson<CloseEntryRequest>,
) -> ApiResult<HttpResponse> {
    let body = ctx.permit(Permission::RegisterWrite, body)?;
    let view = ctx
        .write(move |c, a| service::close_view(c, a, &id.key(), &if_match, body))
        .await?;
    Ok(ok_versioned(&view, view.version))
}
