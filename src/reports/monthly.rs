//! The monthly series (`GET /reports/monthly`) and the people behind any of its counts, or
//! the summary's (`GET /reports/people`). Both read the same facts and count them with the
//! same function (`domain::monthly::measures::figures`), so a list's total is its figure.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use utoipa::{IntoParams, ToSchema};

use super::export::CsvExport;
use super::facts;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::monthly::measures::{self, Measure, MeasureKind, Value};
use crate::domain::monthly::{months_between, parse_month, reference_on, Facts, Period};
use crate::error::{ApiError, FieldError};
use crate::http::Page;

/// The longest series one request may ask for.
pub const MAX_MONTHS: usize = 60;

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthlyQuery {
    /// The first month, `YYYY-MM` (default eleven months before `to`).
    pub from: Option<String>,
    /// The last month, `YYYY-MM`, not after the current month (default the current month).
    pub to: Option<String>,
    /// Only people in this area.
    pub area: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

/// A checked request for the series.
#[derive(Debug, Clone)]
pub struct Series {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub area: Option<String>,
    pub format: Format,
}

fn bad(field: &str, message: &str) -> ApiError {
    ApiError::BadQuery(vec![FieldError::new(field, message)])
}

fn month_param(raw: Option<&str>, field: &str) -> Result<Option<NaiveDate>, ApiError> {
    raw.filter(|r| !r.trim().is_empty())
        .map(|r| parse_month(r).ok_or_else(|| bad(field, "must be a month, YYYY-MM")))
        .transpose()
}

fn area_param(raw: Option<String>) -> Option<String> {
    raw.map(|a| a.trim().to_string()).filter(|a| !a.is_empty())
}

impl MonthlyQuery {
    pub fn check(self, today: NaiveDate) -> Result<Series, ApiError> {
        let format = match self.format.as_deref().map(str::trim) {
            None | Some("") | Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some("xlsx") => Format::Xlsx,
            Some(_) => return Err(bad("format", "must be json, csv or xlsx")),
        };
        let current = today.with_day(1).unwrap_or(today);
        let to = month_param(self.to.as_deref(), "to")?.unwrap_or(current);
        if to > current {
            return Err(bad("to", "must not be after the current month"));
        }
        let from = match month_param(self.from.as_deref(), "from")? {
            Some(from) => from,
            None => to.checked_sub_months(Months::new(11)).unwrap_or(to),
        };
        if from > to {
            return Err(bad("from", "must not be after `to`"));
        }
        let span = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
        if span > MAX_MONTHS as i32 {
            return Err(bad("from", "a series is at most 60 months"));
        }
        Ok(Series {
            from,
            to,
            area: area_param(self.area),
            format,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasureInfo {
    pub name: String,
    pub kind: MeasureKind,
    pub about: String,
    /// The heading it stands under on the reports page (`The register`, `Inpatients`…).
    pub group: String,
}

impl From<Measure> for MeasureInfo {
    fn from(m: Measure) -> MeasureInfo {
        MeasureInfo {
            name: m.name,
            kind: m.kind,
            about: m.about,
            group: m.group.to_string(),
        }
    }
}

/// The series: the measures (in column order, with what each counts) and one flat row per
/// month, `{month, as_of, <measure>: value, ...}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Monthly {
    #[schema(value_type = String, example = "2026-01")]
    pub from: String,
    #[schema(value_type = String, example = "2026-12")]
    pub to: String,
    pub area: Option<String>,
    pub measures: Vec<MeasureInfo>,
    /// One object per month: `month` (`YYYY-MM`), `as_of` (the month's last day, or today for
    /// the current month) and every measure by name.
    #[schema(value_type = Vec<Object>)]
    pub months: Vec<Map<String, Json>>,
}

fn month_label(first: NaiveDate) -> String {
    first.format("%Y-%m").to_string()
}

fn json_of(value: Value) -> Json {
    match value {
        Value::Count(n) => Json::from(n),
        Value::Decimal(d) => d.map_or(Json::Null, Json::from),
    }
}

/// The series from loaded facts (pure: no database, no clock but `today`).
pub fn series(facts: &Facts, s: &Series, today: NaiveDate, a: &Settings) -> Monthly {
    let risk_codes = &a.risk_factors;
    let months = months_between(s.from, s.to)
        .into_iter()
        .filter_map(|first| Period::month(first, today).map(|p| (first, p)))
        .map(|(first, period)| {
            let figures = measures::figures(facts, period, &a.timescales, risk_codes, None);
            let mut row = Map::new();
            row.insert("month".into(), Json::from(month_label(first)));
            row.insert("as_of".into(), Json::from(period.as_of.to_string()));
            for (name, value) in figures.values {
                row.insert(name, json_of(value));
            }
            row
        })
        .collect();
    Monthly {
        from: month_label(s.from),
        to: month_label(s.to),
        area: s.area.clone(),
        measures: measures::catalogue(risk_codes)
            .into_iter()
            .map(MeasureInfo::from)
            .collect(),
        months,
    }
}

/// What the counting needs of the settings.
pub struct Settings {
    pub timescales: crate::domain::inpatient::Timescales,
    pub risk_factors: Vec<String>,
}

impl Settings {
    pub fn of(a: &Actor) -> Settings {
        Settings {
            timescales: a.settings.timescales,
            risk_factors: a
                .settings
                .register
                .risk_factors
                .iter()
                .map(|f| f.code.clone())
                .collect(),
        }
    }
}

/// The series as the signed-in user asked for it (the read is audited).
pub fn monthly_for(conn: &mut AnyConnection, a: &Actor, s: &Series) -> Result<Monthly, ApiError> {
    let facts = facts::load(conn, s.area.as_deref())?;
    let report = series(&facts, s, a.today, &Settings::of(a));
    a.audit_read(AuditEvent::new(AuditAction::Read, "report_monthly", None));
    Ok(report)
}

fn cell(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The series as CSV: `month`, `as_of`, then every measure in catalogue order.
pub fn csv_of(report: &Monthly) -> Result<Vec<u8>, ApiError> {
    let internal = |e: String| ApiError::Internal(anyhow::anyhow!("monthly csv: {e}"));
    let mut columns = vec!["month", "as_of"];
    columns.extend(report.measures.iter().map(|m| m.name.as_str()));
    let mut out = CsvExport::with_header(&columns).map_err(|e| internal(e.to_string()))?;
    for row in &report.months {
        let cells = columns
            .iter()
            .map(|c| row.get(*c).map(cell).unwrap_or_default())
            .collect();
        out.push(cells).map_err(|e| internal(e.to_string()))?;
    }
    out.finish().map_err(internal)
}

/// The series as a workbook: sheet `Monthly` (a row per month, numbers as numbers, blank where
/// undefined) and sheet `Measures` (each column's name, kind and definition).
pub fn xlsx_of(report: &Monthly) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let internal =
        |e: rust_xlsxwriter::XlsxError| ApiError::Internal(anyhow::anyhow!("monthly xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let sheet = book.add_worksheet().set_name("Monthly").map_err(internal)?;
    let mut columns = vec!["month", "as_of"];
    columns.extend(report.measures.iter().map(|m| m.name.as_str()));
    for (c, name) in columns.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *name, &bold)
            .map_err(internal)?;
    }
    for (r, row) in report.months.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, name) in columns.iter().enumerate() {
            let c = c as u16;
            match row.get(*name) {
                Some(Json::Number(n)) => {
                    sheet
                        .write_number(r, c, n.as_f64().unwrap_or_default())
                        .map_err(internal)?;
                }
                Some(Json::String(s)) => {
                    sheet.write_string(r, c, s).map_err(internal)?;
                }
                _ => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 1).map_err(internal)?;
    let defs = book
        .add_worksheet()
        .set_name("Measures")
        .map_err(internal)?;
    for (c, head) in ["measure", "group", "kind", "definition"]
        .iter()
        .enumerate()
    {
        defs.write_string_with_format(0, c as u16, *head, &bold)
            .map_err(internal)?;
    }
    for (r, m) in report.measures.iter().enumerate() {
        let r = r as u32 + 1;
        defs.write_string(r, 0, &m.name).map_err(internal)?;
        defs.write_string(r, 1, &m.group).map_err(internal)?;
        defs.write_string(r, 2, m.kind.as_str()).map_err(internal)?;
        defs.write_string(r, 3, &m.about).map_err(internal)?;
    }
    book.save_to_buffer().map_err(internal)
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// A count measure of the monthly series (or of the summary: the same names).
    pub measure: Option<String>,
    /// The month, `YYYY-MM`, as the monthly series counts it. Not with `as_of`.
    pub month: Option<String>,
    /// The day, as the summary report counts it (states on the day, flows in the 12 months
    /// to it; default today). Not with `month`.
    #[param(format = Date)]
    pub as_of: Option<String>,
    /// Only people in this area.
    pub area: Option<String>,
}

/// A checked drill-down request.
#[derive(Debug, Clone)]
pub struct Drill {
    pub measure: String,
    /// What the measure counts, in words (from the catalogue entry the check found).
    pub about: String,
    pub month: Option<NaiveDate>,
    pub period: Period,
    pub area: Option<String>,
}

impl PeopleQuery {
    pub fn check(self, today: NaiveDate, risk_codes: &[String]) -> Result<Drill, ApiError> {
        let measure = self
            .measure
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .ok_or_else(|| bad("measure", "is required"))?;
        let known = measures::catalogue(risk_codes)
            .into_iter()
            .find(|m| m.name == measure);
        let about = match known {
            Some(m) if m.kind == MeasureKind::Count => m.about,
            Some(_) => {
                return Err(bad(
                    "measure",
                    "is not a count: only counts list their rows",
                ))
            }
            None => return Err(bad("measure", "is not a measure of the reports")),
        };
        let month = month_param(self.month.as_deref(), "month")?;
        let as_of = self.as_of.as_deref().filter(|r| !r.trim().is_empty());
        let period = match (month, as_of) {
            (Some(_), Some(_)) => return Err(bad("as_of", "give `month` or `as_of`, not both")),
            (Some(first), None) => Period::month(first, today)
                .ok_or_else(|| bad("month", "must not be after the current month"))?,
            (None, Some(raw)) => {
                let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                    .map_err(|_| bad("as_of", "must be a date, YYYY-MM-DD"))?;
                Period::year_to(day)
            }
            (None, None) => Period::year_to(today),
        };
        Ok(Drill {
            measure,
            about,
            month,
            period,
            area: area_param(self.area),
        })
    }
}

/// One counted thing behind a figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountedItem {
    /// What is counted: `entry`, `admission`, `discharge`, `cetr`, `visit`,
    /// `keyworking_episode` or `alert`.
    pub kind: String,
    /// The counted record's id (a discharge is its admission's id).
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    /// The person's register reference (the entry active that day, else their latest).
    pub reference: Option<String>,
    /// The day that put it in the count: opened, admitted, discharged, held, visited, referred
    /// or raised.
    pub on: NaiveDate,
}

/// The rows behind one figure, a page at a time; `total` is the figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountedList {
    pub measure: String,
    /// What the measure counts, in words.
    pub about: String,
    /// The month asked for, `YYYY-MM` (absent for an `as_of` list).
    pub month: Option<String>,
    /// Flows are counted from `start` to `as_of`; states as at the end of `as_of`.
    pub start: NaiveDate,
    pub as_of: NaiveDate,
    pub area: Option<String>,
    pub items: Vec<CountedItem>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The list behind a figure, from loaded facts (pure).
pub fn counted(facts: &Facts, d: &Drill, page: Page, a: &Settings) -> CountedList {
    let risk_codes = &a.risk_factors;
    let figures = measures::figures(facts, d.period, &a.timescales, risk_codes, Some(&d.measure));
    let name_of = |id: &str| {
        facts
            .people
            .get(id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let entries = facts.entries_by_person();
    let reference = |id: &str| {
        let theirs = entries.get(id).map(Vec::as_slice).unwrap_or_default();
        reference_on(theirs, d.period.as_of).map(String::from)
    };
    let mut items: Vec<CountedItem> = figures
        .items
        .iter()
        .map(|i| CountedItem {
            kind: i.kind.as_str().to_string(),
            id: i.id.to_string(),
            person_id: i.person_id.to_string(),
            person_name: name_of(i.person_id),
            reference: reference(i.person_id),
            on: i.on,
        })
        .collect();
    items.sort_by(|x, y| (x.on, &x.person_name, &x.id).cmp(&(y.on, &y.person_name, &y.id)));
    let total = items.len() as i64;
    let items = items
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .collect();
    CountedList {
        about: d.about.clone(),
        measure: d.measure.clone(),
        month: d.month.map(month_label),
        start: d.period.start,
        as_of: d.period.as_of,
        area: d.area.clone(),
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    }
}

/// The drill-down as the signed-in user asked for it (the read is audited: it names people).
pub fn people_for(
    conn: &mut AnyConnection,
    a: &Actor,
    query: PeopleQuery,
    page: Page,
) -> Result<CountedList, ApiError> {
    let settings = Settings::of(a);
    let drill = query.check(a.today, &settings.risk_factors)?;
    let facts = facts::load(conn, drill.area.as_deref())?;
    let list = counted(&facts, &drill, page, &settings);
    a.audit_read(AuditEvent::new(AuditAction::Read, "report_people", None));
    Ok(list)
}

/// The series in the format asked for: JSON, or a CSV or XLSX download named for its months.
pub fn respond(report: &Monthly, format: Format) -> Result<actix_web::HttpResponse, ApiError> {
    let (body, content_type, extension) = match format {
        Format::Json => return Ok(actix_web::HttpResponse::Ok().json(report)),
        Format::Csv => (csv_of(report)?, "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (xlsx_of(report)?, XLSX, "xlsx"),
    };
    let name = format!("dsr-monthly-{}-to-{}.{extension}", report.from, report.to);
    Ok(crate::http::attachment(content_type, &name, body))
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
