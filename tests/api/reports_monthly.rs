//! The monthly series and its drill-down (#22 points 2, 3 and 5). A dozen people with
//! hand-worked histories across June, July and August 2026, all recorded through the API with
//! their real dates; every figure below was worked out by hand from the story told in
//! `golden()` and is asserted exactly, as are the lists behind some of them, the inpatient
//! return on one day, and — for every count of every month and of the summary — that the
//! list's total is its figure.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::helpers::*;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// The people of the story, by given name, with their register entries and stays.
pub struct Story {
    pub people: HashMap<&'static str, String>,
    pub entries: HashMap<&'static str, Value>,
    pub stays: HashMap<&'static str, String>,
}

async fn someone(coord: &Actor<'_>, given: &'static str, born: &str, extra: Value) -> String {
    let mut body = person_body(given, "Golden");
    body["date_of_birth"] = json!(born);
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = coord.post("/people", &body).await;
    assert_eq!(res.status(), 201, "create {given}");
    id(&res.json().await.unwrap())
}

async fn open(coord: &Actor<'_>, person: &str, rag: &str, on: &str) -> Value {
    let body = json!({"person_id": person, "rag": rag, "risk_summary": "Placement at risk",
                      "opened_on": on});
    let res = coord.post("/register", &body).await;
    assert_eq!(res.status(), 201, "open {on}");
    res.json().await.unwrap()
}

async fn review(coord: &Actor<'_>, entry: &str, rag: &str, on: &str) {
    let body = json!({"reviewed_on": on, "rag": rag, "attendees": ["DSR meeting"],
                      "summary": "Reviewed at the DSR meeting"});
    let res = coord
        .post(&format!("/register/{entry}/reviews"), &body)
        .await;
    assert_eq!(res.status(), 201, "review {on}");
}

async fn close(coord: &Actor<'_>, entry: &str, reason: &str, on: &str) {
    let version = coord.get(&format!("/register/{entry}")).json().await["version"]
        .as_i64()
        .unwrap();
    let res = coord
        .post(
            &format!("/register/{entry}/close"),
            &json!({"reason": reason, "closed_on": on}),
        )
        .if_match(version)
        .await;
    assert_eq!(res.status(), 200, "close {on}");
}

async fn admit(
    coord: &Actor<'_>,
    person: &str,
    on: &str,
    setting: &str,
    ward: Option<&str>,
) -> String {
    let mut body = json!({"admitted_on": on, "hospital": "Riverside", "setting": setting});
    if let Some(ward) = ward {
        body["ward_type"] = json!(ward);
    }
    let res = coord
        .post(&format!("/people/{person}/admissions"), &body)
        .await;
    assert_eq!(res.status(), 201, "admit {on}");
    id(&res.json().await.unwrap())
}

async fn patch_stay(coord: &Actor<'_>, stay: &str, body: Value) {
    let path = format!("/admissions/{stay}");
    let version = coord.get(&path).json().await["version"].as_i64().unwrap();
    let res = coord.patch(&path, &body).if_match(version).await;
    assert_eq!(res.status(), 200, "{body}");
}

async fn cetr(coord: &Actor<'_>, person: &str, kind: &str, on: &str, stay: Option<&str>) {
    let mut body = json!({"kind": kind, "held_on": on, "panel": full_panel(),
                          "summary": "Held"});
    if let Some(stay) = stay {
        body["admission_id"] = json!(stay);
    }
    let res = coord.post(&format!("/people/{person}/cetrs"), &body).await;
    assert_eq!(res.status(), 201, "{kind} {on}");
}

async fn visit(coord: &Actor<'_>, stay: &str, on: &str) {
    let body = json!({"visited_on": on, "visitor": "Commissioner"});
    let res = coord
        .post(&format!("/admissions/{stay}/visits"), &body)
        .await;
    assert_eq!(res.status(), 201, "visit {on}");
}

/// The story (dates 2026; ages as at the summer):
/// - Ana (14): on the register amber from 10 May; red at the review of 5 July; a community
///   C(E)TR on 12 July; referred to CYP keyworking 15 June, accepted 20 June, allocated 25 June.
/// - Ben (41): green from 3 June; closed 20 July, no longer at risk.
/// - Cal (36): amber from 1 April; admitted 10 June (low secure) — blue; discharge plan
///   recorded 20 June; post-admission C(E)TR 1 July (due 8 July: on time); oversight visit 20
///   July (due 5 August: on time); discharged home 15 August — red.
/// - Dee (16, 17 on 20 August; ethnic not recorded): not on the register; admitted 3 July to a
///   CAMHS ward, which opens her entry blue that day; post-admission C(E)TR 20 July (due 17
///   July: late); visit 10 August (due 14 August: on time); clinically ready 20 August.
/// - Eve (56): amber from 15 January; admitted 1 March; discharged home 20 May — red;
///   readmitted 15 July (56 days later: a readmission) to an assessment and treatment ward.
/// - Fay (24, ethnic B): red from 20 June; a LAEP on 28 June (admission avoided); green at the
///   review of 10 August.
/// - Gus (30): amber from 1 February; closed 5 August, moved out of area.
/// - Hal (46): not on the register; admitted 1 May (medium secure), which opens his entry;
///   transferred 25 June to a high secure hospital (a discharge to another hospital and a new
///   admission that day: no readmission); post-admission C(E)TR 10 July (due 23 July: on time).
/// - Ivy (65): amber from 1 July; admitted 1 August (rehabilitation); died in hospital 28
///   August, which closes her entry.
/// - Jon (16, ethnic A): amber from 2 August; referred to CYP keyworking 3 August.
/// - Kim (26, area South): green from 1 June.
/// - Lou (38): a person with nothing else recorded, in no figure.
pub async fn golden(app: &TestApp, coord: &Actor<'_>) -> Story {
    let mut people = HashMap::new();
    let mut entries = HashMap::new();
    let mut stays = HashMap::new();
    for (given, born, extra) in [
        ("Ana", "2012-03-01", json!({})),
        ("Ben", "1985-01-01", json!({})),
        ("Cal", "1990-05-17", json!({})),
        ("Dee", "2009-08-20", json!({})),
        ("Eve", "1970-02-02", json!({})),
        ("Fay", "2001-11-11", json!({"ethnic_category": "B"})),
        ("Gus", "1995-07-07", json!({})),
        ("Hal", "1980-03-03", json!({})),
        ("Ivy", "1960-12-12", json!({})),
        ("Jon", "2010-01-01", json!({"ethnic_category": "A"})),
        ("Kim", "1999-09-09", json!({"area": "South"})),
        ("Lou", "1988-08-08", json!({})),
    ] {
        people.insert(given, someone(coord, given, born, extra).await);
    }
    let p = |given: &str| people[given].clone();
    for (given, rag, on) in [
        ("Ana", "amber", "2026-05-10"),
        ("Ben", "green", "2026-06-03"),
        ("Cal", "amber", "2026-04-01"),
        ("Eve", "amber", "2026-01-15"),
        ("Fay", "red", "2026-06-20"),
        ("Gus", "amber", "2026-02-01"),
        ("Ivy", "amber", "2026-07-01"),
        ("Jon", "amber", "2026-08-02"),
        ("Kim", "green", "2026-06-01"),
    ] {
        entries.insert(given, open(coord, &p(given), rag, on).await);
    }
    let e = |given: &str| id(&entries[given]);

    // Ana
    review(coord, &e("Ana"), "red", "2026-07-05").await;
    cetr(coord, &p("Ana"), "community", "2026-07-12", None).await;
    let res = coord
        .post(
            &format!("/people/{}/keyworking", p("Ana")),
            &json!({"referred_on": "2026-06-15"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let episode = format!("/keyworking/{}", id(&res.json().await.unwrap()));
    let keyworker = app.sign_in(Role::Keyworker).await;
    for (version, body) in [
        (1, json!({"status": "accepted", "on": "2026-06-20"})),
        (
            2,
            json!({"status": "allocated", "keyworker_id": keyworker.id, "on": "2026-06-25"}),
        ),
    ] {
        let res = coord.patch(&episode, &body).if_match(version).await;
        assert_eq!(res.status(), 200, "{body}");
    }
    // Ben, Gus
    close(coord, &e("Ben"), "no_longer_at_risk", "2026-07-20").await;
    close(coord, &e("Gus"), "moved_out_of_area", "2026-08-05").await;
    // Cal
    let cal = admit(
        coord,
        &p("Cal"),
        "2026-06-10",
        "low_secure",
        Some("low_secure"),
    )
    .await;
    let res = coord
        .post(&format!("/admissions/{cal}/discharge-plan"), &json!({}))
        .await;
    assert_eq!(res.status(), 201);
    // The plan was drawn up on 20 June; the API stamps it now, so the story dates it back.
    sql_elsewhere(
        app,
        &format!("UPDATE discharge_plans SET created_at = '2026-06-20 10:00:00' WHERE admission_id = '{cal}'"),
    );
    cetr(coord, &p("Cal"), "post_admission", "2026-07-01", Some(&cal)).await;
    visit(coord, &cal, "2026-07-20").await;
    patch_stay(
        coord,
        &cal,
        json!({"discharged_on": "2026-08-15", "discharge_destination": "community"}),
    )
    .await;
    stays.insert("Cal", cal);
    // Dee
    let dee = admit(
        coord,
        &p("Dee"),
        "2026-07-03",
        "cyp_inpatient",
        Some("camhs_general"),
    )
    .await;
    cetr(coord, &p("Dee"), "post_admission", "2026-07-20", Some(&dee)).await;
    visit(coord, &dee, "2026-08-10").await;
    patch_stay(
        coord,
        &dee,
        json!({"clinically_ready_on": "2026-08-20", "delay_reasons": ["housing"]}),
    )
    .await;
    stays.insert("Dee", dee);
    // Eve
    let eve1 = admit(coord, &p("Eve"), "2026-03-01", "non_secure", None).await;
    patch_stay(
        coord,
        &eve1,
        json!({"discharged_on": "2026-05-20", "discharge_destination": "community"}),
    )
    .await;
    let eve = admit(
        coord,
        &p("Eve"),
        "2026-07-15",
        "non_secure",
        Some("assessment_treatment"),
    )
    .await;
    stays.insert("Eve", eve);
    // Fay
    let laep = json!({"kind": "laep", "held_on": "2026-06-28", "panel": [], "summary": "Crisis",
                      "agencies": ["Social care"], "laep_outcome": "admission_avoided"});
    let res = coord
        .post(&format!("/people/{}/cetrs", p("Fay")), &laep)
        .await;
    assert_eq!(res.status(), 201);
    review(coord, &e("Fay"), "green", "2026-08-10").await;
    // Hal
    let hal1 = admit(
        coord,
        &p("Hal"),
        "2026-05-01",
        "medium_secure",
        Some("medium_secure"),
    )
    .await;
    patch_stay(
        coord,
        &hal1,
        json!({"discharged_on": "2026-06-25", "discharge_destination": "other_hospital"}),
    )
    .await;
    let hal = admit(
        coord,
        &p("Hal"),
        "2026-06-25",
        "high_secure",
        Some("high_secure"),
    )
    .await;
    cetr(coord, &p("Hal"), "post_admission", "2026-07-10", Some(&hal)).await;
    stays.insert("Hal", hal);
    // Ivy
    let ivy = admit(
        coord,
        &p("Ivy"),
        "2026-08-01",
        "non_secure",
        Some("rehabilitation"),
    )
    .await;
    patch_stay(
        coord,
        &ivy,
        json!({"discharged_on": "2026-08-28", "discharge_destination": "died"}),
    )
    .await;
    stays.insert("Ivy", ivy);
    // Jon
    let res = coord
        .post(
            &format!("/people/{}/keyworking", p("Jon")),
            &json!({"referred_on": "2026-08-03"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    Story {
        people,
        entries,
        stays,
    }
}

/// The hand-worked figures: (measure, June, July, August).
fn expected() -> Vec<(&'static str, Value, Value, Value)> {
    let n = |a: i64, b: i64, c: i64| (json!(a), json!(b), json!(c));
    let rows: Vec<(&str, (Value, Value, Value))> = vec![
        ("register_total", n(8, 9, 8)),
        ("register_red", n(2, 2, 2)),
        ("register_amber", n(2, 2, 1)),
        ("register_green", n(2, 1, 2)),
        ("register_blue", n(2, 4, 3)),
        ("register_child", n(1, 2, 3)),
        ("register_young_person", n(1, 1, 1)),
        ("register_adult", n(6, 6, 4)),
        ("register_ethnic_A", n(0, 0, 1)),
        ("register_ethnic_B", n(1, 1, 1)),
        ("register_ethnic_not_recorded", n(7, 8, 6)),
        ("entries_opened", n(3, 2, 1)),
        ("entries_closed", n(0, 1, 2)),
        ("closures_no_longer_at_risk", n(0, 1, 0)),
        ("closures_moved_out_of_area", n(0, 0, 1)),
        ("closures_died", n(0, 0, 1)),
        ("admissions", n(2, 2, 1)),
        ("admissions_known_to_register", n(2, 1, 1)),
        (
            "admissions_known_to_register_percent",
            (json!(100.0), json!(50.0), json!(100.0)),
        ),
        ("discharges", n(1, 0, 2)),
        ("discharges_community", n(0, 0, 1)),
        ("discharges_other_hospital", n(1, 0, 0)),
        ("discharges_died", n(0, 0, 1)),
        ("inpatients", n(2, 4, 3)),
        ("inpatients_under_18", n(0, 1, 1)),
        ("inpatients_18_and_over", n(2, 3, 2)),
        ("inpatients_low_secure", n(1, 1, 0)),
        ("inpatients_high_secure", n(1, 1, 1)),
        ("inpatients_camhs_general", n(0, 1, 1)),
        ("inpatients_assessment_treatment", n(0, 1, 1)),
        ("inpatients_rehabilitation", n(0, 0, 0)),
        ("inpatients_ward_type_not_recorded", n(0, 0, 0)),
        (
            "median_length_of_stay_days",
            (json!(12.5), json!(32.0), json!(59.0)),
        ),
        ("delayed_discharges", n(0, 0, 1)),
        ("cetrs_held", n(0, 3, 0)),
        ("cetrs_on_time", n(0, 2, 0)),
        (
            "cetr_on_time_percent",
            (Value::Null, json!(66.7), Value::Null),
        ),
        ("oversight_visits_held", n(0, 1, 1)),
        ("oversight_visits_on_time", n(0, 1, 1)),
        (
            "oversight_visit_on_time_percent",
            (Value::Null, json!(100.0), json!(100.0)),
        ),
        ("inpatients_with_discharge_plan", n(1, 1, 0)),
        (
            "discharge_plan_percent",
            (json!(50.0), json!(25.0), json!(0.0)),
        ),
        ("cyp_red_amber_blue", n(2, 3, 3)),
        ("cyp_keyworker_allocated", n(1, 1, 1)),
        ("red_with_cetr_or_laep_in_14_days", n(1, 2, 1)),
        ("laeps_held", n(1, 0, 0)),
        ("laeps_admission_avoided", n(1, 0, 0)),
        ("readmissions_90_days", n(0, 1, 0)),
        ("readmission_cohort_discharges", n(0, 0, 1)),
        ("readmission_cohort_readmitted", n(0, 0, 1)),
        (
            "readmission_rate_percent",
            (Value::Null, Value::Null, json!(100.0)),
        ),
        ("overdue_dsr_review_overdue", n(0, 0, 0)),
    ];
    rows.into_iter()
        .map(|(m, (a, b, c))| (m, a, b, c))
        .collect()
}

const MONTHS: [&str; 3] = ["2026-06", "2026-07", "2026-08"];

#[tokio::test]
async fn the_golden_fixture_gives_every_hand_worked_figure_list_and_return_row() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    let story = golden(&app, &coord).await;

    let report = manager
        .get("/reports/monthly?from=2026-06&to=2026-08")
        .json()
        .await;
    let months = report["months"].as_array().unwrap();
    assert_eq!(months.len(), 3);
    for (row, (month, as_of)) in
        months.iter().zip(
            MONTHS
                .iter()
                .zip(["2026-06-30", "2026-07-31", "2026-08-31"]),
        )
    {
        assert_eq!(
            (row["month"].as_str(), row["as_of"].as_str()),
            (Some(*month), Some(as_of))
        );
    }
    for (measure, june, july, august) in expected() {
        let got: Vec<&Value> = months.iter().map(|m| &m[measure]).collect();
        assert_eq!(got, [&june, &july, &august], "{measure}");
    }
    // Every measure of domain.md is a column, and every integer is a count the catalogue names.
    let catalogue: HashMap<String, String> = report["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for row in months {
        for (name, value) in row.as_object().unwrap() {
            if name == "month" || name == "as_of" {
                continue;
            }
            let kind = catalogue
                .get(name)
                .unwrap_or_else(|| panic!("{name} not catalogued"));
            if value.is_i64() {
                assert_eq!(kind, "count", "{name}");
            } else {
                assert!(value.is_null() || value.is_f64(), "{name}: {value}");
                assert_eq!(kind, "decimal", "{name}");
            }
        }
    }

    // The lists behind some figures, exactly, in order (by date, then name).
    let list = |measure: &str, month: &str| {
        let path = format!("/reports/people?measure={measure}&month={month}");
        let manager = &manager;
        async move { manager.get(&path).json().await }
    };
    let person = |given: &str| story.people[given].clone();
    let inpatients = list("inpatients", "2026-07").await;
    assert_eq!(inpatients["total"], 4);
    let rows: Vec<(String, &str, &str, &str)> = inpatients["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["person_id"].as_str().unwrap().to_string(),
                i["person_name"].as_str().unwrap(),
                i["kind"].as_str().unwrap(),
                i["on"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (person("Cal"), "Cal Golden", "admission", "2026-06-10"),
            (person("Hal"), "Hal Golden", "admission", "2026-06-25"),
            (person("Dee"), "Dee Golden", "admission", "2026-07-03"),
            (person("Eve"), "Eve Golden", "admission", "2026-07-15"),
        ]
    );
    assert_eq!(
        inpatients["items"][0]["id"].as_str(),
        Some(story.stays["Cal"].as_str())
    );
    assert_eq!(
        inpatients["items"][0]["reference"], story.entries["Cal"]["reference"],
        "each item names its person's register reference"
    );
    assert!(inpatients["items"][2]["reference"]
        .as_str()
        .unwrap()
        .starts_with("DSR-"));
    let closed = list("entries_closed", "2026-08").await;
    let closed: Vec<(&str, &str, &str)> = closed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["person_name"].as_str().unwrap(),
                i["kind"].as_str().unwrap(),
                i["on"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        closed,
        [
            ("Gus Golden", "entry", "2026-08-05"),
            ("Ivy Golden", "entry", "2026-08-28")
        ]
    );
    let held = list("cetrs_held", "2026-07").await;
    let held: Vec<(&str, &str)> = held["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["person_name"].as_str().unwrap(),
                i["on"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        held,
        [
            ("Cal Golden", "2026-07-01"),
            ("Hal Golden", "2026-07-10"),
            ("Dee Golden", "2026-07-20")
        ]
    );
    let timely = list("red_with_cetr_or_laep_in_14_days", "2026-07").await;
    let timely: Vec<&str> = timely["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["person_name"].as_str().unwrap())
        .collect();
    assert_eq!(timely, ["Ana Golden", "Fay Golden"]);
    let cohort = list("readmission_cohort_readmitted", "2026-08").await;
    assert_eq!(cohort["total"], 1);
    assert_eq!(
        (
            cohort["items"][0]["person_name"].as_str(),
            cohort["items"][0]["kind"].as_str(),
            cohort["items"][0]["on"].as_str()
        ),
        (Some("Eve Golden"), Some("discharge"), Some("2026-05-20"))
    );
    // Paging keeps the total.
    let page = manager
        .get("/reports/people?measure=register_total&month=2026-07&limit=2&offset=8")
        .json()
        .await;
    assert_eq!(
        (
            page["total"].as_i64(),
            page["items"].as_array().unwrap().len()
        ),
        (Some(9), 1)
    );

    // One area: Kim alone in the South.
    let south = manager
        .get("/reports/monthly?from=2026-06&to=2026-06&area=south")
        .json()
        .await;
    assert_eq!(south["months"][0]["register_total"], 1);
    assert_eq!(south["months"][0]["register_green"], 1);
    let kim = manager
        .get("/reports/people?measure=register_total&month=2026-06&area=South")
        .json()
        .await;
    assert_eq!(
        kim["items"][0]["person_id"].as_str(),
        Some(person("Kim").as_str())
    );

    // The inpatient return on 31 July: the four inpatients, each row worked out by hand.
    let res = manager
        .get("/exports/assuring-transformation?as_of=2026-07-31")
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    rows.sort_by(|a, b| a[col("admitted_on")].cmp(&b[col("admitted_on")]));
    let pick = |r: &Vec<String>| {
        [
            "date_of_birth",
            "ward_type",
            "admitted_on",
            "on_register_before_admission",
            "last_cetr_on",
            "last_oversight_visit_on",
            "clinically_ready_on",
        ]
        .map(|c| r[col(c)].clone())
    };
    let rows: Vec<[String; 7]> = rows.iter().map(pick).collect();
    let want = [
        [
            "1990-05-17",
            "low_secure",
            "2026-06-10",
            "true",
            "2026-07-01",
            "2026-07-20",
            "",
        ],
        [
            "1980-03-03",
            "high_secure",
            "2026-06-25",
            "true",
            "2026-07-10",
            "",
            "",
        ],
        [
            "2009-08-20",
            "camhs_general",
            "2026-07-03",
            "false",
            "2026-07-20",
            "",
            "",
        ],
        [
            "1970-02-02",
            "assessment_treatment",
            "2026-07-15",
            "true",
            "",
            "",
            "",
        ],
    ]
    .map(|r| r.map(String::from));
    assert_eq!(
        rows, want,
        "readiness recorded from 20 August is not yet in July's return"
    );
    let august = manager
        .get("/exports/assuring-transformation?as_of=2026-08-31")
        .await
        .text()
        .await
        .unwrap();
    let dee = august
        .lines()
        .find(|l| l.contains("2009-08-20"))
        .expect("Dee is in hospital on 31 August");
    let dee: Vec<&str> = dee.split(',').collect();
    assert_eq!(
        (dee[col("clinically_ready_on")], dee[col("delay_reasons")]),
        ("2026-08-20", "housing")
    );
    assert_eq!(august.lines().count(), 4, "header and Dee, Eve, Hal");
}

/// Every count of a month, and of the summary on a day, as (measure, figure).
fn counts(row: &Value) -> Vec<(String, i64)> {
    row.as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| v.as_i64().map(|n| (k.clone(), n)))
        .collect()
}

#[tokio::test]
async fn every_count_lists_exactly_the_rows_behind_it() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    golden(&app, &coord).await;
    // Alerts raised today, so the overdue counts of today are not all nought.
    let run = coord.post("/escalations/run", &json!({})).await;
    assert!(run.status().is_success());

    let current = today().format("%Y-%m").to_string();
    let report = manager
        .get(&format!("/reports/monthly?from=2026-06&to={current}"))
        .json()
        .await;
    let mut checked = 0;
    for row in report["months"].as_array().unwrap() {
        let month = row["month"].as_str().unwrap();
        for (measure, figure) in counts(row) {
            let list = manager
                .get(&format!(
                    "/reports/people?measure={measure}&month={month}&limit=500"
                ))
                .json()
                .await;
            assert_eq!(list["total"].as_i64(), Some(figure), "{measure} in {month}");
            assert_eq!(
                list["items"].as_array().unwrap().len() as i64,
                figure.min(500)
            );
            checked += 1;
        }
    }
    assert!(checked > 6 * 80, "every count of every month: {checked}");
    let current_row = report["months"].as_array().unwrap().last().unwrap();
    let overdue: i64 = counts(current_row)
        .iter()
        .filter(|(m, _)| m.starts_with("overdue_"))
        .map(|(_, n)| n)
        .sum();
    assert!(overdue > 0, "the sweep raised alerts today: {current_row}");

    // The summary's counts on a day are the same measures, listed with `as_of`.
    let summary = manager.get("/reports/summary").json().await;
    let mut figures: Vec<(String, i64)> = vec![
        ("inpatients".into(), summary["inpatients"].as_i64().unwrap()),
        (
            "readmissions_90_days".into(),
            summary["readmissions_90_days"].as_i64().unwrap(),
        ),
        (
            "cetrs_held".into(),
            summary["cetrs_held_12_months"].as_i64().unwrap(),
        ),
        (
            "cetrs_on_time".into(),
            summary["cetrs_on_time_12_months"].as_i64().unwrap(),
        ),
        (
            "laeps_held".into(),
            summary["laeps_12_months"].as_i64().unwrap(),
        ),
    ];
    for (k, v) in summary["register"].as_object().unwrap() {
        figures.push((format!("register_{k}"), v.as_i64().unwrap()));
    }
    for (k, v) in summary["by_age_group"].as_object().unwrap() {
        figures.push((format!("register_{k}"), v.as_i64().unwrap()));
    }
    for (k, v) in summary["overdue"].as_object().unwrap() {
        figures.push((format!("overdue_{k}"), v.as_i64().unwrap()));
    }
    for (k, v) in summary["laep_outcomes"].as_object().unwrap() {
        let k = if k == "not_recorded" {
            "outcome_not_recorded"
        } else {
            k
        };
        figures.push((format!("laeps_{k}"), v.as_i64().unwrap()));
    }
    for (k, v) in summary["risk_factors"].as_object().unwrap() {
        figures.push((format!("risk_factor_{k}"), v.as_i64().unwrap()));
    }
    assert!(figures
        .iter()
        .any(|(m, n)| m.starts_with("overdue_") && *n > 0));
    // By area: the register of each area is the same list narrowed to it.
    let areas = summary["by_area"].as_object().unwrap();
    assert_eq!(areas.len(), 2, "North and South: {summary}");
    for (area, figure) in areas {
        let path = format!(
            "/reports/people?measure=register_total&as_of={}&area={area}",
            today()
        );
        assert_eq!(manager.get(&path).json().await["total"], *figure, "{area}");
    }
    for (measure, figure) in figures {
        let list = manager
            .get(&format!(
                "/reports/people?measure={measure}&as_of={}",
                today()
            ))
            .json()
            .await;
        assert_eq!(list["total"].as_i64(), Some(figure), "summary {measure}");
    }
}

#[tokio::test]
async fn the_series_downloads_as_csv_and_xlsx_with_the_same_figures() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    golden(&app, &coord).await;
    let json = manager
        .get("/reports/monthly?from=2026-06&to=2026-08")
        .json()
        .await;

    let res = manager
        .get("/reports/monthly?from=2026-06&to=2026-08&format=csv")
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("dsr-monthly-2026-06-to-2026-08.csv"));
    let text = res.text().await.unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(lines.len(), 4);
    let names: Vec<&str> = json["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(lines[0][..2], ["month", "as_of"]);
    assert_eq!(lines[0][2..], names[..], "columns in catalogue order");
    let at = |name: &str| lines[0].iter().position(|c| *c == name).unwrap();
    assert_eq!(
        (
            lines[2][at("month")],
            lines[2][at("inpatients")],
            lines[2][at("cetr_on_time_percent")]
        ),
        ("2026-07", "4", "66.7")
    );
    assert_eq!(
        lines[1][at("cetr_on_time_percent")],
        "",
        "undefined is blank"
    );

    let res = manager
        .get("/reports/monthly?from=2026-06&to=2026-08&format=xlsx")
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap();
    let (header, rows) = read_sheet(&bytes, "Monthly");
    assert_eq!(header.len(), names.len() + 2);
    let at = |name: &str| header.iter().position(|c| c == name).unwrap();
    let july = &rows[1];
    assert_eq!(july[at("month")], calamine::Data::String("2026-07".into()));
    assert_eq!(
        july[at("register_total")],
        calamine::Data::Float(9.0),
        "numbers as numbers"
    );
    assert_eq!(
        july[at("median_length_of_stay_days")],
        calamine::Data::Float(32.0)
    );
    let (defs, measures) = read_sheet(&bytes, "Measures");
    assert_eq!(defs, ["measure", "group", "kind", "definition"]);
    assert_eq!(measures.len(), names.len());
}

fn read_sheet(bytes: &[u8], name: &str) -> (Vec<String>, Vec<Vec<calamine::Data>>) {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(name).unwrap();
    let mut rows = range.rows();
    let header = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    (header, rows.map(|r| r.to_vec()).collect())
}

#[tokio::test]
async fn a_bad_month_measure_or_format_is_named_and_admins_see_no_reports() {
    let app = spawn_app().await;
    let manager = app.sign_in(Role::Manager).await;
    let next_month = today()
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .format("%Y-%m")
        .to_string();
    for (query, field) in [
        ("from=2026-13", "from"),
        ("from=june", "from"),
        (&format!("to={next_month}") as &str, "to"),
        ("from=2026-08&to=2026-06", "from"),
        ("from=2020-01&to=2026-06", "from"),
        ("format=pdf", "format"),
    ] {
        let res = manager.get(&format!("/reports/monthly?{query}")).await;
        assert_eq!(
            error_fields(&assert_problem(res, 400).await),
            [field],
            "{query}"
        );
    }
    for (query, field) in [
        ("", "measure"),
        ("measure=nonsense", "measure"),
        ("measure=cetr_on_time_percent", "measure"),
        ("measure=inpatients&month=2026-6", "month"),
        (
            &format!("measure=inpatients&month={next_month}") as &str,
            "month",
        ),
        ("measure=inpatients&month=2026-06&as_of=2026-06-30", "as_of"),
        ("measure=inpatients&as_of=yesterday", "as_of"),
        ("measure=inpatients&limit=0", "limit"),
    ] {
        let res = manager.get(&format!("/reports/people?{query}")).await;
        assert_eq!(
            error_fields(&assert_problem(res, 400).await),
            [field],
            "{query}"
        );
    }
    // Twelve months to this one by default.
    let default = manager.get("/reports/monthly").json().await;
    assert_eq!(default["months"].as_array().unwrap().len(), 12);
    assert_eq!(default["to"], today().format("%Y-%m").to_string());
    assert_eq!(
        default["months"][11]["as_of"],
        json!(today()),
        "the current month is as at today"
    );
    // Authorise first: an admin learns nothing of what was wrong with the query.
    let admin = app.sign_in(Role::Admin).await;
    assert_problem(admin.get("/reports/monthly?format=pdf").await, 403).await;
    assert_problem(admin.get("/reports/people").await, 403).await;
}

#[tokio::test]
async fn a_closure_can_be_dated_back_but_not_ahead_or_before_the_opening() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = coord.person("Clo").await;
    let entry = coord
        .open_entry(&person, Rag::Amber, Some(days_ago(30)))
        .await;
    let path = format!("/register/{}/close", id(&entry));
    for (on, status) in [(days_ahead(1), 422), (days_ago(31), 422)] {
        let res = coord
            .post(
                &path,
                &json!({"reason": "no_longer_at_risk", "closed_on": on}),
            )
            .if_match(1)
            .await;
        assert_eq!(
            error_fields(&assert_problem(res, status).await),
            ["closed_on"]
        );
    }
    let closed = coord
        .post(
            &path,
            &json!({"reason": "no_longer_at_risk", "closed_on": days_ago(3)}),
        )
        .if_match(1)
        .json()
        .await;
    assert_eq!(closed["closed_on"], json!(days_ago(3)));
    assert_eq!(closed["status"], "closed");
}

#[tokio::test]
async fn the_reports_page_shows_the_series_and_each_count_opens_its_people() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let story = golden(&app, &coord).await;
    let (mut browser, _) = crate::web::Browser::signed_in(&app, Role::Manager).await;

    let dashboard = browser.get("/dashboard").await;
    assert!(
        dashboard.has("href=\"/reports\""),
        "the dashboard and the navigation lead here"
    );
    let page = browser.get("/reports?from=2026-06&to=2026-08").await;
    assert_eq!((page.status, page.h1().as_str()), (200, "Reports"));
    assert!(page.has(">Jun 2026</th>") && page.has(">Aug 2026</th>"));
    let link = "<a href=\"/reports/people?measure=inpatients&#38;month=2026-07\">4<span";
    assert!(page.has(link), "July's inpatients, 4, a link to them");
    assert!(
        page.has(">66.7</td>"),
        "a percentage is a figure, not a link"
    );
    for heading in ["The register", "Inpatients", "Readmissions", "Overdue work"] {
        assert!(page.has(&format!("<h3>{heading}</h3>")), "{heading}");
    }
    assert!(page.has("href=\"/reports/monthly.xlsx?from=2026-06&#38;to=2026-08\""));

    let list = browser
        .get("/reports/people?measure=inpatients&month=2026-07")
        .await;
    assert_eq!(list.status, 200);
    assert!(list.has("<span class=\"dsr-headline__figure\" id=\"total\">4</span>"));
    for given in ["Cal", "Dee", "Eve", "Hal"] {
        let href = format!(
            "<a href=\"/people/{}\">{given} Golden</a>",
            story.people[given]
        );
        assert!(list.has(&href), "{given}");
    }
    assert!(list.has(story.entries["Cal"]["reference"].as_str().unwrap()));
    assert!(!list.has("Ana Golden"));

    // The downloads, as the signed-in manager saves them.
    let (status, headers, bytes) = browser
        .download("/reports/monthly.xlsx?from=2026-06&to=2026-08")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let (header, rows) = read_sheet(&bytes, "Monthly");
    let at = header.iter().position(|c| c == "inpatients").unwrap();
    assert_eq!(rows[1][at], calamine::Data::Float(4.0));
    let (status, _, twelve) = browser.download("/reports/monthly.xlsx").await;
    assert_eq!(status, 200);
    assert_eq!(
        read_sheet(&twelve, "Monthly").1.len(),
        12,
        "twelve months by default"
    );
    let (status, headers, csv) = browser
        .download("/reports/assuring-transformation.csv?as_of=2026-07-31")
        .await;
    assert_eq!(status, 200);
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("2026-07-31"));
    assert_eq!(
        String::from_utf8(csv).unwrap().lines().count(),
        5,
        "header and four inpatients"
    );

    // A bad month is named on the page, in the design system's error summary.
    let bad = browser.get("/reports?from=2026-13&to=2026-08").await;
    assert_eq!(bad.status, 200);
    assert!(bad.has("There is a problem"));
    assert!(bad.has("<a href=\"#from\">From month must be a month, YYYY-MM</a>"));
    assert!(!bad.has("Monthly figures,"));
    assert_eq!(
        browser.get("/reports/people?measure=nonsense").await.status,
        400
    );
    let tomorrow = days_ahead(1).to_string();
    let bad_day = browser
        .get(&format!(
            "/reports/assuring-transformation.csv?as_of={tomorrow}"
        ))
        .await;
    assert_eq!(bad_day.status, 400);
    assert!(bad_day.has("<a href=\"#as_of\">In hospital on must not be in the future</a>"));
    assert!(
        bad_day.has(&format!("value=\"{tomorrow}\"")),
        "the day as typed"
    );

    let mut admin = crate::web::Browser::new(&app);
    assert_eq!(
        admin.sign_in_with("admin", ADMIN_PASSWORD, "").await.status,
        303
    );
    let (keyworker, _) = crate::web::Browser::signed_in(&app, Role::Keyworker).await;
    let (clinician, _) = crate::web::Browser::signed_in(&app, Role::Clinician).await;
    for (role, mut other) in [
        ("admin", admin),
        ("keyworker", keyworker),
        ("clinician", clinician),
    ] {
        for path in [
            "/reports",
            "/reports/people?measure=inpatients",
            "/reports/monthly.xlsx",
        ] {
            assert_eq!(other.get(path).await.status, 403, "{role} {path}");
        }
        assert_eq!(
            other
                .download("/reports/assuring-transformation.csv")
                .await
                .0,
            403
        );
    }
}
