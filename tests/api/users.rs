use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn admin_creates_a_user_with_location_etag_and_no_password_in_sight() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app
        .post(
            "/users",
            Some(&admin),
            &json!({"username": "Kate.Keyworker", "email": "kate@nhs.net", "display_name": "Kate",
                    "role": "keyworker", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(res.headers().get("etag").unwrap(), "\"1\"");
    let user: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/users/{}", user["id"].as_str().unwrap())
    );
    assert_eq!(
        user["username"], "kate.keyworker",
        "usernames are stored lower-case"
    );
    assert_eq!(user["role"], "keyworker");
    assert_eq!(user["active"], true);
    assert_eq!(user["version"], 1);
    assert!(user["manager_id"].is_null());
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());

    let fetched: Value = app.get_json(&location, &admin).await;
    assert_eq!(fetched, user);
    // The new user can log in with the password given.
    app.login("kate.keyworker", PASSWORD).await;
}

#[tokio::test]
async fn duplicate_usernames_conflict_whatever_their_case() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "dup", Role::Clinician, None).await;
    let res = app
        .post(
            "/users",
            Some(&admin),
            &json!({"username": "DUP", "email": "d@nhs.net", "display_name": "D", "role": "clinician", "password": PASSWORD}),
        )
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn only_admins_write_users_and_only_admin_coordinator_manager_read_them() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let target = app
        .create_user(&admin, "target", Role::Clinician, None)
        .await;
    let target_path = format!("/users/{}", target["id"].as_str().unwrap());
    let expectations = [
        ("admin", 200, 201, 200),
        ("coordinator", 200, 403, 403),
        ("manager", 200, 403, 403),
        ("clinician", 403, 403, 403),
        ("keyworker", 403, 403, 403),
    ];
    for (role, read, create, update) in expectations {
        let token = if role == "admin" {
            admin.clone()
        } else {
            app.user_with_role(Role::parse(role).unwrap()).await.1
        };
        assert_eq!(
            app.get("/users", &token).await.status(),
            read,
            "{role} lists users"
        );
        assert_eq!(
            app.get(&target_path, &token).await.status(),
            read,
            "{role} reads a user"
        );
        let body = json!({"username": format!("new-by-{role}"), "email": "n@nhs.net",
                          "display_name": "N", "role": "clinician", "password": PASSWORD});
        assert_eq!(
            app.post("/users", Some(&token), &body).await.status(),
            create,
            "{role} creates"
        );
        let res = app
            .patch(&target_path, &token, &json!({"display_name": role}), None)
            .await;
        assert_eq!(res.status(), update, "{role} updates");
    }
}

#[tokio::test]
async fn stale_if_match_gets_412_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let user = app
        .create_user(&admin, "versioned", Role::Clinician, None)
        .await;
    let path = format!("/users/{}", user["id"].as_str().unwrap());

    // Two admins read version 1; the first writes, the second's write is refused.
    let res = app
        .patch(
            &path,
            &admin,
            &json!({"display_name": "First"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("etag").unwrap(), "\"2\"");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["version"], 2);

    let res = app
        .patch(
            &path,
            &admin,
            &json!({"display_name": "Second"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(res.headers().get("etag").unwrap(), "\"2\"");
    assert_problem(res, 412).await;
    let now: Value = app.get_json(&path, &admin).await;
    assert_eq!(now["display_name"], "First");
    assert_eq!(now["version"], 2);

    // Without If-Match the write applies; a no-op keeps the version.
    let res = app
        .patch(&path, &admin, &json!({"display_name": "Third"}), None)
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 3);
    let res = app
        .patch(
            &path,
            &admin,
            &json!({"display_name": "Third"}),
            Some("\"3\""),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 3);
}

#[tokio::test]
async fn line_manager_must_be_an_active_manager_and_can_be_cleared() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let manager = app.create_user(&admin, "mandy", Role::Manager, None).await;
    let clinician = app
        .create_user(&admin, "clive", Role::Clinician, None)
        .await;
    let kw = app
        .create_user(&admin, "kim", Role::Keyworker, manager["id"].as_str())
        .await;
    assert_eq!(kw["manager_id"], manager["id"]);

    let body = json!({"username": "kw2", "email": "k@nhs.net", "display_name": "K", "role": "keyworker",
                      "password": PASSWORD, "manager_id": clinician["id"]});
    let problem = assert_problem(app.post("/users", Some(&admin), &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["manager_id"]);
    let body = json!({"username": "kw3", "email": "k@nhs.net", "display_name": "K", "role": "keyworker",
                      "password": PASSWORD, "manager_id": uuid::Uuid::new_v4()});
    let problem = assert_problem(app.post("/users", Some(&admin), &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["manager_id"]);

    let path = format!("/users/{}", kw["id"].as_str().unwrap());
    let res = app
        .patch(&path, &admin, &json!({"manager_id": null}), None)
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap()["manager_id"].is_null());
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_removed() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me: Value = app.get_json("/me", &admin).await;
    let path = format!("/users/{}", me["id"].as_str().unwrap());
    assert_problem(
        app.patch(&path, &admin, &json!({"active": false}), None)
            .await,
        409,
    )
    .await;
    assert_problem(
        app.patch(&path, &admin, &json!({"role": "manager"}), None)
            .await,
        409,
    )
    .await;
    // With a second admin, the first may step down.
    app.create_user(&admin, "admin2", Role::Admin, None).await;
    let res = app
        .patch(&path, &admin, &json!({"role": "manager"}), None)
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_password_reset_works_and_ends_existing_sessions() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let user = app
        .create_user(&admin, "resetme", Role::Clinician, None)
        .await;
    let login = app.login("resetme", PASSWORD).await;
    let path = format!("/users/{}", user["id"].as_str().unwrap());
    let problem = assert_problem(
        app.patch(&path, &admin, &json!({"password": "short"}), None)
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["password"]);
    let res = app
        .patch(
            &path,
            &admin,
            &json!({"password": "a-brand-new-password"}),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_problem(app.login_response("resetme", PASSWORD).await, 401).await;
    app.login("resetme", "a-brand-new-password").await;
    let res = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": login["refresh_token"]}),
        )
        .await;
    assert_problem(res, 401).await;
}

#[tokio::test]
async fn user_lists_page_filter_and_reject_bad_parameters() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for i in 0..3 {
        app.create_user(&admin, &format!("kw{i}"), Role::Keyworker, None)
            .await;
    }
    let page: Value = app.get_json("/users?role=keyworker&limit=2", &admin).await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 0);
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["kw0", "kw1"]);
    let page: Value = app
        .get_json("/users?role=keyworker&limit=2&offset=2", &admin)
        .await;
    assert_eq!(page["items"][0]["username"], "kw2");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);

    for query in [
        "limit=-5",
        "limit=abc",
        "limit=0",
        "limit=501",
        "offset=-1",
        "role=pigeon",
        "active=maybe",
    ] {
        let res = app
            .request(Method::GET, &format!("/users?{query}"), Some(&admin))
            .send()
            .await
            .unwrap();
        assert_problem(res, 400).await;
    }
}

#[tokio::test]
async fn unknown_user_ids_are_404() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let missing = format!("/users/{}", uuid::Uuid::new_v4());
    assert_problem(app.get(&missing, &admin).await, 404).await;
    assert_problem(
        app.patch(&missing, &admin, &json!({"display_name": "x"}), None)
            .await,
        404,
    )
    .await;
    assert_problem(app.get("/users/not-a-uuid", &admin).await, 404).await;
}
