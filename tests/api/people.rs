use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn a_coordinator_adds_a_person_with_computed_age_facts() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut body = person_body("Jane", "Smith");
    let nhs = body["nhs_number"].as_str().unwrap().to_string();
    body["nhs_number"] = json!(format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]));
    body["date_of_birth"] = json!(days_ago(0).with_year_offset(-18));
    body["diagnoses"] = json!(["learning_disability", "autism", "autism"]);
    let res = coord.post("/people", &body).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers().get("etag").unwrap(), "\"1\"");
    let location = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let person: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/people/{}", person["id"].as_str().unwrap())
    );
    assert_eq!(
        person["nhs_number"],
        nhs.as_str(),
        "stored and returned as 10 digits"
    );
    assert_eq!(person["age"], 18, "18 today, on the birthday itself");
    assert_eq!(person["age_group"], "young_person");
    assert_eq!(person["keyworker_eligible"], true);
    assert_eq!(
        person["diagnoses"],
        json!(["autism", "learning_disability"])
    );
    assert!(person["keyworker"].is_null());
    assert!(person["register_entry_id"].is_null());
    assert_eq!(person["version"], 1);
}

trait YearOffset {
    fn with_year_offset(self, years: i32) -> chrono::NaiveDate;
}

impl YearOffset for chrono::NaiveDate {
    fn with_year_offset(self, years: i32) -> chrono::NaiveDate {
        let months = chrono::Months::new(12 * years.unsigned_abs());
        if years < 0 {
            self.checked_sub_months(months).unwrap()
        } else {
            self.checked_add_months(months).unwrap()
        }
    }
}

#[tokio::test]
async fn age_groups_turn_on_the_exact_birthday() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let today = today();
    let cases = [
        (
            today.with_year_offset(-18).succ_opt().unwrap(),
            17,
            "child",
            true,
        ),
        (today.with_year_offset(-18), 18, "young_person", true),
        (
            today.with_year_offset(-26).succ_opt().unwrap(),
            25,
            "young_person",
            true,
        ),
        (today.with_year_offset(-26), 26, "adult", false),
    ];
    for (dob, age, group, eligible) in cases {
        let mut body = person_body("Age", "Case");
        body["date_of_birth"] = json!(dob);
        let person = app.create_person(&coord, &body).await;
        assert_eq!(person["age"], age, "{dob}");
        assert_eq!(person["age_group"], group, "{dob}");
        assert_eq!(person["keyworker_eligible"], eligible, "{dob}");
    }
}

#[tokio::test]
async fn bad_people_are_refused_naming_every_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let body = json!({
        "nhs_number": "943 476 5918",
        "given_name": "",
        "family_name": "x".repeat(101),
        "date_of_birth": days_ahead(1),
        "diagnoses": [],
        "area": "North",
        "consent_status": "given",
    });
    let problem = assert_problem(coord.post("/people", &body).await, 422).await;
    assert_eq!(
        error_fields(&problem),
        vec![
            "date_of_birth",
            "diagnoses",
            "family_name",
            "given_name",
            "nhs_number"
        ]
    );

    let mut old = person_body("Old", "Person");
    old["date_of_birth"] = json!(today().with_year_offset(-121));
    let problem = assert_problem(coord.post("/people", &old).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["date_of_birth"]);

    let mut bad_enum = person_body("Enum", "Person");
    bad_enum["diagnoses"] = json!(["adhd"]);
    bad_enum["consent_status"] = json!("maybe");
    let problem = assert_problem(coord.post("/people", &bad_enum).await, 422).await;
    assert_eq!(
        error_fields(&problem),
        vec!["consent_status", "diagnoses[0]"]
    );

    let mut bad_date = person_body("Date", "Person");
    bad_date["date_of_birth"] = json!("17/05/1990");
    let problem = assert_problem(coord.post("/people", &bad_date).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["date_of_birth"]);

    let list: Value = coord.get("/people").json().await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn nhs_numbers_are_unique() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let body = person_body("First", "Person");
    app.create_person(&coord, &body).await;
    let mut again = person_body("Second", "Person");
    again["nhs_number"] = body["nhs_number"].clone();
    assert_problem(coord.post("/people", &again).await, 409).await;
    // Changing someone else's number to it is refused too.
    let other = app
        .create_person(&coord, &person_body("Third", "Person"))
        .await;
    let path = format!("/people/{}", other["id"].as_str().unwrap());
    let res = coord
        .patch(&path, &json!({"nhs_number": body["nhs_number"]}))
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn people_are_found_by_nhs_number_or_name() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let jane = app
        .create_person(&coord, &person_body("Jane", "Smith"))
        .await;
    app.create_person(&coord, &person_body("John", "Smithers"))
        .await;
    app.create_person(&coord, &person_body("Amir", "Khan"))
        .await;
    let nhs = jane["nhs_number"].as_str().unwrap();
    let spaced = format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]);
    let cases: Vec<(String, Vec<&str>)> = vec![
        (nhs.to_string(), vec!["Jane"]),
        (spaced.replace(' ', "%20"), vec!["Jane"]),
        ("smith".into(), vec!["Jane", "John"]),
        ("SMITHERS".into(), vec!["John"]),
        ("jane%20smith".into(), vec!["Jane"]),
        ("smith%20jane".into(), vec!["Jane"]),
        ("nobody".into(), vec![]),
        ("%25".into(), vec![]),
    ];
    for (search, expected) in cases {
        let page: Value = coord.get(&format!("/people?search={search}")).json().await;
        let mut names: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["given_name"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, expected, "search {search}");
        assert_eq!(page["total"], expected.len(), "search {search}");
    }
}

#[tokio::test]
async fn person_updates_honour_if_match_and_are_audited() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app
        .create_person(&coord, &person_body("Pat", "Jones"))
        .await;
    let path = format!("/people/{}", person["id"].as_str().unwrap());
    let res = coord
        .patch(&path, &json!({"area": "South", "gp_practice": "Y01234"}))
        .if_match(1)
        .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["area"], "South");
    assert_eq!(updated["version"], 2);
    let res = coord
        .patch(&path, &json!({"area": "East"}))
        .if_match(1)
        .await;
    assert_problem(res, 412).await;
    let res = coord
        .patch(&path, &json!({"gp_practice": null}))
        .if_match(2)
        .await;
    let cleared: Value = res.json().await.unwrap();
    assert!(cleared["gp_practice"].is_null());
    assert_eq!(cleared["area"], "South");

    coord.get(&path).await;
    let admin = app.admin_token().await;
    let audit: Value = app
        .get(
            &format!(
                "/audit?entity_type=person&entity_id={}",
                person["id"].as_str().unwrap()
            ),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["read", "update", "update", "create"]);
}

#[tokio::test]
async fn who_may_read_and_write_people() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = app
        .create_person(&coord, &person_body("Perm", "Test"))
        .await;
    let path = format!("/people/{}", person["id"].as_str().unwrap());
    let admin = app.admin_token().await;
    // (role, list, read, create, update)
    let cases = [
        ("admin", 403, 403, 403, 403),
        ("coordinator", 200, 200, 201, 200),
        ("manager", 200, 200, 403, 403),
        ("clinician", 200, 200, 403, 403),
        ("keyworker", 200, 404, 403, 403),
    ];
    for (role, list, read, create, update) in cases {
        let token = if role == "admin" {
            admin.clone()
        } else {
            app.user_with_role(Role::parse(role).unwrap()).await.1
        };
        let res = app.get("/people", &token).await;
        assert_eq!(res.status(), list, "{role} lists");
        if list == 200 {
            let page: Value = res.json().await.unwrap();
            let expected = if role == "keyworker" {
                0
            } else {
                page["total"].as_i64().unwrap().max(1)
            };
            assert_eq!(page["total"], expected, "{role} sees only what is in scope");
        }
        assert_eq!(app.get(&path, &token).await.status(), read, "{role} reads");
        let res = app
            .post("/people", Some(&token), &person_body("New", role))
            .await;
        assert_eq!(res.status(), create, "{role} creates");
        let res = app.patch(&path, &token, &json!({"area": role}), None).await;
        assert_eq!(res.status(), update, "{role} updates");
    }
}

#[tokio::test]
async fn equality_adjustment_and_condition_details_are_recorded_in_words() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut body = person_body("Ash", "Young");
    body.as_object_mut().unwrap().remove("diagnoses");
    body["conditions"] = json!([
        {"condition": "autism", "status": "awaiting_assessment"},
        {"condition": "learning_disability", "status": "suspected"},
    ]);
    for (k, v) in [
        ("ethnic_category", json!("a")),
        (
            "communication_needs",
            json!("Uses Makaton; short sentences"),
        ),
        (
            "reasonable_adjustments",
            json!("Quiet room, first appointment of the day"),
        ),
        ("looked_after", json!(true)),
        ("postcode_district", json!(" ls1 ")),
        ("responsible_icb", json!("qwo")),
        ("at_objection", json!(true)),
    ] {
        body[k] = v;
    }
    let person: Value = coord.post("/people", &body).json().await;
    assert_eq!(person["diagnoses"], json!([]), "nothing is diagnosed yet");
    assert_eq!(person["conditions"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            person["ethnic_category"].as_str(),
            person["postcode_district"].as_str(),
            person["responsible_icb"].as_str()
        ),
        (Some("A"), Some("LS1"), Some("QWO"))
    );
    assert_eq!(
        (
            person["looked_after"].as_bool(),
            person["at_objection"].as_bool()
        ),
        (Some(true), Some(true))
    );
    assert_eq!(
        person["communication_needs"],
        "Uses Makaton; short sentences"
    );
    // The autism assessment comes back: diagnosed, and `diagnoses` follows.
    let id = person["id"].as_str().unwrap();
    let changed: Value = coord
        .patch(
            &format!("/people/{id}"),
            &json!({"conditions": [{"condition": "autism", "status": "diagnosed"}], "postcode_district": null}),
        )
        .json()
        .await;
    assert_eq!(changed["diagnoses"], json!(["autism"]));
    assert_eq!(
        changed["conditions"],
        json!([{"condition": "autism", "status": "diagnosed"}])
    );
    assert!(changed["postcode_district"].is_null());
    // A person recorded with the old list reads back with conditions, diagnosed.
    let old: Value = coord
        .post("/people", &person_body("Old", "Style"))
        .json()
        .await;
    assert_eq!(
        old["conditions"],
        json!([{"condition": "autism", "status": "diagnosed"}])
    );
    assert_eq!(
        (
            old["looked_after"].as_bool(),
            old["ethnic_category"].as_str()
        ),
        (Some(false), None)
    );

    // Bad details are named, each with what to send.
    let mut bad = person_body("Bad", "Codes");
    bad["ethnic_category"] = json!("Q");
    bad["postcode_district"] = json!("LS1 4AP");
    bad["responsible_icb"] = json!("NHS North");
    let problem = assert_problem(coord.post("/people", &bad).await, 422).await;
    let says = |field: &str| {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["message"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{field}: {problem}"))
    };
    assert!(says("ethnic_category").contains("A, B, C"), "{problem}");
    assert!(says("postcode_district").contains("e.g. LS1"), "{problem}");
    assert!(says("responsible_icb").contains("ODS code"), "{problem}");
    let mut both = person_body("Both", "Lists");
    both["conditions"] = json!([{"condition": "autism", "status": "suspected"}]);
    let problem = assert_problem(coord.post("/people", &both).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["diagnoses"]);
    let mut none = person_body("No", "Conditions");
    none.as_object_mut().unwrap().remove("diagnoses");
    none["conditions"] = json!([]);
    let problem = assert_problem(coord.post("/people", &none).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["conditions"]);
    let mut twice = none.clone();
    twice["conditions"] = json!([{"condition": "autism", "status": "suspected"}, {"condition": "autism", "status": "diagnosed"}]);
    let problem = assert_problem(coord.post("/people", &twice).await, 422).await;
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("twice"));
}

#[tokio::test]
async fn an_import_reads_the_new_columns() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let nhs = nhs_number();
    let csv = format!(
        "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk,Ethnicity,Postcode,ICB,Looked after,Communication needs\n\
         {nhs},Kit,Lane,01/01/2012,Autism,North,Parental,Amber,Risk,J,LS1 4AP,qwo,yes,Uses an AAC device\n"
    );
    let res = app
        .request(reqwest::Method::POST, "/imports", Some(&coord.token))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["people_created"], 1, "{report}");
    assert_eq!(report["ignored_columns"], json!([]), "{report}");
    let found: Value = coord.get(&format!("/people?search={nhs}")).json().await;
    let person = &found["items"][0];
    assert_eq!(
        (
            person["ethnic_category"].as_str(),
            person["postcode_district"].as_str(),
            person["responsible_icb"].as_str()
        ),
        (Some("J"), Some("LS1"), Some("QWO"))
    );
    assert_eq!(person["looked_after"], true);
    assert_eq!(person["communication_needs"], "Uses an AAC device");
}

#[tokio::test]
async fn the_person_forms_record_a_suspected_condition_and_keep_it_through_a_change() {
    use crate::web::{strip_tags, Browser};
    let app = spawn_app().await;
    let (mut browser, coord) = Browser::signed_in(&app, Role::Coordinator).await;
    let csrf = browser.get("/people/new").await.csrf();
    let nhs = nhs_number();
    let added = browser
        .post(
            "/people/new",
            &[
                ("csrf_token", csrf.as_str()),
                ("given_name", "Sky"),
                ("family_name", "Tester"),
                ("nhs_number", nhs.as_str()),
                ("date_of_birth-day", "2"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "2013"),
                ("autism", "yes"),
                ("autism_status", "suspected"),
                ("area", "North"),
                ("consent_status", "parental"),
                ("ethnic_category", "M"),
                ("looked_after", "yes"),
                ("postcode_district", "ls1"),
                ("responsible_icb", ""),
                ("communication_needs", "Needs time to answer"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", strip_tags(&added.body));
    let record = browser.get(added.location()).await;
    let text = strip_tags(&record.body);
    for expected in [
        "Autism (suspected, not yet assessed)",
        "Needs time to answer",
        "A looked-after or adopted child",
        "LS1",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let found: Value = coord.get(&format!("/people?search={nhs}")).json().await;
    let person = &found["items"][0];
    assert_eq!(person["diagnoses"], json!([]));
    assert_eq!(person["ethnic_category"], "M");
    let id = person["id"].as_str().unwrap();
    // Changing another detail keeps the suspected condition as it was.
    let details = browser.get(&format!("/people/{id}/details")).await;
    assert!(
        details.has("<option value=\"suspected\" selected>"),
        "the status is shown"
    );
    let csrf = details.csrf();
    let changed = browser
        .post(
            &format!("/people/{id}/details"),
            &[
                ("csrf_token", csrf.as_str()),
                ("version", "1"),
                ("given_name", "Sky"),
                ("family_name", "Tester"),
                ("nhs_number", nhs.as_str()),
                ("date_of_birth-day", "2"),
                ("date_of_birth-month", "5"),
                ("date_of_birth-year", "2013"),
                ("autism", "yes"),
                ("autism_status", "suspected"),
                ("area", "South"),
                ("consent_status", "parental"),
                ("ethnic_category", "M"),
                ("looked_after", "yes"),
                ("postcode_district", "LS1"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", strip_tags(&changed.body));
    let after: Value = coord.get(&format!("/people/{id}")).json().await;
    assert_eq!(after["area"], "South");
    assert_eq!(
        after["conditions"],
        json!([{"condition": "autism", "status": "suspected"}])
    );
    assert!(
        after["communication_needs"].is_null(),
        "a blank box clears it"
    );
}
