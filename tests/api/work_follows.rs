//! Work follows the person: when a keyworker is replaced or unassigned, their open C(E)TR
//! actions and discharge points about the person pass to the new named worker (or become
//! unowned), audited; alerts go only to people who can see the person, so the former
//! keyworker can neither read nor acknowledge them.

use serde_json::{json, Value};

use crate::helpers::*;

async fn sweep(coord: &Actor<'_>) {
    let res = coord
        .post("/escalations/run", &json!({"dry_run": false}))
        .await;
    assert_eq!(res.status(), 200);
}

async fn only_alert(coord: &Actor<'_>, person_id: &str, kind: &str) -> Value {
    let page = coord
        .get(&format!("/alerts?person_id={person_id}&kind={kind}"))
        .json()
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{kind}: {page}");
    items[0].clone()
}

/// How many notifications were ever addressed to `who`.
async fn emails_to(admin: &Actor<'_>, who: &Actor<'_>) -> usize {
    let email = format!("{}@nhs.net", who.username);
    let page = admin.get("/notifications?limit=500").json().await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["recipient_email"] == email.as_str())
        .count()
}

#[tokio::test]
async fn a_former_keyworker_keeps_no_work_and_no_alerts_about_the_person() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let admin = app.sign_in(Role::Admin).await;
    let former = app.sign_in(Role::Keyworker).await;
    let successor = app.sign_in(Role::Keyworker).await;
    let (admitted, plan) = coord.with_plan("Follows").await;
    let person_id = admitted.person_id.as_str();
    coord.assign_keyworker(person_id, &former.id).await;

    // The former keyworker owns an overdue C(E)TR action and an overdue discharge point.
    let cetr = coord
        .post(
            &format!("/people/{person_id}/cetrs"),
            &json!({"kind": "laep", "held_on": days_ago(10), "panel": [], "summary": "s", "agencies": ["Social care"]}),
        )
        .json()
        .await;
    let action = coord
        .post(
            &format!("/cetrs/{}/actions", cetr["id"].as_str().unwrap()),
            &json!({"description": "Find a placement", "owner_id": former.id, "due_on": days_ago(2)}),
        )
        .json()
        .await;
    let action_id = action["id"].as_str().unwrap();
    let plan_path = format!("/discharge-plans/{}", plan["id"].as_str().unwrap());
    coord
        .patch(
            &format!("{plan_path}/points/2"),
            &json!({"owner_id": former.id, "target_date": days_ago(3)}),
        )
        .json()
        .await;
    sweep(&coord).await;
    let point_alert = only_alert(&coord, person_id, "discharge_point_overdue").await;
    assert_eq!(point_alert["assignee"]["id"], former.id.as_str());
    let point_alert_id = point_alert["id"].as_str().unwrap();
    assert_eq!(
        former
            .get(&format!("/alerts/{point_alert_id}"))
            .await
            .status(),
        200
    );

    let emails_before = emails_to(&admin, &former).await;
    assert!(emails_before >= 1, "they were told while it was theirs");

    // The keyworker is replaced: their work passes to the new one, audited.
    coord.assign_keyworker(person_id, &successor.id).await;
    let action = coord
        .get(&format!("/cetr-actions/{action_id}"))
        .json()
        .await;
    assert_eq!(action["owner"]["id"], successor.id.as_str());
    let plan = coord.get(&plan_path).json().await;
    assert_eq!(plan["points"][1]["owner"]["id"], successor.id.as_str());
    let audit = admin
        .get(&format!(
            "/audit?entity_type=cetr_action&entity_id={action_id}&action=update"
        ))
        .json()
        .await;
    assert_eq!(audit["total"], 1, "the hand-over is audited");

    // The former keyworker sees none of it, and cannot acknowledge with a note.
    let theirs = former.get("/alerts").json().await;
    assert_eq!(theirs["total"], 0, "{theirs}");
    assert_problem(former.get(&format!("/alerts/{point_alert_id}")).await, 404).await;
    let ack = former
        .post(
            &format!("/alerts/{point_alert_id}/acknowledge"),
            &json!({"note": "not mine any more"}),
        )
        .await;
    assert_problem(ack, 404).await;

    // The next sweep assigns the alerts to the new named worker.
    sweep(&coord).await;
    for kind in ["discharge_point_overdue", "action_overdue"] {
        let alert = only_alert(&coord, person_id, kind).await;
        assert_eq!(alert["assignee"]["id"], successor.id.as_str(), "{kind}");
    }

    // With nobody named, the work is unowned and level 1 falls to every coordinator.
    let res = coord
        .delete(&format!("/people/{person_id}/keyworker"))
        .await;
    assert_eq!(res.status(), 204);
    let action = coord
        .get(&format!("/cetr-actions/{action_id}"))
        .json()
        .await;
    assert!(action["owner"].is_null(), "{action}");
    sweep(&coord).await;
    let alert = only_alert(&coord, person_id, "action_overdue").await;
    assert!(alert["assignee"].is_null(), "{alert}");
    let notifications = admin
        .get(&format!(
            "/notifications?alert_id={}",
            alert["id"].as_str().unwrap()
        ))
        .json()
        .await;
    let recipients: Vec<&str> = notifications["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["recipient_email"].as_str().unwrap())
        .collect();
    assert!(
        recipients.contains(&format!("{}@nhs.net", coord.username).as_str()),
        "{recipients:?}"
    );
    assert_eq!(
        emails_to(&admin, &former).await,
        emails_before,
        "nothing more about the person reaches the former keyworker"
    );
}
