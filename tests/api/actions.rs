//! One action model (#20 point 2): actions come from C(E)TRs, LAEPs, DSR reviews and
//! oversight visits, share one list across sources (`GET /actions`), raise `action_overdue`
//! (or `cetr_action_overdue` for C(E)TRs but LAEPs) when late, and a declined recommendation
//! keeps the responsible clinician's justification.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::smtp_sink::SmtpSink;

fn action(description: &str, owner: &str, due_on: chrono::NaiveDate) -> Value {
    json!({"description": description, "owner_id": owner, "due_on": due_on})
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

async fn alert_kinds(coord: &Actor<'_>, person: &str) -> Vec<(String, String)> {
    let alerts: Value = coord
        .get(&format!("/alerts?person_id={person}&limit=100"))
        .json()
        .await;
    let mut kinds: Vec<(String, String)> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["subject_type"] == "cetr_action")
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["subject_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn a_dsr_review_agrees_two_actions_and_the_overdue_one_reaches_its_owners_digest() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(|s| {
        s.email.transport = dsr::config::EmailTransportKind::Smtp;
        s.email.smtp_url = url;
        s.email.from = "DSR <dsr@nhs.net>".into();
    })
    .await;
    let coord = app.sign_in(Role::Coordinator).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let stranger = app.sign_in(Role::Keyworker).await;
    let manager = app.sign_in(Role::Manager).await;
    let entry = coord
        .open_entry(&coord.person("Nia").await, Rag::Amber, Some(days_ago(30)))
        .await;
    let (entry_id, person_id) = (id(&entry), entry["person_id"].as_str().unwrap());
    let review: Value = coord
        .post(
            &format!("/register/{entry_id}/reviews"),
            &json!({"reviewed_on": days_ago(10), "rag": "amber", "attendees": ["TCT", "CAMHS"], "summary": "Placement wobbling"}),
        )
        .json()
        .await;
    let path = format!("/register/{entry_id}/reviews/{}/actions", id(&review));

    // Authorise first: a manager reads, but does not agree actions.
    let refused = manager
        .post(&path, &action("Call the provider", &clinician.id, today()))
        .await;
    assert_problem(refused, 403).await;
    // An owner must see the person; an action cannot fall due before the review.
    let unseen = coord
        .post(&path, &action("Visit", &stranger.id, today()))
        .await;
    assert_eq!(
        error_fields(&assert_problem(unseen, 422).await),
        ["owner_id"]
    );
    let early = coord
        .post(&path, &action("Visit", &clinician.id, days_ago(11)))
        .await;
    assert_eq!(error_fields(&assert_problem(early, 422).await), ["due_on"]);
    // A review of another entry is no such review.
    let other = coord.person_on_register("Noor", Rag::Green).await;
    let elsewhere = coord
        .post(
            &format!("/register/{}/reviews/{}/actions", id(&other), id(&review)),
            &action("Visit", &clinician.id, today()),
        )
        .await;
    assert_problem(elsewhere, 404).await;

    let res = coord
        .post(
            &path,
            &action("Arrange a medication review", &clinician.id, days_ago(2)),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let late: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/actions/{}", id(&late)));
    assert_eq!(late["source"], "dsr_review");
    assert_eq!(late["source_id"], review["id"]);
    assert_eq!(late["cetr_id"], Value::Null);
    assert_eq!(late["overdue"], true);
    let soon: Value = coord
        .post(
            &path,
            &action("Share the crisis plan", &coord.id, days_ahead(5)),
        )
        .json()
        .await;
    assert_eq!(soon["status"], "open");

    // The review carries its actions; the list finds them across sources.
    let reviews: Value = coord
        .get(&format!("/register/{entry_id}/reviews"))
        .json()
        .await;
    let agreed: Vec<&str> = reviews[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        agreed,
        ["Arrange a medication review", "Share the crisis plan"]
    );
    let overdue: Value = coord
        .get(&format!("/actions?owner_id={}&overdue=true", clinician.id))
        .json()
        .await;
    assert_eq!(overdue["total"], 1);
    assert_eq!(overdue["items"][0]["id"], late["id"]);
    let theirs: Value = clinician
        .get(&format!("/actions/{}", id(&late)))
        .json()
        .await;
    assert_eq!(theirs["description"], "Arrange a medication review");

    // The sweep raises `action_overdue` for the owner, and their digest says so.
    let run = coord.post("/escalations/run", &json!({})).await;
    assert_eq!(run.status(), 200);
    assert_eq!(
        alert_kinds(&coord, person_id).await,
        [("action_overdue".to_string(), id(&late))]
    );
    let alerts: Value = coord
        .get(&format!(
            "/alerts?person_id={person_id}&kind=action_overdue"
        ))
        .json()
        .await;
    assert_eq!(alerts["items"][0]["assignee"]["id"], clinician.id.as_str());
    let digest = sink.to(&format!("{}@nhs.net", clinician.username));
    assert_eq!(digest.len(), 1, "one digest");
    let text = digest[0].text();
    assert!(
        text.contains("Action overdue (DSR review, oversight visit or LAEP)"),
        "{text}"
    );
    assert!(!text.contains("Nia"), "no names in email: {text}");

    // Done, it resolves at the next sweep.
    let res = clinician
        .patch(
            &format!("/actions/{}", id(&late)),
            &json!({"status": "done"}),
        )
        .if_match(1)
        .await;
    assert_eq!(res.status(), 200);
    coord.post("/escalations/run", &json!({})).await;
    let open: Value = coord
        .get(&format!(
            "/alerts?person_id={person_id}&kind=action_overdue&status=open"
        ))
        .json()
        .await;
    assert_eq!(open["total"], 0);
}

#[tokio::test]
async fn visits_laeps_and_cetrs_share_one_list_and_a_declined_recommendation_keeps_its_justification(
) {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let keyworker = app.sign_in(Role::Keyworker).await;
    let stay = coord.admitted("Osian", 20).await;
    let person = stay.person_id.as_str();
    coord.assign_keyworker(person, &keyworker.id).await;
    let visit: Value = coord
        .post(
            &format!("/admissions/{}/visits", stay.admission_id),
            &json!({"visited_on": days_ago(6), "visitor": "Commissioner", "concerns": "Restraint use"}),
        )
        .json()
        .await;
    let visit_path = format!(
        "/admissions/{}/visits/{}/actions",
        stay.admission_id,
        id(&visit)
    );
    let clinician_refused = clinician
        .post(&visit_path, &action("Review", &clinician.id, today()))
        .await;
    assert_problem(clinician_refused, 403).await;
    let from_visit: Value = coord
        .post(
            &visit_path,
            &action("Reduce restrictive practice", &keyworker.id, days_ago(1)),
        )
        .json()
        .await;
    assert_eq!(from_visit["source"], "visit");
    let cetr: Value = clinician
        .post(
            &format!("/people/{person}/cetrs"),
            &json!({"kind": "post_admission", "held_on": days_ago(15), "panel": full_panel(), "summary": "Review"}),
        )
        .json()
        .await;
    let from_cetr: Value = clinician
        .post(
            &format!("/cetrs/{}/actions", id(&cetr)),
            &action("Community placement search", &clinician.id, days_ago(3)),
        )
        .json()
        .await;
    assert_eq!(
        (from_cetr["source"].as_str(), from_cetr["cetr_id"].as_str()),
        (Some("cetr"), cetr["id"].as_str())
    );
    let laep: Value = coord
        .post(
            &format!("/people/{person}/cetrs"),
            &json!({"kind": "laep", "held_on": days_ago(25), "panel": [], "summary": "Crisis", "agencies": ["Social care"]}),
        )
        .json()
        .await;
    let from_laep: Value = coord
        .post(
            &format!("/cetrs/{}/actions", id(&laep)),
            &action("Respite bed", &coord.id, days_ago(2)),
        )
        .json()
        .await;
    assert_eq!(from_laep["source"], "laep");
    assert_eq!(from_laep["source_id"], laep["id"]);

    // One list across sources, filtered by source; `/cetr-actions` keeps C(E)TRs' and LAEPs'.
    let sources = |list: &Value| -> Vec<String> {
        let mut s: Vec<String> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["source"].as_str().unwrap().to_string())
            .collect();
        s.sort();
        s
    };
    let all: Value = coord
        .get(&format!("/actions?person_id={person}"))
        .json()
        .await;
    assert_eq!(sources(&all), ["cetr", "laep", "visit"]);
    let visits: Value = coord
        .get(&format!("/actions?person_id={person}&source=visit,laep"))
        .json()
        .await;
    assert_eq!(sources(&visits), ["laep", "visit"]);
    let old: Value = coord
        .get(&format!("/cetr-actions?person_id={person}"))
        .json()
        .await;
    assert_eq!(sources(&old), ["cetr", "laep"]);
    for bad in ["/actions?source=meeting", "/cetr-actions?source=visit"] {
        let problem = assert_problem(coord.get(bad).await, 400).await;
        assert_eq!(error_fields(&problem), ["source"], "{bad}");
    }
    let kw_list: Value = keyworker.get("/actions?overdue=true").json().await;
    assert_eq!(
        sources(&kw_list),
        ["cetr", "laep", "visit"],
        "their caseload"
    );
    let admission_visits: Value = coord
        .get(&format!("/admissions/{}/visits", stay.admission_id))
        .json()
        .await;
    assert_eq!(admission_visits[0]["actions"][0]["id"], from_visit["id"]);

    // Overdue: C(E)TR actions keep their kind; LAEP and visit actions raise `action_overdue`.
    coord.post("/escalations/run", &json!({})).await;
    let mut expected = vec![
        ("action_overdue".to_string(), id(&from_laep)),
        ("action_overdue".to_string(), id(&from_visit)),
        ("cetr_action_overdue".to_string(), id(&from_cetr)),
    ];
    expected.sort();
    assert_eq!(alert_kinds(&coord, person).await, expected);

    // Declining needs the clinician's justification, and a keyworker may not decline.
    let cetr_action = format!("/actions/{}", id(&from_cetr));
    let bare = clinician
        .patch(&cetr_action, &json!({"status": "declined"}))
        .if_match(1)
        .await;
    assert_eq!(
        error_fields(&assert_problem(bare, 422).await),
        ["justification"]
    );
    let stray = clinician
        .patch(
            &cetr_action,
            &json!({"status": "in_progress", "justification": "No"}),
        )
        .if_match(1)
        .await;
    assert_eq!(
        error_fields(&assert_problem(stray, 422).await),
        ["justification"]
    );
    let owned_by_kw = format!("/actions/{}", id(&from_visit));
    let kw_decline = keyworker
        .patch(
            &owned_by_kw,
            &json!({"status": "declined", "justification": "Not needed"}),
        )
        .if_match(1)
        .await;
    assert_problem(kw_decline, 403).await;
    let kw_progress = keyworker
        .patch(&owned_by_kw, &json!({"status": "in_progress"}))
        .if_match(1)
        .await;
    assert_eq!(kw_progress.status(), 200);

    let reason = "Placement search paused: the person's family asked for a home trial first";
    let declined: Value = clinician
        .patch(
            &cetr_action,
            &json!({"status": "declined", "justification": format!("  {reason} ")}),
        )
        .if_match(1)
        .json()
        .await;
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["justification"], reason);
    assert_eq!(declined["overdue"], false, "declined is not owed");
    assert_eq!(declined["completed_on"], Value::Null);
    // The round-1 path reads the same action.
    let same: Value = coord
        .get(&format!("/cetr-actions/{}", id(&from_cetr)))
        .json()
        .await;
    assert_eq!(same["justification"], reason);
    coord.post("/escalations/run", &json!({})).await;
    let resolved: Value = coord
        .get(&format!(
            "/alerts?person_id={person}&kind=cetr_action_overdue&status=resolved"
        ))
        .json()
        .await;
    assert_eq!(resolved["total"], 1);

    // Taken up again after all, it is owed once more and the justification goes.
    let reopened: Value = clinician
        .patch(&cetr_action, &json!({"status": "open"}))
        .if_match(2)
        .json()
        .await;
    assert_eq!(reopened["justification"], Value::Null);
    assert_eq!(reopened["overdue"], true);
    let export: Value = coord
        .get(&format!("/people/{person}/subject-access"))
        .json()
        .await;
    assert_eq!(export["actions"].as_array().unwrap().len(), 3);
}
