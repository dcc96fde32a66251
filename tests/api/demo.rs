//! `dsr demo-data` loads a deterministic register that the API then serves.

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn demo_data_loads_a_realistic_deterministic_register() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let run = || {
        let mut cmd = dsr_command(dir.path());
        cmd.env("DSR_DATABASE__URL", &url)
            .args(["demo-data", "--people", "500", "--seed", "42"]);
        async move { cmd.output().await.unwrap() }
    };
    let out = run().await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["people"], 500);
    assert_eq!(report["keyworkers"], 20, "caseloads of about 25");
    assert_eq!(report["contacts"], 500 * 20);
    let again = run().await;
    assert!(
        !again.status.success(),
        "refuses a register that is not empty"
    );

    let app = spawn_app_with(|s| s.database.url = url.clone()).await;
    let coord = token_of(
        &app.login("demo-coordinator-00001", dsr::demo::DEMO_PASSWORD)
            .await,
    );
    let page: Value = app.get_json("/register?limit=1", &coord).await;
    assert_eq!(page["total"], 500);
    let mut counts = Vec::new();
    for rag in ["red", "amber", "green", "blue"] {
        let p: Value = app
            .get_json(&format!("/register?rag={rag}&limit=1"), &coord)
            .await;
        counts.push(p["total"].as_i64().unwrap());
    }
    // about 10% red, 20% amber, 60% green, 10% blue
    for (got, share) in counts.iter().zip([0.1, 0.2, 0.6, 0.1]) {
        let expected = 500.0 * share;
        assert!(
            (*got as f64 - expected).abs() < expected * 0.35 + 10.0,
            "{counts:?}"
        );
    }
    let first = &page["items"][0];
    let nhs = first["person"]["nhs_number"].as_str().unwrap();
    assert!(nhs.starts_with("999") && dsr::domain::NhsNumber::parse(nhs).is_ok());
    let contacts: Value = app
        .get(
            &format!(
                "/people/{}/contacts?limit=1",
                first["person_id"].as_str().unwrap()
            ),
            &coord,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts["total"], 20);
    let kw_caseload: Value = app
        .get(
            &format!(
                "/users/{}/caseload?limit=1",
                first["keyworker"]["id"].as_str().unwrap()
            ),
            &coord,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kw_caseload["total"], 25);
    let dry: Value = app
        .post(
            "/escalations/run",
            Some(&coord),
            &serde_json::json!({"dry_run": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    // Review dates hang together: the next review is one cadence after the last (the
    // configured defaults: red 7, amber 28, green 90, blue 28 days), so an overdue entry is
    // one whose review was missed, never one reviewed after its due date.
    let all: Value = app.get_json("/register?limit=500", &coord).await;
    let today = chrono::Utc::now().date_naive();
    let date =
        |v: &Value| chrono::NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap();
    let mut overdue = 0;
    for entry in all["items"].as_array().unwrap() {
        let cadence = match entry["rag"].as_str().unwrap() {
            "red" => 7,
            "green" => 90,
            _ => 28,
        };
        let (last, next) = (
            date(&entry["last_review_on"]),
            date(&entry["next_review_due"]),
        );
        assert_eq!((next - last).num_days(), cadence, "{entry}");
        assert!(last <= today, "{entry}");
        assert_eq!(entry["review_overdue"], next < today, "{entry}");
        overdue += usize::from(next < today);
    }
    assert!(
        (5..=50).contains(&overdue),
        "about 5% of reviews overdue: {overdue} of 500"
    );
    let raised = dry["raised"].as_i64().unwrap();
    assert!(
        (5..=75).contains(&raised),
        "about 5% of obligations overdue: {raised} alerts for 500 people"
    );
}
