use serde_json::Value;

use crate::helpers::*;

#[test]
fn committed_openapi_yaml_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml is committed at the repo root");
    let generated = dsr::openapi::yaml();
    assert!(
        committed == generated,
        "openapi.yaml is out of date: run `cargo run -- openapi > openapi.yaml`"
    );
}

#[tokio::test]
async fn the_served_documents_are_the_generated_one() {
    let app = spawn_app().await;
    let yaml = app.get_public("/openapi.yaml").await;
    assert_eq!(yaml.status(), 200);
    assert_eq!(yaml.text().await.unwrap(), dsr::openapi::yaml());
    let json: Value = app.get_public("/openapi.json").await.json().await.unwrap();
    let expected: Value = serde_json::to_value(dsr::openapi::document()).unwrap();
    assert_eq!(json, expected);
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/audit",
        "/health/live",
        "/health/ready",
        "/metrics",
    ] {
        assert!(json["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(json["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let res = app.get_public("/docs").await;
    assert!(res.status().is_redirection());
    let res = app.get_public("/docs/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    let res = app.get_public("/docs/swagger-ui-bundle.js").await;
    assert_eq!(res.status(), 200);
}
