//! Two records for one person: a new person with the same date of birth and a similar name
//! as someone recorded is refused as a possible duplicate, unless confirmed as someone else.

use serde_json::{json, Value};

use crate::helpers::*;

/// A person body that does not confirm anything (unlike the tests' usual `person_body`).
fn unconfirmed(given: &str, family: &str, born: &str) -> Value {
    let mut body = person_body(given, family);
    body.as_object_mut()
        .unwrap()
        .remove("confirm_not_duplicate");
    body["date_of_birth"] = json!(born);
    body
}

#[tokio::test]
async fn a_look_alike_is_refused_with_its_matches_unless_confirmed() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let sam: Value = coord
        .post("/people", &unconfirmed("Sam", "Taylor", "2009-03-14"))
        .json()
        .await;
    for (given, family) in [("Samuel", "Taylor"), ("Sam", "Tailor"), ("sam", "TAYLOR")] {
        let res = coord
            .post("/people", &unconfirmed(given, family, "2009-03-14"))
            .await;
        let problem = assert_problem(res, 409).await;
        assert_eq!(
            problem["type"], "urn:dsr:problem:possible-duplicate",
            "{given} {family}"
        );
        assert_eq!(problem["matches"][0]["id"], sam["id"]);
        assert_eq!(problem["matches"][0]["date_of_birth"], "2009-03-14");
    }
    // Someone else born the same day, or the same name born another day, is no look-alike.
    assert_eq!(
        coord
            .post("/people", &unconfirmed("Alex", "Morgan", "2009-03-14"))
            .await
            .status(),
        201
    );
    assert_eq!(
        coord
            .post("/people", &unconfirmed("Sam", "Taylor", "2009-03-15"))
            .await
            .status(),
        201
    );
    // Twins: confirmed as someone else.
    let mut twin = unconfirmed("Sami", "Taylor", "2009-03-14");
    twin["confirm_not_duplicate"] = json!(true);
    assert_eq!(coord.post("/people", &twin).await.status(), 201);
    let list: Value = coord.get("/people?search=taylor").json().await;
    assert_eq!(
        list["total"], 3,
        "nothing was written for the refused look-alikes"
    );
}

async fn import(app: &TestApp, token: &str, csv: String) -> Value {
    let res = app
        .request(reqwest::Method::POST, "/imports?dry_run=true", Some(token))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

#[tokio::test]
async fn an_import_names_look_alike_rows_and_takes_them_when_confirmed() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    coord
        .post("/people", &unconfirmed("Sam", "Taylor", "2009-03-14"))
        .json()
        .await;
    let n = nhs_numbers(4);
    let header = "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk";
    let csv = format!(
        "{header}\n{},Sam,Tailor,14/03/2009,Autism,North,Parental,Amber,Risk\n\
         {},Jo,Reed,01/02/2010,Autism,North,Parental,Amber,Risk\n\
         {},Joe,Reed,01/02/2010,Autism,North,Parental,Amber,Risk\n",
        n[0], n[1], n[2]
    );
    let problem = import(&app, &coord, csv).await;
    let report = &problem["report"];
    assert_eq!(report["rejected_rows"], 2, "{problem}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["field"].as_str()),
        (Some(2), Some("confirm_not_duplicate"))
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("Sam Taylor"),
        "{problem}"
    );
    assert_eq!(errors[1]["row"], 4);
    assert!(
        errors[1]["message"].as_str().unwrap().contains("row 3"),
        "{problem}"
    );
    let csv = format!(
        "{header},Different person\n{},Sam,Tailor,14/03/2009,Autism,North,Parental,Amber,Risk,yes\n",
        n[3]
    );
    let report = import(&app, &coord, csv).await;
    assert_eq!(
        (
            report["rejected_rows"].as_i64(),
            report["people_created"].as_i64()
        ),
        (Some(0), Some(1)),
        "{report}"
    );
}

#[tokio::test]
async fn the_add_person_form_shows_the_match_and_asks_before_adding() {
    use crate::web::{strip_tags, Browser};
    let app = spawn_app().await;
    let (mut browser, coord) = Browser::signed_in(&app, Role::Coordinator).await;
    let sam: Value = coord
        .post("/people", &unconfirmed("Sam", "Taylor", "2009-03-14"))
        .json()
        .await;
    let csrf = browser.get("/people/new").await.csrf();
    let nhs = nhs_number();
    let mut fields = vec![
        ("csrf_token", csrf.as_str()),
        ("given_name", "Samuel"),
        ("family_name", "Taylor"),
        ("nhs_number", nhs.as_str()),
        ("date_of_birth-day", "14"),
        ("date_of_birth-month", "3"),
        ("date_of_birth-year", "2009"),
        ("autism", "yes"),
        ("area", "North"),
        ("consent_status", "parental"),
    ];
    let asked = browser.post("/people/new", &fields).await;
    assert_eq!(asked.status, 422);
    let text = strip_tags(&asked.body);
    assert!(
        text.contains("This may be someone already recorded: Sam Taylor"),
        "{text}"
    );
    assert!(
        asked.has("href=\"#confirm_not_duplicate\"") && asked.has("This is a different person")
    );
    fields.push(("confirm_not_duplicate", "yes"));
    let added = browser.post("/people/new", &fields).await;
    assert_eq!(added.status, 303, "{}", strip_tags(&added.body));
    let list: Value = coord.get("/people?search=taylor").json().await;
    assert_eq!(list["total"], 2);
    let _ = sam;
}
