//! Throttling that holds: besides a (username, address) pair's limit, one username is slowed
//! across addresses and one address across usernames, each answered 429 with Retry-After and
//! audited; the client's address is the socket's unless a trusted proxy says otherwise.

use std::net::{IpAddr, Ipv4Addr};

use serde_json::{json, Value};

use crate::helpers::*;

fn from(last: u8) -> reqwest::Client {
    client_from(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))))
}

async fn attempt(
    app: &TestApp,
    client: &reqwest::Client,
    forwarded_for: Option<&str>,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let mut req = client
        .post(app.url("/auth/login"))
        .json(&json!({"username": username, "password": password}));
    if let Some(address) = forwarded_for {
        req = req.header("X-Forwarded-For", address);
    }
    req.send().await.unwrap()
}

async fn assert_throttled(res: reqwest::Response) {
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1, "retry-after {retry}");
    assert_problem(res, 429).await;
}

/// The limits named by the audit rows of throttled logins.
async fn throttled_limits(app: &TestApp) -> Vec<String> {
    let admin = app.sign_in(Role::Admin).await;
    let page: Value = admin.get("/audit?action=login&limit=500").json().await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| {
            let fields = row["changed_fields"].as_array()?;
            (fields.first()? == "throttled").then(|| fields[1].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn one_username_is_slowed_across_addresses() {
    let app = spawn_app_with(|s| s.auth.login_max_failures_per_username = 7).await;
    let target = app.sign_in(Role::Keyworker).await;
    for _ in 0..5 {
        let res = attempt(&app, &from(2), None, &target.username, "wrong-password-x").await;
        assert_eq!(res.status(), 401);
    }
    assert_throttled(attempt(&app, &from(2), None, &target.username, PASSWORD).await).await;
    // A second address has its own pair limit, but the username's count goes on.
    for _ in 0..2 {
        let res = attempt(&app, &from(3), None, &target.username, "wrong-password-y").await;
        assert_eq!(res.status(), 401);
    }
    // Seven failures in the window: even the right password from a third address waits.
    assert_throttled(attempt(&app, &from(4), None, &target.username, PASSWORD).await).await;
    assert!(throttled_limits(&app)
        .await
        .contains(&"username".to_string()));
}

#[tokio::test]
async fn one_address_is_slowed_across_usernames() {
    let app = spawn_app_with(|s| s.auth.login_max_failures_per_address = 8).await;
    let target = app.sign_in(Role::Keyworker).await;
    let client = from(5);
    for i in 0..8 {
        let res = attempt(
            &app,
            &client,
            None,
            &format!("guess-{i}"),
            "password-guess-1",
        )
        .await;
        assert_eq!(res.status(), 401, "guess {i}");
    }
    assert_throttled(attempt(&app, &client, None, &target.username, PASSWORD).await).await;
    // Another address is not held up.
    assert_eq!(
        attempt(&app, &from(6), None, &target.username, PASSWORD)
            .await
            .status(),
        200
    );
    assert!(throttled_limits(&app)
        .await
        .contains(&"address".to_string()));
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_a_trusted_proxy() {
    // No proxy trusted: X-Forwarded-For is ignored, so changing it does not help.
    let app = spawn_app().await;
    let target = app.sign_in(Role::Keyworker).await;
    let client = from(7);
    for _ in 0..5 {
        let res = attempt(
            &app,
            &client,
            Some("198.51.100.7"),
            &target.username,
            "wrong-pass-z",
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    let res = attempt(
        &app,
        &client,
        Some("198.51.100.8"),
        &target.username,
        PASSWORD,
    )
    .await;
    assert_throttled(res).await;
    assert!(throttled_limits(&app)
        .await
        .contains(&"username_and_address".to_string()));

    // Behind a trusted proxy, each forwarded address is a client of its own.
    let app =
        spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.9".parse().unwrap()]).await;
    let target = app.sign_in(Role::Keyworker).await;
    let proxy = from(9);
    for _ in 0..5 {
        let res = attempt(
            &app,
            &proxy,
            Some("198.51.100.7"),
            &target.username,
            "wrong-pass-z",
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    let res = attempt(
        &app,
        &proxy,
        Some("198.51.100.7"),
        &target.username,
        PASSWORD,
    )
    .await;
    assert_throttled(res).await;
    let res = attempt(
        &app,
        &proxy,
        Some("198.51.100.8"),
        &target.username,
        PASSWORD,
    )
    .await;
    assert_eq!(res.status(), 200, "another client behind the same proxy");
}
