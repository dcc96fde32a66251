//! A person recorded twice is merged: everything moves to the record that stays, the other
//! becomes a read-only tombstone, and nothing (not one contact) is lost.

use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn a_duplicate_is_merged_without_losing_a_contact() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw = app.sign_in(Role::Keyworker).await;
    let entry = coord.person_on_register("Sam", Rag::Amber).await;
    let keep = entry["person_id"].as_str().unwrap().to_string();
    let dup: Value = coord
        .post("/people", &person_body("Sam", "Tester"))
        .json()
        .await;
    let gone = dup["id"].as_str().unwrap().to_string();
    coord.assign_keyworker(&gone, &kw.id).await;
    let contact = |who: &str, what: &str| json!({"occurred_at": chrono::Utc::now(), "kind": "phone", "summary": format!("{what} ({who})")});
    coord
        .post(&format!("/people/{keep}/contacts"), &contact("kept", "one"))
        .json()
        .await;
    for what in ["two", "three"] {
        coord
            .post(&format!("/people/{gone}/contacts"), &contact("dup", what))
            .json()
            .await;
    }
    coord
        .post(
            &format!("/people/{gone}/involvements"),
            &json!({"name": "Jo Smith", "organisation": "Council", "role": "social_worker", "from_on": today()}),
        )
        .json()
        .await;
    let closed = coord.open_entry(&dup, Rag::Green, None).await;
    coord
        .post(
            &format!("/register/{}/close", closed["id"].as_str().unwrap()),
            &json!({"reason": "no_longer_at_risk"}),
        )
        .json()
        .await;

    let merge = format!("/people/{gone}/merge");
    let body = json!({"into": keep, "reason": "Recorded twice at referral"});
    let problem = assert_problem(coord.post(&merge, &body).await, 422).await;
    assert_eq!(
        error_fields(&problem),
        vec!["confirm_different_nhs_numbers"]
    );
    assert_problem(kw.post(&merge, &body).await, 403).await;
    let mut body = body;
    body["confirm_different_nhs_numbers"] = json!(true);
    let survivor: Value = coord.post(&merge, &body).json().await;
    assert_eq!(survivor["id"], keep.as_str());
    assert_eq!(
        survivor["nhs_number"], entry["person"]["nhs_number"],
        "the survivor keeps its NHS number"
    );

    let contacts: Value = coord.get(&format!("/people/{keep}/contacts")).json().await;
    assert_eq!(contacts["total"], 3, "not one contact lost: {contacts}");
    let involvements: Value = coord
        .get(&format!("/people/{keep}/involvements"))
        .json()
        .await;
    assert_eq!(involvements["total"], 1);
    let entries: Value = coord.get("/register?status=all&search=sam").json().await;
    let of_keep = entries["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["person_id"] == keep.as_str())
        .count();
    assert_eq!(of_keep, 2, "the closed entry moved too: {entries}");

    // The tombstone: read-only, pointing at the survivor, out of lists.
    let tomb: Value = coord.get(&format!("/people/{gone}")).json().await;
    assert_eq!(tomb["merged_into"], keep.as_str());
    assert!(
        tomb["keyworker"].is_null(),
        "its keyworker assignment ended"
    );
    assert_problem(
        coord
            .patch(&format!("/people/{gone}"), &json!({"area": "South"}))
            .await,
        409,
    )
    .await;
    assert_problem(
        coord
            .post(&format!("/people/{gone}/contacts"), &contact("dup", "four"))
            .await,
        409,
    )
    .await;
    assert_problem(coord.post(&merge, &body).await, 409).await;
    let people: Value = coord.get("/people?search=sam").json().await;
    assert_eq!(people["total"], 1, "{people}");
    // The survivor's access log holds what was done on the merged record.
    let log: Value = coord
        .get(&format!("/people/{keep}/access-log?limit=500"))
        .json()
        .await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity_id"] == gone.as_str()),
        "{log}"
    );
    let export: Value = coord
        .get(&format!("/people/{keep}/subject-access"))
        .json()
        .await;
    assert_eq!(export["contacts"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn two_active_entries_or_two_open_admissions_are_not_merged() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let a = coord.person_on_register("Ann", Rag::Amber).await;
    let b = coord.person_on_register("Ann", Rag::Red).await;
    let res = coord
        .post(
            &format!("/people/{}/merge", b["person_id"].as_str().unwrap()),
            &json!({"into": a["person_id"], "reason": "twice", "confirm_different_nhs_numbers": true}),
        )
        .await;
    let problem = assert_problem(res, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("active register entry"),
        "{problem}"
    );
    let into_itself = coord
        .post(
            &format!("/people/{}/merge", a["person_id"].as_str().unwrap()),
            &json!({"into": a["person_id"], "reason": "x", "confirm_different_nhs_numbers": true}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(into_itself, 422).await),
        vec!["into"]
    );
}
