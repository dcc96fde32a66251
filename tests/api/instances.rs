//! Two `dsr serve` processes on one database, sweeping at the same moment: each email is sent
//! once, and a session ended through one ends in both. (On PostgreSQL when
//! DSR_TEST_DATABASE_URL is set; on one SQLite file otherwise.)

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;
use crate::smtp_sink::SmtpSink;

async fn start(dir: &std::path::Path, name: &str, database_url: &str, smtp_url: &str) -> Served {
    serve(
        dir,
        name,
        database_url,
        &[
            ("DSR_EMAIL__TRANSPORT", "smtp"),
            ("DSR_EMAIL__SMTP_URL", smtp_url),
            ("DSR_EMAIL__FROM", "DSR <dsr@nhs.net>"),
            ("DSR_ESCALATION__SWEEP_INTERVAL_SECS", "1"),
            ("DSR_ESCALATION__SENDER_INTERVAL_SECS", "1"),
        ],
    )
    .await
}

pub async fn post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Value {
    let mut req = client.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Signs in through `base` and answers the login response.
async fn login(client: &reqwest::Client, base: &str, user: &str, password: &str) -> Value {
    post(
        client,
        format!("{base}/auth/login"),
        None,
        json!({"username": user, "password": password}),
    )
    .await
}

pub struct Seeded {
    pub admin: String,
    pub coord: String,
}

/// A manager, their keyworker and a coordinator (created by the bootstrap admin), and a red
/// entry opened 17 days ago with that keyworker: a sweep raises two alerts and queues three
/// notifications (keyworker1 at level 1 and 2, manager1 at level 2).
pub async fn seed_red_entry_without_review(client: &reqwest::Client, base: &str) -> Seeded {
    let admin = token_of(&login(client, base, "admin", ADMIN_PASSWORD).await);
    let user = |username: &str, role: &str, manager: Option<&str>| json!({"username": username, "email": format!("{username}@nhs.net"), "display_name": username, "role": role, "password": PASSWORD, "manager_id": manager});
    let manager = post(
        client,
        format!("{}/users", base),
        Some(&admin),
        user("manager1", "manager", None),
    )
    .await;
    let kw = post(
        client,
        format!("{}/users", base),
        Some(&admin),
        user("keyworker1", "keyworker", manager["id"].as_str()),
    )
    .await;
    post(
        client,
        format!("{}/users", base),
        Some(&admin),
        user("coordinator1", "coordinator", None),
    )
    .await;
    let coord = token_of(&login(client, base, "coordinator1", PASSWORD).await);
    // Keyworker first, then the entry: no moment exists without a keyworker to alert about.
    let person = post(
        client,
        format!("{}/people", base),
        Some(&coord),
        person_body("Two", "Instances"),
    )
    .await;
    let person_id = person["id"].as_str().unwrap();
    let res = client
        .put(format!("{}/people/{person_id}/keyworker", base))
        .bearer_auth(&coord)
        .json(&json!({"user_id": kw["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    post(client, format!("{}/register", base), Some(&coord),
         json!({"person_id": person_id, "rag": "red", "risk_summary": "r", "opened_on": days_ago(17)})).await;

    Seeded { admin, coord }
}

#[tokio::test]
async fn two_instances_sweeping_together_send_every_email_once() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let a = start(dir.path(), "a", &url, &sink.url()).await;
    let b = start(dir.path(), "b", &url, &sink.url()).await;
    let client = reqwest::Client::new();
    let Seeded { admin, coord } = seed_red_entry_without_review(&client, &a.base).await;

    // Both instances run a sweep at the same moment, besides their background sweeps.
    let run = |base: String| {
        let (client, coord) = (client.clone(), coord.clone());
        async move {
            post(
                &client,
                format!("{base}/escalations/run"),
                Some(&coord),
                json!({}),
            )
            .await
        }
    };
    let (ra, rb) = tokio::join!(run(a.base.clone()), run(b.base.clone()));
    for r in [&ra, &rb] {
        assert!(r["raised"].as_i64().unwrap() <= 2);
    }
    // Let several more background sweeps and sends happen on both (bounded wait).
    for _ in 0..100 {
        if sink.messages().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let messages = sink.messages();
    let mut recipients: Vec<String> = messages.iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        vec!["keyworker1@nhs.net", "manager1@nhs.net"],
        "each recipient emailed exactly once"
    );
    let res = client
        .get(format!("{}/notifications", b.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let notifications: Value = res.json().await.unwrap();
    assert_eq!(notifications["total"], 3);
    for n in notifications["items"].as_array().unwrap() {
        assert_eq!(n["status"], "sent");
        assert_eq!(n["attempts"], 1, "claimed and sent by one instance only");
    }
    let res = client
        .get(format!("{}/alerts", b.base))
        .bearer_auth(&coord)
        .send()
        .await
        .unwrap();
    let alerts: Value = res.json().await.unwrap();
    assert_eq!(alerts["total"], 2, "one open alert per (kind, subject)");

    // A session ended through one server ends in the other too (each caches signed-in users;
    // the end of a session moves the shared change counter).
    let session = login(&client, &a.base, "coordinator1", PASSWORD).await;
    let token = token_of(&session);
    let me = |base: String, token: String| {
        let client = client.clone();
        async move {
            let res = client.get(format!("{base}/me")).bearer_auth(token).send();
            res.await.unwrap().status().as_u16()
        }
    };
    assert_eq!(me(b.base.clone(), token.clone()).await, 200, "known to b");
    post(
        &client,
        format!("{}/auth/logout", a.base),
        Some(&token),
        json!({"refresh_token": session["refresh_token"]}),
    )
    .await;
    let mut status = 200;
    for _ in 0..100 {
        status = me(b.base.clone(), token.clone()).await;
        if status == 401 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 401, "b refuses the token within its cache refresh");
}
