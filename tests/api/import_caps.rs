//! Imports that cannot take the server down: every crafted file is refused with a clear
//! problem (413 or 422 naming `file`), reports list at most 100 errors with the total, one
//! import runs at a time per user, and the server still answers `/health/live` afterwards.
//! The crafted files are built here, byte by byte, as an attacker would.

use std::io::Write;

use serde_json::Value;

use crate::helpers::*;

async fn import(app: &TestApp, token: &str, body: Vec<u8>) -> reqwest::Response {
    app.request(reqwest::Method::POST, "/imports?dry_run=true", Some(token))
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A workbook with one worksheet (and a shared-string table if given), each part deflated.
fn xlsx(sheet: &str, shared_strings: Option<&str>) -> Vec<u8> {
    let mut parts = vec![
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Register" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet.to_string()),
    ];
    if let Some(sst) = shared_strings {
        parts.push(("xl/sharedStrings.xml", sst.to_string()));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn sheet(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
}

async fn assert_refused(res: reqwest::Response, status: u16, says: &str) -> Value {
    let problem = assert_problem(res, status).await;
    let text = problem.to_string();
    assert!(text.contains(says), "expected {says:?} in {text}");
    problem
}

#[tokio::test]
async fn crafted_spreadsheets_are_refused_and_the_server_stays_up() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;

    // One cell at A1 and one at the last cell Excel has: 2^34 cells if materialised.
    let far = xlsx(
        &sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>NHS Number</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        ),
        None,
    );
    assert!(far.len() < 2048, "a small file: {} bytes", far.len());
    let problem = assert_refused(import(&app, &coord, far).await, 422, "data rows").await;
    assert_eq!(error_fields(&problem), vec!["file"]);

    // The same claim made by `<dimension>` alone.
    let dimension = xlsx(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>"#,
        None,
    );
    assert_refused(import(&app, &coord, dimension).await, 422, "data rows").await;

    // Columns past the cap in the first row.
    let wide = xlsx(&sheet(r#"<row r="1"><c r="A1"/><c r="DA1"/></row>"#), None);
    assert_refused(import(&app, &coord, wide).await, 422, "columns").await;

    // A shared-string table that claims a hundred thousand million strings.
    let claims = xlsx(
        &sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#),
        Some(
            r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="100000000000" uniqueCount="100000000000"><si><t>NHS Number</t></si></sst>"#,
        ),
    );
    assert_refused(import(&app, &coord, claims).await, 422, "cells").await;

    // A CSV one row past the default 50,000 data rows is refused before any row is checked.
    let mut csv = String::from("NHS Number,Surname\n");
    for i in 0..50_001 {
        csv.push_str(&format!("1,S{i}\n"));
    }
    let problem = assert_refused(import(&app, &coord, csv.into_bytes()).await, 422, "50000").await;
    assert_eq!(error_fields(&problem), vec!["file"]);

    let live = app.get_public("/health/live").await;
    assert_eq!(live.status(), 200, "the server is still up");
}

#[tokio::test]
async fn an_xlsx_that_inflates_past_the_cap_is_413() {
    // A small cap keeps the test quick; the default (64 MiB) works the same way.
    let app = spawn_app_with(|s| s.imports.max_inflated_bytes = 1024 * 1024).await;
    let coord = app.sign_in(Role::Coordinator).await;
    // 8 MiB of spaces inside a worksheet deflate to a few kilobytes.
    let padding = " ".repeat(8 * 1024 * 1024);
    let bomb = xlsx(
        &sheet(&format!("<row r=\"1\"><c r=\"A1\"/></row>{padding}")),
        None,
    );
    assert!(bomb.len() < 64 * 1024, "{} bytes on the wire", bomb.len());
    assert_refused(import(&app, &coord, bomb).await, 413, "inflates").await;
    assert_eq!(app.get_public("/health/live").await.status(), 200);
}

#[tokio::test]
async fn a_report_lists_the_first_hundred_errors_and_the_total() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    // 300 rows, each with a bad NHS number and no name: two errors a row at least.
    let mut csv = String::from("NHS Number,First name,Surname,DOB,Area,Consent,RAG,Risk\n");
    for i in 0..300 {
        csv.push_str(&format!("12345,,,01/01/1990,North,given,red,risk {i}\n"));
    }
    let res = import(&app, &coord, csv.into_bytes()).await;
    let problem = assert_problem(res, 422).await;
    let report = &problem["report"];
    assert_eq!(report["rejected_rows"], 300);
    assert_eq!(report["errors"].as_array().unwrap().len(), 100);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 100);
    let total = report["errors_total"].as_u64().unwrap();
    assert!(total >= 600, "every error is counted: {total}");
}

/// Opens an upload over a raw connection and sends its head and a first chunk only: the rest
/// of its body has not arrived, so the import is held open.
async fn held_open_import(app: &TestApp, token: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/imports?dry_run=true HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: text/csv\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!(
        "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk\n\
         {},Sam,Smith,01/01/1990,Autism,North,Given,Red,Placement at risk\n",
        nhs_number()
    );
    stream
        .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
        .await
        .unwrap();
    stream
}

#[tokio::test]
async fn one_import_at_a_time_per_user() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let other = app.sign_in(Role::Coordinator).await;
    let csv = || {
        format!(
            "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk\n\
             {},Sam,Smith,01/01/1990,Autism,North,Given,Red,Placement at risk\n",
            nhs_number()
        )
        .into_bytes()
    };

    // Probe with a second import until the held one is in (409). A probe that got in first
    // may have turned the held one away; then the held one is opened again.
    let mut first = held_open_import(&app, &coord).await;
    let mut refused = None;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        let res = import(&app, &coord, csv()).await;
        if res.status() == 409 {
            refused = Some(res);
            break;
        }
        let mut peek = [0u8; 1];
        let answered = matches!(first.try_read(&mut peek), Ok(n) if n > 0);
        if answered {
            first = held_open_import(&app, &coord).await;
        }
    }
    let refused = refused.expect("a second import by the same user is refused while one runs");
    assert_refused(refused, 409, "still running").await;
    // Another user is not held up.
    assert_eq!(import(&app, &other, csv()).await.status(), 200);

    first.write_all(b"0\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    first.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the first finishes normally: {answer}"
    );
    assert_eq!(
        import(&app, &coord, csv()).await.status(),
        200,
        "and the user may import again"
    );
}
