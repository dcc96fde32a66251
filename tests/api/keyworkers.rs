use serde_json::{json, Value};

use crate::helpers::*;

async fn assign(app: &TestApp, token: &str, person_id: &str, user_id: &str) -> reqwest::Response {
    app.request(
        reqwest::Method::PUT,
        &format!("/people/{person_id}/keyworker"),
        Some(token),
    )
    .json(&json!({"user_id": user_id, "note": "Allocated at panel"}))
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn the_done_when_walkthrough_for_a_keyworker() {
    let app = spawn_app().await;
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
    let (kw_id, kw) = app.user_with_role(Role::Keyworker).await;
    let mine = app.person_on_register(&coord, "Mine", "red").await;
    let also_mine = app.person_on_register(&coord, "AlsoMine", "green").await;
    let theirs = app.person_on_register(&coord, "Theirs", "amber").await;
    for entry in [&mine, &also_mine] {
        let res = assign(&app, &coord, entry["person_id"].as_str().unwrap(), &kw_id).await;
        assert_eq!(res.status(), 200);
    }

    let caseload: Value = app.get_json(&format!("/users/{kw_id}/caseload"), &kw).await;
    let names: Vec<&str> = caseload["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["person"]["given_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["Mine", "AlsoMine"],
        "red (due in 7) before green (due in 90)"
    );
    assert_eq!(caseload["total"], 2);
    assert_eq!(caseload["items"][0]["rag"], "red");
    assert!(caseload["items"][0]["next_review_due"].is_string());
    let register: Value = app.get_json("/register", &kw).await;
    assert_eq!(
        register["total"], 2,
        "the triage list shows a keyworker only their caseload"
    );
    let people: Value = app.get_json("/people", &kw).await;
    assert_eq!(people["total"], 2);

    let person_id = mine["person_id"].as_str().unwrap();
    let contact = json!({"occurred_at": chrono::Utc::now(), "kind": "phone", "summary": "Checked in with mum", "with_whom": "Mother"});
    let res = app
        .post(
            &format!("/people/{person_id}/contacts"),
            Some(&kw),
            &contact,
        )
        .await;
    assert_eq!(res.status(), 201);

    let other = theirs["person_id"].as_str().unwrap();
    assert_problem(app.get(&format!("/people/{other}"), &kw).await, 404).await;
    assert_problem(
        app.get(
            &format!("/register/{}", theirs["id"].as_str().unwrap()),
            &kw,
        )
        .await,
        404,
    )
    .await;
    assert_problem(
        app.post(&format!("/people/{other}/contacts"), Some(&kw), &contact)
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn assignment_rules_history_and_the_current_keyworker_on_views() {
    let app = spawn_app().await;
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
    let (kw1_id, _) = app.user_with_role(Role::Keyworker).await;
    let (kw2_id, _) = app.user_with_role(Role::Keyworker).await;
    let (clin_id, _) = app.user_with_role(Role::Clinician).await;
    let entry = app.person_on_register(&coord, "Assign", "amber").await;
    let person_id = entry["person_id"].as_str().unwrap();

    let problem = assert_problem(assign(&app, &coord, person_id, &clin_id).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["user_id"]);
    let problem = assert_problem(
        assign(&app, &coord, person_id, &uuid::Uuid::new_v4().to_string()).await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["user_id"]);
    assert_problem(
        assign(&app, &coord, &uuid::Uuid::new_v4().to_string(), &kw1_id).await,
        404,
    )
    .await;

    let res = assign(&app, &coord, person_id, &kw1_id).await;
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["user"]["id"], kw1_id.as_str());
    assert_eq!(first["from"], json!(today()));
    assert!(first["to"].is_null());
    let again: Value = assign(&app, &coord, person_id, &kw1_id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["id"], first["id"],
        "naming the same keyworker again changes nothing"
    );

    let person: Value = app.get_json(&format!("/people/{person_id}"), &coord).await;
    assert_eq!(person["keyworker"]["id"], kw1_id.as_str());
    let view: Value = app
        .get(
            &format!("/register/{}", entry["id"].as_str().unwrap()),
            &coord,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["keyworker"]["id"], kw1_id.as_str());
    let filtered: Value = app
        .get_json(&format!("/register?keyworker_id={kw1_id}"), &coord)
        .await;
    assert_eq!(filtered["total"], 1);

    // A manager may reassign; the previous assignment ends the same day.
    let (_, manager) = app.user_with_role(Role::Manager).await;
    assert_eq!(
        assign(&app, &manager, person_id, &kw2_id).await.status(),
        200
    );
    let history: Value = app
        .get_json(&format!("/people/{person_id}/keyworker-history"), &coord)
        .await;
    let rows: Vec<(Value, Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["user"]["id"].clone(), h["from"].clone(), h["to"].clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (json!(kw1_id), json!(today()), json!(today())),
            (json!(kw2_id), json!(today()), Value::Null),
        ]
    );

    let res = app
        .request(
            reqwest::Method::DELETE,
            &format!("/people/{person_id}/keyworker"),
            Some(&coord),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let person: Value = app.get_json(&format!("/people/{person_id}"), &coord).await;
    assert!(person["keyworker"].is_null());
    let history: Value = app
        .get_json(&format!("/people/{person_id}/keyworker-history"), &coord)
        .await;
    assert_eq!(history[1]["to"], json!(today()));

    let (_, clinician) = app.user_with_role(Role::Clinician).await;
    assert_problem(assign(&app, &clinician, person_id, &kw1_id).await, 403).await;
}

#[tokio::test]
async fn access_ends_the_moment_the_assignment_ends() {
    let app = spawn_app().await;
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
    let (kw1_id, kw1) = app.user_with_role(Role::Keyworker).await;
    let (kw2_id, _) = app.user_with_role(Role::Keyworker).await;
    let entry = app.person_on_register(&coord, "Moving", "red").await;
    let person_id = entry["person_id"].as_str().unwrap();
    let entry_id = entry["id"].as_str().unwrap();
    assign(&app, &coord, person_id, &kw1_id).await;
    let paths = [
        format!("/people/{person_id}"),
        format!("/register/{entry_id}"),
        format!("/register/{entry_id}/history"),
        format!("/register/{entry_id}/reviews"),
        format!("/people/{person_id}/contacts"),
        format!("/people/{person_id}/keyworker-history"),
    ];
    for path in &paths {
        assert_eq!(
            app.get(path, &kw1).await.status(),
            200,
            "{path} while assigned"
        );
    }
    assign(&app, &coord, person_id, &kw2_id).await;
    for path in &paths {
        assert_problem(app.get(path, &kw1).await, 404).await;
    }
    let caseload: Value = app
        .get_json(&format!("/users/{kw1_id}/caseload"), &kw1)
        .await;
    assert_eq!(caseload["total"], 0);
}

#[tokio::test]
async fn caseloads_hold_active_entries_overdue_first_and_are_guarded() {
    let app = spawn_app().await;
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
    let (kw_id, kw) = app.user_with_role(Role::Keyworker).await;
    let (other_kw_id, other_kw) = app.user_with_role(Role::Keyworker).await;
    let fresh = app.person_on_register(&coord, "Fresh", "red").await;
    let late_person = app
        .create_person(&coord, &person_body("Late", "Tester"))
        .await;
    let late = app
        .open_entry(&coord, &late_person, "amber", Some(days_ago(60)))
        .await;
    let closed = app.person_on_register(&coord, "Closed", "green").await;
    let off_register = app
        .create_person(&coord, &person_body("Off", "Register"))
        .await;
    for person_id in [
        &fresh["person_id"],
        &late["person_id"],
        &closed["person_id"],
        &off_register["id"],
    ] {
        assign(&app, &coord, person_id.as_str().unwrap(), &kw_id).await;
    }
    app.post(
        &format!("/register/{}/close", closed["id"].as_str().unwrap()),
        Some(&coord),
        &json!({"reason": "no_longer_at_risk"}),
    )
    .await;

    let caseload: Value = app
        .get_json(&format!("/users/{kw_id}/caseload"), &coord)
        .await;
    let rows: Vec<(&str, bool)> = caseload["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["person"]["given_name"].as_str().unwrap(),
                e["review_overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, vec![("Late", true), ("Fresh", false)]);

    let (_, manager) = app.user_with_role(Role::Manager).await;
    assert_eq!(
        app.get(&format!("/users/{kw_id}/caseload"), &manager)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get(&format!("/users/{kw_id}/caseload"), &kw)
            .await
            .status(),
        200
    );
    assert_problem(
        app.get(&format!("/users/{kw_id}/caseload"), &other_kw)
            .await,
        403,
    )
    .await;
    let own: Value = app
        .get_json(&format!("/users/{other_kw_id}/caseload"), &other_kw)
        .await;
    assert_eq!(own["total"], 0);
    let (_, clinician) = app.user_with_role(Role::Clinician).await;
    assert_problem(
        app.get(&format!("/users/{kw_id}/caseload"), &clinician)
            .await,
        403,
    )
    .await;
    assert_problem(
        app.get(&format!("/users/{}/caseload", uuid::Uuid::new_v4()), &coord)
            .await,
        404,
    )
    .await;
}
