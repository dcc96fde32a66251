//! The in-memory triage pages and signed-in users: this server's writes show at once, other
//! processes' writes within `cache.refresh_ms`, and a page served from memory is still
//! audited and costs no page queries.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::*;
use crate::queries::{counter, queries_for};

async fn page(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

/// Polls `path` (every 20 ms, 10 s at most) until `done` holds; returns how long it took.
async fn wait_for(
    app: &TestApp,
    path: &str,
    token: &str,
    done: impl Fn(&Value) -> bool,
) -> Option<Duration> {
    let start = Instant::now();
    for _ in 0..500 {
        if done(&page(app, path, token).await) {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn this_servers_writes_show_in_the_next_triage_page() {
    // A long refresh interval: only the server's own writes can move the cache here.
    let app = spawn_app_with(|s| s.cache.refresh_ms = 60_000).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Ada", Rag::Amber).await;
    let amber = "/register?rag=amber&limit=10";
    let first = page(&app, amber, &coord).await;
    assert_eq!(first["total"], 1);
    assert_eq!(
        page(&app, amber, &coord).await,
        first,
        "served again unchanged"
    );

    let path = format!("/register/{}", entry["id"].as_str().unwrap());
    let res = coord
        .patch(&path, &json!({"rag": "red", "rag_reason": "Crisis"}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(page(&app, amber, &coord).await["total"], 0);
    let red = page(&app, "/register?rag=red", &coord).await;
    assert_eq!(red["items"][0]["rag"], "red");

    let person = format!("/people/{}", entry["person_id"].as_str().unwrap());
    let res = coord
        .patch(&person, &json!({"given_name": "Adaline"}))
        .await;
    assert_eq!(res.status(), 200);
    let red = page(&app, "/register?rag=red", &coord).await;
    assert_eq!(red["items"][0]["person"]["given_name"], "Adaline");
}

#[tokio::test]
async fn other_processes_writes_show_within_the_refresh_interval() {
    let app = spawn_app_with(|s| s.cache.refresh_ms = 50).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Bea", Rag::Green).await;
    let green = "/register?rag=green";
    assert_eq!(page(&app, green, &coord).await["total"], 1);
    assert_eq!(page(&app, green, &coord).await["total"], 1);

    let id = entry["id"].as_str().unwrap();
    sql_elsewhere(
        &app,
        &format!("UPDATE register_entries SET rag = 'amber', rag_rank = 1 WHERE id = '{id}'"),
    );
    let waited = wait_for(&app, green, &coord, |p| p["total"] == 0).await;
    assert!(
        waited.is_some(),
        "the rating changed elsewhere never showed"
    );

    // Users too: a deactivation elsewhere ends the user's requests.
    let kw = app.sign_in(Role::Keyworker).await;
    let kw_id = kw.id.clone();
    assert_eq!(kw.get("/me").await.status(), 200);
    sql_elsewhere(
        &app,
        &format!("UPDATE users SET active = false WHERE id = '{kw_id}'"),
    );
    let mut refused = false;
    for _ in 0..500 {
        if kw.get("/me").await.status() == 401 {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "the user deactivated elsewhere kept access");
}

#[tokio::test]
async fn a_page_from_memory_is_audited_and_runs_only_the_audit_insert() {
    let app = spawn_app_with(|s| s.cache.refresh_ms = 60_000).await;
    let admin = app.admin_token().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let coord_id = coord.id.clone();
    for name in ["Cy", "Di", "Ed"] {
        coord.person_on_register(name, Rag::Red).await;
    }
    let path = "/register?rag=red&limit=2";
    let (built, _) = queries_for(&app, path, &coord).await;
    // What reading /metrics itself costs, measured the same way on a route with no queries.
    let (overhead, _) = queries_for(&app, "/health/live", &coord).await;
    let (served, items) = queries_for(&app, path, &coord).await;
    assert_eq!(items, 2);
    // One INSERT: the audit row. The people the page shows were stored as a set when it was
    // first served, and this row names the same set. Nothing reads the register.
    assert_eq!(
        served,
        overhead + 1,
        "only the audit row is written (page built with {built})"
    );
    assert!(built > served);

    let audit = page(
        &app,
        &format!("/audit?actor_id={coord_id}&entity_type=register_list"),
        &admin,
    )
    .await;
    assert_eq!(audit["total"], 2, "both reads audited, cached or not");
    assert_eq!(audit["items"][0]["action"], "read");
}

#[tokio::test]
async fn pages_are_not_shared_across_caseloads() {
    let app = spawn_app_with(|s| s.cache.refresh_ms = 60_000).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw1 = app.sign_in(Role::Keyworker).await;
    let kw1_id = kw1.id.clone();
    let kw2 = app.sign_in(Role::Keyworker).await;
    let entry = coord.person_on_register("Fay", Rag::Amber).await;
    coord
        .assign_keyworker(entry["person_id"].as_str().unwrap(), &kw1_id)
        .await;
    let path = "/register?rag=amber";
    assert_eq!(page(&app, path, &kw1).await["total"], 1);
    assert_eq!(page(&app, path, &kw2).await["total"], 0, "not kw1's page");
    assert_eq!(page(&app, path, &coord).await["total"], 1);
}

#[tokio::test]
async fn concurrent_requests_for_a_page_not_in_memory_build_it_once() {
    let app = spawn_app_with(|s| s.cache.refresh_ms = 60_000).await;
    let coord = app.sign_in(Role::Coordinator).await;
    for name in ["Gus", "Hal"] {
        coord.person_on_register(name, Rag::Amber).await;
    }
    let builds = r#"dsr_cache_builds_total{cache="register_pages"}"#;
    let hits = r#"dsr_cache_hits_total{cache="register_pages"}"#;
    // Other tests in this process write at the same time, and any write in the process moves
    // the change stamp (rightly making a waiter build afresh), as does the database's counter
    // when the poller reads it. So the count is taken over a quiet interval: a measurement
    // during which the stamp moved is taken again, with a page not yet in memory.
    for attempt in 0..20 {
        let path = format!(
            "/register?rag=amber&sort=next_review_due&limit={}",
            30 + attempt
        );
        let stamp_before = app.state.changes.stamp();
        assert!(stamp_before.is_some(), "the cache is on");
        let (builds_before, hits_before) = (counter(&app, builds).await, counter(&app, hits).await);
        let pages =
            futures_util::future::join_all((0..16).map(|_| page(&app, &path, &coord))).await;
        assert!(pages.iter().all(|p| p["total"] == 2 && *p == pages[0]));
        let (built, hit) = (
            counter(&app, builds).await - builds_before,
            counter(&app, hits).await - hits_before,
        );
        if app.state.changes.stamp() != stamp_before {
            continue;
        }
        assert_eq!(built, 1, "sixteen requests at once, one page build");
        assert_eq!(hit, 15);
        return;
    }
    panic!("no quiet interval in 20 tries: other tests kept writing");
}

/// The number of `entity_type` reads by `actor` in the audit.
async fn reads_audited(app: &TestApp, admin: &str, actor: &str, entity_type: &str) -> i64 {
    let path = format!("/audit?actor_id={actor}&entity_type={entity_type}&action=read");
    page(app, &path, admin).await["total"].as_i64().unwrap()
}

#[tokio::test]
async fn an_entry_or_person_read_again_is_kept_yet_audited_every_time_and_never_stale() {
    let app = spawn_app_with(|s| s.cache.refresh_ms = 60_000).await;
    let admin = app.admin_token().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let coord_id = coord.id.clone();
    let entry = coord.person_on_register("Ivy", Rag::Amber).await;
    let entry_path = format!("/register/{}", entry["id"].as_str().unwrap());
    let person_id = entry["person_id"].as_str().unwrap().to_string();
    let person_path = format!("/people/{person_id}");

    // Read again while nothing changed: from memory (a quiet interval is needed, as above,
    // because any write in this test process moves the stamp).
    let hits = r#"dsr_cache_hits_total{cache="entries"}"#;
    let mut entry_reads = 0;
    let mut kept = false;
    for _ in 0..20 {
        let stamp = app.state.changes.stamp();
        let first = page(&app, &entry_path, &coord).await;
        let before = counter(&app, hits).await;
        let again = page(&app, &entry_path, &coord).await;
        let after = counter(&app, hits).await;
        entry_reads += 2;
        assert_eq!(again, first, "the same answer");
        if app.state.changes.stamp() != stamp {
            continue;
        }
        assert_eq!(after - before, 1, "the second read came from memory");
        kept = true;
        break;
    }
    assert!(kept, "no quiet interval in 20 tries");
    assert_eq!(
        reads_audited(&app, &admin, &coord_id, "register_entry").await,
        entry_reads,
        "every read audited, kept or not"
    );

    // This server's writes show at once, with the new version in the ETag.
    page(&app, &person_path, &coord).await;
    page(&app, &person_path, &coord).await;
    let res = coord
        .patch(
            &entry_path,
            &json!({"risk_summary": "Placement breaking down"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app.get(&entry_path, &coord).await;
    assert_eq!(res.headers()["etag"], "\"2\"");
    let read: Value = res.json().await.unwrap();
    assert_eq!(read["risk_summary"], "Placement breaking down");
    let res = coord
        .patch(&person_path, &json!({"given_name": "Ivonne"}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        page(&app, &person_path, &coord).await["given_name"],
        "Ivonne"
    );
    assert_eq!(
        page(&app, &entry_path, &coord).await["person"]["given_name"],
        "Ivonne"
    );
    assert_eq!(
        reads_audited(&app, &admin, &coord_id, "person").await,
        3,
        "each person read audited"
    );

    // A keyworker's kept read is theirs alone and ends with the caseload.
    let kw1 = app.sign_in(Role::Keyworker).await;
    let kw2 = app.sign_in(Role::Keyworker).await;
    coord.assign_keyworker(&person_id, &kw1.id).await;
    for _ in 0..2 {
        assert_eq!(app.get(&entry_path, &kw1).await.status(), 200);
        assert_eq!(app.get(&person_path, &kw1).await.status(), 200);
    }
    assert_eq!(app.get(&entry_path, &kw2).await.status(), 404, "not kw2's");
    coord.assign_keyworker(&person_id, &kw2.id).await;
    assert_eq!(app.get(&entry_path, &kw1).await.status(), 404);
    assert_eq!(app.get(&person_path, &kw1).await.status(), 404);
    assert_eq!(app.get(&entry_path, &kw2).await.status(), 200);
    // Refusals are queued without waiting, so they may land a moment after the answer.
    let refusals = format!("/audit?actor_id={}&action=refused", kw1.id);
    let recorded = wait_for(&app, &refusals, &admin, |p| p["total"] == 2).await;
    assert!(recorded.is_some(), "both refusals recorded");
}

#[tokio::test]
async fn an_entry_changed_by_another_process_shows_within_the_refresh_interval() {
    let app = spawn_app_with(|s| s.cache.refresh_ms = 50).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Jo", Rag::Green).await;
    let id = entry["id"].as_str().unwrap();
    let path = format!("/register/{id}");
    assert_eq!(page(&app, &path, &coord).await["rag"], "green");
    assert_eq!(page(&app, &path, &coord).await["rag"], "green");
    sql_elsewhere(
        &app,
        &format!("UPDATE register_entries SET rag = 'amber', rag_rank = 1 WHERE id = '{id}'"),
    );
    let waited = wait_for(&app, &path, &coord, |p| p["rag"] == "amber").await;
    assert!(
        waited.is_some(),
        "the rating changed elsewhere never showed"
    );
}
