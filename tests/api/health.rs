use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn live_and_ready_answer_200_when_all_is_well() {
    let app = spawn_app().await;
    let res = app.get_public("/health/live").await;
    assert_eq!(res.status(), 200);
    let res = app.get_public("/health/ready").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "ok");
    assert!(body.get("last_sweep_at").is_some());
    assert_eq!(body["sweep_stale"], false);
}

#[tokio::test]
async fn ready_is_503_while_the_database_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    // A SQLite file below a regular file cannot be opened, even by root; a PostgreSQL port
    // with nothing listening refuses connections.
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, "x").unwrap();
    let url = if is_postgres() {
        "postgres://dsr@127.0.0.1:1/unreachable".to_string()
    } else {
        blocker.join("dsr.sqlite3").to_string_lossy().into_owned()
    };
    let app = spawn_app_with(|s| s.database.url = url).await;
    let res = app.get_public("/health/live").await;
    assert_eq!(res.status(), 200, "the process itself is alive");
    let res = app.get_public("/health/ready").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["database"], "unreachable");
    // API calls say so too, as problems, not 500s.
    let res = app.login_response("admin", ADMIN_PASSWORD).await;
    assert_problem(res, 503).await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_with_latency() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    app.get("/me", &admin).await;
    app.get("/users/not-a-uuid", &admin).await;
    let res = app.get_public("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains(r#"dsr_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/users/{id}",status="404""#),
        "{text}"
    );
    assert!(text.contains(
        r#"dsr_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1"#
    ));
    assert!(text.contains("dsr_http_request_duration_seconds_bucket"));
}
