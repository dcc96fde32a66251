use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn a_body_that_is_not_json_is_400() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app
        .request(Method::POST, "/users", Some(&admin))
        .header("content-type", "application/json")
        .body("{username: oops")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400).await;
}

#[tokio::test]
async fn unknown_routes_are_404_problems_with_a_request_id() {
    let app = spawn_app().await;
    // Outside the API a person is reading: the 404 page.
    let res = app
        .client
        .get(format!("{}/nope", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers().get("x-request-id").is_some());
    assert!(res.text().await.unwrap().contains("Page not found"));
    for path in ["/api/v1/nothing-here", "/api/v2/users"] {
        let res = app
            .client
            .get(format!("{}{}", app.address, path))
            .send()
            .await
            .unwrap();
        assert!(res.headers().get("x-request-id").is_some(), "{path}");
        assert_problem(res, 404).await;
    }
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let big = json!({"username": "big", "email": "b@nhs.net", "display_name": "x".repeat(1024 * 1024 + 10),
                     "role": "clinician", "password": PASSWORD});
    assert_problem(app.post("/users", Some(&admin), &big).await, 413).await;
    // Streamed without a Content-Length, the limit still holds.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let res = app
        .request(Method::POST, "/users", Some(&admin))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_problem(res, 413).await;
}

#[tokio::test]
async fn unprocessable_bodies_name_every_bad_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    // missing: email, display_name, password; unknown: colour; mistyped: active;
    // bad enum: role.
    let body = json!({"username": "ok-name", "role": "pigeon", "active": "yes", "colour": "red"});
    let problem = assert_problem(app.post("/users", Some(&admin), &body).await, 422).await;
    assert_eq!(
        error_fields(&problem),
        vec![
            "active",
            "colour",
            "display_name",
            "email",
            "password",
            "role"
        ]
    );
    for e in problem["errors"].as_array().unwrap() {
        assert!(!e["message"].as_str().unwrap().is_empty());
    }

    // Well-shaped but invalid values: every one is named too.
    let body = json!({"username": "x", "email": "not-an-email", "display_name": "  ",
                      "role": "clinician", "password": "short"});
    let problem = assert_problem(app.post("/users", Some(&admin), &body).await, 422).await;
    assert_eq!(
        error_fields(&problem),
        vec!["display_name", "email", "password", "username"]
    );

    let problem = assert_problem(app.post("/users", Some(&admin), &json!([1, 2])).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["body"]);
    // Nothing was written by any of these.
    let users: Value = app.get_json("/users", &admin).await;
    assert_eq!(users["total"], 1);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_sane_one_is_echoed() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "abc-123");
    let res = app
        .client
        .get(app.url("/health/live"))
        .header("X-Request-Id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    let generated = res.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");
    let res = app.request(Method::GET, "/me", None).send().await.unwrap();
    assert!(res.headers().get("x-request-id").is_some());
    assert_eq!(res.status(), 401);
}

/// Every status in the contract's error table, produced through the API. The ones whose
/// rules belong to one resource are proven in that resource's tests too.
#[tokio::test]
async fn every_status_in_the_error_table_is_produced() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let keyworker = app.sign_in(Role::Keyworker).await;
    let mut seen = Vec::new();

    let res = app
        .request(Method::GET, "/users?limit=-5", Some(&admin))
        .send()
        .await
        .unwrap();
    seen.push(assert_problem(res, 400).await["status"].as_u64().unwrap());
    let res = app
        .request(Method::GET, "/users", None)
        .send()
        .await
        .unwrap();
    seen.push(assert_problem(res, 401).await["status"].as_u64().unwrap());
    seen.push(
        assert_problem(keyworker.get("/users").await, 403).await["status"]
            .as_u64()
            .unwrap(),
    );
    let res = app
        .get(&format!("/users/{}", uuid::Uuid::new_v4()), &admin)
        .await;
    seen.push(assert_problem(res, 404).await["status"].as_u64().unwrap());
    let user = app
        .create_user(&admin, "twice", Role::Clinician, None)
        .await;
    let dup = json!({"username": "twice", "email": "t@nhs.net", "display_name": "T", "role": "clinician", "password": PASSWORD});
    seen.push(
        assert_problem(app.post("/users", Some(&admin), &dup).await, 409).await["status"]
            .as_u64()
            .unwrap(),
    );
    let path = format!("/users/{}", user["id"].as_str().unwrap());
    let res = app
        .patch(&path, &admin, &json!({"display_name": "x"}), Some("\"7\""))
        .await;
    seen.push(assert_problem(res, 412).await["status"].as_u64().unwrap());
    let big = json!({"display_name": "x".repeat(2 * 1024 * 1024)});
    seen.push(
        assert_problem(app.patch(&path, &admin, &big, None).await, 413).await["status"]
            .as_u64()
            .unwrap(),
    );
    let res = app
        .patch(&path, &admin, &json!({"role": "wizard"}), None)
        .await;
    seen.push(assert_problem(res, 422).await["status"].as_u64().unwrap());
    for _ in 0..5 {
        let _ = app.login_response("twice", "wrong-password-9").await;
    }
    seen.push(
        assert_problem(app.login_response("twice", PASSWORD).await, 429).await["status"]
            .as_u64()
            .unwrap(),
    );
    assert_eq!(seen, vec![400, 401, 403, 404, 409, 412, 413, 422, 429]);
}
