//! Moving to adult services: a young person's transition plan, the alert when one is
//! missing from 17, and the board's 16-to-18 filter.

use chrono::Months;
use serde_json::{json, Value};

use crate::helpers::*;

fn born_months_ago(months: u32) -> chrono::NaiveDate {
    today().checked_sub_months(Months::new(months)).unwrap()
}

/// A person born `months` ago, on the register at amber; returns the entry.
async fn young(coord: &Actor<'_>, given: &str, months: u32) -> Value {
    let mut body = person_body(given, "Young");
    body["date_of_birth"] = json!(born_months_ago(months));
    body["consent_status"] = json!("parental");
    let person = coord.post("/people", &body).json().await;
    coord.open_entry(&person, Rag::Amber, None).await
}

fn plan() -> Value {
    json!({"adult_team": "Adult community LD team, North", "education_status": "EHCP in place",
           "planned_handover_on": days_ahead(120), "notes": "Joint visit planned"})
}

#[tokio::test]
async fn a_plan_is_set_read_and_replaced_under_if_match() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = young(&coord, "Tia", 12 * 17 + 2).await;
    let person = entry["person_id"].as_str().unwrap();
    let path = format!("/people/{person}/transition-plan");
    assert_problem(coord.get(&path).await, 404).await;
    let bad = coord.put(&path, &json!({"adult_team": " ", "education_status": "x", "planned_handover_on": "01/09/2027"})).await;
    let problem = assert_problem(bad, 422).await;
    assert_eq!(error_fields(&problem), vec!["planned_handover_on"]);
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("YYYY-MM-DD"));
    let bad = coord.put(&path, &json!({"adult_team": " ", "education_status": "x", "planned_handover_on": days_ahead(5)})).await;
    assert_eq!(
        error_fields(&assert_problem(bad, 422).await),
        vec!["adult_team"]
    );

    let created = coord.put(&path, &plan()).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["etag"], "\"1\"");
    let read: Value = coord.get(&path).json().await;
    assert_eq!(read["adult_team"], "Adult community LD team, North");
    assert_eq!(read["version"], 1);
    let mut changed = plan();
    changed["education_status"] = json!("College place from September");
    assert_problem(coord.put(&path, &changed).if_match(5).await, 412).await;
    let replaced: Value = coord.put(&path, &changed).if_match(1).json().await;
    assert_eq!(
        (
            replaced["version"].as_i64(),
            replaced["education_status"].as_str()
        ),
        (Some(2), Some("College place from September"))
    );
    // Saying the same again changes nothing.
    let same: Value = coord.put(&path, &changed).json().await;
    assert_eq!(same["version"], 2);
    // A keyworker sets it for their caseload only; a manager reads it.
    let kw = app.sign_in(Role::Keyworker).await;
    assert_problem(kw.put(&path, &plan()).await, 404).await;
    coord.assign_keyworker(person, &kw.id).await;
    let by_kw: Value = kw.put(&path, &plan()).json().await;
    assert_eq!(by_kw["updated_by"]["id"], kw.id.as_str());
    let manager = app.sign_in(Role::Manager).await;
    assert_eq!(manager.get(&path).await.status(), 200);
    assert_problem(manager.put(&path, &plan()).await, 403).await;
}

#[tokio::test]
async fn from_17_a_missing_plan_raises_an_alert_that_stays_past_18_until_a_plan_exists() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let just_17 = young(&coord, "Seventeen", 12 * 17 + 1).await;
    let past_18 = young(&coord, "Eighteen", 12 * 18 + 6).await;
    let sixteen = young(&coord, "Sixteen", 12 * 16 + 11).await;
    let adult = young(&coord, "Thirty", 12 * 30).await;
    let planned = young(&coord, "Planned", 12 * 17 + 3).await;
    let planned_person = planned["person_id"].as_str().unwrap();
    coord
        .put(
            &format!("/people/{planned_person}/transition-plan"),
            &plan(),
        )
        .json()
        .await;
    coord.post("/escalations/run", &json!({})).json().await;
    let alerts: Value = coord
        .get("/alerts?kind=transition_plan_missing")
        .json()
        .await;
    let mut who: Vec<&str> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["person_id"].as_str().unwrap())
        .collect();
    who.sort();
    let mut expected = vec![
        just_17["person_id"].as_str().unwrap(),
        past_18["person_id"].as_str().unwrap(),
    ];
    expected.sort();
    assert_eq!(who, expected, "{alerts}");
    let _ = (sixteen, adult);
    // A plan resolves it at the next sweep.
    let person = just_17["person_id"].as_str().unwrap();
    coord
        .put(&format!("/people/{person}/transition-plan"), &plan())
        .json()
        .await;
    coord.post("/escalations/run", &json!({})).json().await;
    let open: Value = coord
        .get("/alerts?kind=transition_plan_missing&status=open")
        .json()
        .await;
    assert_eq!(open["total"], 1);
    assert_eq!(open["items"][0]["person_id"], past_18["person_id"]);
}

#[tokio::test]
async fn the_board_filters_people_aged_16_to_18() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut inside = Vec::new();
    for (given, months) in [
        ("Fifteen", 12 * 16 - 1),
        ("Sixteen", 12 * 16),
        ("Eighteen", 12 * 18 + 11),
        ("Nineteen", 12 * 19),
    ] {
        let entry = young(&coord, given, months).await;
        if ["Sixteen", "Eighteen"].contains(&given) {
            inside.push(entry["id"].as_str().unwrap().to_string());
        }
    }
    let page: Value = coord.get("/register?transition_age=true").json().await;
    let mut got: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    inside.sort();
    assert_eq!(got, inside);
    let (mut browser, _) = crate::web::Browser::signed_in(&app, Role::Coordinator).await;
    let board = browser.get("/register?transition_age=yes").await;
    let text = crate::web::strip_tags(&board.body);
    assert!(
        text.contains("Sixteen Young") && text.contains("Eighteen Young"),
        "{text}"
    );
    assert!(
        !text.contains("Fifteen Young") && !text.contains("Nineteen Young"),
        "{text}"
    );
}

#[tokio::test]
async fn the_record_shows_the_plan_and_its_form_sets_it() {
    use crate::web::{date_fields, fields, strip_tags, Browser};
    let app = spawn_app().await;
    let (mut browser, coord) = Browser::signed_in(&app, Role::Coordinator).await;
    let entry = young(&coord, "Remy", 12 * 17 + 4).await;
    let person = entry["person_id"].as_str().unwrap();
    let record = browser.get(&format!("/people/{person}")).await;
    let text = strip_tags(&record.body);
    assert!(
        text.contains("Moving to adult services")
            && text.contains("There is no transition plan yet"),
        "{text}"
    );
    let form = browser
        .get(&format!("/people/{person}/transition-plan"))
        .await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let path = format!("/people/{person}/transition-plan");
    let refused = browser
        .send(
            &path,
            &fields(&[
                ("csrf_token", &csrf),
                ("version", "0"),
                ("adult_team", ""),
                ("education_status", "EHCP"),
            ]),
        )
        .await;
    assert_eq!(refused.status, 422);
    let text = strip_tags(&refused.body);
    assert!(
        text.contains("Enter the planned handover date") && text.contains("Adult team"),
        "{text}"
    );
    let mut sent = fields(&[
        ("csrf_token", &csrf),
        ("version", "0"),
        ("adult_team", "Adult LD team"),
        ("education_status", "EHCP in place"),
        ("notes", ""),
    ]);
    sent.extend(date_fields("planned_handover_on", days_ahead(60)));
    let saved = browser.send(&path, &sent).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let record = browser.get(saved.location()).await;
    let text = strip_tags(&record.body);
    assert!(
        text.contains("Transition plan saved.") && text.contains("Adult LD team"),
        "{text}"
    );
    // The same form filled before that plan existed is now overtaken: 412, nothing saved.
    let again = browser.send(&path, &sent).await;
    assert_eq!(again.status, 412);
    assert!(strip_tags(&again.body).contains("Someone else changed this plan"));
}
