//! What an uploaded spreadsheet may hold before anything is built from it.
//!
//! A spreadsheet reader sizes its grid from the cell references and `<dimension>` a file
//! claims, and its string table from `uniqueCount`: a 1.6 KB file naming cell `XFD1048576`
//! asked for 512 GiB and aborted the process. So an XLSX is inflated here first, within a
//! budget, and every claim is checked against the caps; only a file that passes is handed to
//! the reader. CSV is counted as it is read (see `parse::csv_grid`).

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use serde::Deserialize;

/// Limits on one import (`[imports]` in the configuration).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ImportCaps {
    /// Data rows (the header row is not counted).
    pub max_rows: usize,
    pub max_columns: usize,
    /// Cells with a value or a reference, over the whole file.
    pub max_cells: usize,
    /// Everything in an XLSX, inflated.
    pub max_inflated_bytes: u64,
    /// Rejected rows' errors listed in a report (the total is always given).
    pub max_reported_errors: usize,
}

impl Default for ImportCaps {
    fn default() -> Self {
        ImportCaps {
            max_rows: 50_000,
            max_columns: 100,
            max_cells: 2_000_000,
            max_inflated_bytes: 64 * 1024 * 1024,
            max_reported_errors: 100,
        }
    }
}

/// Why a file is refused before it is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapError {
    /// 413: bigger than the service takes.
    #[error("{0}")]
    TooLarge(String),
    /// 422: more rows, columns or cells than one import may have.
    #[error("{0}")]
    TooMany(String),
    /// 400: not a spreadsheet we can read.
    #[error("the file could not be read as an Excel .xlsx workbook (or save it as CSV): {0}")]
    Unreadable(String),
}

impl ImportCaps {
    /// A 1-based spreadsheet row (row 1 is the header) and column, checked against the caps.
    pub fn check_cell(&self, row: u64, column: u64) -> Result<(), CapError> {
        if row > self.max_rows as u64 + 1 {
            return Err(self.too_many_rows());
        }
        if column > self.max_columns as u64 {
            return Err(self.too_many_columns());
        }
        Ok(())
    }

    pub fn too_many_rows(&self) -> CapError {
        CapError::TooMany(format!(
            "the file has more than {} data rows; split it into smaller files",
            self.max_rows
        ))
    }

    pub fn too_many_columns(&self) -> CapError {
        CapError::TooMany(format!(
            "the file has more than {} columns",
            self.max_columns
        ))
    }

    pub fn too_many_cells(&self) -> CapError {
        CapError::TooMany(format!("the file has more than {} cells", self.max_cells))
    }
}

/// `XFD1048576` → (row 1048576, column 16384). Letters then digits, nothing else.
pub fn cell_ref(reference: &str) -> Option<(u64, u64)> {
    let reference = reference.trim().trim_start_matches('$');
    let split = reference.find(|c: char| !c.is_ascii_alphabetic())?;
    let (letters, digits) = reference.split_at(split);
    let digits = digits.trim_start_matches('$');
    if letters.is_empty() || letters.len() > 7 || digits.is_empty() || digits.len() > 12 {
        return None;
    }
    let column = letters.bytes().try_fold(0u64, |n, b| {
        let v = u64::from(b.to_ascii_uppercase().checked_sub(b'A')?) + 1;
        (v <= 26).then_some(n * 26 + v)
    })?;
    let row = digits.parse().ok()?;
    Some((row, column))
}

/// Checks an XLSX (a ZIP) within the caps: inflated size (as really inflated, not as the
/// archive claims), every worksheet's `<dimension>`, row numbers and cell references, the
/// number of cells, and the shared-string table's declared counts.
pub fn check_xlsx(bytes: &[u8], caps: &ImportCaps) -> Result<(), CapError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| CapError::Unreadable(e.to_string()))?;
    let mut budget = caps.max_inflated_bytes;
    let mut cells = 0usize;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| CapError::Unreadable(e.to_string()))?;
        let name = entry
            .name()
            .map_err(|e| CapError::Unreadable(e.to_string()))?
            .into_owned();
        let mut inflated = Vec::new();
        // One byte past the budget tells a file that is too big from one that fits exactly.
        let read = (&mut entry)
            .take(budget + 1)
            .read_to_end(&mut inflated)
            .map_err(|e| CapError::Unreadable(format!("{name}: {e}")))?;
        if read as u64 > budget {
            return Err(CapError::TooLarge(format!(
                "the spreadsheet inflates to more than {} MiB",
                caps.max_inflated_bytes / (1024 * 1024)
            )));
        }
        budget -= read as u64;
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            cells += check_sheet(&inflated, caps)?;
            if cells > caps.max_cells {
                return Err(caps.too_many_cells());
            }
        } else if name == "xl/sharedStrings.xml" {
            check_shared_strings(&inflated, caps)?;
        }
    }
    Ok(())
}

fn attribute(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .map(|a| a.value.to_string())
}

/// One worksheet's claims; returns how many cells it has.
fn check_sheet(xml: &[u8], caps: &ImportCaps) -> Result<usize, CapError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut cells, mut row, mut column) = (0usize, 0u64, 0u64);
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| CapError::Unreadable(format!("worksheet: {e}")))?;
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "dimension" => {
                    if let Some(range) = attribute(e, "ref") {
                        for corner in range.split(':') {
                            let (r, c) = cell_ref(corner).ok_or_else(|| {
                                CapError::Unreadable(format!("bad dimension {range:?}"))
                            })?;
                            caps.check_cell(r, c)?;
                        }
                    }
                }
                "row" => {
                    row = match attribute(e, "r") {
                        Some(r) => r
                            .trim()
                            .parse()
                            .map_err(|_| CapError::Unreadable(format!("bad row number {r:?}")))?,
                        None => row + 1,
                    };
                    column = 0;
                    caps.check_cell(row, 1)?;
                }
                "c" => {
                    (row, column) = match attribute(e, "r") {
                        Some(r) => cell_ref(&r)
                            .ok_or_else(|| CapError::Unreadable(format!("bad cell {r:?}")))?,
                        None => (row.max(1), column + 1),
                    };
                    caps.check_cell(row, column)?;
                    cells += 1;
                    if cells > caps.max_cells {
                        return Err(caps.too_many_cells());
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(cells),
            _ => {}
        }
        buf.clear();
    }
}

/// The string table's `count` and `uniqueCount` are what a reader allocates from.
fn check_shared_strings(xml: &[u8], caps: &ImportCaps) -> Result<(), CapError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| CapError::Unreadable(format!("shared strings: {e}")))?
        {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sst" => {
                for key in ["count", "uniqueCount"] {
                    let claimed = attribute(&e, key).map(|v| v.trim().parse::<u64>());
                    match claimed {
                        Some(Ok(n)) if n > caps.max_cells as u64 => {
                            return Err(caps.too_many_cells())
                        }
                        Some(Err(_)) => {
                            return Err(CapError::Unreadable("bad shared-string count".into()))
                        }
                        _ => {}
                    }
                }
                return Ok(());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_read_as_row_and_column() {
        let cases = [
            ("A1", Some((1, 1))),
            ("Z9", Some((9, 26))),
            ("AA10", Some((10, 27))),
            ("XFD1048576", Some((1_048_576, 16_384))),
            ("$B$3", Some((3, 2))),
            ("a2", Some((2, 1))),
            ("1A", None),
            ("A", None),
            ("A1B", None),
            ("AAAAAAAA1", None),
            ("A99999999999999", None),
            ("", None),
        ];
        for (reference, expected) in cases {
            assert_eq!(cell_ref(reference), expected, "{reference}");
        }
    }

    #[test]
    fn cells_beyond_the_caps_are_refused_by_kind() {
        let caps = ImportCaps {
            max_rows: 10,
            max_columns: 5,
            ..ImportCaps::default()
        };
        assert_eq!(
            caps.check_cell(11, 5),
            Ok(()),
            "ten data rows after the header"
        );
        assert!(matches!(caps.check_cell(12, 1), Err(CapError::TooMany(m)) if m.contains("rows")));
        assert!(
            matches!(caps.check_cell(1, 6), Err(CapError::TooMany(m)) if m.contains("columns"))
        );
    }

    #[test]
    fn a_sheet_is_refused_on_its_first_claim_past_the_caps() {
        let caps = ImportCaps::default();
        let sheet = |body: &str| format!("<worksheet><sheetData>{body}</sheetData></worksheet>");
        let ok = sheet(r#"<row r="1"><c r="A1"/><c r="B1"/></row><row><c/></row>"#);
        assert_eq!(check_sheet(ok.as_bytes(), &caps), Ok(3));
        let far = sheet(r#"<row r="1"><c r="A1"/><c r="XFD1048576"/></row>"#);
        assert!(matches!(
            check_sheet(far.as_bytes(), &caps),
            Err(CapError::TooMany(_))
        ));
        let dimension = r#"<worksheet><dimension ref="A1:XFD1048576"/></worksheet>"#;
        assert!(matches!(
            check_sheet(dimension.as_bytes(), &caps),
            Err(CapError::TooMany(_))
        ));
        let row = sheet(r#"<row r="999999"/>"#);
        assert!(matches!(
            check_sheet(row.as_bytes(), &caps),
            Err(CapError::TooMany(_))
        ));
        let bad = sheet(r#"<row r="1"><c r="1A"/></row>"#);
        assert!(matches!(
            check_sheet(bad.as_bytes(), &caps),
            Err(CapError::Unreadable(_))
        ));
    }

    #[test]
    fn a_claimed_string_count_past_the_caps_is_refused() {
        let caps = ImportCaps::default();
        let sst = |attrs: &str| format!("<sst {attrs}><si><t>x</t></si></sst>");
        assert_eq!(
            check_shared_strings(sst(r#"count="1" uniqueCount="1""#).as_bytes(), &caps),
            Ok(())
        );
        assert!(matches!(
            check_shared_strings(sst(r#"uniqueCount="100000000000""#).as_bytes(), &caps),
            Err(CapError::TooMany(_))
        ));
        assert!(matches!(
            check_shared_strings(sst(r#"count="-1""#).as_bytes(), &caps),
            Err(CapError::Unreadable(_))
        ));
    }
}

/// Who is importing now: one import at a time per user, so nobody can queue up a row of
/// expensive files (the second answers 409 until the first is done).
#[derive(Debug, Default)]
pub struct Running(std::sync::Mutex<std::collections::HashSet<String>>);

/// Holds a user's place while their import runs; dropping it frees the place.
#[derive(Debug)]
pub struct Place<'a> {
    running: &'a Running,
    user_id: String,
}

impl Running {
    /// The user's place, or 409 while their earlier import is still running.
    pub fn place_for(&self, user_id: &str) -> Result<Place<'_>, crate::error::ApiError> {
        self.begin(user_id).ok_or_else(|| {
            crate::error::ApiError::Conflict(
                "an import of yours is still running; wait for it to finish".into(),
            )
        })
    }

    pub fn begin(&self, user_id: &str) -> Option<Place<'_>> {
        let mut users = self.0.lock().unwrap_or_else(|e| e.into_inner());
        users.insert(user_id.to_string()).then(|| Place {
            running: self,
            user_id: user_id.to_string(),
        })
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let mut users = self.running.0.lock().unwrap_or_else(|e| e.into_inner());
        users.remove(&self.user_id);
    }
}

#[cfg(test)]
mod running_tests {
    use super::*;

    #[test]
    fn one_import_at_a_time_per_user() {
        let running = Running::default();
        let first = running.begin("u1").expect("free");
        assert!(running.begin("u1").is_none(), "u1 is busy");
        assert!(running.begin("u2").is_some(), "others are not held up");
        drop(first);
        assert!(
            running.begin("u1").is_some(),
            "free again once the first is done"
        );
    }
}
