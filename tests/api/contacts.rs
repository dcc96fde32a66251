use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn contacts_are_logged_listed_newest_first_and_paged() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let person = app.create_person(&coord, &person_body("Con", "Tact")).await;
    let path = format!("/people/{}/contacts", person["id"].as_str().unwrap());
    let now = Utc::now();
    for (hours_ago, kind, token) in [
        (48, "face_to_face", &coord),
        (2, "phone", &clinician),
        (24, "meeting", &coord),
    ] {
        let body = json!({"occurred_at": now - Duration::hours(hours_ago), "kind": kind, "summary": format!("{kind} contact")});
        let res = app.post(&path, Some(token), &body).await;
        assert_eq!(res.status(), 201);
        let location = res
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let created: Value = res.json().await.unwrap();
        let fetched: Value = coord.get(&location).json().await;
        assert_eq!(fetched["id"], created["id"]);
        assert_eq!(fetched["kind"], kind);
    }
    let page: Value = coord.get(&path).json().await;
    let kinds: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["phone", "meeting", "face_to_face"]);
    assert_eq!(page["items"][0]["recorded_by"]["role"], "clinician");
    let page: Value = coord.get(&format!("{path}?limit=1&offset=1")).json().await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["kind"], "meeting");
}

#[tokio::test]
async fn bad_contacts_are_refused_naming_each_field() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app
        .create_person(&coord, &person_body("Bad", "Contact"))
        .await;
    let path = format!("/people/{}/contacts", person["id"].as_str().unwrap());
    let body = json!({"occurred_at": Utc::now() + Duration::hours(2), "kind": "carrier_pigeon", "summary": "", "with_whom": "x".repeat(201)});
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["kind"]);
    let body = json!({"occurred_at": Utc::now() + Duration::hours(2), "kind": "phone", "summary": " ", "with_whom": "x".repeat(201)});
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(
        error_fields(&problem),
        vec!["occurred_at", "summary", "with_whom"]
    );
    let body = json!({"occurred_at": "yesterday", "kind": "phone", "summary": "x".repeat(5001)});
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["occurred_at"]);
    let body = json!({"kind": "phone"});
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["occurred_at", "summary"]);
    let page: Value = coord.get(&path).json().await;
    assert_eq!(page["total"], 0);
}

#[tokio::test]
async fn contacts_are_corrected_by_new_contacts_never_edited() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app.create_person(&coord, &person_body("Cor", "Rect")).await;
    let other = app.create_person(&coord, &person_body("Oth", "Er")).await;
    let path = format!("/people/{}/contacts", person["id"].as_str().unwrap());
    let when = Utc::now() - Duration::hours(3);
    let original: Value = coord
        .post(
            &path,
            &json!({"occurred_at": when, "kind": "phone", "summary": "Spoke to dad"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let correction: Value = coord.post(&path, &json!({"occurred_at": when, "kind": "phone", "summary": "Spoke to mum (correction)", "corrects_id": original["id"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(correction["corrects_id"], original["id"]);
    let page: Value = coord.get(&path).json().await;
    let stored_original = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == original["id"])
        .unwrap();
    assert_eq!(
        stored_original["summary"], "Spoke to dad",
        "the original is kept as it was"
    );
    assert_eq!(stored_original["corrected_by_id"], correction["id"]);

    let other_path = format!("/people/{}/contacts", other["id"].as_str().unwrap());
    let body = json!({"occurred_at": when, "kind": "phone", "summary": "x", "corrects_id": original["id"]});
    let problem = assert_problem(coord.post(&other_path, &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["corrects_id"]);

    let contact_path = format!("{path}/{}", original["id"].as_str().unwrap());
    for method in [
        reqwest::Method::PATCH,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let res = app
            .request(method.clone(), &contact_path, Some(&coord))
            .json(&json!({"summary": "edited"}))
            .send()
            .await
            .unwrap();
        // The path exists but takes no such method: 405, and `Allow` says what it takes.
        assert_eq!(
            res.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some("GET"),
            "{method}"
        );
        assert_problem(res, 405).await;
    }
    let again: Value = coord.get(&contact_path).json().await;
    assert_eq!(again["summary"], "Spoke to dad");
}
