use serde_json::{json, Value};

use crate::helpers::*;

fn cetr_body(kind: &str, held_on: chrono::NaiveDate) -> Value {
    json!({"kind": kind, "held_on": held_on, "panel": full_panel(), "summary": "Panel met with Sam and family", "outcome": "Continue"})
}

#[tokio::test]
async fn the_done_when_walkthrough() {
    let app = spawn_app().await;
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
    let (_, clinician) = app.user_with_role(Role::Clinician).await;
    let (kw_id, kw) = app.user_with_role(Role::Keyworker).await;
    let entry = app.person_on_register(&coord, "Cetr", "red").await;
    let person_id = entry["person_id"].as_str().unwrap();
    app.assign_keyworker(&coord, person_id, &kw_id).await;
    app.admit(&coord, person_id, days_ago(25), "non_secure")
        .await;
    let blue: Value = app
        .get(
            &format!("/register/{}", entry["id"].as_str().unwrap()),
            &coord,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(blue["rag"], "blue");

    let res = app
        .post(
            &format!("/people/{person_id}/cetrs"),
            Some(&clinician),
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
        let res = app
            .post(
                &format!("/cetrs/{cetr_id}/actions"),
                Some(&clinician),
                &json!({"description": what, "owner_id": kw_id, "due_on": due}),
            )
            .await;
        assert_eq!(res.status(), 201, "{what}");
        actions.push(res.json::<Value>().await.unwrap());
    }
    assert_eq!(actions[0]["overdue"], true);
    assert_eq!(actions[2]["overdue"], false);

    let done = app
        .patch(
            &format!("/cetr-actions/{}", actions[1]["id"].as_str().unwrap()),
            &kw,
            &json!({"status": "done", "completion_note": "Referral sent"}),
            None,
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
    let full: Value = app.get_json(&format!("/cetrs/{cetr_id}"), &coord).await;
    assert_eq!(full["actions"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn panels_must_include_the_three_roles_except_for_a_laep() {
    let app = spawn_app().await;
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
    let entry = app.person_on_register(&coord, "Panel", "red").await;
    let path = format!("/people/{}/cetrs", entry["person_id"].as_str().unwrap());
    let mut body = cetr_body("community", today());
    body["panel"] = json!([{"name": "Chair", "role": "chair"}, {"name": "Commissioner", "role": "commissioner"}]);
    let problem = assert_problem(app.post(&path, Some(&coord), &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["panel"]);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("clinical_expert") && message.contains("expert_by_experience"),
        "{message}"
    );
    body["panel"] = json!([{"name": "", "role": "wizard"}]);
    let problem = assert_problem(app.post(&path, Some(&coord), &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["panel[0].role"]);
    let mut laep = cetr_body("laep", today());
    laep["panel"] = json!([]);
    assert_eq!(app.post(&path, Some(&coord), &laep).await.status(), 201);
    let mut future = cetr_body("community", days_ahead(2));
    future["summary"] = json!("");
    let problem = assert_problem(app.post(&path, Some(&coord), &future).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["held_on", "summary"]);
}

#[tokio::test]
async fn inpatient_cetrs_restart_the_clock_by_setting_and_age() {
    let app = spawn_app().await;
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
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
        let res = app
            .post(
                &format!("/people/{person_id}/cetrs"),
                Some(&coord),
                &cetr_body("post_admission", days_ago(30)),
            )
            .await;
        let cetr: Value = res.json().await.unwrap();
        let expected = json!(date_plus(days_ago(30), repeat));
        assert_eq!(cetr["next_due"], expected, "{setting}");
        assert_eq!(cetr["admission_id"], admission["id"]);
        let adm: Value = app
            .get(
                &format!("/admissions/{}", admission["id"].as_str().unwrap()),
                &coord,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(adm["next_cetr_due"], expected, "{setting}");
        let entry: Value = app
            .get(
                &format!(
                    "/register/{}",
                    admission["register_entry_id"].as_str().unwrap()
                ),
                &coord,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(entry["next_cetr_due"], expected, "{setting}");

        // Correcting the date moves the clock with it.
        let res = app
            .patch(
                &format!("/cetrs/{}", cetr["id"].as_str().unwrap()),
                &coord,
                &json!({"held_on": days_ago(25)}),
                Some("\"1\""),
            )
            .await;
        assert_eq!(res.status(), 200);
        let adm: Value = app
            .get(
                &format!("/admissions/{}", admission["id"].as_str().unwrap()),
                &coord,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            adm["next_cetr_due"],
            json!(date_plus(days_ago(25), repeat)),
            "{setting}"
        );
        let early = app
            .patch(
                &format!("/cetrs/{}", cetr["id"].as_str().unwrap()),
                &coord,
                &json!({"held_on": days_ago(41)}),
                None,
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
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
    let entry = app.person_on_register(&coord, "Red", "red").await;
    let person_id = entry["person_id"].as_str().unwrap();
    assert_eq!(
        entry["next_cetr_due"],
        json!(date_plus(today(), 14)),
        "red: community C(E)TR within 14 days"
    );
    let problem = assert_problem(
        app.post(
            &format!("/people/{person_id}/cetrs"),
            Some(&coord),
            &cetr_body("inpatient", today()),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["admission_id"]);
    let other = app.person_on_register(&coord, "Other", "amber").await;
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
        app.post(
            &format!("/people/{person_id}/cetrs"),
            Some(&coord),
            &foreign,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["admission_id"]);

    assert_eq!(
        app.post(
            &format!("/people/{person_id}/cetrs"),
            Some(&coord),
            &cetr_body("community", today())
        )
        .await
        .status(),
        201
    );
    let after: Value = app
        .get(
            &format!("/register/{}", entry["id"].as_str().unwrap()),
            &coord,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(after["next_cetr_due"].is_null(), "held since turning red");
    let list: Value = app
        .get_json(&format!("/people/{person_id}/cetrs"), &coord)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn action_owners_must_see_the_person_and_keyworkers_update_only_their_own() {
    let app = spawn_app().await;
    let (_, coord) = app.user_with_role(Role::Coordinator).await;
    let (clin_id, clinician) = app.user_with_role(Role::Clinician).await;
    let (kw_id, kw) = app.user_with_role(Role::Keyworker).await;
    let (stranger_kw_id, _) = app.user_with_role(Role::Keyworker).await;
    let me: Value = app
        .get("/me", &app.admin_token().await)
        .await
        .json()
        .await
        .unwrap();
    let entry = app.person_on_register(&coord, "Own", "red").await;
    let person_id = entry["person_id"].as_str().unwrap();
    app.assign_keyworker(&coord, person_id, &kw_id).await;
    let cetr: Value = app
        .post(
            &format!("/people/{person_id}/cetrs"),
            Some(&coord),
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
        let res = app
            .post(
                &actions_path,
                Some(&coord),
                &json!({"description": "x", "owner_id": owner, "due_on": today()}),
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(error_fields(&problem), vec!["owner_id"]);
    }
    let early = app
        .post(
            &actions_path,
            Some(&coord),
            &json!({"description": "x", "owner_id": clin_id, "due_on": days_ago(4)}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(early, 422).await),
        vec!["due_on"]
    );
    let clin_action: Value = app
        .post(
            &actions_path,
            Some(&coord),
            &json!({"description": "Clinician's", "owner_id": clin_id, "due_on": days_ahead(3)}),
        )
        .await
        .json()
        .await
        .unwrap();
    let kw_action: Value = app
        .post(
            &actions_path,
            Some(&clinician),
            &json!({"description": "Keyworker's", "owner_id": kw_id, "due_on": days_ahead(3)}),
        )
        .await
        .json()
        .await
        .unwrap();

    let clin_path = format!("/cetr-actions/{}", clin_action["id"].as_str().unwrap());
    let kw_path = format!("/cetr-actions/{}", kw_action["id"].as_str().unwrap());
    assert_problem(
        app.patch(&clin_path, &kw, &json!({"status": "done"}), None)
            .await,
        403,
    )
    .await;
    assert_problem(
        app.patch(&kw_path, &kw, &json!({"due_on": days_ahead(30)}), None)
            .await,
        403,
    )
    .await;
    assert_eq!(
        app.patch(
            &kw_path,
            &kw,
            &json!({"status": "in_progress"}),
            Some("\"1\"")
        )
        .await
        .status(),
        200
    );
    assert_problem(
        app.patch(&kw_path, &kw, &json!({"status": "done"}), Some("\"1\""))
            .await,
        412,
    )
    .await;
    let done: Value = app
        .patch(&kw_path, &kw, &json!({"status": "done"}), Some("\"2\""))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["completed_on"], json!(today()));
    let reopened: Value = app
        .patch(&kw_path, &clinician, &json!({"status": "open"}), None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        reopened["completed_on"].is_null(),
        "reopening clears completed_on"
    );

    let moved = app
        .patch(
            &clin_path,
            &coord,
            &json!({"owner_id": stranger_kw_id}),
            None,
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(moved, 422).await),
        vec!["owner_id"]
    );
    let (_, manager) = app.user_with_role(Role::Manager).await;
    assert_problem(
        app.patch(&clin_path, &manager, &json!({"status": "done"}), None)
            .await,
        403,
    )
    .await;

    let mine: Value = app
        .get_json(&format!("/cetr-actions?owner_id={kw_id}"), &coord)
        .await;
    assert_eq!(mine["total"], 1);
    let open: Value = app
        .get(
            &format!("/cetr-actions?status=open,in_progress&person_id={person_id}"),
            &coord,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open["total"], 2);
    assert_problem(app.get("/cetr-actions?status=finished", &coord).await, 400).await;
}
