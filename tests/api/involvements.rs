//! The professionals around a person: recorded, changed, ended, listed current first, kept
//! to a keyworker's caseload, and in the subject-access export.

use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn professionals_are_recorded_changed_ended_and_listed_current_first() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = coord.person("Iris").await;
    let id = person["id"].as_str().unwrap();
    let path = format!("/people/{id}/involvements");

    let sw = coord
        .post(
            &path,
            &json!({"name": " Jo Smith ", "organisation": "County Council", "role": "social_worker",
                    "contact": "01632 960001", "from_on": days_ago(300)}),
        )
        .await;
    assert_eq!(sw.status(), 201);
    let location = sw.headers()["location"].to_str().unwrap().to_string();
    let sw: Value = sw.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/involvements/{}", sw["id"].as_str().unwrap())
    );
    assert_eq!(sw["name"], "Jo Smith", "trimmed");
    assert_eq!(sw["current"], true);
    assert_eq!(sw["version"], 1);
    let senco: Value = coord
        .post(
            &path,
            &json!({"name": "Sam Lee", "organisation": "Hill School", "role": "senco",
                    "from_on": days_ago(900), "to_on": days_ago(400)}),
        )
        .json()
        .await;
    assert_eq!(senco["current"], false);
    let camhs: Value = coord
        .post(
            &path,
            &json!({"name": "Dr Ade", "organisation": "CAMHS North", "role": "camhs", "from_on": days_ago(30)}),
        )
        .json()
        .await;

    let list: Value = coord.get(&path).json().await;
    assert_eq!(list["total"], 3);
    let order: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["Dr Ade", "Jo Smith", "Sam Lee"],
        "current ones first, latest started first"
    );

    // Ending one: If-Match is honoured; the end may not precede the start.
    let sw_path = format!("/involvements/{}", sw["id"].as_str().unwrap());
    let stale = coord
        .patch(&sw_path, &json!({"to_on": today()}))
        .if_match(7)
        .await;
    assert_problem(stale, 412).await;
    let early = coord
        .patch(&sw_path, &json!({"to_on": days_ago(301)}))
        .await;
    let problem = assert_problem(early, 422).await;
    assert_eq!(error_fields(&problem), vec!["to_on"]);
    let ended: Value = coord
        .patch(&sw_path, &json!({"to_on": days_ago(1), "contact": null}))
        .if_match(1)
        .json()
        .await;
    assert_eq!(
        (ended["version"].as_i64(), ended["current"].as_bool()),
        (Some(2), Some(false))
    );
    assert!(ended["contact"].is_null());
    let again: Value = coord.get(&sw_path).json().await;
    assert_eq!(again["to_on"], json!(days_ago(1)));
    let list: Value = coord.get(&path).json().await;
    assert_eq!(list["items"][0]["id"], camhs["id"]);

    // Bad input is named, in words.
    let bad = coord
        .post(
            &path,
            &json!({"name": "", "organisation": "X", "role": "gp", "from_on": days_ahead(3)}),
        )
        .await;
    let problem = assert_problem(bad, 422).await;
    assert_eq!(error_fields(&problem), vec!["from_on", "name"]);
    let bad = coord
        .post(
            &path,
            &json!({"name": "A", "organisation": "X", "role": "dentist", "from_on": today()}),
        )
        .await;
    let problem = assert_problem(bad, 422).await;
    assert_eq!(error_fields(&problem), vec!["role"]);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("must be one of: care_coordinator,"),
        "{message}"
    );

    // In the subject-access export, and the lists are in the access log.
    let export: Value = coord
        .get(&format!("/people/{id}/subject-access"))
        .json()
        .await;
    assert_eq!(export["involvements"].as_array().unwrap().len(), 3);
    assert_eq!(export["involvements"][0]["name"], "Dr Ade");
}

#[tokio::test]
async fn a_keyworker_records_them_for_their_caseload_only() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw = app.sign_in(Role::Keyworker).await;
    let mine = coord.person_on_register("Mine", Rag::Amber).await;
    let theirs = coord.person_on_register("Theirs", Rag::Amber).await;
    let mine_id = mine["person_id"].as_str().unwrap();
    coord.assign_keyworker(mine_id, &kw.id).await;
    let body =
        json!({"name": "Pat GP", "organisation": "Hill Surgery", "role": "gp", "from_on": today()});
    let made: Value = kw
        .post(&format!("/people/{mine_id}/involvements"), &body)
        .json()
        .await;
    assert_eq!(made["recorded_by"]["id"], kw.id.as_str());
    let theirs_id = theirs["person_id"].as_str().unwrap();
    assert_problem(
        kw.post(&format!("/people/{theirs_id}/involvements"), &body)
            .await,
        404,
    )
    .await;
    let other: Value = coord
        .post(&format!("/people/{theirs_id}/involvements"), &body)
        .json()
        .await;
    let other_path = format!("/involvements/{}", other["id"].as_str().unwrap());
    assert_problem(kw.get(&other_path).await, 404).await;
    assert_problem(
        kw.patch(&other_path, &json!({"name": "Changed"})).await,
        404,
    )
    .await;
    let unchanged: Value = coord.get(&other_path).json().await;
    assert_eq!(unchanged["name"], "Pat GP");
    // A manager reads but does not write.
    let manager = app.sign_in(Role::Manager).await;
    assert_eq!(
        manager
            .get(&format!("/people/{mine_id}/involvements"))
            .await
            .status(),
        200
    );
    assert_problem(
        manager
            .post(&format!("/people/{mine_id}/involvements"), &body)
            .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn the_record_lists_them_and_its_forms_add_change_and_end_them() {
    use crate::web::{date_fields, fields, strip_tags, Browser};
    let app = spawn_app().await;
    let (mut browser, coord) = Browser::signed_in(&app, Role::Coordinator).await;
    let person = coord.person("Rowan").await;
    let id = person["id"].as_str().unwrap();
    let record = browser.get(&format!("/people/{id}")).await;
    assert!(
        record.has("Professionals involved") && record.has("No other professionals recorded yet.")
    );
    assert!(record.has(&format!("href=\"/people/{id}/involvements/new\"")));

    let form = browser.get(&format!("/people/{id}/involvements/new")).await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let mut sent = fields(&[
        ("csrf_token", &csrf),
        ("name", ""),
        ("organisation", "Council"),
    ]);
    sent.extend(date_fields("from_on", days_ago(10)));
    let refused = browser
        .send(&format!("/people/{id}/involvements/new"), &sent)
        .await;
    assert_eq!(refused.status, 422);
    let text = strip_tags(&refused.body);
    assert!(
        text.contains("There is a problem") && text.contains("Select the role"),
        "{text}"
    );
    assert!(
        refused.has("href=\"#name\""),
        "the name's error links to its box"
    );

    let mut sent = fields(&[
        ("csrf_token", &csrf),
        ("name", "Jo Smith"),
        ("organisation", "County Council"),
        ("role", "social_worker"),
        ("contact", "01632 960001"),
    ]);
    sent.extend(date_fields("from_on", days_ago(10)));
    let added = browser
        .send(&format!("/people/{id}/involvements/new"), &sent)
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let record = browser.get(added.location()).await;
    let text = strip_tags(&record.body);
    assert!(
        text.contains("Professional saved.")
            && text.contains("Jo Smith")
            && text.contains("Social worker"),
        "{text}"
    );
    let list: Value = coord
        .get(&format!("/people/{id}/involvements"))
        .json()
        .await;
    let inv = list["items"][0]["id"].as_str().unwrap().to_string();

    // Change: end it. A form filled from an older version is refused (412) and shown as now.
    let change = browser.get(&format!("/involvements/{inv}/change")).await;
    assert_eq!(change.status, 200);
    assert!(change.has("value=\"Jo Smith\""));
    let mut sent = fields(&[
        ("csrf_token", &csrf),
        ("version", "1"),
        ("name", "Jo Smith"),
        ("organisation", "County Council"),
        ("role", "social_worker"),
        ("contact", ""),
    ]);
    sent.extend(date_fields("from_on", days_ago(10)));
    sent.extend(date_fields("to_on", days_ago(1)));
    let ended = browser
        .send(&format!("/involvements/{inv}/change"), &sent)
        .await;
    assert_eq!(ended.status, 303, "{}", ended.body);
    let now: Value = coord.get(&format!("/involvements/{inv}")).json().await;
    assert_eq!(
        (now["version"].as_i64(), now["current"].as_bool()),
        (Some(2), Some(false))
    );
    assert!(now["contact"].is_null(), "a blank contact clears it");
    let record = browser.get(&format!("/people/{id}")).await;
    assert!(strip_tags(&record.body).contains("Ended"));
    let stale = browser
        .send(&format!("/involvements/{inv}/change"), &sent)
        .await;
    assert_eq!(stale.status, 412);
    assert!(strip_tags(&stale.body).contains("Someone else changed this"));
    // A manager reads the record but has no forms.
    let (mut manager, _) = Browser::signed_in(&app, Role::Manager).await;
    let record = manager.get(&format!("/people/{id}")).await;
    assert!(record.has("Jo Smith") && !record.has("/involvements/new"));
    assert_eq!(
        manager
            .get(&format!("/people/{id}/involvements/new"))
            .await
            .status,
        403
    );
}
