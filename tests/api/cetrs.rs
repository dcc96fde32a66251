use serde_json::{json, Value};

use crate::helpers::*;

fn cetr_body(kind: &str, held_on: chrono::NaiveDate) -> Value {
    json!({"kind": kind, "held_on": held_on, "panel": full_panel(), "summary": "Panel met with Sam and family", "outcome": "Continue"})
}

#[tokio::test]
async fn the_done_when_walkthrough() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let kw = app.sign_in(Role::Keyworker).await;
    let kw_id = kw.id.clone();
    let entry = coord.person_on_register("Cetr", Rag::Red).await;
    let person_id = entry["person_id"].as_str().unwrap();
    coord.assign_keyworker(person_id, &kw_id).await;
    app.admit(&coord, person_id, days_ago(25), "non_secure")
        .await;
    let blue: Value = coord
        .get(&format!("/register/{}", entry["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(blue["rag"], "blue");

    let res = clinician
        .post(
            &format!("/people/{person_id}/cetrs"),
            &cetr_body("post_admission", days_ago(20)),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cetr: Value = res.json().await.unwrap();
    let cetr_id = cetr["id"].as_str().unwrap();
    let mut actions = Vec::new();
    for (what, due) in [
        ("Review medication", days_ago(10)),
        ("Housing referral", days_ago(5)),
        ("Family meeting", days_ahead(10)),
    ] {
        let res = clinician
            .post(
                &format!("/cetrs/{cetr_id}/actions"),
                &json!({"description": what, "owner_id": kw_id, "due_on": due}),
            )
            .await;
        assert_eq!(res.status(), 201, "{what}");
        actions.push(res.json::<Value>().await.unwrap());
    }
    assert_eq!(actions[0]["overdue"], true);
    assert_eq!(actions[2]["overdue"], false);

    let done = kw
        .patch(
            &format!("/cetr-actions/{}", actions[1]["id"].as_str().unwrap()),
            &json!({"status": "done", "completion_note": "Referral sent"}),
        )
        .await;
    assert_eq!(done.status(), 200);
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["completed_on"], json!(today()));
    assert_eq!(done["overdue"], false);

    for token in [&coord, &kw, &clinician] {
        let late: Value = app.get_json("/cetr-actions?overdue=true", token).await;
        let ids: Vec<&str> = late["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![actions[0]["id"].as_str().unwrap()]);
    }
    let full: Value = coord.get(&format!("/cetrs/{cetr_id}")).json().await;
    assert_eq!(full["actions"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn panels_must_include_the_three_roles_except_for_a_laep() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Panel", Rag::Red).await;
    let path = format!("/people/{}/cetrs", entry["person_id"].as_str().unwrap());
    let mut body = cetr_body("community", today());
    body["panel"] = json!([{"name": "Chair", "role": "chair"}, {"name": "Commissioner", "role": "commissioner"}]);
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["panel"]);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("clinical_expert") && message.contains("expert_by_experience"),
        "{message}"
    );
    body["panel"] = json!([{"name": "", "role": "wizard"}]);
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["panel[0].role"]);
    let mut laep = cetr_body("laep", today());
    laep["panel"] = json!([]);
    laep["agencies"] = json!(["Community learning disability team"]);
    assert_eq!(coord.post(&path, &laep).await.status(), 201);
    let mut future = cetr_body("community", days_ahead(2));
    future["summary"] = json!("");
    let problem = assert_problem(coord.post(&path, &future).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["held_on", "summary"]);
}

#[tokio::test]
async fn inpatient_cetrs_restart_the_clock_by_setting_and_age() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let sixteen = today()
        .checked_sub_months(chrono::Months::new(12 * 16))
        .unwrap();
    // (setting, date of birth, repeat days)
    let cases = [
        ("non_secure", "1990-01-01", 182),
        ("low_secure", "1990-01-01", 365),
        ("medium_secure", "1990-01-01", 365),
        ("cyp_inpatient", &*sixteen.to_string(), 91),
    ];
    for (setting, dob, repeat) in cases {
        let mut body = person_body("Clock", setting);
        body["date_of_birth"] = json!(dob);
        let person = app.create_person(&coord, &body).await;
        let person_id = person["id"].as_str().unwrap();
        let admission = app.admit(&coord, person_id, days_ago(40), setting).await;
        let res = coord
            .post(
                &format!("/people/{person_id}/cetrs"),
                &cetr_body("post_admission", days_ago(30)),
            )
            .await;
        let cetr: Value = res.json().await.unwrap();
        let expected = json!(date_plus(days_ago(30), repeat));
        assert_eq!(cetr["next_due"], expected, "{setting}");
        assert_eq!(cetr["admission_id"], admission["id"]);
        let adm: Value = coord
            .get(&format!(
                "/admissions/{}",
                admission["id"].as_str().unwrap()
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(adm["next_cetr_due"], expected, "{setting}");
        let entry: Value = coord
            .get(&format!(
                "/register/{}",
                admission["register_entry_id"].as_str().unwrap()
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(entry["next_cetr_due"], expected, "{setting}");

        // Correcting the date moves the clock with it.
        let res = coord
            .patch(
                &format!("/cetrs/{}", cetr["id"].as_str().unwrap()),
                &json!({"held_on": days_ago(25)}),
            )
            .if_match(1)
            .await;
        assert_eq!(res.status(), 200);
        let adm: Value = coord
            .get(&format!(
                "/admissions/{}",
                admission["id"].as_str().unwrap()
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            adm["next_cetr_due"],
            json!(date_plus(days_ago(25), repeat)),
            "{setting}"
        );
        let early = coord
            .patch(
                &format!("/cetrs/{}", cetr["id"].as_str().unwrap()),
                &json!({"held_on": days_ago(41)}),
            )
            .await;
        let problem = assert_problem(early, 422).await;
        assert_eq!(
            error_fields(&problem),
            vec!["held_on"],
            "not before the admission"
        );
    }
}

#[tokio::test]
async fn inpatient_kinds_need_an_admission_and_community_cetrs_stop_the_red_clock() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Red", Rag::Red).await;
    let person_id = entry["person_id"].as_str().unwrap();
    assert_eq!(
        entry["next_cetr_due"],
        json!(date_plus(today(), 14)),
        "red: community C(E)TR within 14 days"
    );
    let problem = assert_problem(
        coord
            .post(
                &format!("/people/{person_id}/cetrs"),
                &cetr_body("inpatient", today()),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["admission_id"]);
    let other = coord.person_on_register("Other", Rag::Amber).await;
    let other_adm = app
        .admit(
            &coord,
            other["person_id"].as_str().unwrap(),
            days_ago(3),
            "non_secure",
        )
        .await;
    let mut foreign = cetr_body("independent", today());
    foreign["admission_id"] = other_adm["id"].clone();
    let problem = assert_problem(
        coord
            .post(&format!("/people/{person_id}/cetrs"), &foreign)
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["admission_id"]);

    assert_eq!(
        coord
            .post(
                &format!("/people/{person_id}/cetrs"),
                &cetr_body("community", today())
            )
            .await
            .status(),
        201
    );
    let after: Value = coord
        .get(&format!("/register/{}", entry["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert!(after["next_cetr_due"].is_null(), "held since turning red");
    let list: Value = coord
        .get(&format!("/people/{person_id}/cetrs"))
        .json()
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn action_owners_must_see_the_person_and_keyworkers_update_only_their_own() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let clin_id = clinician.id.clone();
    let kw = app.sign_in(Role::Keyworker).await;
    let kw_id = kw.id.clone();
    let stranger_kw_id = app.sign_in(Role::Keyworker).await.id;
    let me: Value = app
        .get("/me", &app.admin_token().await)
        .await
        .json()
        .await
        .unwrap();
    let entry = coord.person_on_register("Own", Rag::Red).await;
    let person_id = entry["person_id"].as_str().unwrap();
    coord.assign_keyworker(person_id, &kw_id).await;
    let cetr: Value = coord
        .post(
            &format!("/people/{person_id}/cetrs"),
            &cetr_body("community", days_ago(3)),
        )
        .await
        .json()
        .await
        .unwrap();
    let actions_path = format!("/cetrs/{}/actions", cetr["id"].as_str().unwrap());
    for owner in [
        stranger_kw_id.clone(),
        me["id"].as_str().unwrap().to_string(),
        uuid::Uuid::new_v4().to_string(),
    ] {
        let res = coord
            .post(
                &actions_path,
                &json!({"description": "x", "owner_id": owner, "due_on": today()}),
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(error_fields(&problem), vec!["owner_id"]);
    }
    let early = coord
        .post(
            &actions_path,
            &json!({"description": "x", "owner_id": clin_id, "due_on": days_ago(4)}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(early, 422).await),
        vec!["due_on"]
    );
    let clin_action: Value = coord
        .post(
            &actions_path,
            &json!({"description": "Clinician's", "owner_id": clin_id, "due_on": days_ahead(3)}),
        )
        .await
        .json()
        .await
        .unwrap();
    let kw_action: Value = clinician
        .post(
            &actions_path,
            &json!({"description": "Keyworker's", "owner_id": kw_id, "due_on": days_ahead(3)}),
        )
        .await
        .json()
        .await
        .unwrap();

    let clin_path = format!("/cetr-actions/{}", clin_action["id"].as_str().unwrap());
    let kw_path = format!("/cetr-actions/{}", kw_action["id"].as_str().unwrap());
    assert_problem(kw.patch(&clin_path, &json!({"status": "done"})).await, 403).await;
    assert_problem(
        kw.patch(&kw_path, &json!({"due_on": days_ahead(30)})).await,
        403,
    )
    .await;
    assert_eq!(
        kw.patch(&kw_path, &json!({"status": "in_progress"}))
            .if_match(1)
            .await
            .status(),
        200
    );
    assert_problem(
        kw.patch(&kw_path, &json!({"status": "done"}))
            .if_match(1)
            .await,
        412,
    )
    .await;
    let done: Value = kw
        .patch(&kw_path, &json!({"status": "done"}))
        .if_match(2)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["completed_on"], json!(today()));
    let reopened: Value = clinician
        .patch(&kw_path, &json!({"status": "open"}))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        reopened["completed_on"].is_null(),
        "reopening clears completed_on"
    );

    let moved = coord
        .patch(&clin_path, &json!({"owner_id": stranger_kw_id}))
        .await;
    assert_eq!(
        error_fields(&assert_problem(moved, 422).await),
        vec!["owner_id"]
    );
    let manager = app.sign_in(Role::Manager).await;
    assert_problem(
        manager.patch(&clin_path, &json!({"status": "done"})).await,
        403,
    )
    .await;

    let mine: Value = coord
        .get(&format!("/cetr-actions?owner_id={kw_id}"))
        .json()
        .await;
    assert_eq!(mine["total"], 1);
    let open: Value = coord
        .get(&format!(
            "/cetr-actions?status=open,in_progress&person_id={person_id}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open["total"], 2);
    assert_problem(coord.get("/cetr-actions?status=finished").await, 400).await;
}
