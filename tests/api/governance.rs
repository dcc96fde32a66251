//! Information governance: the audit answers "who saw this person" for lists, searches and
//! exports too, records refused access with its reason, cannot be changed in the database,
//! and its date filter takes any date.

use serde_json::Value;

use crate::helpers::*;

/// (who, action, entity type) of each row of the person's access log, newest first.
async fn access_log(reader: &Actor<'_>, person_id: &str) -> Vec<(String, String, String)> {
    let page = reader
        .get(&format!("/people/{person_id}/access-log?limit=100"))
        .json()
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let who = row["actor"]["username"]
                .as_str()
                .unwrap_or("system")
                .to_string();
            let str_of = |k: &str| row[k].as_str().unwrap().to_string();
            (who, str_of("action"), str_of("entity_type"))
        })
        .collect()
}

fn has(log: &[(String, String, String)], who: &str, action: &str, entity: &str) -> bool {
    log.iter()
        .any(|(w, a, e)| w == who && a == action && e == entity)
}

#[tokio::test]
async fn the_access_log_shows_lists_searches_exports_reads_and_refusals() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let stranger = app.sign_in(Role::Keyworker).await;
    let entry = coord.person_on_register("Ada", Rag::Red).await;
    let person_id = entry["person_id"].as_str().unwrap();
    let other = coord.person_on_register("Bea", Rag::Green).await;

    // The coordinator lists the register (Ada is on the first page) and exports it.
    let page = coord.get("/register?limit=50").json().await;
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["person_id"] == person_id));
    assert_eq!(manager.get("/register/export.csv").await.status(), 200);
    // A clinician searches for her and opens her record.
    let found = clinician.get("/people?search=Ada").json().await;
    assert_eq!(found["total"], 1);
    clinician.get(&format!("/people/{person_id}")).json().await;
    // A keyworker whose caseload she is not on is refused (404, as if she did not exist).
    assert_problem(stranger.get(&format!("/people/{person_id}")).await, 404).await;

    // A refusal is noted without holding up its answer, so its row may commit a moment
    // after the 404 (bounded wait).
    let mut log = access_log(&manager, person_id).await;
    for _ in 0..50 {
        if has(&log, &stranger.username, "refused", "/api/v1/people/{id}") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        log = access_log(&manager, person_id).await;
    }
    assert!(
        has(&log, &coord.username, "read", "register_list"),
        "{log:?}"
    );
    assert!(
        has(&log, &manager.username, "export", "register"),
        "{log:?}"
    );
    assert!(
        has(&log, &clinician.username, "read", "person_list"),
        "{log:?}"
    );
    assert!(has(&log, &clinician.username, "read", "person"), "{log:?}");
    assert!(has(&log, &coord.username, "create", "person"), "{log:?}");
    assert!(
        has(&log, &stranger.username, "refused", "/api/v1/people/{id}"),
        "refused reads are recorded against the person: {log:?}"
    );
    // Bea's log does not show the clinician's search for Ada.
    let bea = access_log(&coord, other["person_id"].as_str().unwrap()).await;
    assert!(
        !has(&bea, &clinician.username, "read", "person_list"),
        "{bea:?}"
    );

    // Forbidden roles are recorded too, with the reason.
    assert_problem(clinician.get("/audit").await, 403).await;
    let admin = app.sign_in(Role::Admin).await;
    let mut refused = Vec::new();
    for _ in 0..50 {
        let page: Value = admin.get("/audit?action=refused&limit=100").json().await;
        refused = page["items"].as_array().unwrap().clone();
        if refused
            .iter()
            .any(|r| r["actor_id"] == clinician.id.as_str())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let row = refused
        .iter()
        .find(|r| r["actor_id"] == clinician.id.as_str())
        .expect("the 403 is in the audit");
    assert_eq!(row["outcome"], "failure");
    assert_eq!(row["changed_fields"][0], "forbidden");
    assert_eq!(row["entity_type"], "/api/v1/audit");

    // Only coordinators and managers read a person's access log.
    for reader in [&clinician, &stranger, &admin] {
        let res = reader.get(&format!("/people/{person_id}/access-log")).await;
        assert_problem(res, 403).await;
    }
}

#[tokio::test]
async fn the_audit_cannot_be_changed_in_the_database() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = coord.person("Ada").await;
    // A read about her: an audit row with a subject row.
    coord
        .get(&format!("/people/{}", person["id"].as_str().unwrap()))
        .json()
        .await;
    for sql in [
        "UPDATE audit_log SET action = 'read'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_subjects",
    ] {
        let refused = try_sql_elsewhere(&app, sql).expect_err(sql);
        assert!(refused.contains("append-only"), "{sql}: {refused}");
    }
    let admin = app.sign_in(Role::Admin).await;
    let page: Value = admin
        .get("/audit?entity_type=person&action=create")
        .json()
        .await;
    assert_eq!(page["total"], 1, "the row is still there, unchanged");
    let log: Value = coord
        .get(&format!(
            "/people/{}/access-log",
            person["id"].as_str().unwrap()
        ))
        .json()
        .await;
    assert!(
        log["total"].as_i64().unwrap() >= 2,
        "the subject rows are kept: {log}"
    );
}

#[tokio::test]
async fn the_audit_date_filter_takes_any_date() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let all: Value = admin.get("/audit?to=9999-12-31").json().await;
    assert!(all["total"].as_i64().unwrap() >= 1, "{all}");
    let none: Value = admin.get("/audit?to=2000-01-01").json().await;
    assert_eq!(none["total"], 0);
    let from: Value = admin
        .get("/audit?from=0001-01-01&to=9999-12-31")
        .json()
        .await;
    assert_eq!(from["total"], all["total"]);
}

#[tokio::test]
async fn a_subject_access_export_holds_every_section_in_one_call() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    let kw = app.sign_in(Role::Keyworker).await;
    let (admitted, _plan) = coord.with_plan("Subject").await;
    let person_id = admitted.person_id.as_str();
    coord.assign_keyworker(person_id, &kw.id).await;
    coord
        .post(
            &format!("/people/{person_id}/contacts"),
            &serde_json::json!({"occurred_at": chrono::Utc::now(), "kind": "phone", "summary": "Call"}),
        )
        .json()
        .await;
    let cetr = coord
        .post(
            &format!("/people/{person_id}/cetrs"),
            &serde_json::json!({"kind": "laep", "held_on": days_ago(2), "panel": [], "summary": "s", "agencies": ["Social care"]}),
        )
        .json()
        .await;
    coord
        .post(
            &format!("/cetrs/{}/actions", cetr["id"].as_str().unwrap()),
            &serde_json::json!({"description": "Act", "owner_id": kw.id, "due_on": days_ahead(5)}),
        )
        .json()
        .await;

    let document = manager
        .get(&format!("/people/{person_id}/subject-access"))
        .json()
        .await;
    let mut sections: Vec<&str> = document
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    sections.sort();
    assert_eq!(
        sections,
        [
            "access_log",
            "actions",
            "admissions",
            "alerts",
            "cetrs",
            "contacts",
            "discharge_plans",
            "involvements",
            "keyworker_history",
            "keyworking",
            "person",
            "rag_history",
            "register_entries",
            "reviews",
            "visits",
        ]
    );
    assert_eq!(document["person"]["id"], person_id);
    let count = |k: &str| document[k].as_array().unwrap().len();
    assert_eq!(count("register_entries"), 1);
    assert!(count("rag_history") >= 1);
    assert_eq!(count("keyworker_history"), 1);
    assert_eq!(count("contacts"), 1);
    assert_eq!(count("admissions"), 1);
    assert_eq!(count("cetrs"), 1);
    assert_eq!(count("actions"), 1);
    assert_eq!(count("discharge_plans"), 1);
    assert_eq!(
        count("involvements"),
        0,
        "not recorded yet: an empty section, not a missing one"
    );
    assert!(count("access_log") >= 1);

    let log = access_log(&coord, person_id).await;
    assert!(
        has(&log, &manager.username, "export", "subject_access"),
        "{log:?}"
    );
    for who in [Role::Clinician, Role::Admin] {
        let other = app.sign_in(who).await;
        let res = other
            .get(&format!("/people/{person_id}/subject-access"))
            .await;
        assert_problem(res, 403).await;
    }
    assert_problem(
        kw.get(&format!("/people/{person_id}/subject-access")).await,
        403,
    )
    .await;
}

/// `dsr audit <action>` against the app's database with the tests' seal key.
async fn audit_cli(app: &TestApp, action: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dsr_command(dir.path())
        .args(["audit", action])
        .env("DSR_DATABASE__URL", &app.database_url)
        .env("DSR_SERVER__DATA_DIR", dir.path().join("var"))
        .env("DSR_AUTH__BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("DSR_AUDIT__SEAL_KEY", AUDIT_SEAL_KEY)
        .env("DSR_AUDIT__SEAL_MARGIN_SECS", "0")
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Runs SQL with the append-only triggers out of the way, as someone covering their tracks.
fn tamper(app: &TestApp, sql: &str) {
    let drop = if is_postgres() {
        "DROP TRIGGER audit_log_append_only ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_delete"
    };
    sql_elsewhere(app, drop);
    if !is_postgres() {
        sql_elsewhere(app, "DROP TRIGGER audit_log_no_update");
    }
    sql_elsewhere(app, sql);
}

#[tokio::test]
async fn a_row_removed_or_changed_behind_the_triggers_breaks_the_seals() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = coord.person("Ada").await;
    let id = person["id"].as_str().unwrap();
    coord.get(&format!("/people/{id}")).json().await;

    let (ok, out) = audit_cli(&app, "seal").await;
    assert!(ok, "{out}");
    let (ok, out) = audit_cli(&app, "verify").await;
    assert!(ok && out.contains("audit chain intact ("), "{out}");

    // The read of Ada's record disappears: verify names the row and fails.
    let admin = app.sign_in(Role::Admin).await;
    let reads = admin
        .get(&format!(
            "/audit?entity_type=person&entity_id={id}&action=read"
        ))
        .json()
        .await;
    let removed = reads["items"][0]["id"].as_str().unwrap().to_string();
    tamper(
        &app,
        &format!("DELETE FROM audit_log WHERE id = '{removed}'"),
    );
    let (ok, out) = audit_cli(&app, "verify").await;
    assert!(!ok, "a removed row must fail verification: {out}");
    assert!(out.contains(&removed), "the missing row is named: {out}");
}

#[tokio::test]
async fn a_changed_row_breaks_its_seal_and_the_sealer_runs_by_itself() {
    let app = spawn_app_with(|s| {
        s.audit.seal_interval_secs = 1;
        s.audit.seal_margin_secs = 0;
    })
    .await;
    let coord = app.sign_in(Role::Coordinator).await;
    coord.person("Bea").await;
    // The background sealer seals without being asked.
    let mut sealed = String::new();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let (ok, out) = audit_cli(&app, "verify").await;
        assert!(ok, "{out}");
        if !out.contains("(0 rows)") {
            sealed = out;
            break;
        }
    }
    assert!(
        sealed.contains("audit chain intact"),
        "the sealer ran: {sealed}"
    );
    tamper(
        &app,
        "UPDATE audit_log SET action = 'read' WHERE action = 'create'",
    );
    let (ok, out) = audit_cli(&app, "verify").await;
    assert!(!ok && out.contains("was changed"), "{out}");
}
