use serde_json::Value;

use crate::helpers::*;

const HEADER: &str = "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,Consent note,RAG,Risk summary,Date added,Keyworker,Favourite colour";

/// 2,000 rows, 20 of them bad in known ways: (row number, field).
fn spreadsheet(keyworker: &str) -> (String, Vec<(usize, &'static str)>) {
    let numbers = nhs_numbers(2000);
    let mut lines = vec![HEADER.to_string()];
    let mut bad = Vec::new();
    for (i, nhs) in numbers.iter().enumerate() {
        let row = i + 2;
        let rag = ["Red", "Amber", "Green", "Blue"][i % 4];
        let area = ["North", "South", "East"][i % 3];
        let mut cells = vec![
            nhs.clone(),
            format!("Given{i}"),
            format!("Family{i}"),
            format!("{:02}/{:02}/{}", 1 + i % 28, 1 + i % 12, 1960 + i % 50),
            if i % 2 == 0 {
                "LD; autism".into()
            } else {
                "Autism".into()
            },
            area.into(),
            "Given".into(),
            String::new(),
            rag.into(),
            format!("Risk {i}"),
            "01/09/2026".into(),
            if i % 10 == 0 {
                keyworker.to_string()
            } else {
                String::new()
            },
            "blue".into(),
        ];
        let field = match i {
            3 | 103 | 203 | 303 => {
                cells[0] = format!("{}{}", &nhs[..9], (nhs.as_bytes()[9] - b'0' + 1) % 10);
                "nhs_number"
            }
            404 | 505 | 606 => {
                cells[2] = String::new();
                "family_name"
            }
            707 | 808 | 909 => {
                cells[3] = "01/01/2099".into();
                "date_of_birth"
            }
            1001 | 1102 | 1203 => {
                cells[8] = "Purple".into();
                "rag"
            }
            1304 | 1405 => {
                cells[10] = "31/02/2026".into();
                "opened_on"
            }
            1506 | 1607 => {
                cells[6] = "Declined".into();
                "consent_note"
            }
            1708 | 1809 => {
                cells[0] = numbers[i - 1].clone();
                "nhs_number"
            }
            1910 => {
                cells[11] = "no.such.keyworker".into();
                "keyworker"
            }
            _ => "",
        };
        if !field.is_empty() {
            bad.push((row, field));
        }
        lines.push(
            cells
                .iter()
                .map(|c| {
                    if c.contains(',') {
                        format!("\"{c}\"")
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    (lines.join("\r\n") + "\r\n", bad)
}

async fn import(app: &TestApp, token: &str, body: Vec<u8>, query: &str) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!("/imports{query}"),
        Some(token),
    )
    .header("content-type", "text/csv")
    .body(body)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn a_2000_row_spreadsheet_with_20_bad_rows() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "kate.keyworker", Role::Keyworker, None)
        .await;
    let (csv, bad) = spreadsheet("Kate.Keyworker");
    assert_eq!(bad.len(), 20);

    // Any bad row: nothing is written, and the report names each row and field.
    let problem = assert_problem(
        import(&app, &coord, csv.clone().into_bytes(), "").await,
        422,
    )
    .await;
    let report = &problem["report"];
    assert_eq!(
        (
            report["rows"].as_i64(),
            report["valid_rows"].as_i64(),
            report["rejected_rows"].as_i64()
        ),
        (Some(2000), Some(1980), Some(20))
    );
    assert_eq!(report["written"], false);
    assert_eq!(
        report["ignored_columns"],
        serde_json::json!(["Favourite colour"])
    );
    let mut got: Vec<(usize, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap() as usize,
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let expected: Vec<(usize, String)> = bad.iter().map(|(r, f)| (*r, f.to_string())).collect();
    assert_eq!(got, expected);
    assert!(problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["field"] == "row 1912: keyworker"));
    let people: Value = coord.get("/people?limit=1").json().await;
    assert_eq!(people["total"], 0, "nothing was written");

    // A dry run with skip_invalid counts without writing.
    let dry: Value = import(
        &app,
        &coord,
        csv.clone().into_bytes(),
        "?dry_run=true&skip_invalid=true",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            dry["people_created"].as_i64(),
            dry["entries_opened"].as_i64(),
            dry["written"].as_bool()
        ),
        (Some(1980), Some(1980), Some(false))
    );
    let people: Value = coord.get("/people?limit=1").json().await;
    assert_eq!(people["total"], 0);

    // skip_invalid writes the 1,980 good rows.
    let res = import(&app, &coord, csv.clone().into_bytes(), "?skip_invalid=true").await;
    assert_eq!(res.status(), 200);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["written"], true);
    assert_eq!(done["people_created"], 1980);
    assert_eq!(done["entries_opened"], 1980);
    assert_eq!(
        done["keyworkers_assigned"], 199,
        "every tenth row names the keyworker; row 1912 names nobody"
    );
    let people: Value = coord.get("/people?limit=1").json().await;
    assert_eq!(people["total"], 1980);
    let red: Value = coord.get("/register?rag=red&limit=1").json().await;
    let expected_red = (0..2000)
        .filter(|i| i % 4 == 0 && !bad.iter().any(|(r, _)| *r == i + 2))
        .count();
    assert_eq!(red["total"], expected_red as i64);
    let north: Value = coord.get("/register?area=North&limit=1").json().await;
    let expected_north = (0..2000)
        .filter(|i| i % 3 == 0 && !bad.iter().any(|(r, _)| *r == i + 2))
        .count();
    assert_eq!(north["total"], expected_north as i64);

    // Importing the same file again creates nothing and changes nothing.
    let again: Value = import(&app, &coord, csv.into_bytes(), "?skip_invalid=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            again["people_created"].as_i64(),
            again["people_updated"].as_i64(),
            again["entries_opened"].as_i64(),
            again["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(0), Some(1980))
    );
    let people: Value = coord.get("/people?limit=1").json().await;
    assert_eq!(people["total"], 1980);
}

#[tokio::test]
async fn a_changed_row_updates_the_person_and_rating_with_history() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let nhs = &nhs_numbers(1)[0];
    let first = format!("NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk summary\r\n{nhs},Sam,Taylor,14/03/2009,Autism,North,Parental,Amber,Risk\r\n");
    let res: Value = import(&app, &coord, first.into_bytes(), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(res["people_created"], 1);
    let second = format!("NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk summary\r\n{nhs},Sam,Taylor,14/03/2009,Autism,South,Parental,Red,Risk\r\n");
    let res: Value = import(&app, &coord, second.into_bytes(), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            res["people_updated"].as_i64(),
            res["entries_updated"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let page: Value = coord.get(&format!("/register?search={nhs}")).json().await;
    let entry = &page["items"][0];
    assert_eq!(entry["rag"], "red");
    assert_eq!(entry["person"]["area"], "South");
    let history: Value = coord
        .get(&format!(
            "/register/{}/history",
            entry["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        history.as_array().unwrap().last().unwrap()["reason"],
        "spreadsheet import"
    );
}

#[tokio::test]
async fn xlsx_files_with_number_and_date_cells_import() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let nhs = nhs_numbers(2);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (col, title) in [
        "NHS Number",
        "First name",
        "Surname",
        "DOB",
        "Diagnosis",
        "Area",
        "Consent",
        "RAG",
        "Risk summary",
        "Last review",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *title).unwrap();
    }
    for (i, n) in nhs.iter().enumerate() {
        let row = i as u32 + 1;
        sheet
            .write_number(row, 0, n.parse::<f64>().unwrap())
            .unwrap();
        // Two different people (not look-alikes: they share the date of birth).
        sheet.write_string(row, 1, ["Ada", "Ben"][i]).unwrap();
        sheet.write_string(row, 2, "Sheet").unwrap();
        sheet
            .write_datetime_with_format(
                row,
                3,
                ExcelDateTime::from_ymd(1990, 5, 17).unwrap(),
                &date,
            )
            .unwrap();
        sheet.write_string(row, 4, "Learning disability").unwrap();
        sheet.write_string(row, 5, "East").unwrap();
        sheet.write_string(row, 6, "Best interests").unwrap();
        sheet.write_string(row, 7, "GREEN").unwrap();
        sheet.write_string(row, 8, "Known to team").unwrap();
        let last = days_ago(10);
        let cell = ExcelDateTime::from_ymd(
            chrono::Datelike::year(&last) as u16,
            chrono::Datelike::month(&last) as u8,
            chrono::Datelike::day(&last) as u8,
        )
        .unwrap();
        sheet
            .write_datetime_with_format(row, 9, cell, &date)
            .unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let res = app
        .request(reqwest::Method::POST, "/imports", Some(&coord))
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let report: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["people_created"], 2);
    let person: Value = coord
        .get(&format!("/people?search={}", nhs[0]))
        .json()
        .await;
    assert_eq!(person["items"][0]["date_of_birth"], "1990-05-17");
    assert_eq!(person["items"][0]["consent_status"], "best_interests");
    let entry: Value = coord
        .get(&format!("/register?search={}", nhs[0]))
        .json()
        .await;
    assert_eq!(entry["items"][0]["rag"], "green");
    assert_eq!(
        entry["items"][0]["last_review_on"],
        serde_json::json!(days_ago(10))
    );
    assert_eq!(
        entry["items"][0]["next_review_due"],
        serde_json::json!(date_plus(days_ago(10), 90))
    );
}

#[tokio::test]
async fn unreadable_files_and_roles() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    for body in [b"PK\x03\x04 not really a zip".to_vec(), Vec::new()] {
        let problem = assert_problem(import(&app, &coord, body, "").await, 422).await;
        assert_eq!(error_fields(&problem), vec!["file"]);
    }
    for role in [Role::Manager, Role::Clinician, Role::Keyworker] {
        let (_, token) = app.user_with_role(role).await;
        assert_problem(
            import(&app, &token, b"NHS Number\n".to_vec(), "").await,
            403,
        )
        .await;
    }
}

#[tokio::test]
async fn the_cli_imports_the_documented_sample() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/import-sample.csv");
    let run = |extra: &'static [&'static str]| {
        let mut cmd = dsr_command(dir.path());
        cmd.env("DSR_DATABASE__URL", &url)
            .arg("import")
            .arg(sample)
            .args(extra);
        async move { cmd.output().await.unwrap() }
    };
    let dry = run(&["--dry-run"]).await;
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let report: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(
        (
            report["people_created"].as_i64(),
            report["written"].as_bool()
        ),
        (Some(5), Some(false))
    );
    let real = run(&[]).await;
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    let report: Value = serde_json::from_slice(&real.stdout).unwrap();
    assert_eq!(
        (
            report["entries_opened"].as_i64(),
            report["written"].as_bool()
        ),
        (Some(5), Some(true))
    );
    let again: Value = serde_json::from_slice(&run(&[]).await.stdout).unwrap();
    assert_eq!(again["unchanged"], 5);
}
