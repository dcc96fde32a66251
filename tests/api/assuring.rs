//! Inpatient data and the Assuring Transformation-shaped return (#22 points 1 and 4): the
//! admission's coded inpatient items with their rules, `out_of_area` derived, and one CSV row
//! per person in hospital on a date, identifiers blank for those who objected.

use serde_json::{json, Value};

use crate::helpers::*;

async fn person_with(coord: &Actor<'_>, given: &str, extra: Value) -> Value {
    let mut body = person_body(given, "Inpatient");
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = coord.post("/people", &body).await;
    assert_eq!(res.status(), 201, "create {given}");
    res.json().await.unwrap()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_admission_records_the_inpatient_items_and_derives_out_of_area() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = person_with(&coord, "Ines", json!({"responsible_icb": "QWO"})).await;
    let path = format!("/people/{}/admissions", id(&person));
    let base =
        json!({"admitted_on": days_ago(20), "hospital": "Riverside", "setting": "low_secure"});
    for (extra, field) in [
        (json!({"hospital_icb": "Q-1"}), "hospital_icb"),
        (json!({"provider_ods": "TOOLONG7"}), "provider_ods"),
        (json!({"ward_type": "locked"}), "ward_type"),
        (json!({"legal_status_code": "s99"}), "legal_status_code"),
        (json!({"lts_ended_on": days_ago(5)}), "lts_ended_on"),
        (json!({"lts_started_on": days_ago(25)}), "lts_started_on"),
        (json!({"delay_reasons": ["housing"]}), "delay_reasons"),
        (
            json!({"clinically_ready_on": days_ago(3), "delay_reasons": ["housing", "housing"]}),
            "delay_reasons",
        ),
        (
            json!({"clinically_ready_on": days_ahead(1)}),
            "clinically_ready_on",
        ),
    ] {
        let mut body = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = coord.post(&path, &body).await;
        assert_eq!(
            error_fields(&assert_problem(res, 422).await),
            [field],
            "{extra}"
        );
    }
    let mut body = base.clone();
    for (k, v) in [
        ("provider_ods", json!("rxm")),
        ("hospital_ods", json!(" rxm01 ")),
        ("hospital_icb", json!("qhm")),
        ("ward_type", json!("low_secure")),
        ("legal_status_code", json!("s37_41")),
        ("admission_reason", json!("risk_to_others")),
        ("advocacy", json!("imha")),
        ("lts_started_on", json!(days_ago(15))),
    ] {
        body[k] = v;
    }
    let res = coord.post(&path, &body).await;
    assert_eq!(res.status(), 201);
    let admission: Value = res.json().await.unwrap();
    assert_eq!(
        (
            admission["provider_ods"].as_str(),
            admission["hospital_ods"].as_str(),
            admission["hospital_icb"].as_str()
        ),
        (Some("RXM"), Some("RXM01"), Some("QHM"))
    );
    assert_eq!(admission["legal_status_code"], "s37_41");
    assert_eq!(
        admission["legal_status"],
        Value::Null,
        "the free text stays apart"
    );
    assert_eq!(admission["out_of_area"], true);
    assert_eq!(admission["delay_reasons"], json!([]));

    // Clinically ready, with what delays it; then back in area, and the segregation ends.
    let adm_path = format!("/admissions/{}", id(&admission));
    let ready: Value = coord
        .patch(
            &adm_path,
            &json!({"clinically_ready_on": days_ago(4), "delay_reasons": ["housing", "funding"]}),
        )
        .if_match(1)
        .json()
        .await;
    assert_eq!(ready["delay_reasons"], json!(["housing", "funding"]));
    let early_end = coord
        .patch(&adm_path, &json!({"lts_ended_on": days_ago(16)}))
        .if_match(2)
        .await;
    assert_eq!(
        error_fields(&assert_problem(early_end, 422).await),
        ["lts_ended_on"]
    );
    let moved: Value = coord
        .patch(
            &adm_path,
            &json!({"hospital_icb": "QWO", "lts_ended_on": days_ago(2)}),
        )
        .if_match(2)
        .json()
        .await;
    assert_eq!(moved["out_of_area"], false);
    assert_eq!(moved["lts_ended_on"], json!(days_ago(2)));
    let cleared: Value = coord
        .patch(&adm_path, &json!({"hospital_icb": null}))
        .if_match(3)
        .json()
        .await;
    assert_eq!(
        cleared["out_of_area"],
        Value::Null,
        "unknown without both ICBs"
    );
    // Readiness cannot go while delays are recorded against it.
    let orphaned = coord
        .patch(&adm_path, &json!({"clinically_ready_on": null}))
        .if_match(4)
        .await;
    assert_eq!(
        error_fields(&assert_problem(orphaned, 422).await),
        ["delay_reasons"]
    );
}

fn rows(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = csv.strip_prefix('\u{feff}').expect("a byte order mark");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[tokio::test]
async fn the_return_has_a_row_per_inpatient_on_the_day_with_objectors_unidentified() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    let clinician = app.sign_in(Role::Clinician).await;

    // Known to the register 30 days before a stay that began 10 days ago, out of area.
    let known = person_with(
        &coord,
        "Kenji",
        json!({"responsible_icb": "QWO", "ethnic_category": "A"}),
    )
    .await;
    coord
        .open_entry(&known, Rag::Amber, Some(days_ago(30)))
        .await;
    let stay: Value = coord
        .post(
            &format!("/people/{}/admissions", id(&known)),
            &json!({"admitted_on": days_ago(10), "hospital": "Riverside", "setting": "non_secure",
                    "provider_ods": "RXM", "hospital_ods": "RXM01", "hospital_icb": "QHM",
                    "ward_type": "assessment_treatment", "legal_status_code": "s3",
                    "admission_reason": "placement_breakdown", "advocacy": "imha",
                    "clinically_ready_on": days_ago(2), "delay_reasons": ["housing", "funding"]}),
        )
        .json()
        .await;
    coord
        .post(
            &format!("/admissions/{}/visits", id(&stay)),
            &json!({"visited_on": days_ago(3), "visitor": "Commissioner"}),
        )
        .json()
        .await;
    coord
        .post(
            &format!("/admissions/{}/discharge-plan", id(&stay)),
            &json!({"planned_discharge_date": days_ahead(30)}),
        )
        .json()
        .await;
    coord
        .post(
            &format!("/people/{}/cetrs", id(&known)),
            &json!({"kind": "post_admission", "held_on": days_ago(6), "panel": full_panel(), "summary": "s"}),
        )
        .json()
        .await;
    // Not on the register before: the admission 3 days ago opened their entry. Objected.
    let objector = person_with(&coord, "Olu", json!({"at_objection": true})).await;
    coord
        .post(
            &format!("/people/{}/admissions", id(&objector)),
            &json!({"admitted_on": days_ago(3), "hospital": "Hilltop", "setting": "non_secure"}),
        )
        .json()
        .await;
    // Discharged 2 days ago: in the return as at 4 days ago, not today.
    let gone = coord.admitted("Gus", 12).await;
    let res = coord
        .patch(
            &format!("/admissions/{}", gone.admission_id),
            &json!({"discharged_on": days_ago(2), "discharge_destination": "community"}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let refused = clinician.get("/exports/assuring-transformation").await;
    assert_problem(refused, 403).await;
    let future = manager
        .get(&format!(
            "/exports/assuring-transformation?as_of={}",
            days_ahead(1)
        ))
        .await;
    assert_eq!(error_fields(&assert_problem(future, 400).await), ["as_of"]);
    let res = manager.get("/exports/assuring-transformation").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let (header, today_rows) = rows(&res.text().await.unwrap());
    assert_eq!(
        header,
        [
            "nhs_number",
            "date_of_birth",
            "gender",
            "ethnic_category",
            "responsible_icb",
            "provider_ods",
            "hospital_ods",
            "ward_type",
            "admitted_on",
            "legal_status",
            "admission_reason",
            "on_register_before_admission",
            "advocacy",
            "lts_started_on",
            "last_cetr_on",
            "next_cetr_due",
            "last_oversight_visit_on",
            "clinically_ready_on",
            "delay_reasons",
            "out_of_area",
            "planned_discharge_date",
        ]
    );
    assert_eq!(today_rows.len(), 2, "{today_rows:?}");
    let kenji = &today_rows[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        kenji[column("nhs_number")],
        known["nhs_number"].as_str().unwrap()
    );
    assert_eq!(kenji[column("ethnic_category")], "A");
    assert_eq!(kenji[column("ward_type")], "assessment_treatment");
    assert_eq!(kenji[column("legal_status")], "s3");
    assert_eq!(kenji[column("on_register_before_admission")], "true");
    assert_eq!(kenji[column("last_cetr_on")], days_ago(6).to_string());
    assert_eq!(
        kenji[column("last_oversight_visit_on")],
        days_ago(3).to_string()
    );
    assert_eq!(kenji[column("delay_reasons")], "housing;funding");
    assert_eq!(kenji[column("out_of_area")], "true");
    assert_eq!(
        kenji[column("planned_discharge_date")],
        days_ahead(30).to_string()
    );
    // A repeat C(E)TR falls due 182 days after the last in a non-secure setting.
    assert_eq!(
        kenji[column("next_cetr_due")],
        date_plus(days_ago(6), 182).to_string()
    );
    let olu = &today_rows[1];
    assert_eq!(
        (
            olu[column("nhs_number")].as_str(),
            olu[column("date_of_birth")].as_str()
        ),
        ("", ""),
        "objected: counted, not identified"
    );
    assert_eq!(olu[column("on_register_before_admission")], "false");
    assert_eq!(olu[column("out_of_area")], "", "unknown without both ICBs");

    // As at 4 days ago: Gus was still in; Olu was not yet.
    let earlier = manager
        .get(&format!(
            "/exports/assuring-transformation?as_of={}",
            days_ago(4)
        ))
        .await;
    let (_, then) = rows(&earlier.text().await.unwrap());
    let admitted: Vec<&str> = then
        .iter()
        .map(|r| r[column("admitted_on")].as_str())
        .collect();
    let (ten, twelve) = (days_ago(10).to_string(), days_ago(12).to_string());
    assert_eq!(admitted, [twelve.as_str(), ten.as_str()]);
    // Every person in the return sees the export in their access log.
    let log: Value = coord
        .get(&format!("/people/{}/access-log", id(&objector)))
        .json()
        .await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["action"] == "export" && i["entity_type"] == "assuring_transformation"),
        "{log}"
    );
}

#[tokio::test]
async fn a_coordinator_records_the_inpatient_details_on_the_admission_page() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let stay = coord.admitted("Ida", 10).await;
    let (mut browser, _) = crate::web::Browser::signed_in(&app, Role::Coordinator).await;
    let form_path = format!(
        "/people/{}/admissions/{}/details",
        stay.person_id, stay.admission_id
    );
    let record = browser.get(&format!("/people/{}", stay.person_id)).await;
    assert!(
        record.has(&format!("href=\"{form_path}\"")),
        "the admission links to its details"
    );
    let form = browser.get(&form_path).await;
    assert_eq!(
        (form.status, form.h1().as_str()),
        (200, "Inpatient details")
    );
    let csrf = form.csrf();
    let ready = days_ago(2);
    let (day, month, year) = (
        ready.format("%-d").to_string(),
        ready.format("%-m").to_string(),
        ready.format("%Y").to_string(),
    );
    let fields = |version: &'static str, provider: &'static str, ready: bool| {
        let mut f: Vec<(&str, String)> = vec![
            ("csrf_token", csrf.clone()),
            ("version", version.into()),
            ("provider_ods", provider.into()),
            ("hospital_ods", "".into()),
            ("hospital_icb", "qhm".into()),
            ("ward_type", "low_secure".into()),
            ("legal_status_code", "s3".into()),
            ("admission_reason", "".into()),
            ("advocacy", "imha".into()),
            ("delay_reasons", "housing".into()),
            ("delay_reasons", "funding".into()),
        ];
        if ready {
            f.push(("clinically_ready_on-day", day.clone()));
            f.push(("clinically_ready_on-month", month.clone()));
            f.push(("clinically_ready_on-year", year.clone()));
        }
        f
    };
    let as_pairs = |f: &Vec<(&str, String)>| -> Vec<(String, String)> {
        f.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    };

    // Delays without a readiness date, and a malformed code: both named, nothing saved.
    let refused = fields("1", "TOOLONG7", false);
    let pairs = as_pairs(&refused);
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = browser.post(&form_path, &pairs).await;
    assert_eq!(res.status, 422);
    assert!(res.has("There is a problem"));
    assert!(res.has("href=\"#provider_ods\""), "the ODS code is named");
    let refused = as_pairs(&fields("1", "rxm", false));
    let pairs: Vec<(&str, &str)> = refused
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = browser.post(&form_path, &pairs).await;
    assert_eq!(res.status, 422);
    assert!(
        res.has("href=\"#delay_reasons\""),
        "the delays need a readiness date"
    );
    assert!(res.has("value=\"rxm\""), "what was sent is shown again");
    let api = format!("/admissions/{}", stay.admission_id);
    assert_eq!(coord.get(&api).json().await["version"], 1);

    let saved = as_pairs(&fields("1", "rxm", true));
    let forged: Vec<(&str, &str)> = saved
        .iter()
        .filter(|(k, _)| k != "csrf_token")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        browser.post(&form_path, &forged).await.status,
        403,
        "no token, no change"
    );
    assert_eq!(coord.get(&api).json().await["version"], 1);
    let pairs: Vec<(&str, &str)> = saved
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = browser.post(&form_path, &pairs).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        res.location(),
        format!(
            "/people/{}?done=inpatient_details#admissions",
            stay.person_id
        )
    );
    let admission = coord.get(&api).json().await;
    assert_eq!(
        (
            admission["provider_ods"].as_str(),
            admission["hospital_icb"].as_str(),
            admission["ward_type"].as_str(),
            admission["legal_status_code"].as_str(),
            admission["advocacy"].as_str(),
        ),
        (
            Some("RXM"),
            Some("QHM"),
            Some("low_secure"),
            Some("s3"),
            Some("imha")
        )
    );
    assert_eq!(admission["hospital_ods"], Value::Null);
    assert_eq!(admission["clinically_ready_on"], json!(ready));
    assert_eq!(admission["delay_reasons"], json!(["housing", "funding"]));
    let record = browser.get(res.location()).await;
    assert!(record.has("Inpatient details saved."));
    assert!(record.has("Ward: Low secure."));
    assert!(record.has("delayed by: housing, funding."));

    // The same form again, filled before that save: someone else's change is not overwritten.
    let pairs: Vec<(&str, &str)> = saved
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let stale = browser.post(&form_path, &pairs).await;
    assert_eq!(stale.status, 412);
    assert!(stale.has("Someone else changed this admission"));

    let (mut keyworker, _) = crate::web::Browser::signed_in(&app, Role::Keyworker).await;
    assert_eq!(keyworker.get(&form_path).await.status, 403);
}
