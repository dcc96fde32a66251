use serde_json::{json, Value};

use crate::helpers::*;
use crate::smtp_sink::SmtpSink;

async fn app_with_sink(customize: impl FnOnce(&mut dsr::config::Settings)) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(|s| {
        s.email.transport = dsr::config::EmailTransportKind::Smtp;
        s.email.smtp_url = url;
        s.email.from = "DSR <dsr@nhs.net>".into();
        s.server.public_url = "https://dsr.example.nhs.uk".into();
        customize(s);
    })
    .await;
    (app, sink)
}

async fn run(app: &TestApp, token: &str, dry_run: bool) -> Value {
    let res = app
        .post(
            "/escalations/run",
            Some(token),
            &json!({"dry_run": dry_run}),
        )
        .await;
    assert_eq!(res.status(), 200, "escalation run");
    res.json().await.unwrap()
}

fn counts(report: &Value) -> (i64, i64, i64, i64, i64) {
    let n = |k: &str| report[k].as_i64().unwrap();
    (
        n("raised"),
        n("escalated"),
        n("resolved"),
        n("notifications_queued"),
        n("emails_sent"),
    )
}

struct Team {
    admin: String,
    coord: String,
    manager_id: String,
    manager_email: String,
    kw_id: String,
    kw: String,
    kw_email: String,
}

async fn team(app: &TestApp) -> Team {
    let admin = app.admin_token().await;
    let manager = app
        .create_user(&admin, "mandy.manager", Role::Manager, None)
        .await;
    let manager_id = manager["id"].as_str().unwrap().to_string();
    app.create_user(&admin, "kim.keyworker", Role::Keyworker, Some(&manager_id))
        .await;
    let kw_login = app.login("kim.keyworker", PASSWORD).await;
    let coord = app.sign_in(Role::Coordinator).await;
    Team {
        admin,
        coord: coord.token.clone(),
        manager_email: manager["email"].as_str().unwrap().to_string(),
        manager_id,
        kw_id: kw_login["user"]["id"].as_str().unwrap().to_string(),
        kw: token_of(&kw_login),
        kw_email: kw_login["user"]["email"].as_str().unwrap().to_string(),
    }
}

/// A red entry opened 17 days ago: its review (7 days) is 10 days overdue, and its community
/// C(E)TR (14 days) 3 days overdue. Amber avoids the second: review due in 28 days.
async fn overdue_entry(app: &TestApp, t: &Team, rag: &str, opened_days_ago: u64) -> Value {
    let person = app
        .create_person(&t.coord, &person_body("Zebedee", "Quixote"))
        .await;
    let entry = app
        .open_entry(&t.coord, &person, rag, Some(days_ago(opened_days_ago)))
        .await;
    app.assign_keyworker(&t.coord, person["id"].as_str().unwrap(), &t.kw_id)
        .await;
    entry
}

#[tokio::test]
async fn the_done_when_walkthrough() {
    let (app, sink) = app_with_sink(|_| {}).await;
    let t = team(&app).await;
    let entry = overdue_entry(&app, &t, "red", 17).await;
    let entry_id = entry["id"].as_str().unwrap();
    let reference = entry["reference"].as_str().unwrap();

    let report = run(&app, &t.coord, false).await;
    // dsr_review_overdue (10 days: level 2) and cetr_required (3 days: level 1)
    assert_eq!(counts(&report), (2, 0, 0, 3, 2));
    let messages = sink.messages();
    assert_eq!(messages.len(), 2);
    let to_kw = sink.to(&t.kw_email);
    let to_manager = sink.to(&t.manager_email);
    assert_eq!((to_kw.len(), to_manager.len()), (1, 1));
    let kw_text = to_kw[0].text();
    assert!(kw_text.contains(reference), "{kw_text}");
    assert!(kw_text.contains("DSR review overdue"));
    assert!(kw_text.contains("Community C(E)TR or LAEP required"));
    assert!(kw_text.contains("10 days overdue"));
    assert!(kw_text.contains(&format!("was due on {}", days_ago(10).format("%-d %B %Y"))));
    assert!(kw_text.contains("Responsible: "), "{kw_text}");
    assert!(kw_text.contains("use Acknowledge with a note"), "{kw_text}");
    assert!(kw_text.contains("https://dsr.example.nhs.uk/alerts/"));
    assert!(
        kw_text.contains("Content-Type: text/html"),
        "plain text and HTML"
    );
    let manager_text = to_manager[0].text();
    assert!(
        manager_text.contains("level 2 of 3: the line manager has been told")
            && manager_text.contains(reference)
    );
    assert!(
        !manager_text.contains("Community C(E)TR"),
        "the manager hears only of the level-2 item"
    );
    for m in &messages {
        let text = m.text();
        let nhs = entry["person"]["nhs_number"].as_str().unwrap();
        let formatted = format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]);
        assert!(
            !text.contains("Zebedee")
                && !text.contains("Quixote")
                && !text.contains(nhs)
                && !text.contains(&formatted)
        );
        assert!(m.header("Message-ID").is_some_and(|id| id.starts_with('<')));
        assert_eq!(m.from, "dsr@nhs.net");
    }

    let notifications: Value = app.get_json("/notifications", &t.admin).await;
    assert_eq!(notifications["total"], 3);
    for n in notifications["items"].as_array().unwrap() {
        assert_eq!(n["status"], "sent");
        assert_eq!(n["attempts"], 1);
        assert!(n["message_id"].is_string() && n["sent_at"].is_string());
    }
    let mine: Value = app.get_json("/notifications", &t.kw).await;
    assert_eq!(mine["total"], 2, "the keyworker sees their own");

    let entry_now: Value = app
        .get_json(&format!("/register/{entry_id}"), &t.coord)
        .await;
    assert_eq!(entry_now["open_alerts"], 2);
    let overdue: Value = app.get_json("/register?overdue=true", &t.coord).await;
    assert_eq!(overdue["total"], 1);

    // A second sweep emails nobody.
    assert_eq!(counts(&run(&app, &t.coord, false).await), (0, 0, 0, 0, 0));
    assert_eq!(sink.messages().len(), 2);

    // Recording the review resolves its alert.
    let review =
        json!({"reviewed_on": today(), "rag": "red", "attendees": ["Team"], "summary": "Reviewed"});
    assert_eq!(
        app.post(
            &format!("/register/{entry_id}/reviews"),
            Some(&t.coord),
            &review
        )
        .await
        .status(),
        201
    );
    assert_eq!(counts(&run(&app, &t.coord, false).await), (0, 0, 1, 0, 0));
    let alerts: Value = app
        .get(
            &format!(
                "/alerts?status=resolved&person_id={}",
                entry["person_id"].as_str().unwrap()
            ),
            &t.coord,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alerts["items"][0]["kind"], "dsr_review_overdue");
    assert!(alerts["items"][0]["resolved_at"].is_string());
    let entry_now: Value = app
        .get_json(&format!("/register/{entry_id}"), &t.coord)
        .await;
    assert_eq!(entry_now["open_alerts"], 1);
}

#[tokio::test]
async fn a_dry_run_reports_without_writing_or_emailing() {
    let (app, sink) = app_with_sink(|_| {}).await;
    let t = team(&app).await;
    overdue_entry(&app, &t, "red", 17).await;
    let report = run(&app, &t.admin, true).await;
    assert_eq!(counts(&report), (2, 0, 0, 3, 0));
    assert_eq!(report["dry_run"], true);
    let alerts: Value = app.get_json("/alerts", &t.coord).await;
    assert_eq!(alerts["total"], 0);
    let notifications: Value = app.get_json("/notifications", &t.admin).await;
    assert_eq!(notifications["total"], 0);
    assert!(sink.messages().is_empty());
    // The real run then does what the dry run said.
    assert_eq!(counts(&run(&app, &t.admin, false).await), (2, 0, 0, 3, 2));
}

#[tokio::test]
async fn an_smtp_failure_stays_queued_and_is_delivered_once_the_server_is_back() {
    let (app, sink) = app_with_sink(|_| {}).await;
    let t = team(&app).await;
    overdue_entry(&app, &t, "amber", 40).await; // review 12 days overdue: level 2
    sink.set_failing(true);
    let report = run(&app, &t.coord, false).await;
    assert_eq!(counts(&report), (1, 0, 0, 2, 0));
    let queued: Value = app.get_json("/notifications", &t.admin).await;
    for n in queued["items"].as_array().unwrap() {
        assert_eq!(n["status"], "queued");
        assert_eq!(n["attempts"], 1);
        assert!(n["last_error"].as_str().unwrap().contains("451"), "{n}");
        let next: chrono::DateTime<chrono::Utc> =
            n["next_attempt_at"].as_str().unwrap().parse().unwrap();
        assert!(
            next > chrono::Utc::now() + chrono::Duration::seconds(20),
            "backed off"
        );
    }
    sink.set_failing(false);
    assert_eq!(
        counts(&run(&app, &t.coord, false).await).4,
        0,
        "not before the back-off"
    );
    app.clock.advance(31);
    assert_eq!(counts(&run(&app, &t.coord, false).await).4, 2);
    assert_eq!(
        counts(&run(&app, &t.coord, false).await).4,
        0,
        "never twice"
    );
    assert_eq!(sink.messages().len(), 2);
    let sent: Value = app.get_json("/notifications?status=sent", &t.admin).await;
    assert_eq!(sent["total"], 2);
    assert!(sent["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["attempts"] == 2 && n["last_error"].is_null()));
}

#[tokio::test]
async fn the_recipient_allow_list_refuses_other_domains() {
    let (app, sink) = app_with_sink(|s| s.email.allowed_domains = vec!["nhs.net".into()]).await;
    let t = team(&app).await;
    let admin = t.admin.clone();
    let outsider = app
        .create_user(&admin, "outside.kw", Role::Keyworker, Some(&t.manager_id))
        .await;
    app.request(
        reqwest::Method::PATCH,
        &format!("/users/{}", outsider["id"].as_str().unwrap()),
        Some(&admin),
    )
    .json(&json!({"email": "outside.kw@gmail.com"}))
    .send()
    .await
    .unwrap();
    let person = app
        .create_person(&t.coord, &person_body("Allow", "List"))
        .await;
    app.open_entry(&t.coord, &person, "amber", Some(days_ago(30)))
        .await;
    app.assign_keyworker(
        &t.coord,
        person["id"].as_str().unwrap(),
        outsider["id"].as_str().unwrap(),
    )
    .await;
    let report = run(&app, &t.coord, false).await;
    assert_eq!(counts(&report).4, 0, "level 1 only, to the gmail address");
    let failed: Value = app.get_json("/notifications?status=failed", &admin).await;
    assert_eq!(failed["total"], 1);
    assert!(failed["items"][0]["last_error"]
        .as_str()
        .unwrap()
        .contains("allowed_domains"));
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn identifiers_appear_in_email_only_when_configured() {
    let (app, sink) = app_with_sink(|s| s.email.include_identifiers = true).await;
    let t = team(&app).await;
    let entry = overdue_entry(&app, &t, "amber", 30).await;
    run(&app, &t.coord, false).await;
    let text = sink.to(&t.kw_email)[0].text();
    let nhs = entry["person"]["nhs_number"].as_str().unwrap();
    let formatted = format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]);
    assert!(
        text.contains("Zebedee Quixote") && text.contains(&formatted),
        "{text}"
    );
}

#[tokio::test]
async fn level_three_reaches_all_managers_and_the_senior_addresses() {
    let (app, sink) =
        app_with_sink(|s| s.escalation.senior_addresses = vec!["director@nhs.net".into()]).await;
    let t = team(&app).await;
    let other_manager = app
        .create_user(&t.admin, "other.manager", Role::Manager, None)
        .await;
    overdue_entry(&app, &t, "amber", 43).await; // 15 days overdue
    let report = run(&app, &t.coord, false).await;
    // level 1 keyworker, level 2 line manager, level 3 both managers and the director
    assert_eq!(counts(&report), (1, 0, 0, 5, 4));
    let alerts: Value = app.get_json("/alerts", &t.coord).await;
    assert_eq!(alerts["items"][0]["level"], 3);
    assert_eq!(alerts["items"][0]["days_overdue"], 15);
    assert_eq!(sink.to("director@nhs.net").len(), 1);
    assert_eq!(sink.to(other_manager["email"].as_str().unwrap()).len(), 1);
    assert_eq!(
        sink.to(&t.manager_email).len(),
        1,
        "one digest, though notified at levels 2 and 3"
    );
    assert!(sink.to(&t.manager_email)[0].text().contains("level 3"));
}

#[tokio::test]
async fn every_alert_kind_is_raised_from_the_records() {
    let (app, _sink) = app_with_sink(|_| {}).await;
    let t = team(&app).await;
    let clin_id = app.sign_in(Role::Clinician).await.id;
    // no keyworker: amber entry opened 6 days ago, nobody assigned (grace 5 days)
    let lonely = app
        .create_person(&t.coord, &person_body("No", "Keyworker"))
        .await;
    app.open_entry(&t.coord, &lonely, "amber", Some(days_ago(6)))
        .await;
    // red in the community 20 days: community C(E)TR 6 days overdue (and review 13 days)
    overdue_entry(&app, &t, "red", 20).await;
    // an inpatient admitted 60 days ago: C(E)TR, plan and visit all overdue
    let inpatient = overdue_entry(&app, &t, "amber", 1).await;
    let inpatient_id = inpatient["person_id"].as_str().unwrap();
    app.admit(&t.coord, inpatient_id, days_ago(60), "non_secure")
        .await;
    // another inpatient with a plan: an overdue point and an overdue plan review, and a
    // C(E)TR action past due
    let planned = overdue_entry(&app, &t, "amber", 1).await;
    let planned_id = planned["person_id"].as_str().unwrap();
    let admission = app
        .admit(&t.coord, planned_id, days_ago(50), "non_secure")
        .await;
    let plan: Value = app
        .post(
            &format!(
                "/admissions/{}/discharge-plan",
                admission["id"].as_str().unwrap()
            ),
            Some(&t.coord),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let plan_path = format!("/discharge-plans/{}", plan["id"].as_str().unwrap());
    app.patch(
        &format!("{plan_path}/points/2"),
        &t.coord,
        &json!({"owner_id": clin_id, "target_date": days_ago(3)}),
        None,
    )
    .await;
    app.post(
        &format!("{plan_path}/reviews"),
        Some(&t.coord),
        &json!({"reviewed_on": days_ago(40), "summary": "s"}),
    )
    .await;
    let cetr: Value = app
        .post(&format!("/people/{planned_id}/cetrs"), Some(&t.coord),
              &json!({"kind": "post_admission", "held_on": days_ago(45), "panel": full_panel(), "summary": "s"}))
        .await.json().await.unwrap();
    app.post(
        &format!("/cetrs/{}/actions", cetr["id"].as_str().unwrap()),
        Some(&t.coord),
        &json!({"description": "Late", "owner_id": clin_id, "due_on": days_ago(2)}),
    )
    .await;

    run(&app, &t.coord, false).await;
    let alerts: Value = app.get_json("/alerts?limit=100", &t.coord).await;
    let mut got: Vec<(String, String, i64)> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["subject_type"].as_str().unwrap().to_string(),
                a["days_overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let mut expected: Vec<(String, String, i64)> = vec![
        ("cetr_action_overdue".into(), "cetr_action".into(), 2),
        ("cetr_overdue".into(), "admission".into(), 32),
        ("cetr_required".into(), "register_entry".into(), 6),
        (
            "discharge_plan_review_overdue".into(),
            "discharge_plan".into(),
            12,
        ),
        (
            "discharge_point_overdue".into(),
            "discharge_point".into(),
            3,
        ),
        ("dsr_review_overdue".into(), "register_entry".into(), 13),
        // admission pulls each inpatient's review to admission + 28 days (blue cadence)
        ("dsr_review_overdue".into(), "register_entry".into(), 32),
        ("dsr_review_overdue".into(), "register_entry".into(), 22),
        ("no_discharge_plan".into(), "admission".into(), 53),
        ("no_keyworker".into(), "register_entry".into(), 1),
        ("oversight_visit_overdue".into(), "admission".into(), 4),
        ("oversight_visit_overdue".into(), "admission".into(), 0),
    ];
    // the second inpatient's visit is due 50 + 56 days on: not overdue
    expected.retain(|e| e.2 != 0);
    expected.sort();
    assert_eq!(got, expected);
    let action_alert = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "cetr_action_overdue")
        .unwrap();
    assert_eq!(
        action_alert["assignee"]["id"],
        clin_id.as_str(),
        "the owner is responsible"
    );
    let lonely_alert = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "no_keyworker")
        .unwrap();
    assert!(
        lonely_alert["assignee"].is_null(),
        "no responsible person: all coordinators"
    );
    let kinds: Value = app
        .get(
            "/alerts?kind=cetr_overdue,no_discharge_plan&level=3",
            &t.coord,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kinds["total"], 2);
}

#[tokio::test]
async fn alert_visibility_and_acknowledging() {
    let (app, _sink) = app_with_sink(|_| {}).await;
    let t = team(&app).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let clin_id = clinician.id.clone();
    let other_kw = app.sign_in(Role::Keyworker).await;
    let entry = overdue_entry(&app, &t, "amber", 30).await; // assigned to kim: 2 days overdue
    let person_id = entry["person_id"].as_str().unwrap();
    let cetr: Value = app
        .post(
            &format!("/people/{person_id}/cetrs"),
            Some(&t.coord),
            &json!({"kind": "laep", "held_on": days_ago(10), "panel": [], "summary": "s", "agencies": ["Social care"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    app.post(
        &format!("/cetrs/{}/actions", cetr["id"].as_str().unwrap()),
        Some(&t.coord),
        &json!({"description": "Clinician's", "owner_id": clin_id, "due_on": days_ago(1)}),
    )
    .await;
    run(&app, &t.coord, false).await;

    let seen = |token: String| {
        let app = &app;
        async move {
            let page: Value = app.get_json("/alerts", &token).await;
            let mut kinds: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["kind"].as_str().unwrap().to_string())
                .collect();
            kinds.sort();
            kinds
        }
    };
    assert_eq!(
        seen(t.coord.clone()).await,
        vec!["action_overdue", "dsr_review_overdue"]
    );
    let manager = app.sign_in(Role::Manager).await;
    assert_eq!(
        seen(manager.token.clone()).await,
        vec!["action_overdue", "dsr_review_overdue"]
    );
    assert_eq!(
        seen(clinician.token.clone()).await,
        vec!["action_overdue"],
        "assigned to them"
    );
    assert_eq!(
        seen(t.kw.clone()).await,
        vec!["action_overdue", "dsr_review_overdue"],
        "assigned and caseload"
    );
    assert!(seen(other_kw.token.clone()).await.is_empty());
    assert_problem(app.get("/alerts", &t.admin).await, 403).await;

    let alerts: Value = app
        .get_json("/alerts?kind=dsr_review_overdue", &t.coord)
        .await;
    let alert_id = alerts["items"][0]["id"].as_str().unwrap().to_string();
    assert_problem(clinician.get(&format!("/alerts/{alert_id}")).await, 404).await;
    assert_problem(
        other_kw
            .post(
                &format!("/alerts/{alert_id}/acknowledge"),
                &json!({"note": "x"}),
            )
            .await,
        404,
    )
    .await;
    let problem = assert_problem(
        app.post(
            &format!("/alerts/{alert_id}/acknowledge"),
            Some(&t.kw),
            &json!({"note": " "}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["note"]);
    let res = app
        .post(
            &format!("/alerts/{alert_id}/acknowledge"),
            Some(&t.kw),
            &json!({"note": "Review booked for Friday"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let acked: Value = res.json().await.unwrap();
    assert_eq!(acked["status"], "acknowledged");
    assert_eq!(acked["acknowledged_by"], t.kw_id.as_str());
    assert!(acked["acknowledged_at"].is_string());
    assert_problem(
        app.post(
            &format!("/alerts/{alert_id}/acknowledge"),
            Some(&t.coord),
            &json!({"note": "again"}),
        )
        .await,
        409,
    )
    .await;
    let audit: Value = app
        .get(
            &format!("/audit?entity_type=alert&entity_id={alert_id}&action=update"),
            &t.admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 1);

    // Acknowledging stops nothing: a week later the alert escalates and the manager hears.
    // (The sessions of five days ago have ended by then: people sign in again.)
    app.clock.advance(5 * 86_400);
    let coord = app.sign_in(Role::Coordinator).await;
    let admin = app.sign_in(Role::Admin).await;
    let report = run(&app, &coord, false).await;
    assert!(report["escalated"].as_i64().unwrap() >= 1);
    let after: Value = coord.get(&format!("/alerts/{alert_id}")).json().await;
    assert_eq!(after["level"], 2);
    assert_eq!(after["status"], "acknowledged");
    let to_manager: Value = admin
        .get(&format!("/notifications?alert_id={alert_id}"))
        .json()
        .await;
    assert!(to_manager["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["level"] == 2 && n["recipient_email"] == t.manager_email.as_str()));
}

#[tokio::test]
async fn readiness_and_metrics_report_the_sweep() {
    let (app, _sink) = app_with_sink(|_| {}).await;
    let t = team(&app).await;
    overdue_entry(&app, &t, "amber", 30).await;
    let ready: Value = app.get_public("/health/ready").await.json().await.unwrap();
    assert!(ready["last_sweep_at"].is_null());
    assert_eq!(ready["sweep_stale"], false);
    run(&app, &t.coord, false).await;
    let ready: Value = app.get_public("/health/ready").await.json().await.unwrap();
    let last: chrono::DateTime<chrono::Utc> =
        ready["last_sweep_at"].as_str().unwrap().parse().unwrap();
    assert!((chrono::Utc::now() - last).num_seconds().abs() < 60);
    let text = app.get_public("/metrics").await.text().await.unwrap();
    assert!(
        text.contains("dsr_open_alerts{kind=\"dsr_review_overdue\"} 1"),
        "{text}"
    );
    assert!(text.contains("dsr_open_alerts{kind=\"no_keyworker\"} 0"));
    assert!(text.contains("dsr_notifications_queued 0"));
    let line = text
        .lines()
        .find(|l| l.starts_with("dsr_last_sweep_timestamp_seconds "))
        .unwrap();
    let value: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((value - last.timestamp() as f64).abs() < 2.0);
}

#[tokio::test]
async fn a_stale_sweep_shows_on_readiness() {
    let app = spawn_app_with(|s| s.escalation.sweep_interval_secs = 1).await;
    // Background sweeps every second succeed, so readiness is not stale...
    let mut fresh = false;
    for _ in 0..50 {
        let ready: Value = app.get_public("/health/ready").await.json().await.unwrap();
        if ready["last_sweep_at"].is_string() {
            fresh = ready["sweep_stale"] == false;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        fresh,
        "a background sweep ran and readiness says it is fresh"
    );
    // ...until no sweep has succeeded for two intervals.
    app.clock.advance(3);
    let ready: Value = app.get_public("/health/ready").await.json().await.unwrap();
    assert_eq!(ready["sweep_stale"], true);
    // ...and monitoring sees it too.
    let metrics = app.get_public("/metrics").await.text().await.unwrap();
    assert!(
        metrics.lines().any(|l| l == "dsr_sweep_stale 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_notification_with_the_reply_and_is_not_retried() {
    let (app, sink) = app_with_sink(|_| {}).await;
    let t = team(&app).await;
    overdue_entry(&app, &t, "amber", 40).await; // level 2: keyworker and manager
    sink.set_refusing(true);
    assert_eq!(counts(&run(&app, &t.coord, false).await), (1, 0, 0, 2, 0));
    let failed: Value = app.get_json("/notifications", &t.admin).await;
    assert_eq!(failed["total"], 2);
    for n in failed["items"].as_array().unwrap() {
        assert_eq!(n["status"], "failed", "a 5xx is not retried: {n}");
        assert_eq!(n["attempts"], 1);
        assert!(n["last_error"].as_str().unwrap().contains("550"), "{n}");
    }
    sink.set_refusing(false);
    app.clock.advance(600); // past any back-off
    assert_eq!(counts(&run(&app, &t.coord, false).await).4, 0);
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn after_an_outage_each_recipient_gets_one_digest_of_everything_queued() {
    let (app, sink) = app_with_sink(|_| {}).await;
    let t = team(&app).await;
    sink.set_failing(true);
    let mut references = Vec::new();
    // Three sweeps ten seconds apart during the outage, each raising a new overdue review.
    for _ in 0..3 {
        let entry = overdue_entry(&app, &t, "amber", 40).await;
        references.push(entry["reference"].as_str().unwrap().to_string());
        let report = run(&app, &t.coord, false).await;
        assert_eq!(counts(&report).4, 0, "the relay is down");
        app.clock.advance(10);
    }
    let queued: Value = app.get_json("/notifications?status=queued", &t.admin).await;
    assert_eq!(queued["total"], 6, "two recipients, three alerts each");
    sink.set_failing(false);
    app.clock.advance(600); // past every back-off (at most 120 s after three attempts)
    assert_eq!(
        counts(&run(&app, &t.coord, false).await).4,
        2,
        "one email per recipient"
    );
    for address in [&t.kw_email, &t.manager_email] {
        let got = sink.to(address);
        assert_eq!(got.len(), 1, "{address}");
        let text = got[0].text();
        for reference in &references {
            assert!(text.contains(reference.as_str()), "{address}: {reference}");
        }
    }
    let sent: Value = app.get_json("/notifications?status=sent", &t.admin).await;
    assert_eq!(sent["total"], 6);
}
