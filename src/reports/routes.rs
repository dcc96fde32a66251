use actix_web::http::header;
use actix_web::{get, HttpResponse};

use super::assuring::{self, AssuringQuery};
use super::export;
use super::monthly::{self, CountedList, Monthly, MonthlyQuery, PeopleQuery};
use super::service::{self, Summary, SummaryQuery};
use crate::auth::Permission;
use crate::error::ApiResult;
use crate::http::context::Ctx;
use crate::http::extract::{Paging, Query};
use crate::http::{attachment, PageParams};
use crate::register::model::RegisterQuery;

/// Register counts, overdue work, inpatients, readmissions and C(E)TR timeliness
/// (coordinators, managers).
#[utoipa::path(
    tag = "reports",
    params(SummaryQuery),
    responses((status = 200, body = Summary))
)]
#[get("/reports/summary")]
pub async fn summary(ctx: Ctx, query: Query<SummaryQuery>) -> ApiResult<HttpResponse> {
    let query = ctx.permit(Permission::ReportsRead, query)?;
    let report = ctx
        .read(move |c, a| service::summary_for(c, a, query))
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The filtered register as CSV (same filters as the list; coordinators, managers). Columns:
/// see the README. Audited as an export.
#[utoipa::path(
    tag = "register",
    params(RegisterQuery),
    responses((status = 200, content_type = "text/csv", body = String))
)]
#[get("/register/export.csv")]
pub async fn export_register(ctx: Ctx, query: Query<RegisterQuery>) -> ApiResult<HttpResponse> {
    let query = ctx.permit(Permission::ReportsRead, query)?;
    let body = ctx
        .write(move |c, a| export::register_csv(c, a, &query))
        .await?;
    let disposition = format!("attachment; filename=\"dsr-register-{}.csv\"", ctx.today);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .body(body))
}

/// The inpatient return in the shape of Assuring Transformation as CSV: one row per person in
/// hospital on `as_of`, columns as the README lists them; identifiers blank for those who
/// objected (coordinators, managers). Audited as an export.
#[utoipa::path(
    tag = "reports",
    params(AssuringQuery),
    responses((status = 200, content_type = "text/csv", body = String))
)]
#[get("/exports/assuring-transformation")]
pub async fn export_assuring(ctx: Ctx, query: Query<AssuringQuery>) -> ApiResult<HttpResponse> {
    let query = ctx.permit(Permission::ReportsRead, query)?;
    let as_of = query.as_of(ctx.today)?;
    let body = ctx
        .write(move |c, a| assuring::assuring_csv(c, a, as_of))
        .await?;
    let name = format!("dsr-assuring-transformation-{as_of}.csv");
    Ok(attachment("text/csv; charset=utf-8", &name, body))
}

/// A flat row per calendar month of every measure in `domain.md` (*Reports*), each counted
/// from history as at the month's end (today for the current month); `format=csv|xlsx` for a
/// download (coordinators, managers).
#[utoipa::path(
    tag = "reports",
    params(MonthlyQuery),
    responses((status = 200, description = "The series: JSON by default, or the CSV or XLSX file `format` asks for", content(
        (Monthly = "application/json"),
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )))
)]
#[get("/reports/monthly")]
pub async fn monthly_series(ctx: Ctx, query: Query<MonthlyQuery>) -> ApiResult<HttpResponse> {
    let series = ctx
        .permit(Permission::ReportsRead, query)?
        .check(ctx.today)?;
    let format = series.format;
    let report = ctx
        .read(move |c, a| monthly::monthly_for(c, a, &series))
        .await?;
    monthly::respond(&report, format)
}

/// The rows behind one count of the monthly series (`month=`) or the summary (`as_of=`), a
/// page at a time: each names its person and register reference, and `total` is the figure
/// (coordinators, managers).
#[utoipa::path(
    tag = "reports",
    params(PeopleQuery, PageParams),
    responses((status = 200, body = CountedList))
)]
#[get("/reports/people")]
pub async fn counted_people(
    ctx: Ctx,
    query: Query<PeopleQuery>,
    page: Paging,
) -> ApiResult<HttpResponse> {
    let (query, page) = ctx.permit(Permission::ReportsRead, (query, page))?;
    let list = ctx
        .read(move |c, a| monthly::people_for(c, a, query, page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
