//! A person recorded before their NHS number is known: `nhs_number_status` pending, the
//! number null, `nhs_number_missing` after 14 days, and recording the number later.

use serde_json::{json, Value};

use crate::helpers::*;

fn pending_body(given: &str) -> Value {
    let mut body = person_body(given, "Pending");
    body.as_object_mut().unwrap().remove("nhs_number");
    body["nhs_number_status"] = json!("pending");
    body
}

#[tokio::test]
async fn a_person_is_recorded_with_the_number_pending_then_recorded() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    // No number and no status: the number is required, in words that say how to do without.
    let mut bare = pending_body("Bare");
    bare.as_object_mut().unwrap().remove("nhs_number_status");
    let problem = assert_problem(coord.post("/people", &bare).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["nhs_number"]);
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("pending"));
    // Pending with a number is a contradiction.
    let mut both = pending_body("Both");
    both["nhs_number"] = json!(nhs_number());
    let problem = assert_problem(coord.post("/people", &both).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["nhs_number"]);

    // Two people may be pending at once (the unique number allows many nulls).
    let first: Value = coord.post("/people", &pending_body("Ari")).json().await;
    let second: Value = coord.post("/people", &pending_body("Bo")).json().await;
    for p in [&first, &second] {
        assert!(p["nhs_number"].is_null(), "{p}");
        assert_eq!(p["nhs_number_status"], "pending");
    }
    let entry = coord.open_entry(&first, Rag::Amber, None).await;
    assert!(entry["person"]["nhs_number"].is_null());
    let found: Value = coord.get("/register?search=999").json().await;
    assert!(!found["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["person_id"] == first["id"]));
    let csv = coord
        .get("/register/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Ari"), "{csv}");

    // Recording the number later: the status follows.
    let id = first["id"].as_str().unwrap();
    let number = nhs_number();
    let recorded: Value = coord
        .patch(&format!("/people/{id}"), &json!({"nhs_number": number}))
        .json()
        .await;
    assert_eq!(
        (
            recorded["nhs_number"].as_str(),
            recorded["nhs_number_status"].as_str()
        ),
        (Some(number.as_str()), Some("recorded"))
    );
    // Someone else's number is still refused.
    let taken = coord
        .patch(
            &format!("/people/{}", second["id"].as_str().unwrap()),
            &json!({"nhs_number": number}),
        )
        .await;
    assert_problem(taken, 409).await;
    // A pending number differs from no recorded one: merging needs no confirmation.
    let merged = coord
        .post(
            &format!("/people/{}/merge", second["id"].as_str().unwrap()),
            &json!({"into": id, "reason": "Recorded before the number was known"}),
        )
        .await;
    assert_eq!(merged.status(), 200);
}

#[tokio::test]
async fn a_number_pending_for_14_days_raises_an_alert_that_recording_it_resolves() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let late: Value = coord.post("/people", &pending_body("Late")).json().await;
    let fresh: Value = coord.post("/people", &pending_body("Fresh")).json().await;
    let late_id = late["id"].as_str().unwrap();
    sql_elsewhere(
        &app,
        &format!(
            "UPDATE people SET nhs_number_pending_since = '{}' WHERE id = '{late_id}'",
            days_ago(15)
        ),
    );
    coord.post("/escalations/run", &json!({})).json().await;
    let alerts: Value = coord.get("/alerts?kind=nhs_number_missing").json().await;
    assert_eq!(alerts["total"], 1, "{alerts}");
    let alert = &alerts["items"][0];
    assert_eq!(
        (alert["person_id"].as_str(), alert["subject_type"].as_str()),
        (Some(late_id), Some("person"))
    );
    assert_eq!(alert["due_on"], json!(days_ago(1)));
    assert_ne!(alert["person_id"], fresh["id"]);
    coord
        .patch(
            &format!("/people/{late_id}"),
            &json!({"nhs_number": nhs_number()}),
        )
        .json()
        .await;
    coord.post("/escalations/run", &json!({})).json().await;
    let open: Value = coord.get("/alerts?kind=nhs_number_missing").json().await;
    assert_eq!(open["total"], 0, "{open}");
}

#[tokio::test]
async fn a_referral_may_come_without_the_number() {
    let app = spawn_app().await;
    let kw = app.sign_in(Role::Keyworker).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let made: Value = kw
        .post(
            "/referrals",
            &json!({"person": pending_body("Family"), "referrer_name": "Their mother",
                    "reason": "Self-harm at home", "received_on": today()}),
        )
        .json()
        .await;
    let accepted: Value = coord
        .patch(
            &format!("/referrals/{}", made["id"].as_str().unwrap()),
            &json!({"status": "accepted"}),
        )
        .json()
        .await;
    let person: Value = coord
        .get(&format!(
            "/people/{}",
            accepted["person_id"].as_str().unwrap()
        ))
        .json()
        .await;
    assert_eq!(person["nhs_number_status"], "pending");
    assert!(person["nhs_number"].is_null());
}
