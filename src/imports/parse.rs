//! Reading a spreadsheet into rows of named cells: header names are matched to our fields
//! through a documented alias table, and cell values normalised (dates, diagnoses, enums).

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use chrono::NaiveDate;

use super::caps::{check_xlsx, CapError, ImportCaps};

/// Our field for each header name people use (compared lower-case, non-alphanumerics as `_`).
const ALIASES: &[(&str, &[&str])] = &[
    ("nhs_number", &["nhs_number", "nhs_no", "nhs", "nhs_num"]),
    (
        "given_name",
        &["given_name", "first_name", "forename", "firstname"],
    ),
    (
        "family_name",
        &["family_name", "surname", "last_name", "lastname"],
    ),
    ("date_of_birth", &["date_of_birth", "dob", "birth_date"]),
    ("gender", &["gender", "sex"]),
    ("diagnoses", &["diagnoses", "diagnosis"]),
    ("area", &["area", "locality", "place"]),
    ("local_authority", &["local_authority", "la"]),
    ("gp_practice", &["gp_practice", "gp"]),
    ("consent_status", &["consent_status", "consent"]),
    ("consent_note", &["consent_note", "consent_notes"]),
    ("rag", &["rag", "rag_rating", "rag_status", "rating"]),
    ("risk_summary", &["risk_summary", "risk", "risks", "reason"]),
    (
        "opened_on",
        &["opened_on", "date_added", "date_opened", "added"],
    ),
    (
        "referral_source",
        &["referral_source", "referred_by", "referrer"],
    ),
    ("keyworker", &["keyworker", "keyworker_username"]),
    (
        "last_review_on",
        &["last_review_on", "last_review", "last_reviewed"],
    ),
    (
        "ethnic_category",
        &[
            "ethnic_category",
            "ethnicity",
            "ethnic_group",
            "ethnic_code",
        ],
    ),
    (
        "postcode_district",
        &["postcode_district", "postcode", "post_code"],
    ),
    ("responsible_icb", &["responsible_icb", "icb", "icb_code"]),
    (
        "looked_after",
        &[
            "looked_after",
            "looked_after_child",
            "lac",
            "looked_after_or_adopted",
        ],
    ),
    (
        "communication_needs",
        &["communication_needs", "communication"],
    ),
    (
        "reasonable_adjustments",
        &["reasonable_adjustments", "adjustments"],
    ),
    (
        "confirm_not_duplicate",
        &[
            "confirm_not_duplicate",
            "not_a_duplicate",
            "different_person",
        ],
    ),
];

/// Yes/no cells as spreadsheets write them; `None` for anything else (refused by the row's
/// check, naming the column).
pub fn yes_no(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// A postcode's district: a whole postcode (`LS1 4AP`) gives its first half.
pub fn district_of(raw: &str) -> String {
    raw.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

pub const DATE_FIELDS: [&str; 3] = ["date_of_birth", "opened_on", "last_review_on"];

fn normalise_header(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

pub fn field_for(header: &str) -> Option<&'static str> {
    let h = normalise_header(header);
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(field, _)| *field)
}

/// One data row: its spreadsheet row number (the header is row 1) and its cells by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    pub cells: BTreeMap<&'static str, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub rows: Vec<Row>,
    /// Our fields that have a column in the file: only these are written on re-import.
    pub columns: Vec<&'static str>,
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Caps(#[from] CapError),
    #[error("the file could not be read as CSV (send a CSV file in UTF-8, or an Excel .xlsx workbook): {0}")]
    Csv(String),
    #[error("the file could not be read as an Excel .xlsx workbook (or save it as CSV): {0}")]
    Xlsx(String),
    #[error("the file is empty: it needs a header row naming the columns, then a row per person")]
    Empty,
    #[error("the file has the column {0:?} twice")]
    DuplicateColumn(String),
}

/// Reads CSV or XLSX (recognised by its ZIP signature) within `caps`.
pub fn read(bytes: &[u8], caps: &ImportCaps) -> Result<Sheet, ReadError> {
    let grid = if bytes.starts_with(b"PK\x03\x04") {
        check_xlsx(bytes, caps)?;
        xlsx_grid(bytes)?
    } else {
        csv_grid(bytes, caps)?
    };
    sheet_from(grid)
}

/// The records, stopping at the first one past a cap (a CSV of millions of short rows is
/// refused at row 50,001, not read to its end).
fn csv_grid(bytes: &[u8], caps: &ImportCaps) -> Result<Vec<Vec<String>>, ReadError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let (mut grid, mut cells) = (Vec::new(), 0usize);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReadError::Csv(e.to_string()))?;
        caps.check_cell(i as u64 + 1, record.len() as u64)?;
        cells += record.len();
        if cells > caps.max_cells {
            return Err(caps.too_many_cells().into());
        }
        grid.push(record.iter().map(String::from).collect());
    }
    Ok(grid)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        // NHS numbers typed into Excel become numbers: show whole numbers without ".0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_default(),
    }
}

fn xlsx_grid(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| ReadError::Xlsx(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| ReadError::Xlsx("it has no worksheet".into()))?
        .map_err(|e| ReadError::Xlsx(e.to_string()))?;
    Ok(range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect())
}

fn sheet_from(grid: Vec<Vec<String>>) -> Result<Sheet, ReadError> {
    let mut lines = grid.into_iter();
    let header = lines.next().ok_or(ReadError::Empty)?;
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    let mut ignored = Vec::new();
    for name in &header {
        let field = field_for(name);
        if let Some(f) = field {
            if columns.contains(&Some(f)) {
                return Err(ReadError::DuplicateColumn(f.to_string()));
            }
        } else if !name.trim().is_empty() {
            ignored.push(name.trim().to_string());
        }
        columns.push(field);
    }
    let rows = lines
        .enumerate()
        .map(|(i, cells)| Row {
            number: i + 2,
            cells: columns
                .iter()
                .zip(cells)
                .filter_map(|(field, value)| {
                    let value = value.trim().to_string();
                    field.filter(|_| !value.is_empty()).map(|f| (f, value))
                })
                .collect(),
        })
        .filter(|row| !row.cells.is_empty())
        .collect();
    Ok(Sheet {
        rows,
        columns: columns.into_iter().flatten().collect(),
        ignored_columns: ignored,
    })
}

/// ISO dates, and the day-first dates UK spreadsheets use (25/11/2026, 25-11-2026).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
        .filter(|d| d.format("%Y").to_string().len() == 4)
}

/// Our enum spelling: lower-case, spaces and hyphens as underscores.
pub fn enum_value(raw: &str) -> String {
    raw.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Diagnoses as written in registers: "LD; autism", "Learning disability and ASC".
pub fn diagnoses(raw: &str) -> Vec<String> {
    raw.to_lowercase()
        .replace(" and ", ";")
        .split([';', ',', '/', '+', '&'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t {
            "ld" | "learning disability" | "learning_disability" | "learning disabilities" => {
                "learning_disability".to_string()
            }
            "autism" | "autistic" | "asc" | "asd" => "autism".to_string(),
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_by_alias() {
        for (header, field) in [
            ("NHS Number", Some("nhs_number")),
            (" nhs no. ", Some("nhs_number")),
            ("First name", Some("given_name")),
            ("Surname", Some("family_name")),
            ("DOB", Some("date_of_birth")),
            ("RAG rating", Some("rag")),
            ("Date added", Some("opened_on")),
            ("Favourite colour", None),
        ] {
            assert_eq!(field_for(header), field, "{header}");
        }
    }

    #[test]
    fn csv_rows_are_numbered_like_the_spreadsheet_and_blank_rows_skipped() {
        let csv = "\u{feff}NHS Number,Surname,Notes\n943 476 5919,Smith,x\n,,\n4010232137,\"Jones, Jr\",y\n";
        let sheet = read(csv.as_bytes(), &ImportCaps::default()).unwrap();
        assert_eq!(sheet.ignored_columns, vec!["Notes"]);
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[0].number, 2);
        assert_eq!(sheet.rows[1].number, 4);
        assert_eq!(sheet.rows[1].cells["family_name"], "Jones, Jr");
        assert!(matches!(
            read(b"nhs,NHS Number\n1,2\n", &ImportCaps::default()),
            Err(ReadError::DuplicateColumn(_))
        ));
        assert!(matches!(
            read(b"", &ImportCaps::default()),
            Err(ReadError::Empty)
        ));
    }

    #[test]
    fn uk_dates_diagnoses_and_enums_are_normalised() {
        assert_eq!(
            parse_date("25/11/2026"),
            NaiveDate::from_ymd_opt(2026, 11, 25)
        );
        assert_eq!(
            parse_date("2026-11-25"),
            NaiveDate::from_ymd_opt(2026, 11, 25)
        );
        assert_eq!(parse_date("5/3/2010"), NaiveDate::from_ymd_opt(2010, 3, 5));
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("11/25/2026"), None, "month-first is not read");
        assert_eq!(
            diagnoses("LD; Autism"),
            vec!["learning_disability", "autism"]
        );
        assert_eq!(
            diagnoses("Learning disability and ASC"),
            vec!["learning_disability", "autism"]
        );
        assert_eq!(diagnoses("ADHD"), vec!["adhd"]);
        assert_eq!(enum_value("Best interests"), "best_interests");
        assert_eq!(enum_value("RED"), "red");
    }
}
