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
    let coord = app.sign_in(Role::Coordinator).await;
    let kw = app.sign_in(Role::Keyworker).await;
    let kw_id = kw.id.clone();
    let mine = coord.person_on_register("Mine", Rag::Red).await;
    let also_mine = coord.person_on_register("AlsoMine", Rag::Green).await;
    let theirs = coord.person_on_register("Theirs", Rag::Amber).await;
    for entry in [&mine, &also_mine] {
        let res = assign(&app, &coord, entry["person_id"].as_str().unwrap(), &kw_id).await;
        assert_eq!(res.status(), 200);
    }

    let caseload: Value = kw.get(&format!("/users/{kw_id}/caseload")).json().await;
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
    let register: Value = kw.get("/register").json().await;
    assert_eq!(
        register["total"], 2,
        "the triage list shows a keyworker only their caseload"
    );
    let people: Value = kw.get("/people").json().await;
    assert_eq!(people["total"], 2);

    let person_id = mine["person_id"].as_str().unwrap();
    let contact = json!({"occurred_at": chrono::Utc::now(), "kind": "phone", "summary": "Checked in with mum", "with_whom": "Mother"});
    let res = kw
        .post(&format!("/people/{person_id}/contacts"), &contact)
        .await;
    assert_eq!(res.status(), 201);

    let other = theirs["person_id"].as_str().unwrap();
    assert_problem(kw.get(&format!("/people/{other}")).await, 404).await;
    assert_problem(
        kw.get(&format!("/register/{}", theirs["id"].as_str().unwrap()))
            .await,
        404,
    )
    .await;
    assert_problem(
        kw.post(&format!("/people/{other}/contacts"), &contact)
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn assignment_rules_history_and_the_current_keyworker_on_views() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw1_id = app.sign_in(Role::Keyworker).await.id;
    let kw2_id = app.sign_in(Role::Keyworker).await.id;
    let entry = coord.person_on_register("Assign", Rag::Amber).await;
    let person_id = entry["person_id"].as_str().unwrap();

    // Only a keyworker or a clinician may be the named lead worker.
    for role in [Role::Coordinator, Role::Manager, Role::Admin] {
        let other_id = app.sign_in(role).await.id;
        let problem = assert_problem(assign(&app, &coord, person_id, &other_id).await, 422).await;
        assert_eq!(error_fields(&problem), vec!["user_id"], "{role}");
    }
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

    let person: Value = coord.get(&format!("/people/{person_id}")).json().await;
    assert_eq!(person["keyworker"]["id"], kw1_id.as_str());
    let view: Value = coord
        .get(&format!("/register/{}", entry["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["keyworker"]["id"], kw1_id.as_str());
    let filtered: Value = coord
        .get(&format!("/register?keyworker_id={kw1_id}"))
        .json()
        .await;
    assert_eq!(filtered["total"], 1);

    // A manager may reassign; the previous assignment ends the same day.
    let manager = app.sign_in(Role::Manager).await;
    assert_eq!(
        assign(&app, &manager, person_id, &kw2_id).await.status(),
        200
    );
    let history: Value = coord
        .get(&format!("/people/{person_id}/keyworker-history"))
        .json()
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

    let res = coord
        .delete(&format!("/people/{person_id}/keyworker"))
        .await;
    assert_eq!(res.status(), 204);
    let person: Value = coord.get(&format!("/people/{person_id}")).json().await;
    assert!(person["keyworker"].is_null());
    let history: Value = coord
        .get(&format!("/people/{person_id}/keyworker-history"))
        .json()
        .await;
    assert_eq!(history[1]["to"], json!(today()));

    let clinician = app.sign_in(Role::Clinician).await;
    assert_problem(assign(&app, &clinician, person_id, &kw1_id).await, 403).await;
}

#[tokio::test]
async fn access_ends_the_moment_the_assignment_ends() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw1 = app.sign_in(Role::Keyworker).await;
    let kw1_id = kw1.id.clone();
    let kw2_id = app.sign_in(Role::Keyworker).await.id;
    let entry = coord.person_on_register("Moving", Rag::Red).await;
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
        assert_eq!(kw1.get(path).await.status(), 200, "{path} while assigned");
    }
    assign(&app, &coord, person_id, &kw2_id).await;
    for path in &paths {
        assert_problem(kw1.get(path).await, 404).await;
    }
    let caseload: Value = kw1.get(&format!("/users/{kw1_id}/caseload")).json().await;
    assert_eq!(caseload["total"], 0);
}

#[tokio::test]
async fn caseloads_hold_active_entries_overdue_first_and_are_guarded() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw = app.sign_in(Role::Keyworker).await;
    let kw_id = kw.id.clone();
    let other_kw = app.sign_in(Role::Keyworker).await;
    let other_kw_id = other_kw.id.clone();
    let fresh = coord.person_on_register("Fresh", Rag::Red).await;
    let late_person = app
        .create_person(&coord, &person_body("Late", "Tester"))
        .await;
    let late = app
        .open_entry(&coord, &late_person, "amber", Some(days_ago(60)))
        .await;
    let closed = coord.person_on_register("Closed", Rag::Green).await;
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
    coord
        .post(
            &format!("/register/{}/close", closed["id"].as_str().unwrap()),
            &json!({"reason": "no_longer_at_risk"}),
        )
        .await;

    let caseload: Value = coord.get(&format!("/users/{kw_id}/caseload")).json().await;
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

    let manager = app.sign_in(Role::Manager).await;
    assert_eq!(
        manager
            .get(&format!("/users/{kw_id}/caseload"))
            .await
            .status(),
        200
    );
    assert_eq!(
        kw.get(&format!("/users/{kw_id}/caseload")).await.status(),
        200
    );
    assert_problem(other_kw.get(&format!("/users/{kw_id}/caseload")).await, 403).await;
    let own: Value = other_kw
        .get(&format!("/users/{other_kw_id}/caseload"))
        .json()
        .await;
    assert_eq!(own["total"], 0);
    let clinician = app.sign_in(Role::Clinician).await;
    assert_problem(
        clinician.get(&format!("/users/{kw_id}/caseload")).await,
        403,
    )
    .await;
    assert_problem(
        coord
            .get(&format!("/users/{}/caseload", uuid::Uuid::new_v4()))
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_clinician_may_be_the_named_lead_worker() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let entry = coord.person_on_register("Lead", Rag::Amber).await;
    let person_id = entry["person_id"].as_str().unwrap();
    let res = assign(&app, &coord, person_id, &clinician.id).await;
    assert_eq!(res.status(), 200);
    let assignment: Value = res.json().await.unwrap();
    assert_eq!(assignment["user"]["role"], "clinician");
    let person: Value = coord.get(&format!("/people/{person_id}")).json().await;
    assert_eq!(person["keyworker"]["id"], clinician.id.as_str());
    let caseload: Value = coord
        .get(&format!("/users/{}/caseload", clinician.id))
        .json()
        .await;
    assert_eq!(caseload["total"], 1);
    assert_eq!(caseload["items"][0]["person_id"], person_id);
    // A named clinician satisfies the named-worker rule: once the keyworker timescale has
    // passed, only the entry with nobody named has a `no_keyworker` alert.
    let unnamed = coord.person_on_register("Unnamed", Rag::Amber).await;
    app.clock.advance(10 * 86_400);
    let coord = app.sign_in(Role::Coordinator).await;
    coord.post("/escalations/run", &json!({})).json().await;
    let alerts: Value = coord.get("/alerts?kind=no_keyworker").json().await;
    assert_eq!(alerts["total"], 1, "{alerts}");
    assert_eq!(
        alerts["items"][0]["person_id"], unnamed["person_id"],
        "{alerts}"
    );
    // The clinician still sees everyone (caseload scope is for keyworkers only).
    let other = coord.person_on_register("Other", Rag::Green).await;
    let clinician = app.sign_in_as(&clinician.username, PASSWORD).await;
    assert_eq!(
        clinician
            .get(&format!("/register/{}", other["id"].as_str().unwrap()))
            .await
            .status(),
        200
    );
}
