//! The 72-hour follow-up after discharge (#20 point 7): a discharge to the community owes a
//! contact (face to face, phone, video or a meeting) within 3 days; past that,
//! `post_discharge_follow_up_overdue` is raised at its own faster levels and resolves when
//! one is logged.

use serde_json::{json, Value};

use crate::helpers::*;

/// Someone admitted 30 days ago and discharged `days` ago to `destination`.
async fn discharged(coord: &Actor<'_>, given: &str, days: u64, destination: &str) -> String {
    let stay = coord.admitted(given, 30).await;
    let res = coord
        .patch(
            &format!("/admissions/{}", stay.admission_id),
            &json!({"discharged_on": days_ago(days), "discharge_destination": destination}),
        )
        .await;
    assert_eq!(res.status(), 200);
    stay.person_id
}

async fn follow_up_alert(coord: &Actor<'_>, person: &str) -> Option<Value> {
    let alerts: Value = coord
        .get(&format!(
            "/alerts?person_id={person}&kind=post_discharge_follow_up_overdue&status=open,acknowledged,resolved"
        ))
        .json()
        .await;
    alerts["items"].as_array().unwrap().first().cloned()
}

#[tokio::test]
async fn a_discharge_without_a_follow_up_contact_escalates_fast_and_resolves_when_one_is_logged() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let late = discharged(&coord, "Yara", 5, "community").await;
    let lately = discharged(&coord, "Yves", 4, "other").await;
    let in_time = discharged(&coord, "Zed", 2, "community").await;
    let elsewhere = discharged(&coord, "Zia", 5, "other_hospital").await;
    let messaged = discharged(&coord, "Zoe", 5, "community").await;
    // A message is not a follow-up; a call before the discharge is not one either.
    for (kind, ago) in [("message", 1), ("phone", 6)] {
        let res = coord
            .post(
                &format!("/people/{messaged}/contacts"),
                &json!({"occurred_at": chrono::Utc::now() - chrono::Duration::days(ago), "kind": kind, "summary": "Not a follow-up"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let res = coord.post("/escalations/run", &json!({})).await;
    assert_eq!(res.status(), 200);

    // Due 3 days after discharge: 2 days late is level 3, 1 day late level 2.
    let alert = follow_up_alert(&coord, &late).await.expect("raised");
    assert_eq!(alert["due_on"], json!(days_ago(2)));
    assert_eq!(
        (alert["level"].as_i64(), alert["status"].as_str()),
        (Some(3), Some("open"))
    );
    assert_eq!(alert["subject_type"], "admission");
    let alert = follow_up_alert(&coord, &lately).await.expect("raised");
    assert_eq!(alert["level"], 2);
    assert!(follow_up_alert(&coord, &messaged).await.is_some());
    assert!(
        follow_up_alert(&coord, &in_time).await.is_none(),
        "not due yet"
    );
    assert!(
        follow_up_alert(&coord, &elsewhere).await.is_none(),
        "still in hospital care"
    );

    // A phone call logged now resolves it at the next sweep.
    let res = coord
        .post(
            &format!("/people/{late}/contacts"),
            &json!({"occurred_at": chrono::Utc::now(), "kind": "phone", "summary": "Follow-up call"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    coord.post("/escalations/run", &json!({})).await;
    let alert = follow_up_alert(&coord, &late).await.unwrap();
    assert_eq!(alert["status"], "resolved");
    assert_eq!(
        follow_up_alert(&coord, &lately).await.unwrap()["status"],
        "open"
    );
}
