use serde_json::{json, Value};

use crate::helpers::*;

fn years_ago(years: u32) -> chrono::NaiveDate {
    today()
        .checked_sub_months(chrono::Months::new(12 * years))
        .unwrap()
}

#[tokio::test]
async fn admission_turns_the_entry_blue_and_sets_the_inpatient_clocks() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Adm", Rag::Amber).await;
    let person_id = entry["person_id"].as_str().unwrap();
    let admitted = days_ago(3);
    let res = coord
        .post(
            &format!("/people/{person_id}/admissions"),
            &json!({"admitted_on": admitted, "hospital": "Riverside", "setting": "non_secure"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert!(res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("/api/v1/admissions/"));
    let admission: Value = res.json().await.unwrap();
    assert_eq!(
        admission["next_cetr_due"],
        json!(date_plus(admitted, 28)),
        "adult: post-admission C(E)TR within 28 days"
    );
    assert_eq!(
        admission["next_visit_due"],
        json!(date_plus(admitted, 56)),
        "adult: oversight visit every 56 days"
    );
    assert_eq!(admission["under_18_on_admission"], false);
    assert_eq!(admission["register_entry_id"], entry["id"]);

    let after: Value = coord
        .get(&format!("/register/{}", entry["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["rag"], "blue");
    assert_eq!(after["next_cetr_due"], json!(date_plus(admitted, 28)));
    let history: Value = coord
        .get(&format!(
            "/register/{}/history",
            entry["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(
        (
            last["from"].as_str(),
            last["to"].as_str(),
            last["reason"].as_str()
        ),
        (Some("amber"), Some("blue"), Some("admitted"))
    );
    let person: Value = coord.get(&format!("/people/{person_id}")).json().await;
    assert_eq!(person["next_cetr_due"], json!(date_plus(admitted, 28)));

    let again = json!({"admitted_on": today(), "hospital": "Other", "setting": "low_secure"});
    assert_problem(
        coord
            .post(&format!("/people/{person_id}/admissions"), &again)
            .await,
        409,
    )
    .await;
    let list: Value = coord
        .get(&format!("/people/{person_id}/admissions"))
        .json()
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn someone_not_on_the_register_is_put_on_it_as_blue_whatever_their_consent() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut body = person_body("Not", "Registered");
    body["consent_status"] = json!("declined");
    body["date_of_birth"] = json!(date_plus(years_ago(16), -10));
    let person = app.create_person(&coord, &body).await;
    let admission = app
        .admit(
            &coord,
            person["id"].as_str().unwrap(),
            days_ago(1),
            "cyp_inpatient",
        )
        .await;
    assert_eq!(admission["under_18_on_admission"], true);
    assert_eq!(
        admission["next_cetr_due"],
        json!(date_plus(days_ago(1), 14)),
        "under-18s: 14 days"
    );
    assert_eq!(
        admission["next_visit_due"],
        json!(date_plus(days_ago(1), 42)),
        "under-18s: every 42 days"
    );
    let entry: Value = coord
        .get(&format!(
            "/register/{}",
            admission["register_entry_id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(entry["rag"], "blue");
    assert_eq!(entry["status"], "active");
    assert_eq!(entry["opened_on"], json!(days_ago(1)));
}

#[tokio::test]
async fn bad_admissions_are_refused() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app
        .create_person(&coord, &person_body("Bad", "Admission"))
        .await;
    let path = format!("/people/{}/admissions", person["id"].as_str().unwrap());
    let body = json!({"admitted_on": days_ahead(1), "hospital": "", "setting": "prison"});
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["setting"]);
    let body = json!({"admitted_on": days_ahead(1), "hospital": " ", "setting": "low_secure"});
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["admitted_on", "hospital"]);
    let body = json!({"admitted_on": "1980-01-01", "hospital": "H", "setting": "low_secure"});
    let problem = assert_problem(coord.post(&path, &body).await, 422).await;
    assert_eq!(
        error_fields(&problem),
        vec!["admitted_on"],
        "before the date of birth"
    );
    let missing = format!("/people/{}/admissions", uuid::Uuid::new_v4());
    let body = json!({"admitted_on": today(), "hospital": "H", "setting": "low_secure"});
    assert_problem(coord.post(&missing, &body).await, 404).await;
}

#[tokio::test]
async fn discharge_follows_the_destination() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    // (destination, expected rag, expected status)
    let cases = [
        (None, "red", "active"),
        (Some("community"), "red", "active"),
        (Some("other"), "red", "active"),
        (Some("other_hospital"), "blue", "active"),
        (Some("died"), "blue", "closed"),
    ];
    for (destination, rag, status) in cases {
        let entry = coord.person_on_register("Dis", Rag::Green).await;
        let admission = app
            .admit(
                &coord,
                entry["person_id"].as_str().unwrap(),
                days_ago(20),
                "medium_secure",
            )
            .await;
        let path = format!("/admissions/{}", admission["id"].as_str().unwrap());
        let early = json!({"discharged_on": days_ago(21)});
        let problem = assert_problem(coord.patch(&path, &early).await, 422).await;
        assert_eq!(error_fields(&problem), vec!["discharged_on"]);
        let mut body = json!({"discharged_on": days_ago(2)});
        if let Some(d) = destination {
            body["discharge_destination"] = json!(d);
        }
        let res = coord.patch(&path, &body).if_match(1).await;
        assert_eq!(res.status(), 200, "{destination:?}");
        let discharged: Value = res.json().await.unwrap();
        assert_eq!(discharged["discharged_on"], json!(days_ago(2)));
        assert_eq!(
            discharged["discharge_destination"],
            destination.unwrap_or("community")
        );
        assert!(discharged["next_cetr_due"].is_null() && discharged["next_visit_due"].is_null());

        let after: Value = coord
            .get(&format!("/register/{}", entry["id"].as_str().unwrap()))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(after["rag"], rag, "{destination:?}");
        assert_eq!(after["status"], status, "{destination:?}");
        if rag == "red" {
            let history: Value = coord
                .get(&format!(
                    "/register/{}/history",
                    entry["id"].as_str().unwrap()
                ))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(
                history.as_array().unwrap().last().unwrap()["reason"],
                "discharged"
            );
            assert_eq!(
                after["next_cetr_due"],
                json!(date_plus(days_ago(2), 14)),
                "red in the community: C(E)TR within 14 days"
            );
            assert_eq!(after["next_review_due"], json!(date_plus(days_ago(2), 7)));
        }
        if status == "closed" {
            assert_eq!(after["closure_reason"], "died");
        }
        let again = coord.patch(&path, &json!({"hospital": "Elsewhere"})).await;
        assert_problem(again, 409).await;
    }
}

#[tokio::test]
async fn a_stale_if_match_on_an_admission_changes_nothing() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Stale", Rag::Red).await;
    let admission = app
        .admit(
            &coord,
            entry["person_id"].as_str().unwrap(),
            days_ago(5),
            "non_secure",
        )
        .await;
    let path = format!("/admissions/{}", admission["id"].as_str().unwrap());
    assert_eq!(
        coord
            .patch(&path, &json!({"legal_status": "Section 2"}))
            .if_match(1)
            .await
            .status(),
        200
    );
    let res = coord
        .patch(&path, &json!({"discharged_on": today()}))
        .if_match(1)
        .await;
    assert_problem(res, 412).await;
    let now: Value = coord.get(&path).json().await;
    assert!(now["discharged_on"].is_null());
    assert_eq!(now["legal_status"], "Section 2");
    // Moving to a secure setting keeps the post-admission clock (no C(E)TR held yet).
    let res = coord.patch(&path, &json!({"setting": "high_secure"})).await;
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["setting"], "high_secure");
    assert_eq!(moved["next_cetr_due"], json!(date_plus(days_ago(5), 28)));
}

#[tokio::test]
async fn oversight_visits_move_the_next_visit_date() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Vis", Rag::Amber).await;
    let admission = app
        .admit(
            &coord,
            entry["person_id"].as_str().unwrap(),
            days_ago(30),
            "non_secure",
        )
        .await;
    let path = format!("/admissions/{}/visits", admission["id"].as_str().unwrap());
    let bad = json!({"visited_on": days_ahead(1), "visitor": ""});
    let problem = assert_problem(coord.post(&path, &bad).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["visited_on", "visitor"]);
    let before = json!({"visited_on": days_ago(31), "visitor": "Commissioner"});
    let problem = assert_problem(coord.post(&path, &before).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["visited_on"]);
    for ago in [20, 10] {
        let res = coord.post(&path, &json!({"visited_on": days_ago(ago), "visitor": "Case manager", "notes": "Seen on ward"})).await;
        assert_eq!(res.status(), 201);
    }
    let admission: Value = coord
        .get(&format!(
            "/admissions/{}",
            admission["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        admission["next_visit_due"],
        json!(date_plus(days_ago(10), 56))
    );
    let visits: Value = coord.get(&path).json().await;
    let dates: Vec<&str> = visits
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["visited_on"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        vec![days_ago(10).to_string(), days_ago(20).to_string()]
    );
}

/// Blue is held while admitted: a RAG change, a review's rating, a new entry or an import
/// row that tries another rating is refused naming the admission; discharge moves it.
#[tokio::test]
async fn blue_is_held_while_admitted() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let stay = coord.admitted("Held", 3).await;
    let entry_id = stay.entry["id"].as_str().unwrap();
    let names_the_stay = |problem: &Value| {
        let detail = problem["detail"].as_str().unwrap_or_default().to_string();
        assert!(
            detail.contains(&stay.admission_id) && detail.contains("stays blue"),
            "{problem}"
        );
    };
    let change = coord
        .patch(
            &format!("/register/{entry_id}"),
            &json!({"rag": "red", "rag_reason": "Worried"}),
        )
        .await;
    names_the_stay(&assert_problem(change, 409).await);
    let review = coord
        .post(
            &format!("/register/{entry_id}/reviews"),
            &json!({"reviewed_on": today(), "rag": "green", "attendees": ["A"], "summary": "Settled"}),
        )
        .await;
    names_the_stay(&assert_problem(review, 409).await);
    let blue_review = coord
        .post(
            &format!("/register/{entry_id}/reviews"),
            &json!({"reviewed_on": today(), "rag": "blue", "attendees": ["A"], "summary": "Still in"}),
        )
        .await;
    assert_eq!(blue_review.status(), 201);
    let entry: Value = coord.get(&format!("/register/{entry_id}")).json().await;
    assert_eq!(entry["rag"], "blue");

    // An import row rating them red is rejected with that reason; nothing is written.
    let person: Value = coord
        .get(&format!("/people/{}", stay.person_id))
        .json()
        .await;
    let csv = format!(
        "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk summary\r\n{},Held,Tester,17/05/1990,Autism,North,Given,Red,Crisis\r\n",
        person["nhs_number"].as_str().unwrap()
    );
    let res = app
        .request(reqwest::Method::POST, "/imports", Some(&coord.token))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, 422).await;
    let error = &problem["report"]["errors"][0];
    assert_eq!(error["field"], "rag", "{problem}");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains(&stay.admission_id));

    // Discharge to the community: red, by the system's rule.
    let discharged = coord
        .patch(
            &format!("/admissions/{}", stay.admission_id),
            &json!({"discharged_on": today(), "discharge_destination": "community"}),
        )
        .await;
    assert_eq!(discharged.status(), 200);
    let entry: Value = coord.get(&format!("/register/{entry_id}")).json().await;
    assert_eq!(entry["rag"], "red");
}
