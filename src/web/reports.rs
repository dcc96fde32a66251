//! `/reports` (managers, coordinators): the monthly series as a table, every count a link to
//! the people behind it (`/reports/people`), with the same series as XLSX or CSV and the
//! inpatient return for a day. The same checks, service calls and audit as
//! `GET /api/v1/reports/monthly`, `/reports/people` and `/exports/assuring-transformation`.

use actix_web::http::StatusCode;
use actix_web::{get, web};
use askama::Template;

use super::chrome::Chrome;
use super::error::{ok, PageResult};
use super::forms::FormErrors;
use super::respond::html;
use super::session::Page;
use crate::auth::Permission;
use crate::domain::monthly::measures::MeasureKind;
use crate::error::ApiError;
use crate::http::{attachment, Page as Paging};
use crate::reports::assuring::{self, AssuringQuery};
use crate::reports::monthly::{self, Format, Monthly, MonthlyQuery, PeopleQuery};

pub const PAGE_SIZE: i64 = 50;

/// `from`, `to` and `area` as a query string, for the page's links.
fn series_link(q: &MonthlyQuery) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [("from", &q.from), ("to", &q.to), ("area", &q.area)] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            out.append_pair(key, v.trim());
        }
    }
    out.finish()
}

/// One cell of the table: the value in words, and the list behind it for a count.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

pub struct Line {
    pub about: String,
    pub name: String,
    pub group: String,
    pub cells: Vec<Cell>,
}

/// The lines under one heading, in catalogue order.
pub struct Section {
    pub heading: String,
    pub lines: Vec<Line>,
}

/// The lines gathered under their headings (the catalogue keeps each heading's together).
pub fn sections(lines: Vec<Line>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some(s) if s.heading == line.group => s.lines.push(line),
            _ => out.push(Section {
                heading: line.group.clone(),
                lines: vec![line],
            }),
        }
    }
    out
}

fn month_heading(month: &str) -> String {
    crate::domain::monthly::parse_month(month)
        .map_or_else(|| month.to_string(), |d| d.format("%b %Y").to_string())
}

/// The series turned on its side for reading: a line per measure, a column per month.
pub fn lines(report: &Monthly, area: Option<&str>) -> Vec<Line> {
    report
        .measures
        .iter()
        .map(|m| Line {
            about: m.about.clone(),
            name: m.name.clone(),
            group: m.group.clone(),
            cells: report
                .months
                .iter()
                .map(|row| {
                    let month = row
                        .get("month")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default();
                    match row.get(&m.name) {
                        Some(serde_json::Value::Number(n)) if m.kind == MeasureKind::Count => {
                            let mut link = url::form_urlencoded::Serializer::new(String::new());
                            link.append_pair("measure", &m.name)
                                .append_pair("month", month);
                            if let Some(area) = area {
                                link.append_pair("area", area);
                            }
                            Cell {
                                text: n.to_string(),
                                href: Some(format!("/reports/people?{}", link.finish())),
                            }
                        }
                        Some(serde_json::Value::Number(n)) => Cell {
                            text: format!("{:.1}", n.as_f64().unwrap_or_default()),
                            href: None,
                        },
                        _ => Cell {
                            text: "Not defined".into(),
                            href: None,
                        },
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Chrome,
    errors: FormErrors,
    from: String,
    to: String,
    area: String,
    months: Vec<String>,
    sections: Vec<Section>,
    xlsx: String,
    csv: String,
    /// The inpatient return's day as typed, and what was wrong with it.
    return_day: String,
    return_errors: FormErrors,
}

const LABELS: &[(&str, &str)] = &[
    ("from", "From month"),
    ("to", "To month"),
    ("area", "Area"),
    ("format", "Format"),
];

#[get("/reports")]
pub async fn reports(page: Page, query: web::Query<MonthlyQuery>) -> PageResult {
    page.require(Permission::ReportsRead)?;
    let day = (page.today.to_string(), FormErrors::default());
    show(&page, query.into_inner(), day, StatusCode::OK).await
}

/// The page for `query`'s months, with the return's form holding `day` (as typed, and its
/// errors).
async fn show(
    page: &Page,
    query: MonthlyQuery,
    (return_day, return_errors): (String, FormErrors),
    status: StatusCode,
) -> PageResult {
    let query = MonthlyQuery {
        format: None,
        ..query
    };
    let mut view = ReportsPage {
        chrome: page.chrome("/reports"),
        errors: return_errors.clone(),
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        area: query.area.clone().unwrap_or_default(),
        months: Vec::new(),
        sections: Vec::new(),
        xlsx: format!("/reports/monthly.xlsx?{}", series_link(&query)),
        csv: format!("/reports/monthly.csv?{}", series_link(&query)),
        return_day,
        return_errors,
    };
    match query.check(page.today) {
        Err(ApiError::BadQuery(errors)) => {
            for e in FormErrors::from_api(&errors, LABELS).items {
                view.errors.items.push(e);
            }
        }
        Err(other) => return Err(other.into()),
        Ok(series) => {
            let area = series.area.clone();
            let report = page
                .read(move |c, a| monthly::monthly_for(c, a, &series))
                .await?;
            view.months = report
                .months
                .iter()
                .map(|r| month_heading(r.get("month").and_then(|v| v.as_str()).unwrap_or_default()))
                .collect();
            view.sections = sections(lines(&report, area.as_deref()));
            view.from = report.from;
            view.to = report.to;
        }
    }
    Ok(html(status, view.render()))
}

/// The series as a download (`/reports/monthly.xlsx`, `/reports/monthly.csv`).
#[get("/reports/monthly.{format}")]
pub async fn download(
    page: Page,
    format: web::Path<String>,
    query: web::Query<MonthlyQuery>,
) -> PageResult {
    page.require(Permission::ReportsRead)?;
    let format = match format.as_str() {
        "xlsx" => Format::Xlsx,
        "csv" => Format::Csv,
        _ => return Err(ApiError::NotFound.into()),
    };
    let series = query.into_inner().check(page.today)?;
    let series = monthly::Series { format, ..series };
    let report = page
        .read(move |c, a| monthly::monthly_for(c, a, &series))
        .await?;
    Ok(monthly::respond(&report, format)?)
}

/// One counted thing, in words.
pub struct CountedLine {
    pub person_href: String,
    pub person_name: String,
    pub reference: String,
    pub what: &'static str,
    pub on: String,
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "entry" => "Register entry",
        "admission" => "Admission",
        "discharge" => "Discharge",
        "cetr" => "C(E)TR or LAEP",
        "visit" => "Oversight visit",
        "keyworking_episode" => "CYP keyworking",
        "alert" => "Alert",
        _ => "Record",
    }
}

#[derive(Template)]
#[template(path = "report_people.html")]
struct PeoplePage {
    chrome: Chrome,
    heading: String,
    measure: String,
    when: String,
    total: i64,
    lines: Vec<CountedLine>,
    previous: Option<String>,
    next: Option<String>,
    back: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PeoplePageQuery {
    #[serde(flatten)]
    query: PeopleQuery,
    page: Option<String>,
}

#[get("/reports/people")]
pub async fn people(page: Page, query: web::Query<PeoplePageQuery>) -> PageResult {
    page.require(Permission::ReportsRead)?;
    let PeoplePageQuery {
        query,
        page: number,
    } = query.into_inner();
    let number: i64 = number
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let paging = Paging {
        limit: PAGE_SIZE,
        offset: (number - 1) * PAGE_SIZE,
    };
    let link = |n: i64| {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("measure", &query.measure),
            ("month", &query.month),
            ("as_of", &query.as_of),
            ("area", &query.area),
        ] {
            if let Some(v) = value {
                out.append_pair(key, v);
            }
        }
        out.append_pair("page", &n.to_string());
        format!("/reports/people?{}", out.finish())
    };
    let (link_previous, link_next) = (link(number - 1), link(number + 1));
    let back = match &query.month {
        Some(m) => format!("/reports?from={m}&to={m}"),
        None => "/reports".to_string(),
    };
    let list = page
        .read(move |c, a| monthly::people_for(c, a, query, paging))
        .await?;
    let when = match &list.month {
        Some(m) => month_heading(m),
        None => format!(
            "{} to {}",
            super::format::date(&list.start),
            super::format::date(&list.as_of)
        ),
    };
    let view = PeoplePage {
        chrome: page.chrome("/reports"),
        heading: list.about.clone(),
        measure: list.measure.clone(),
        when,
        total: list.total,
        previous: (number > 1).then_some(link_previous),
        next: (paging.offset + PAGE_SIZE < list.total).then_some(link_next),
        lines: list
            .items
            .into_iter()
            .map(|i| CountedLine {
                person_href: format!("/people/{}", i.person_id),
                person_name: i.person_name,
                reference: i.reference.unwrap_or_default(),
                what: kind_words(&i.kind),
                on: super::format::date(&i.on),
            })
            .collect(),
        back,
    };
    ok(view.render())
}

/// The inpatient return for a day as CSV, audited as an export; a day that is not one is
/// named on the reports page, in its error summary.
#[get("/reports/assuring-transformation.csv")]
pub async fn assuring_csv(page: Page, query: web::Query<AssuringQuery>) -> PageResult {
    page.require(Permission::ReportsRead)?;
    let as_of = match query.as_of(page.today) {
        Ok(day) => day,
        Err(ApiError::BadQuery(errors)) => {
            let typed = query.into_inner().as_of.unwrap_or_default();
            let errors = FormErrors::from_api(&errors, &[("as_of", "In hospital on")]);
            let series = MonthlyQuery::default();
            return show(&page, series, (typed, errors), StatusCode::BAD_REQUEST).await;
        }
        Err(other) => return Err(other.into()),
    };
    let body = page
        .write(move |c, a| assuring::assuring_csv(c, a, as_of))
        .await?;
    let name = format!("dsr-assuring-transformation-{as_of}.csv");
    Ok(attachment("text/csv; charset=utf-8", &name, body))
}
