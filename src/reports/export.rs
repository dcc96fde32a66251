//! The register as CSV: a stable, documented column set, ISO dates, and every text value
//! that a spreadsheet would read as a formula neutralised.

use std::borrow::Cow;

use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::http::Page;
use crate::register::model::{EntryView, RegisterQuery};
use crate::register::service::{self as register, filter_from};
use crate::register::store as entries;

/// The columns, in order. Documented in the README; change only by adding at the end.
pub const COLUMNS: [&str; 22] = [
    "reference",
    "status",
    "rag",
    "rag_changed_on",
    "opened_on",
    "closed_on",
    "closure_reason",
    "nhs_number",
    "given_name",
    "family_name",
    "age_group",
    "area",
    "keyworker",
    "last_review_on",
    "next_review_due",
    "review_overdue",
    "next_cetr_due",
    "discharge_points_complete",
    "open_alerts",
    "referral_source",
    "risk_summary",
    "entry_id",
];

/// A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is read as a formula by
/// spreadsheet programs (CSV injection): prefix it with an apostrophe so it stays text.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

fn text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) => String::new(),
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub fn row(e: &EntryView) -> Vec<String> {
    vec![
        e.reference.clone(),
        text(&e.status),
        text(&e.rag),
        e.rag_changed_on.to_string(),
        e.opened_on.to_string(),
        text(&e.closed_on),
        text(&e.closure_reason),
        e.person.nhs_number.clone().unwrap_or_default(),
        e.person.given_name.clone(),
        e.person.family_name.clone(),
        text(&e.person.age_group),
        e.person.area.clone(),
        e.keyworker
            .as_ref()
            .map(|k| k.username.clone())
            .unwrap_or_default(),
        text(&e.last_review_on),
        e.next_review_due.to_string(),
        e.review_overdue.to_string(),
        text(&e.next_cetr_due),
        text(&e.discharge_points_complete),
        e.open_alerts.to_string(),
        e.referral_source.clone().unwrap_or_default(),
        e.risk_summary.clone(),
        e.id.clone(),
    ]
}

/// Writes the header and rows; a UTF-8 byte order mark first so Excel reads names right.
pub struct CsvExport {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvExport {
    /// The register export's columns.
    pub fn new() -> csv::Result<CsvExport> {
        CsvExport::with_header(&COLUMNS)
    }

    pub fn with_header(columns: &[&str]) -> csv::Result<CsvExport> {
        let mut buffer = Vec::with_capacity(64 * 1024);
        buffer.extend_from_slice("\u{feff}".as_bytes());
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(buffer);
        writer.write_record(columns)?;
        Ok(CsvExport { writer })
    }

    pub fn push(&mut self, cells: Vec<String>) -> csv::Result<()> {
        self.writer
            .write_record(cells.iter().map(|c| neutralise(c)).map(|c| c.into_owned()))
    }

    pub fn finish(self) -> Result<Vec<u8>, String> {
        self.writer.into_inner().map_err(|e| e.to_string())
    }
}

const EXPORT_BATCH: i64 = 1000;

/// The filtered register as CSV, audited as an export. One transaction read in batches: a
/// consistent snapshot without loading every view at once.
pub fn register_csv(
    conn: &mut AnyConnection,
    a: &Actor,
    query: &RegisterQuery,
) -> Result<Vec<u8>, ApiError> {
    let today = a.today;
    let (filter, sort) = filter_from(query, &a.scope, today, &a.settings.register)?;
    let mut csv = CsvExport::new().map_err(ApiError::internal)?;
    let mut page = Page {
        limit: EXPORT_BATCH,
        offset: 0,
    };
    let mut exported: Vec<String> = Vec::new();
    loop {
        let (rows, _) = entries::list(conn, &filter, sort, page, today)?;
        let n = rows.len() as i64;
        exported.extend(rows.iter().map(|(entry, _)| entry.person_id.clone()));
        for view in register::views(conn, rows, today)? {
            csv.push(row(&view)).map_err(ApiError::internal)?;
        }
        if n < EXPORT_BATCH {
            break;
        }
        page.offset += EXPORT_BATCH;
    }
    audit::record(
        conn,
        &a.audit,
        AuditEvent::new(AuditAction::Export, "register", None).about_all(exported),
    )?;
    csv.finish()
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_openers_are_neutralised() {
        for (input, output) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+44 20", "'+44 20"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("Placement at risk", "Placement at risk"),
            ("", ""),
            ("2026-11-25", "2026-11-25"),
        ] {
            assert_eq!(neutralise(input), output, "{input:?}");
        }
    }

    #[test]
    fn the_header_is_the_documented_column_set() {
        let mut export = CsvExport::new().unwrap();
        let mut cells = vec!["a,b".to_string(), "line\nbreak".into(), "=1+1".into()];
        cells.resize(COLUMNS.len(), String::new());
        export.push(cells).unwrap();
        let bytes = export.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, COLUMNS.to_vec());
        let record = reader.records().next().unwrap().unwrap();
        let first: Vec<&str> = record.iter().take(3).collect();
        assert_eq!(first, vec!["a,b", "line\nbreak", "'=1+1"]);
    }
}
