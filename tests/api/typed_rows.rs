//! Typed rows: a stored value that names no variant is an error (500, logged), never quietly
//! read as another value; the escalation sweep skips such a row, counts it in `/metrics` and
//! goes on; a versioned update that lost a race reports the row's real version.

use dsr::domain::Role;
use dsr::error::ApiError;
use serde_json::{json, Value};

use crate::helpers::*;

/// The value of `dsr_unreadable_rows_total{column=…}` (0 before the first skip).
async fn unreadable(app: &TestApp, column: &str) -> u64 {
    let text = app.get_public("/metrics").await.text().await.unwrap();
    let prefix = format!("dsr_unreadable_rows_total{{column=\"{column}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |v| v.trim().parse().unwrap())
}

async fn sweep(app: &TestApp, token: &str) -> Value {
    let res = app
        .post("/escalations/run", Some(token), &json!({"dry_run": false}))
        .await;
    assert_eq!(res.status(), 200, "the sweep runs");
    res.json().await.unwrap()
}

async fn alerts_of(app: &TestApp, token: &str, person_id: &str, kind: &str) -> Vec<Value> {
    let path = format!("/alerts?person_id={person_id}&kind={kind}");
    let page = app.get(&path, token).await;
    assert_eq!(page.status(), 200, "{path}");
    page.json::<Value>().await.unwrap()["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn an_unknown_stored_value_answers_500_and_is_never_read_as_another_value() {
    // Nothing kept in memory: the values are changed behind the server's back, and a kept
    // copy would (rightly) be served until the next poll of the change counter.
    let app = spawn_app_with(|s| s.cache.refresh_ms = 0).await;
    let admin = app.admin_token().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app
        .create_person(&coord, &person_body("Ada", "Lovelace"))
        .await;
    let id = person["id"].as_str().unwrap();
    assert_eq!(coord.get(&format!("/people/{id}")).await.status(), 200);

    sql_past_the_check(
        &app,
        "people",
        "consent_status",
        &format!("UPDATE people SET consent_status = 'maybe' WHERE id = '{id}'"),
    );
    let problem = assert_problem(coord.get(&format!("/people/{id}")).await, 500).await;
    assert_eq!(problem["type"], "urn:dsr:problem:internal-error");
    assert!(
        !problem.to_string().contains("maybe"),
        "the stored value stays in the log: {problem}"
    );

    // An unknown role is not read as keyworker (or anything else).
    let other = app.sign_in(Role::Clinician).await.id;
    sql_past_the_check(
        &app,
        "users",
        "role",
        &format!("UPDATE users SET role = 'superuser' WHERE id = '{other}'"),
    );
    assert_problem(app.get(&format!("/users/{other}"), &admin).await, 500).await;
}

#[tokio::test]
async fn the_sweep_skips_a_row_it_cannot_read_counts_it_and_goes_on() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut people = Vec::new();
    for name in ["Ada", "Bea"] {
        let person = app.create_person(&coord, &person_body(name, "Sweep")).await;
        // Amber, opened 40 days ago: the 28-day review is 12 days overdue.
        app.open_entry(&coord, &person, "amber", Some(days_ago(40)))
            .await;
        people.push(person["id"].as_str().unwrap().to_string());
    }
    sweep(&app, &coord).await;
    let (ada, bea) = (&people[0], &people[1]);
    let ada_alert = alerts_of(&app, &coord, ada, "dsr_review_overdue").await;
    assert_eq!(ada_alert.len(), 1);
    let bad_id = ada_alert[0]["id"].as_str().unwrap().to_string();

    // Someone with database access writes values this build does not know.
    sql_past_the_check(
        &app,
        "alerts",
        "kind",
        &format!("UPDATE alerts SET kind = 'retired_kind' WHERE id = '{bad_id}'"),
    );
    let odd_user = app.sign_in(Role::Manager).await.id;
    sql_past_the_check(
        &app,
        "users",
        "role",
        &format!("UPDATE users SET role = 'superuser' WHERE id = '{odd_user}'"),
    );
    let (kinds_before, roles_before) = (
        unreadable(&app, "alerts.kind").await,
        unreadable(&app, "users.role").await,
    );

    let report = sweep(&app, &coord).await;
    assert!(
        unreadable(&app, "alerts.kind").await > kinds_before,
        "the bad alert is counted"
    );
    assert!(unreadable(&app, "users.role").await > roles_before);
    // The sweep went on: Bea's alert is untouched, and Ada's overdue review, no longer
    // covered by a readable alert, is raised again under its real kind.
    assert_eq!(report["raised"], 1, "{report}");
    let bea_alert = alerts_of(&app, &coord, bea, "dsr_review_overdue").await;
    assert_eq!(bea_alert.len(), 1);
    assert_eq!(bea_alert[0]["status"], "open");
    let ada_again = alerts_of(&app, &coord, ada, "dsr_review_overdue").await;
    assert_eq!(ada_again.len(), 1);
    assert_ne!(ada_again[0]["id"], bad_id.as_str());
    // Read directly, the bad row is an error, not an alert of some default kind.
    assert_problem(coord.get(&format!("/alerts/{bad_id}")).await, 500).await;
}

#[tokio::test]
async fn a_versioned_update_that_lost_the_race_reports_the_real_version() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app.create_person(&coord, &person_body("Cy", "Race")).await;
    let id = person["id"].as_str().unwrap().to_string();
    // Another writer moves the row on twice between our read (version 1) and our write.
    sql_elsewhere(
        &app,
        &format!("UPDATE people SET version = 3 WHERE id = '{id}'"),
    );
    let now = chrono::Utc::now().naive_utc();
    let (row_id, gone) = (id.clone(), "00000000-0000-7000-8000-000000000000");
    let stale = app
        .state
        .db
        .run(move |conn| {
            let changes = dsr::people::store::PersonChanges {
                area: Some("East".into()),
                ..Default::default()
            };
            let stale = dsr::people::store::update_if_version(conn, &row_id, 1, &changes, now);
            let missing = dsr::people::store::update_if_version(conn, gone, 1, &changes, now);
            Ok((stale, missing))
        })
        .await
        .unwrap();
    assert!(
        matches!(stale.0, Err(ApiError::PreconditionFailed { current: 3 })),
        "{:?}",
        stale.0
    );
    assert!(matches!(stale.1, Err(ApiError::NotFound)), "{:?}", stale.1);

    // Through HTTP, the 412 carries the version to fetch again.
    let res = coord
        .patch(&format!("/people/{id}"), &json!({"area": "East"}))
        .if_match(1)
        .await;
    assert_eq!(res.headers().get("etag").unwrap(), "\"3\"");
    assert_problem(res, 412).await;
    let person = coord.get(&format!("/people/{id}")).json().await;
    assert_eq!(person["area"], "North", "nothing was written");
}
