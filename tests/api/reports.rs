use serde_json::{json, Value};

use crate::helpers::*;

fn years_ago(years: u32) -> chrono::NaiveDate {
    today()
        .checked_sub_months(chrono::Months::new(12 * years))
        .unwrap()
}

async fn person(app: &TestApp, token: &str, name: &str, area: &str, age: u32) -> Value {
    let mut body = person_body(name, "Report");
    body["area"] = json!(area);
    body["date_of_birth"] = json!(years_ago(age));
    app.create_person(token, &body).await
}

/// A register whose every number is known by hand:
/// A red (North, 16) opened 20 days ago with a keyworker; B amber (North, 20) today;
/// C green (South, 40) today; D (South, 30) admitted 10 days ago; E closed;
/// G (East, 50) admitted 200 days ago, discharged 150 days ago, readmitted 100 days ago
/// (50 days later), then died in hospital 95 days ago.
#[tokio::test]
async fn the_summary_matches_hand_counts() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw_id = app.sign_in(Role::Keyworker).await.id;
    let a = person(&app, &coord, "A", "North", 16).await;
    let a_entry = app.open_entry(&coord, &a, "red", Some(days_ago(20))).await;
    coord
        .assign_keyworker(a["id"].as_str().unwrap(), &kw_id)
        .await;
    let b = person(&app, &coord, "B", "North", 20).await;
    app.open_entry(&coord, &b, "amber", None).await;
    let c = person(&app, &coord, "C", "South", 40).await;
    app.open_entry(&coord, &c, "green", None).await;
    let d = person(&app, &coord, "D", "South", 30).await;
    let d_id = d["id"].as_str().unwrap();
    app.admit(&coord, d_id, days_ago(10), "non_secure").await;
    let cetr = json!({"kind": "post_admission", "held_on": days_ago(3), "panel": full_panel(), "summary": "s"});
    assert_eq!(
        coord
            .post(&format!("/people/{d_id}/cetrs"), &cetr)
            .await
            .status(),
        201
    );
    let e = person(&app, &coord, "E", "South", 30).await;
    let e_entry = app
        .open_entry(&coord, &e, "amber", Some(days_ago(30)))
        .await;
    coord
        .post(
            &format!("/register/{}/close", e_entry["id"].as_str().unwrap()),
            &json!({"reason": "no_longer_at_risk"}),
        )
        .await;
    let g = person(&app, &coord, "G", "East", 50).await;
    let g_id = g["id"].as_str().unwrap();
    let first = app.admit(&coord, g_id, days_ago(200), "low_secure").await;
    let late_cetr = json!({"kind": "post_admission", "held_on": days_ago(170), "admission_id": first["id"], "panel": full_panel(), "summary": "s"});
    assert_eq!(
        coord
            .post(&format!("/people/{g_id}/cetrs"), &late_cetr)
            .await
            .status(),
        201
    );
    coord
        .patch(
            &format!("/admissions/{}", first["id"].as_str().unwrap()),
            &json!({"discharged_on": days_ago(150)}),
        )
        .await;
    let second = app.admit(&coord, g_id, days_ago(100), "low_secure").await;
    coord
        .patch(
            &format!("/admissions/{}", second["id"].as_str().unwrap()),
            &json!({"discharged_on": days_ago(95), "discharge_destination": "died"}),
        )
        .await;
    assert_eq!(
        coord.post("/escalations/run", &json!({})).await.status(),
        200
    );

    let manager = app.sign_in(Role::Manager).await;
    let s: Value = manager.get("/reports/summary").json().await;
    assert_eq!(
        s["register"],
        json!({"red": 1, "amber": 1, "green": 1, "blue": 1, "total": 4})
    );
    assert_eq!(
        s["by_age_group"],
        json!({"child": 1, "young_person": 1, "adult": 2})
    );
    assert_eq!(s["by_area"], json!({"North": 2, "South": 2}));
    assert_eq!(s["inpatients"], 1);
    assert_eq!(s["readmissions_90_days"], 1);
    assert_eq!(s["cetrs_held_12_months"], 2);
    assert_eq!(
        s["cetrs_on_time_12_months"], 1,
        "D's on time, G's two days late"
    );
    assert_eq!(s["cetr_on_time_percent"], 50.0);
    let overdue = &s["overdue"];
    assert_eq!(
        overdue.as_object().unwrap().len(),
        dsr::domain::alerts::AlertKind::ALL.len(),
        "every kind is listed"
    );
    // A: review 13 days and community C(E)TR 6 days; D: no keyworker and no discharge plan.
    for (kind, n) in [
        ("dsr_review_overdue", 1),
        ("cetr_required", 1),
        ("no_keyworker", 1),
        ("no_discharge_plan", 1),
        ("cetr_overdue", 0),
        ("oversight_visit_overdue", 0),
    ] {
        assert_eq!(overdue[kind], n, "{kind}");
    }

    let north: Value = manager.get("/reports/summary?area=North").json().await;
    assert_eq!(north["register"]["total"], 2);
    assert_eq!(north["overdue"]["no_keyworker"], 0);
    assert_eq!(north["overdue"]["dsr_review_overdue"], 1);
    assert_eq!(north["inpatients"], 0);

    // A turns amber today; 15 days ago it was red, and only A and E (closed today) were on
    // the register.
    let res = coord
        .patch(
            &format!("/register/{}", a_entry["id"].as_str().unwrap()),
            &json!({"rag": "amber", "rag_reason": "Settling"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let now: Value = manager.get("/reports/summary").json().await;
    assert_eq!(
        now["register"],
        json!({"red": 0, "amber": 2, "green": 1, "blue": 1, "total": 4})
    );
    let past: Value = manager
        .get(&format!("/reports/summary?as_of={}", days_ago(15)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        past["register"],
        json!({"red": 1, "amber": 1, "green": 0, "blue": 0, "total": 2})
    );
    assert_eq!(past["as_of"], json!(days_ago(15)));
    assert_eq!(
        past["overdue"]["dsr_review_overdue"], 0,
        "no alert was open then"
    );
    let long_ago: Value = manager
        .get(&format!("/reports/summary?as_of={}", days_ago(120)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(long_ago["inpatients"], 0);
    assert_eq!(
        long_ago["register"]["red"], 1,
        "G was red in the community between admissions"
    );

    assert_problem(manager.get("/reports/summary?as_of=yesterday").await, 400).await;
    for role in [Role::Clinician, Role::Keyworker] {
        let (_, token) = app.user_with_role(role).await;
        assert_problem(app.get("/reports/summary", &token).await, 403).await;
    }
    assert_problem(
        app.get("/reports/summary", &app.admin_token().await).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn the_export_is_clean_csv_with_formulas_neutralised() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut body = person_body("Ann, \"Annie\"", "O'Neil");
    body["area"] = json!("North");
    let ann = app.create_person(&coord, &body).await;
    let res = coord.post("/register", &json!({"person_id": ann["id"], "rag": "red", "risk_summary": "=HYPERLINK(\"http://evil\",\"click\")\nsecond line", "referral_source": "@SUM(1)"}))
        .await;
    assert_eq!(res.status(), 201);
    coord.person_on_register("Bob", Rag::Green).await;

    let res = coord.get("/register/export.csv?rag=red").await;
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = res
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains(&format!("dsr-register-{}.csv", today())),
        "{disposition}"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM for spreadsheets"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, dsr::reports::export::COLUMNS.to_vec());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "the list's filters apply");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = &rows[0];
    assert_eq!(&row[col("given_name")], "Ann, \"Annie\"");
    assert_eq!(
        &row[col("risk_summary")],
        "'=HYPERLINK(\"http://evil\",\"click\")\nsecond line"
    );
    assert_eq!(&row[col("referral_source")], "'@SUM(1)");
    assert_eq!(&row[col("opened_on")], today().to_string());
    assert_eq!(&row[col("next_review_due")], days_ahead(7).to_string());
    assert_eq!(&row[col("area")], "North");
    assert_eq!(&row[col("rag")], "red");
    assert_eq!(&row[col("nhs_number")], ann["nhs_number"].as_str().unwrap());
    let all = coord
        .get("/register/export.csv")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(csv::Reader::from_reader(&all[3..]).records().count(), 2);

    let admin = app.admin_token().await;
    let audit: Value = app.get_json("/audit?action=export", &admin).await;
    assert_eq!(audit["total"], 2);
    assert_eq!(audit["items"][0]["entity_type"], "register");
    let manager = app.sign_in(Role::Manager).await;
    assert_eq!(manager.get("/register/export.csv").await.status(), 200);
    for role in [Role::Clinician, Role::Keyworker] {
        let (_, token) = app.user_with_role(role).await;
        assert_problem(app.get("/register/export.csv", &token).await, 403).await;
    }
    assert_problem(coord.get("/register/export.csv?rag=purple").await, 400).await;
}
