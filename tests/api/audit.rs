use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn writes_and_logins_are_audited_with_field_names_only() {
    let app = spawn_app().await;
    let admin_login = app.login("admin", ADMIN_PASSWORD).await;
    let admin = token_of(&admin_login);
    let admin_id = admin_login["user"]["id"].as_str().unwrap().to_string();
    let _ = app.login_response("admin", "wrong-password-x").await;
    let user = app
        .create_user(&admin, "audited", Role::Clinician, None)
        .await;
    let id = user["id"].as_str().unwrap();
    let res = app
        .request(
            reqwest::Method::PATCH,
            &format!("/users/{id}"),
            Some(&admin),
        )
        .header("X-Request-Id", "req-audit-42")
        .json(&json!({"display_name": "Secret Name", "password": "another-long-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let page: Value = app
        .get_json(&format!("/audit?entity_type=user&entity_id={id}"), &admin)
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page}");
    let update = &items[0];
    assert_eq!(update["action"], "update");
    assert_eq!(update["actor_id"], admin_id.as_str());
    assert_eq!(update["request_id"], "req-audit-42");
    assert_eq!(
        update["changed_fields"],
        json!(["display_name", "password"])
    );
    assert_eq!(items[1]["action"], "create");
    let text = page.to_string();
    assert!(!text.contains("Secret Name") && !text.contains("another-long-password"));

    let logins: Value = app.get_json("/audit?action=login", &admin).await;
    let outcomes: Vec<&str> = logins["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert!(
        outcomes.contains(&"success") && outcomes.contains(&"failure"),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn only_admins_read_the_audit_log_and_bad_bounds_are_400() {
    let app = spawn_app().await;
    for role in [
        Role::Coordinator,
        Role::Manager,
        Role::Clinician,
        Role::Keyworker,
    ] {
        let (_, token) = app.user_with_role(role).await;
        assert_problem(app.get("/audit", &token).await, 403).await;
    }
    let admin = app.admin_token().await;
    let problem = assert_problem(app.get("/audit?from=yesterday", &admin).await, 400).await;
    assert_eq!(error_fields(&problem), vec!["from"]);
    let today = chrono::Utc::now().date_naive();
    let res = app
        .get(&format!("/audit?from={today}&to={today}"), &admin)
        .await;
    let page: Value = res.json().await.unwrap();
    assert!(page["total"].as_i64().unwrap() >= 1);
}
