//! Lists issue the same number of SQL statements for 1 item as for 50: related records are
//! loaded in batches, never one query per row (and the audit stores a page's people once).

use serde_json::{json, Value};

use crate::helpers::*;

/// A counter from `/metrics`, named with its labels as Prometheus prints them; 0 while the
/// counter has never moved.
pub async fn counter(app: &TestApp, name: &str) -> u64 {
    let text = app.get_public("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .map(|v| v.trim().parse().expect("a counter's value"))
        .unwrap_or(0)
}

pub async fn queries_so_far(app: &TestApp) -> u64 {
    counter(app, "dsr_db_queries_total").await
}

pub async fn queries_for(app: &TestApp, path: &str, token: &str) -> (u64, usize) {
    let before = queries_so_far(app).await;
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    let body: Value = res.json().await.unwrap();
    let after = queries_so_far(app).await;
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    (after - before, items)
}

#[tokio::test]
async fn lists_issue_no_more_queries_for_50_items_than_for_1() {
    // Caches off: this counts what building each page costs (tests/api/cache.rs covers the
    // cached path).
    let app = spawn_app_with(|s| s.cache.refresh_ms = 0).await;
    let admin = app.admin_token().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw = app.sign_in(Role::Keyworker).await;
    let kw_id = kw.id.clone();
    let mut first_person = String::new();
    for i in 0..55 {
        let person = app
            .create_person(&coord, &person_body(&format!("Q{i}"), "Count"))
            .await;
        let id = person["id"].as_str().unwrap().to_string();
        app.open_entry(&coord, &person, "amber", Some(days_ago(30)))
            .await;
        coord.assign_keyworker(&id, &kw_id).await;
        if i == 0 {
            first_person = id;
        }
    }
    for i in 0..55 {
        let contact = json!({"occurred_at": chrono::Utc::now() - chrono::Duration::minutes(i), "kind": "phone", "summary": "s"});
        assert_eq!(
            kw.post(&format!("/people/{first_person}/contacts"), &contact)
                .await
                .status(),
            201
        );
    }
    assert_eq!(
        coord.post("/escalations/run", &json!({})).await.status(),
        200
    );

    let lists = [
        ("/register", coord.token.clone()),
        ("/people", coord.token.clone()),
        (&*format!("/users/{kw_id}/caseload"), coord.token.clone()),
        (
            &*format!("/people/{first_person}/contacts"),
            kw.token.clone(),
        ),
        ("/alerts", coord.token.clone()),
        ("/notifications", admin.clone()),
        ("/audit", admin.clone()),
        ("/users", admin.clone()),
    ];
    for (path, token) in lists {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (one_path, fifty_path) = (
            format!("{path}{sep}limit=1"),
            format!("{path}{sep}limit=50"),
        );
        // Once each first: the people a page shows are stored as a set the first time it is
        // read (one statement, whatever its size); measured here is every later read.
        for warm in [&one_path, &fifty_path] {
            queries_for(&app, warm, &token).await;
        }
        let (one, n1) = queries_for(&app, &one_path, &token).await;
        let (fifty, n50) = queries_for(&app, &fifty_path, &token).await;
        assert_eq!(
            (
                n1,
                n50 >= 50 || path.starts_with("/users?") || path == "/users"
            ),
            (1, true),
            "{path}: items {n1}, {n50}"
        );
        assert_eq!(
            one, fifty,
            "{path}: {one} statements for 1 item, {fifty} for {n50}"
        );
    }
}
