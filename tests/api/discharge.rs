use serde_json::{json, Value};

use crate::helpers::*;

struct Setup {
    coord: String,
    kw_id: String,
    kw: String,
    clin_id: String,
    clinician: String,
    entry_id: String,
    admission_id: String,
}

async fn setup(app: &TestApp) -> Setup {
    let coord = app.sign_in(Role::Coordinator).await;
    let kw = app.sign_in(Role::Keyworker).await;
    let kw_id = kw.id.clone();
    let clinician = app.sign_in(Role::Clinician).await;
    let clin_id = clinician.id.clone();
    let admitted = coord.admitted("Plan", 3).await;
    coord.assign_keyworker(&admitted.person_id, &kw_id).await;
    Setup {
        coord: coord.token.clone(),
        kw_id,
        kw: kw.token.clone(),
        clin_id,
        clinician: clinician.token.clone(),
        entry_id: admitted.entry["id"].as_str().unwrap().to_string(),
        admission_id: admitted.admission_id,
    }
}

#[tokio::test]
async fn the_done_when_walkthrough() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let res = app
        .post(
            &format!("/admissions/{}/discharge-plan", s.admission_id),
            Some(&s.coord),
            &json!({"planned_discharge_date": days_ahead(60)}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let plan: Value = res.json().await.unwrap();
    let points = plan["points"].as_array().unwrap();
    assert_eq!(points.len(), 12);
    assert_eq!(
        points
            .iter()
            .map(|p| p["number"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );
    assert!(points
        .iter()
        .all(|p| p["status"] == "not_started" && p["owner"].is_null()));
    assert_eq!(
        points[0]["title"],
        "Person and family views and wishes (plan co-produced)"
    );
    assert_eq!(plan["review_cycle_days"], 28);
    assert_eq!(
        plan["next_review_due"],
        json!(days_ahead(28)),
        "first review one cycle after creation"
    );
    assert_eq!(plan["complete_count"], 0);
    let entry: Value = app
        .get_json(&format!("/register/{}", s.entry_id), &s.coord)
        .await;
    assert_eq!(entry["discharge_points_complete"], 0);
    let plan_path = location.trim_start_matches("/api/v1").to_string();

    // Owners and target dates for all twelve: odd points the keyworker, even the clinician.
    let mut etag = plan["version"].as_i64().unwrap();
    for n in 1..=12 {
        let owner = if n % 2 == 1 { &s.kw_id } else { &s.clin_id };
        let res = app
            .patch(
                &format!("{plan_path}/points/{n}"),
                &s.coord,
                &json!({"owner_id": owner, "target_date": days_ahead(n * 2)}),
                Some(&format!("\"{etag}\"")),
            )
            .await;
        assert_eq!(res.status(), 200, "point {n}");
        etag = res.json::<Value>().await.unwrap()["version"]
            .as_i64()
            .unwrap();
    }
    // The keyworker completes the six they own, and may not touch the clinician's.
    for n in [1, 3, 5, 7, 9, 11] {
        let res = app
            .patch(
                &format!("{plan_path}/points/{n}"),
                &s.kw,
                &json!({"status": "complete", "notes": "Done"}),
                None,
            )
            .await;
        assert_eq!(res.status(), 200, "point {n}");
    }
    assert_problem(
        app.patch(
            &format!("{plan_path}/points/2"),
            &s.kw,
            &json!({"status": "complete"}),
            None,
        )
        .await,
        403,
    )
    .await;
    assert_problem(
        app.patch(
            &format!("{plan_path}/points/1"),
            &s.kw,
            &json!({"target_date": days_ahead(90)}),
            None,
        )
        .await,
        403,
    )
    .await;
    assert_eq!(
        app.patch(
            &format!("{plan_path}/points/4"),
            &s.clinician,
            &json!({"status": "not_applicable"}),
            None
        )
        .await
        .status(),
        200
    );

    let plan: Value = app.get_json(&plan_path, &s.kw).await;
    assert_eq!(plan["complete_count"], 6);
    assert_eq!(plan["closed_count"], 7);
    assert_eq!(plan["progress_percent"], 58);
    assert_eq!(plan["points"][0]["completed_on"], json!(today()));
    assert_eq!(plan["points"][0]["owner"]["id"], s.kw_id.as_str());
    let entry: Value = app
        .get_json(&format!("/register/{}", s.entry_id), &s.coord)
        .await;
    assert_eq!(entry["discharge_points_complete"], 6);

    let res = app
        .post(
            &format!("{plan_path}/reviews"),
            Some(&s.clinician),
            &json!({"reviewed_on": days_ago(1), "summary": "On track"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let plan: Value = app.get_json(&plan_path, &s.coord).await;
    assert_eq!(plan["last_review_on"], json!(days_ago(1)));
    assert_eq!(plan["next_review_due"], json!(date_plus(days_ago(1), 28)));
    let reviews: Value = app
        .get_json(&format!("{plan_path}/reviews"), &s.coord)
        .await;
    assert_eq!(reviews.as_array().unwrap().len(), 1);

    let res = app
        .patch(
            &format!("/admissions/{}", s.admission_id),
            &s.coord,
            &json!({"discharged_on": today()}),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let frozen: Value = app
        .get(
            &format!("/admissions/{}/discharge-plan", s.admission_id),
            &s.kw,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(frozen["frozen"], true);
    assert_eq!(frozen["frozen_on"], json!(today()));
    assert_eq!(frozen["complete_count"], 6, "kept as it was");
    assert_problem(
        app.patch(
            &format!("{plan_path}/points/2"),
            &s.clinician,
            &json!({"status": "complete"}),
            None,
        )
        .await,
        409,
    )
    .await;
    // Point 12, the post-discharge follow-up, is still worked on after the discharge.
    let res = app
        .patch(
            &format!("{plan_path}/points/12"),
            &s.coord,
            &json!({"status": "complete", "notes": "Seen at home on day 2"}),
            None,
        )
        .await;
    assert_eq!(res.status(), 200, "point 12 stays editable");
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["frozen"], true, "still frozen");
    assert_eq!(after["points"][11]["status"], "complete");
    assert_eq!(after["points"][11]["notes"], "Seen at home on day 2");
    assert_problem(
        app.patch(
            &plan_path,
            &s.coord,
            &json!({"review_cycle_days": 14}),
            None,
        )
        .await,
        409,
    )
    .await;
    assert_problem(
        app.post(
            &format!("{plan_path}/reviews"),
            Some(&s.coord),
            &json!({"reviewed_on": today(), "summary": "x"}),
        )
        .await,
        409,
    )
    .await;
    let entry: Value = app
        .get_json(&format!("/register/{}", s.entry_id), &s.coord)
        .await;
    assert!(
        entry["discharge_points_complete"].is_null(),
        "no current plan after discharge"
    );
}

#[tokio::test]
async fn one_plan_per_open_admission() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let path = format!("/admissions/{}/discharge-plan", s.admission_id);
    assert_problem(app.get(&path, &s.coord).await, 404).await;
    assert_eq!(
        app.post(&path, Some(&s.coord), &json!({})).await.status(),
        201
    );
    assert_problem(app.post(&path, Some(&s.clinician), &json!({})).await, 409).await;
    assert_problem(
        app.post(
            &format!("/admissions/{}/discharge-plan", uuid::Uuid::new_v4()),
            Some(&s.coord),
            &json!({}),
        )
        .await,
        404,
    )
    .await;

    let entry = app.person_on_register(&s.coord, "Gone", "red").await;
    let admission = app
        .admit(
            &s.coord,
            entry["person_id"].as_str().unwrap(),
            days_ago(9),
            "low_secure",
        )
        .await;
    let adm_path = format!("/admissions/{}", admission["id"].as_str().unwrap());
    app.patch(
        &adm_path,
        &s.coord,
        &json!({"discharged_on": today()}),
        None,
    )
    .await;
    assert_problem(
        app.post(
            &format!("{adm_path}/discharge-plan"),
            Some(&s.coord),
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    let problem = assert_problem(
        app.post(
            &path,
            Some(&s.coord),
            &json!({"review_cycle_days": 0, "extra": 1}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["extra"]);
}

#[tokio::test]
async fn points_need_owners_who_can_see_the_person_and_the_plan_etag() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let stranger_id = app.sign_in(Role::Keyworker).await.id;
    let plan: Value = app
        .post(
            &format!("/admissions/{}/discharge-plan", s.admission_id),
            Some(&s.coord),
            &json!({"review_cycle_days": 14}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["next_review_due"], json!(days_ahead(14)));
    let path = format!("/discharge-plans/{}", plan["id"].as_str().unwrap());
    let problem = assert_problem(
        app.patch(
            &format!("{path}/points/3"),
            &s.coord,
            &json!({"owner_id": stranger_id}),
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["owner_id"]);
    let problem = assert_problem(
        app.patch(
            &format!("{path}/points/3"),
            &s.coord,
            &json!({"status": "finished"}),
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["status"]);
    assert_problem(
        app.patch(
            &format!("{path}/points/13"),
            &s.coord,
            &json!({"status": "complete"}),
            None,
        )
        .await,
        404,
    )
    .await;
    assert_problem(
        app.patch(
            &format!("{path}/points/two"),
            &s.coord,
            &json!({"status": "complete"}),
            None,
        )
        .await,
        404,
    )
    .await;

    let res = app
        .patch(
            &format!("{path}/points/3"),
            &s.coord,
            &json!({"status": "in_progress", "owner_id": s.clin_id}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("etag").unwrap(), "\"2\"");
    let res = app
        .patch(
            &format!("{path}/points/5"),
            &s.clinician,
            &json!({"status": "complete"}),
            Some("\"1\""),
        )
        .await;
    assert_problem(res, 412).await;
    let now: Value = app.get_json(&path, &s.coord).await;
    assert_eq!(
        now["points"][4]["status"], "not_started",
        "the refused change was not applied"
    );
    let cleared: Value = app
        .patch(
            &format!("{path}/points/3"),
            &s.coord,
            &json!({"owner_id": null}),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(cleared["points"][2]["owner"].is_null());

    let res = app
        .patch(&path, &s.coord, &json!({"review_cycle_days": 42}), None)
        .await;
    let changed: Value = res.json().await.unwrap();
    assert_eq!(
        changed["next_review_due"],
        json!(days_ahead(42)),
        "creation date + the new cycle"
    );
    let problem = assert_problem(
        app.post(
            &format!("{path}/reviews"),
            Some(&s.coord),
            &json!({"reviewed_on": days_ahead(1), "summary": ""}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&problem), vec!["reviewed_on", "summary"]);
}

#[tokio::test]
async fn point_titles_come_from_configuration() {
    let titles: Vec<String> = (1..=12).map(|i| format!("Local point {i}")).collect();
    let app = spawn_app_with(|s| s.discharge.points = titles.clone()).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let (_, plan) = coord.with_plan("Titles").await;
    let got: Vec<&str> = plan["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(got, titles.iter().map(String::as_str).collect::<Vec<_>>());
}
