//! The import page: upload a spreadsheet, see every row it would reject and what the rest
//! would do (nothing written), then confirm the very file that was checked.

use serde_json::Value;

use crate::helpers::*;
use crate::web::{strip_tags, Browser};

const HEADER: &str = "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk summary";

fn row(nhs: &str, given: &str, area: &str) -> String {
    format!("{nhs},{given},Imported,14/03/2001,Autism,{area},Given,Amber,Placement at risk")
}

async fn people_named(coord: &Actor<'_>, family: &str) -> i64 {
    let found: Value = coord.get(&format!("/people?search={family}")).json().await;
    found["total"].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn a_coordinator_checks_a_file_sees_its_rejected_rows_and_imports_the_rest() {
    let app = spawn_app().await;
    let (mut browser, coord) = Browser::signed_in(&app, Role::Coordinator).await;
    let board = browser.get("/register").await;
    assert!(board.has("href=\"/register/import\">Import a spreadsheet</a>"));
    let form = browser.get("/register/import").await;
    assert_eq!(
        (form.status, form.h1().as_str()),
        (200, "Import a spreadsheet")
    );
    assert!(form.has("enctype=\"multipart/form-data\"") && form.has("for=\"file\""));
    let sample = browser.get("/register/import/sample.csv").await;
    assert!(sample.body.starts_with("NHS Number,"), "the sample file");
    let csrf = form.csrf();

    let numbers = nhs_numbers(3);
    let file = [
        HEADER.to_string(),
        row(&numbers[0], "Ada", "North"),
        row("123", "Bad", "North"),
        row(&numbers[1], "Cy", ""),
        row(&numbers[2], "Di", "South"),
    ]
    .join("\n");

    let forged = browser
        .upload(
            "/register/import",
            "not-the-token",
            "register.csv",
            file.clone().into_bytes(),
        )
        .await;
    assert_eq!(forged.status, 403);
    let empty = browser
        .upload("/register/import", &csrf, "", Vec::new())
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.has("href=\"#file\"") && empty.has("Select a CSV or Excel file to import"));
    let broken = browser
        .upload(
            "/register/import",
            &csrf,
            "x.xlsx",
            b"PK\x03\x04 not really a zip".to_vec(),
        )
        .await;
    assert_eq!(broken.status, 422);
    assert!(
        strip_tags(&broken.body).contains("The file could not be read as an Excel .xlsx workbook")
    );

    let preview = browser
        .upload("/register/import", &csrf, "register.csv", file.into_bytes())
        .await;
    assert_eq!(
        (preview.status, preview.h1().as_str()),
        (200, "Check the import")
    );
    let text = strip_tags(&preview.body);
    assert!(text.contains("Rows read 4"), "{text}");
    assert!(text.contains("Rows that can be imported 2"), "{text}");
    assert!(text.contains("People to add 2"), "{text}");
    assert!(text.contains("3 nhs_number"), "row 3's NHS number: {text}");
    assert!(text.contains("4 area"), "row 4's area: {text}");
    assert!(preview.has(">Import 2 rows and leave out the rejected</button>"));
    assert_eq!(
        people_named(&coord, "Imported").await,
        0,
        "nothing written by the check"
    );

    let token = preview
        .body
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let wrong = browser
        .post(
            "/register/import/confirm",
            &[("csrf_token", &csrf), ("token", "nope")],
        )
        .await;
    assert_eq!(wrong.status, 409);
    assert!(wrong.has("The file you checked is no longer held"));
    assert_eq!(
        browser
            .post("/register/import/confirm", &[("token", &token)])
            .await
            .status,
        403,
        "no form token"
    );
    let done = browser
        .post(
            "/register/import/confirm",
            &[("csrf_token", &csrf), ("token", &token)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", strip_tags(&done.body));
    assert!(done
        .location()
        .starts_with("/register/import?imported=true&created=2"));
    let after = browser.get(done.location()).await;
    assert!(strip_tags(&after.body).contains("Import finished: 2 people added, 0 updated, 2 put on the register; 2 rejected rows left out."));
    assert_eq!(people_named(&coord, "Imported").await, 2);
    let again = browser
        .post(
            "/register/import/confirm",
            &[("csrf_token", &csrf), ("token", &token)],
        )
        .await;
    assert_eq!(again.status, 409, "a checked file is imported once");
    assert_eq!(people_named(&coord, "Imported").await, 2);

    for role in [Role::Manager, Role::Keyworker, Role::Clinician] {
        let (mut other, _) = Browser::signed_in(&app, role).await;
        assert_eq!(other.get("/register/import").await.status, 403, "{role:?}");
        let csrf = other.csrf().await;
        let file = [HEADER.to_string(), row(&nhs_numbers(1)[0], "Eve", "North")].join("\n");
        let res = other
            .upload("/register/import", &csrf, "register.csv", file.into_bytes())
            .await;
        assert_eq!(res.status, 403, "{role:?}");
        assert!(!other.get("/register").await.has("Import a spreadsheet"));
    }
}

#[tokio::test]
async fn a_file_past_the_upload_cap_is_refused_in_words_and_nothing_held() {
    let app = spawn_app_with(|s| s.server.import_limit_bytes = 2048).await;
    let (mut browser, coord) = Browser::signed_in(&app, Role::Coordinator).await;
    let csrf = browser.get("/register/import").await.csrf();
    let numbers = nhs_numbers(40);
    let mut lines = vec![HEADER.to_string()];
    lines.extend(numbers.iter().map(|n| row(n, "Big", "North")));
    let file = lines.join("\n").into_bytes();
    assert!(file.len() > 2048);
    let res = browser
        .upload("/register/import", &csrf, "big.csv", file)
        .await;
    assert_eq!(res.status, 413);
    assert!(res.has("The file must be smaller than 2 KB") && res.has("href=\"#file\""));
    assert!(!res.has("name=\"token\""), "nothing to confirm");
    assert_eq!(people_named(&coord, "Imported").await, 0);
    assert_eq!(browser.get("/health/live").await.status, 200);
}
