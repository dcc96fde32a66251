use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn the_done_when_walkthrough() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app
        .create_person(&coord, &person_body("Walk", "Through"))
        .await;
    let res = coord.post("/register", &json!({"person_id": person["id"], "rag": "amber", "risk_summary": "Family under strain"}))
        .await;
    assert_eq!(res.status(), 201);
    let entry: Value = res.json().await.unwrap();
    assert!(entry["reference"].as_str().unwrap().starts_with("DSR-"));
    assert_eq!(entry["rag"], "amber");
    assert_eq!(entry["status"], "active");
    assert_eq!(entry["opened_on"], json!(today()));
    assert_eq!(
        entry["next_review_due"],
        json!(days_ahead(28)),
        "amber: first review in 28 days"
    );
    assert_eq!(entry["review_overdue"], false);
    assert_eq!(entry["person"]["id"], person["id"]);
    assert_eq!(entry["person"]["age_group"], "adult");
    let id = entry["id"].as_str().unwrap();

    let res = coord.post(&format!("/register/{id}/reviews"), &json!({"reviewed_on": today(), "rag": "red", "attendees": ["Coordinator", "Mother", "CAMHS"], "summary": "Placement breaking down"}))
        .await;
    assert_eq!(res.status(), 201);
    let review: Value = res.json().await.unwrap();
    assert_eq!(review["next_review_due"], json!(days_ahead(7)));

    let history: Value = coord.get(&format!("/register/{id}/history")).json().await;
    let changes: Vec<(Value, Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone(), h["reason"].clone()))
        .collect();
    assert_eq!(
        changes,
        vec![
            (Value::Null, json!("amber"), json!("opened")),
            (json!("amber"), json!("red"), json!("DSR review")),
        ]
    );
    assert!(history[1]["changed_by"]["id"].is_string());
    assert!(history[1]["changed_at"].is_string());

    let page: Value = coord
        .get("/register?rag=red&sort=next_review_due")
        .json()
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], id);
    assert_eq!(page["items"][0]["last_review_on"], json!(today()));

    let res = coord
        .post(
            &format!("/register/{id}/close"),
            &json!({"reason": "no_longer_at_risk"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let closed: Value = res.json().await.unwrap();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closure_reason"], "no_longer_at_risk");
    assert_eq!(closed["closed_on"], json!(today()));
    let res = coord
        .post(
            &format!("/register/{id}/close"),
            &json!({"reason": "other", "note": "again"}),
        )
        .await;
    assert_problem(res, 409).await;
    let page: Value = coord.get("/register?rag=red").json().await;
    assert_eq!(
        page["total"], 0,
        "closed entries leave the default (active) list"
    );
    let page: Value = coord.get("/register?status=closed").json().await;
    assert_eq!(page["total"], 1);
}

#[tokio::test]
async fn one_active_entry_per_person_and_consent_rules() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app
        .create_person(&coord, &person_body("One", "Entry"))
        .await;
    let entry = app.open_entry(&coord, &person, "green", None).await;
    let body = json!({"person_id": person["id"], "rag": "red", "risk_summary": "again"});
    assert_problem(coord.post("/register", &body).await, 409).await;
    // After closing, the person may be put back on the register.
    let path = format!("/register/{}/close", entry["id"].as_str().unwrap());
    assert_eq!(
        coord
            .post(&path, &json!({"reason": "moved_out_of_area"}))
            .await
            .status(),
        200
    );
    assert_eq!(coord.post("/register", &body).await.status(), 201);

    for consent in ["declined", "not_recorded"] {
        let mut body = person_body("No", "Consent");
        body["consent_status"] = json!(consent);
        let person = app.create_person(&coord, &body).await;
        let open = json!({"person_id": person["id"], "rag": "amber", "risk_summary": "x"});
        let problem = assert_problem(coord.post("/register", &open).await, 422).await;
        assert_eq!(error_fields(&problem), vec!["consent_note"], "{consent}");
        let open = json!({"person_id": person["id"], "rag": "amber", "risk_summary": "x",
                          "consent_note": "Safeguarding: multi-agency decision recorded 12/11"});
        assert_eq!(
            coord.post("/register", &open).await.status(),
            201,
            "{consent}"
        );
    }
    let missing = json!({"person_id": uuid::Uuid::new_v4(), "rag": "amber", "risk_summary": "x"});
    let problem = assert_problem(coord.post("/register", &missing).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["person_id"]);
    let bad = json!({"person_id": person["id"], "rag": "purple", "risk_summary": "", "opened_on": days_ahead(1)});
    let problem = assert_problem(coord.post("/register", &bad).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["rag"]);
    let bad = json!({"person_id": person["id"], "rag": "red", "risk_summary": " ", "opened_on": days_ahead(1)});
    let problem = assert_problem(coord.post("/register", &bad).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["opened_on", "risk_summary"]);
}

#[tokio::test]
async fn references_are_allocated_without_gaps_or_duplicates_under_concurrency() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut people = Vec::new();
    for i in 0..12 {
        people.push(
            app.create_person(&coord, &person_body(&format!("P{i}"), "Concurrent"))
                .await,
        );
    }
    // One request fails (second entry for the same person) and must not use up a number.
    let dup = people[0].clone();
    let mut tasks = Vec::new();
    for person in people.iter().chain(std::iter::once(&dup)) {
        let body = json!({"person_id": person["id"], "rag": "green", "risk_summary": "x"});
        let client = app.client.clone();
        let url = app.url("/register");
        let token = coord.token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 12);
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 1);
    let page: Value = coord.get("/register?sort=reference&limit=100").json().await;
    let refs: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reference"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=12).map(|n| format!("DSR-{n:06}")).collect();
    assert_eq!(refs, expected);
}

#[tokio::test]
async fn a_rag_change_needs_a_reason_and_pulls_the_review_forward_never_back() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Rag", Rag::Green).await;
    let path = format!("/register/{}", entry["id"].as_str().unwrap());
    assert_eq!(entry["next_review_due"], json!(days_ahead(90)));

    let problem = assert_problem(coord.patch(&path, &json!({"rag": "red"})).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["rag_reason"]);
    let unchanged: Value = coord.get(&path).json().await;
    assert_eq!(unchanged["rag"], "green");
    assert_eq!(unchanged["version"], 1);

    let res = coord
        .patch(
            &path,
            &json!({"rag": "red", "rag_reason": "Crisis call from family"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let red: Value = res.json().await.unwrap();
    assert_eq!(red["rag"], "red");
    assert_eq!(
        red["next_review_due"],
        json!(days_ahead(7)),
        "pulled forward to red's 7 days"
    );
    assert_eq!(red["rag_changed_on"], json!(today()));

    let res = coord
        .patch(&path, &json!({"rag": "green", "rag_reason": "Settled"}))
        .await;
    let green: Value = res.json().await.unwrap();
    assert_eq!(
        green["next_review_due"],
        json!(days_ahead(7)),
        "never pushed back"
    );

    let history: Value = coord.get(&format!("{path}/history")).json().await;
    let reasons: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        vec!["opened", "Crisis call from family", "Settled"]
    );
}

#[tokio::test]
async fn reviews_set_dates_and_refuse_bad_input_without_writing() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app.create_person(&coord, &person_body("Rev", "Iew")).await;
    let entry = app
        .open_entry(&coord, &person, "amber", Some(days_ago(40)))
        .await;
    let id = entry["id"].as_str().unwrap();
    assert_eq!(entry["next_review_due"], json!(days_ago(12)));
    assert_eq!(entry["review_overdue"], true, "due 12 days ago");

    let bad = json!({"reviewed_on": days_ahead(1), "rag": "amber", "attendees": [], "summary": ""});
    let problem = assert_problem(
        coord.post(&format!("/register/{id}/reviews"), &bad).await,
        422,
    )
    .await;
    assert_eq!(
        error_fields(&problem),
        vec!["attendees", "reviewed_on", "summary"]
    );
    let before_open =
        json!({"reviewed_on": days_ago(41), "rag": "amber", "attendees": ["A"], "summary": "s"});
    let problem = assert_problem(
        coord
            .post(&format!("/register/{id}/reviews"), &before_open)
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["reviewed_on"]);
    let unchanged: Value = coord.get(&format!("/register/{id}")).json().await;
    assert_eq!(unchanged["version"], 1);
    assert!(unchanged["last_review_on"].is_null());

    let ok =
        json!({"reviewed_on": days_ago(2), "rag": "amber", "attendees": ["A"], "summary": "s"});
    assert_eq!(
        coord
            .post(&format!("/register/{id}/reviews"), &ok)
            .await
            .status(),
        201
    );
    let after: Value = coord.get(&format!("/register/{id}")).json().await;
    assert_eq!(after["last_review_on"], json!(days_ago(2)));
    assert_eq!(
        after["next_review_due"],
        json!(days_ago(2).checked_add_days(chrono::Days::new(28)).unwrap())
    );
    assert_eq!(after["review_overdue"], false);
    assert_eq!(after["rag"], "amber");

    let explicit = json!({"reviewed_on": today(), "rag": "blue", "attendees": ["B"], "summary": "t", "next_review_due": days_ahead(10)});
    let res = coord
        .post(&format!("/register/{id}/reviews"), &explicit)
        .await;
    assert_eq!(res.status(), 201);
    let location = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let review: Value = coord.get(&location).json().await;
    assert_eq!(review["attendees"], json!(["B"]));
    let after: Value = coord.get(&format!("/register/{id}")).json().await;
    assert_eq!(after["next_review_due"], json!(days_ahead(10)));
    assert_eq!(after["rag"], "blue");

    let older =
        json!({"reviewed_on": days_ago(5), "rag": "amber", "attendees": ["A"], "summary": "s"});
    let problem = assert_problem(
        coord.post(&format!("/register/{id}/reviews"), &older).await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["reviewed_on"]);
    let reviews: Value = coord.get(&format!("/register/{id}/reviews")).json().await;
    assert_eq!(reviews.as_array().unwrap().len(), 2);
    assert_eq!(reviews[0]["reviewed_on"], json!(today()), "newest first");

    coord
        .post(&format!("/register/{id}/close"), &json!({"reason": "died"}))
        .await;
    let res = coord.post(&format!("/register/{id}/reviews"), &ok).await;
    assert_problem(res, 409).await;
    let res = coord
        .patch(&format!("/register/{id}"), &json!({"risk_summary": "x"}))
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn the_second_of_two_concurrent_editors_gets_412_and_changes_nothing() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let coord2 = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Two", Rag::Amber).await;
    let path = format!("/register/{}", entry["id"].as_str().unwrap());
    let res = coord
        .patch(&path, &json!({"risk_summary": "First editor"}))
        .if_match(1)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("etag").unwrap(), "\"2\"");
    let res = coord2
        .patch(&path, &json!({"rag": "red", "rag_reason": "Second editor"}))
        .if_match(1)
        .await;
    assert_problem(res, 412).await;
    let now: Value = coord.get(&path).json().await;
    assert_eq!(now["risk_summary"], "First editor");
    assert_eq!(now["rag"], "amber");
    let history: Value = coord.get(&format!("{path}/history")).json().await;
    assert_eq!(
        history.as_array().unwrap().len(),
        1,
        "the refused change left no history"
    );
    let res = coord2
        .post(
            &format!("{path}/close"),
            &json!({"reason": "other", "note": "n"}),
        )
        .await;
    assert_eq!(res.status(), 200, "a close without If-Match applies");
}

#[tokio::test]
async fn closing_needs_a_known_reason_and_a_note_for_other() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Close", Rag::Green).await;
    let path = format!("/register/{}/close", entry["id"].as_str().unwrap());
    let problem = assert_problem(coord.post(&path, &json!({"reason": "other"})).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["note"]);
    let problem = assert_problem(coord.post(&path, &json!({"reason": "bored"})).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["reason"]);
    let res = coord
        .post(
            &path,
            &json!({"reason": "declined_consent", "note": "Withdrew consent"}),
        )
        .await;
    let closed: Value = res.json().await.unwrap();
    assert_eq!(closed["closure_reason"], "declined_consent");
    assert_eq!(closed["closure_note"], "Withdrew consent");
    assert_eq!(closed["review_overdue"], false);
}

async fn names(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let res = app.get(&format!("/register?{query}"), token).await;
    assert_eq!(res.status(), 200, "{query}");
    let page: Value = res.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["person"]["given_name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_triage_list_filters_sorts_and_pages() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let t = today();
    let years_ago = |y: u32| t.checked_sub_months(chrono::Months::new(12 * y)).unwrap();
    // (name, rag, area, date of birth, opened days ago)
    let rows = [
        ("Ava", "green", "North", years_ago(30), 10),
        ("Ben", "red", "South", years_ago(16), 20),
        ("Cal", "amber", "North", years_ago(20), 40),
        ("Dee", "blue", "South", years_ago(40), 5),
        ("Eve", "red", "North", years_ago(10), 1),
    ];
    for (name, rag, area, dob, opened) in rows {
        let mut body = person_body(name, "Triage");
        body["area"] = json!(area);
        body["date_of_birth"] = json!(dob);
        let person = app.create_person(&coord, &body).await;
        app.open_entry(&coord, &person, rag, Some(days_ago(opened)))
            .await;
    }
    // next_review_due: Ava +80, Ben -13, Cal -12, Dee +23, Eve +6
    let cases: &[(&str, &[&str])] = &[
        ("", &["Ben", "Cal", "Eve", "Dee", "Ava"]),
        (
            "sort=-next_review_due",
            &["Ava", "Dee", "Eve", "Cal", "Ben"],
        ),
        ("sort=rag", &["Ben", "Eve", "Dee", "Cal", "Ava"]),
        ("sort=-rag", &["Ava", "Cal", "Dee", "Eve", "Ben"]),
        ("sort=opened_on", &["Cal", "Ben", "Ava", "Dee", "Eve"]),
        ("sort=reference", &["Ava", "Ben", "Cal", "Dee", "Eve"]),
        ("sort=-reference", &["Eve", "Dee", "Cal", "Ben", "Ava"]),
        ("rag=red,amber", &["Ben", "Cal", "Eve"]),
        ("rag=red&area=North", &["Eve"]),
        ("area=South&sort=rag", &["Ben", "Dee"]),
        ("age_group=child", &["Ben", "Eve"]),
        ("age_group=young_person", &["Cal"]),
        ("age_group=adult", &["Dee", "Ava"]),
        ("review_overdue=true", &["Ben", "Cal"]),
        ("overdue=true", &[]),
        ("review_overdue=true&rag=amber", &["Cal"]),
        ("search=eve", &["Eve"]),
        ("search=triage&rag=blue", &["Dee"]),
        ("status=closed", &[]),
        ("status=all&rag=green", &["Ava"]),
        ("keyworker_id=00000000-0000-0000-0000-000000000000", &[]),
        ("limit=2", &["Ben", "Cal"]),
        ("limit=2&offset=2", &["Eve", "Dee"]),
        ("limit=2&offset=4", &["Ava"]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            names(&app, &coord, query).await,
            *expected,
            "query {query:?}"
        );
    }
    let page: Value = coord.get("/register?limit=2").json().await;
    assert_eq!(
        (
            page["total"].as_i64(),
            page["limit"].as_i64(),
            page["offset"].as_i64()
        ),
        (Some(5), Some(2), Some(0))
    );

    for bad in [
        "rag=purple",
        "status=open",
        "sort=name",
        "sort=--rag",
        "limit=-5",
        "limit=abc",
        "age_group=elderly",
        "keyworker_id=nope",
        "overdue=maybe",
    ] {
        let res = coord.get(&format!("/register?{bad}")).await;
        assert_problem(res, 400).await;
    }
}

#[tokio::test]
async fn who_may_read_and_write_the_register() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Perm", Rag::Amber).await;
    let id = entry["id"].as_str().unwrap();
    let admin = app.admin_token().await;
    // (role, list, read entry, history, reviews, write)
    let cases = [
        ("admin", 403, 403, 403, 403, 403),
        ("manager", 200, 200, 200, 200, 403),
        ("clinician", 200, 200, 200, 200, 403),
        ("keyworker", 200, 404, 404, 404, 403),
        ("coordinator", 200, 200, 200, 200, 201),
    ];
    for (role, list, read, history, reviews, write) in cases {
        let token = if role == "admin" {
            admin.clone()
        } else {
            app.user_with_role(Role::parse(role).unwrap()).await.1
        };
        let res = app.get("/register", &token).await;
        assert_eq!(res.status(), list, "{role} lists");
        if role == "keyworker" {
            let page: Value = res.json().await.unwrap();
            assert_eq!(page["total"], 0, "nobody is on this keyworker's caseload");
        }
        assert_eq!(
            app.get(&format!("/register/{id}"), &token).await.status(),
            read,
            "{role} reads"
        );
        assert_eq!(
            app.get(&format!("/register/{id}/history"), &token)
                .await
                .status(),
            history,
            "{role} history"
        );
        assert_eq!(
            app.get(&format!("/register/{id}/reviews"), &token)
                .await
                .status(),
            reviews,
            "{role} reviews"
        );
        let review =
            json!({"reviewed_on": today(), "rag": "amber", "attendees": ["A"], "summary": role});
        let res = app
            .post(&format!("/register/{id}/reviews"), Some(&token), &review)
            .await;
        assert_eq!(res.status(), write, "{role} records a review");
        let code = app
            .patch(
                &format!("/register/{id}"),
                &token,
                &json!({"risk_summary": role}),
                None,
            )
            .await
            .status();
        assert_eq!(
            code,
            if write == 201 { 200 } else { write },
            "{role} updates"
        );
    }
}

#[tokio::test]
async fn entry_reads_are_audited() {
    let app = spawn_app().await;
    let manager = app.sign_in(Role::Manager).await;
    let manager_id = manager.id.clone();
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Audit", Rag::Red).await;
    let id = entry["id"].as_str().unwrap();
    manager.get(&format!("/register/{id}")).await;
    manager.get(&format!("/register/{id}/history")).await;
    let admin = app.admin_token().await;
    let audit: Value = app
        .get(
            &format!("/audit?actor_id={manager_id}&entity_id={id}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<(&str, &str)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["entity_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![("read", "rag_history"), ("read", "register_entry")]
    );
}
