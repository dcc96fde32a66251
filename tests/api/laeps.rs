//! LAEPs (#20 point 5): a C(E)TR of kind `laep` records the agencies present and its
//! outcome, other kinds may not, and the summary report counts them; oversight visits record
//! concerns (point 6).

use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn a_laep_records_its_agencies_and_outcome_and_the_summary_counts_it() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    let area = format!("Area {}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let mut body = person_body("Wren", "Tester");
    body["area"] = json!(area);
    let person: Value = coord.post("/people", &body).json().await;
    coord
        .open_entry(&person, Rag::Red, Some(days_ago(20)))
        .await;
    let path = format!("/people/{}/cetrs", person["id"].as_str().unwrap());

    // A LAEP needs its agencies; other kinds may have none, nor a LAEP outcome.
    let none = coord
        .post(
            &path,
            &json!({"kind": "laep", "held_on": days_ago(3), "panel": [], "summary": "Crisis"}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(none, 422).await), ["agencies"]);
    let community = coord
        .post(
            &path,
            &json!({"kind": "community", "held_on": days_ago(3), "panel": full_panel(), "summary": "Review",
                    "agencies": ["Police"], "laep_outcome": "admitted"}),
        )
        .await;
    let mut fields = error_fields(&assert_problem(community, 422).await);
    fields.sort();
    assert_eq!(fields, ["agencies", "laep_outcome"]);
    let bad = coord
        .post(
            &path,
            &json!({"kind": "laep", "held_on": days_ago(3), "panel": [], "summary": "Crisis",
                    "agencies": ["Social care"], "laep_outcome": "sent_home"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(bad, 422).await),
        ["laep_outcome"]
    );

    let res = coord
        .post(
            &path,
            &json!({"kind": "laep", "held_on": days_ago(3), "panel": [], "summary": "Crisis at home",
                    "agencies": [" Community LD team ", "Social care", "Provider"],
                    "laep_outcome": "admission_avoided"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let laep: Value = res.json().await.unwrap();
    assert_eq!(
        laep["agencies"],
        json!(["Community LD team", "Social care", "Provider"])
    );
    assert_eq!(laep["laep_outcome"], "admission_avoided");
    let second: Value = coord
        .post(
            &path,
            &json!({"kind": "laep", "held_on": days_ago(1), "panel": [], "summary": "Again",
                    "agencies": ["Social care"]}),
        )
        .json()
        .await;
    assert_eq!(
        second["laep_outcome"],
        Value::Null,
        "the outcome may follow"
    );
    let cetr = format!("/cetrs/{}", second["id"].as_str().unwrap());
    let changed: Value = coord
        .patch(&cetr, &json!({"laep_outcome": "community_cetr_arranged"}))
        .json()
        .await;
    assert_eq!(changed["laep_outcome"], "community_cetr_arranged");
    let emptied = coord.patch(&cetr, &json!({"agencies": []})).await;
    assert_eq!(
        error_fields(&assert_problem(emptied, 422).await),
        ["agencies"]
    );

    let summary: Value = manager
        .get(&format!("/reports/summary?area={area}"))
        .json()
        .await;
    assert_eq!(summary["laeps_12_months"], 2);
    assert_eq!(summary["laep_outcomes"]["admission_avoided"], 1);
    assert_eq!(summary["laep_outcomes"]["community_cetr_arranged"], 1);
    assert_eq!(summary["laep_outcomes"]["not_recorded"], 0);
    let before: Value = manager
        .get(&format!(
            "/reports/summary?area={area}&as_of={}",
            days_ago(2)
        ))
        .json()
        .await;
    assert_eq!(before["laeps_12_months"], 1, "as at the date");
}

#[tokio::test]
async fn an_oversight_visit_records_concerns() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let stay = coord.admitted("Xan", 20).await;
    let path = format!("/admissions/{}/visits", stay.admission_id);
    let res = coord
        .post(
            &path,
            &json!({"visited_on": days_ago(1), "visitor": "Case manager",
                    "concerns": " Restrictive practice used twice this week "}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let visit: Value = res.json().await.unwrap();
    assert_eq!(
        visit["concerns"],
        "Restrictive practice used twice this week"
    );
    let visits: Value = coord.get(&path).json().await;
    assert_eq!(visits[0]["concerns"], visit["concerns"]);
}
