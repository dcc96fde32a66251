//! Referrals in: anyone but an admin refers; the person's details are held on the referral
//! until a coordinator accepts it (then the person is created or linked and their entry
//! opened); declining needs a reason; the two clocks raise alerts that resolve themselves.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::smtp_sink::SmtpSink;

fn referral(given: &str, received_on: chrono::NaiveDate) -> Value {
    json!({
        "person": person_body(given, "Referred"),
        "referrer_name": "Dr A Jones",
        "referrer_organisation": "Northgate Surgery",
        "referrer_contact": "0113 496 0000",
        "reason": "Placement at risk of breaking down; two crisis calls this month",
        "received_on": received_on,
    })
}

#[tokio::test]
async fn a_referral_is_received_screened_and_accepted_onto_the_register() {
    let app = spawn_app().await;
    let kw = app.sign_in(Role::Keyworker).await;
    let other_kw = app.sign_in(Role::Keyworker).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let admin = app.sign_in(Role::Admin).await;

    // 2026-11-30 is a Monday: the first contact is due 5 working days later.
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let received_on = if today() >= monday {
        monday
    } else {
        days_ago(2)
    };
    let res = kw.post("/referrals", &referral("Rory", received_on)).await;
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    let reference = made["reference"].as_str().unwrap();
    assert!(
        reference.len() == 10 && reference.starts_with("REF-"),
        "{reference}"
    );
    assert_eq!(made["status"], "received");
    assert_eq!(made["name"], "Rory Referred");
    assert!(made["person_id"].is_null());
    assert_eq!(made["person"]["given_name"], "Rory");
    assert_eq!(made["recorded_by"]["id"], kw.id.as_str());
    if received_on == monday {
        assert_eq!(made["contact_due_on"], "2026-12-07");
        assert_eq!(made["decision_due_on"], "2026-12-28");
    }
    let id = made["id"].as_str().unwrap();
    let path = format!("/referrals/{id}");
    // Admins refer no one; the referrer sees their own, another keyworker does not.
    assert_problem(
        admin.post("/referrals", &referral("Ada", today())).await,
        403,
    )
    .await;
    assert_problem(admin.get("/referrals").await, 403).await;
    assert_eq!(kw.get(&path).await.status(), 200);
    assert_problem(other_kw.get(&path).await, 404).await;
    let theirs: Value = other_kw.get("/referrals").json().await;
    assert_eq!(theirs["total"], 0);
    let queue: Value = coord.get("/referrals?status=received").json().await;
    assert!(queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == id));
    // Only coordinators triage.
    assert_problem(kw.patch(&path, &json!({"status": "screened"})).await, 403).await;

    // A first contact, then screening, then the decision.
    let contacted: Value = coord
        .patch(&path, &json!({"first_contact_on": today()}))
        .json()
        .await;
    assert_eq!(contacted["first_contact_on"], json!(today()));
    assert!(contacted["contact_due_on"].is_null());
    let screened: Value = coord
        .patch(&path, &json!({"status": "screened"}))
        .if_match(2)
        .json()
        .await;
    assert_eq!(
        (screened["status"].as_str(), screened["screened_on"].clone()),
        (Some("screened"), json!(today()))
    );
    let accepted: Value = coord
        .patch(&path, &json!({"status": "accepted"}))
        .json()
        .await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["decided_by"]["id"], coord.id.as_str());
    assert!(
        accepted["person"].is_null(),
        "the details moved to the person"
    );
    let person_id = accepted["person_id"].as_str().unwrap();
    let entry_id = accepted["register_entry_id"].as_str().unwrap();
    let person: Value = coord.get(&format!("/people/{person_id}")).json().await;
    assert_eq!(
        (
            person["given_name"].as_str(),
            person["family_name"].as_str()
        ),
        (Some("Rory"), Some("Referred"))
    );
    let entry: Value = coord.get(&format!("/register/{entry_id}")).json().await;
    assert_eq!(entry["rag"], "amber");
    assert_eq!(
        entry["risk_summary"],
        "Placement at risk of breaking down; two crisis calls this month"
    );
    assert!(entry["referral_source"]
        .as_str()
        .unwrap()
        .starts_with(reference));
    assert_eq!(entry["opened_on"], json!(today()));
    // A decision is final.
    let again = coord
        .patch(
            &path,
            &json!({"status": "declined", "decision_reason": "x"}),
        )
        .await;
    assert_problem(again, 409).await;
    // The referrer still reads their referral, now naming the person.
    let read: Value = kw.get(&path).json().await;
    assert_eq!(read["person_id"], person_id);
    assert_eq!(read["name"], "Rory Referred");
}

#[tokio::test]
async fn declining_needs_a_reason_and_the_referrer_told() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let made: Value = coord
        .post("/referrals", &referral("Dee", days_ago(3)))
        .json()
        .await;
    let path = format!("/referrals/{}", made["id"].as_str().unwrap());
    let bare = coord.patch(&path, &json!({"status": "declined"})).await;
    assert_eq!(
        error_fields(&assert_problem(bare, 422).await),
        vec!["decision_reason"]
    );
    let early = coord
        .patch(&path, &json!({"referrer_told_on": days_ago(10)}))
        .await;
    assert_eq!(
        error_fields(&assert_problem(early, 422).await),
        vec!["referrer_told_on"]
    );
    let stray = coord.patch(&path, &json!({"rag": "red"})).await;
    assert_eq!(error_fields(&assert_problem(stray, 422).await), vec!["rag"]);
    let declined: Value = coord
        .patch(
            &path,
            &json!({"status": "declined", "decision_reason": "Needs are met by the community LD team",
                    "referrer_told_on": today()}),
        )
        .json()
        .await;
    assert_eq!(declined["status"], "declined");
    assert_eq!(
        declined["decision_reason"],
        "Needs are met by the community LD team"
    );
    assert_eq!(declined["referrer_told_on"], json!(today()));
    assert!(declined["person_id"].is_null(), "no person record is made");
    assert_eq!(declined["person"]["given_name"], "Dee");
    let reopened = coord.patch(&path, &json!({"status": "accepted"})).await;
    assert_problem(reopened, 409).await;
    let register: Value = coord.get("/register?search=Dee").json().await;
    assert_eq!(register["total"], 0);
}

#[tokio::test]
async fn bad_referrals_name_their_fields() {
    let app = spawn_app().await;
    let clinician = app.sign_in(Role::Clinician).await;
    let mut neither = referral("Nia", today());
    neither.as_object_mut().unwrap().remove("person");
    let problem = assert_problem(clinician.post("/referrals", &neither).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["person"]);
    let mut bad = referral("Nia", days_ahead(1));
    bad["person"]["nhs_number"] = json!("123");
    bad["reason"] = json!(" ");
    let problem = assert_problem(clinician.post("/referrals", &bad).await, 422).await;
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, vec!["person.nhs_number", "reason", "received_on"]);
    let nobody = json!({"person_id": uuid::Uuid::new_v4(), "referrer_name": "GP",
                        "reason": "Crisis", "received_on": today()});
    let problem = assert_problem(clinician.post("/referrals", &nobody).await, 422).await;
    assert_eq!(error_fields(&problem), vec!["person_id"]);
    let unknown = clinician
        .patch(&format!("/referrals/{}", uuid::Uuid::new_v4()), &json!({}))
        .await;
    assert_problem(unknown, 403).await;
}

#[tokio::test]
async fn a_referral_of_someone_recorded_links_them_and_a_look_alike_is_asked_about() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    // Someone recorded but not on the register, referred by id.
    let known = coord.person("Known").await;
    let known_id = known["id"].as_str().unwrap();
    let made: Value = coord
        .post(
            "/referrals",
            &json!({"person_id": known_id, "referrer_name": "Mum (self-referral by family)",
                    "reason": "Not sleeping, aggression at home", "received_on": today()}),
        )
        .json()
        .await;
    assert_eq!(made["name"], "Known Tester");
    let path = format!("/referrals/{}", made["id"].as_str().unwrap());
    let accepted: Value = coord
        .patch(
            &path,
            &json!({"status": "accepted", "rag": "red", "risk_summary": "Crisis at home"}),
        )
        .json()
        .await;
    assert_eq!(accepted["person_id"], known_id);
    let entry: Value = coord
        .get(&format!(
            "/register/{}",
            accepted["register_entry_id"].as_str().unwrap()
        ))
        .json()
        .await;
    assert_eq!(
        (entry["rag"].as_str(), entry["person_id"].as_str()),
        (Some("red"), Some(known_id))
    );
    // A second referral of someone already on the register cannot open a second entry.
    let twice: Value = coord
        .post(
            "/referrals",
            &json!({"person_id": known_id, "referrer_name": "GP", "reason": "Again",
                    "received_on": today()}),
        )
        .json()
        .await;
    let res = coord
        .patch(
            &format!("/referrals/{}", twice["id"].as_str().unwrap()),
            &json!({"status": "accepted"}),
        )
        .await;
    assert_problem(res, 409).await;

    // Held details that look like someone recorded (same birth date, same name).
    let mut look_alike = referral("Known", today());
    look_alike["person"]["family_name"] = json!("Tester");
    look_alike["person"]["confirm_not_duplicate"] = json!(false);
    let held: Value = coord.post("/referrals", &look_alike).json().await;
    let path = format!("/referrals/{}", held["id"].as_str().unwrap());
    let asked = assert_problem(
        coord.patch(&path, &json!({"status": "accepted"})).await,
        409,
    )
    .await;
    assert_eq!(asked["type"], "urn:dsr:problem:possible-duplicate");
    assert_eq!(asked["matches"][0]["id"], known_id);
    let still: Value = coord.get(&path).json().await;
    assert_eq!(still["status"], "received", "nothing changed: {still}");
    let confirmed: Value = coord
        .patch(
            &path,
            &json!({"status": "accepted", "confirm_not_duplicate": true}),
        )
        .json()
        .await;
    assert_eq!(confirmed["status"], "accepted");
    assert_ne!(confirmed["person_id"], known_id);
}

#[tokio::test]
async fn overdue_referrals_alert_the_coordinators_and_resolve_when_done() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(|s| {
        s.email.transport = dsr::config::EmailTransportKind::Smtp;
        s.email.smtp_url = url;
        s.email.from = "DSR <dsr@nhs.net>".into();
    })
    .await;
    let coord = app.sign_in(Role::Coordinator).await;
    let kw = app.sign_in(Role::Keyworker).await;
    // 10 days ago: at least 6 working days, so the first contact is overdue; the decision
    // (28 days) is not. 30 days ago: both.
    let late: Value = kw
        .post("/referrals", &referral("Late", days_ago(10)))
        .json()
        .await;
    let later: Value = kw
        .post("/referrals", &referral("Later", days_ago(30)))
        .json()
        .await;
    let fresh: Value = kw
        .post("/referrals", &referral("Fresh", today()))
        .json()
        .await;
    let run: Value = coord.post("/escalations/run", &json!({})).json().await;
    assert!(run.is_object());
    let alerts: Value = coord
        .get("/alerts?kind=referral_contact_overdue,referral_decision_overdue")
        .json()
        .await;
    let mut seen: Vec<(String, String)> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert!(a["person_id"].is_null(), "{a}");
            assert_eq!(a["subject_type"], "referral");
            (
                a["kind"].as_str().unwrap().to_string(),
                a["subject_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.sort();
    let id = |r: &Value| r["id"].as_str().unwrap().to_string();
    let mut expected = vec![
        ("referral_contact_overdue".to_string(), id(&late)),
        ("referral_contact_overdue".to_string(), id(&later)),
        ("referral_decision_overdue".to_string(), id(&later)),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    assert!(!seen.iter().any(|(_, s)| *s == id(&fresh)));
    // The emails go to the coordinators and carry the referral's reference, no name.
    let coord_address = format!("{}@nhs.net", coord.username);
    let to_coord = sink.to(&coord_address);
    assert_eq!(to_coord.len(), 1, "one digest");
    let text = to_coord[0].text();
    assert!(text.contains(late["reference"].as_str().unwrap()), "{text}");
    assert!(text.contains("Referral: no first contact yet"), "{text}");
    assert!(!text.contains("Late Referred"), "{text}");
    assert!(sink.to(&format!("{}@nhs.net", kw.username)).is_empty());
    // The keyworker who referred sees none of them: alerts follow the caseload.
    let theirs: Value = kw.get("/alerts").json().await;
    assert_eq!(theirs["total"], 0);

    // A contact resolves one clock, a decision the other.
    coord
        .patch(
            &format!("/referrals/{}", id(&late)),
            &json!({"first_contact_on": today()}),
        )
        .json()
        .await;
    coord
        .patch(
            &format!("/referrals/{}", id(&later)),
            &json!({"status": "declined", "decision_reason": "Out of area", "first_contact_on": days_ago(20)}),
        )
        .json()
        .await;
    coord.post("/escalations/run", &json!({})).json().await;
    let open: Value = coord
        .get("/alerts?kind=referral_contact_overdue,referral_decision_overdue")
        .json()
        .await;
    assert_eq!(open["total"], 0, "{open}");
    let resolved: Value = coord
        .get("/alerts?kind=referral_contact_overdue,referral_decision_overdue&status=resolved")
        .json()
        .await;
    assert_eq!(resolved["total"], 3);
}

/// The "done when", end to end: a partner refers a 17-year-old, a coordinator screens
/// and accepts them, records an ethnicity, a suspected autism diagnosis and a professional,
/// names a clinician as lead worker, sees the transition alert, and merges a duplicate record
/// without losing a contact.
#[tokio::test]
async fn the_done_when_walkthrough_for_people_and_workers() {
    let app = spawn_app().await;
    let partner = app.sign_in(Role::Clinician).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let born = today()
        .checked_sub_months(chrono::Months::new(12 * 17 + 2))
        .unwrap();
    let mut person = person_body("Robin", "Partner");
    person["date_of_birth"] = json!(born);
    person["consent_status"] = json!("parental");
    person["confirm_not_duplicate"] = json!(false);
    let made: Value = partner
        .post(
            "/referrals",
            &json!({"person": person, "referrer_name": "Dr P Partner", "referrer_organisation": "CAMHS",
                    "reason": "Escalating distress at school", "received_on": today()}),
        )
        .json()
        .await;
    let path = format!("/referrals/{}", made["id"].as_str().unwrap());
    coord
        .patch(
            &path,
            &json!({"status": "screened", "first_contact_on": today()}),
        )
        .json()
        .await;
    let accepted: Value = coord
        .patch(&path, &json!({"status": "accepted"}))
        .json()
        .await;
    let id = accepted["person_id"].as_str().unwrap().to_string();
    let changed: Value = coord
        .patch(
            &format!("/people/{id}"),
            &json!({"ethnic_category": "M", "conditions": [{"condition": "autism", "status": "suspected"}]}),
        )
        .json()
        .await;
    assert_eq!(changed["ethnic_category"], "M");
    assert_eq!(changed["conditions"][0]["status"], "suspected");
    assert_eq!(changed["diagnoses"], json!([]), "nothing diagnosed yet");
    coord
        .post(
            &format!("/people/{id}/involvements"),
            &json!({"name": "Sam Senco", "organisation": "Northgate School", "role": "senco", "from_on": today()}),
        )
        .json()
        .await;
    coord.assign_keyworker(&id, &partner.id).await;
    let read: Value = coord.get(&format!("/people/{id}")).json().await;
    assert_eq!(read["keyworker"]["id"], partner.id.as_str());
    coord.post("/escalations/run", &json!({})).json().await;
    let alerts: Value = coord
        .get(&format!(
            "/alerts?kind=transition_plan_missing&person_id={id}"
        ))
        .json()
        .await;
    assert_eq!(alerts["total"], 1, "{alerts}");

    // The same young person recorded again (by the spreadsheet, say), with a contact on it.
    let mut again = person_body("Robin", "Partner");
    again["date_of_birth"] = json!(born);
    let copy: Value = coord.post("/people", &again).json().await;
    let copy_id = copy["id"].as_str().unwrap();
    coord
        .post(
            &format!("/people/{copy_id}/contacts"),
            &json!({"occurred_at": chrono::Utc::now(), "kind": "phone", "summary": "Called mum"}),
        )
        .json()
        .await;
    let merged = coord
        .post(
            &format!("/people/{copy_id}/merge"),
            &json!({"into": id, "reason": "Recorded twice", "confirm_different_nhs_numbers": true}),
        )
        .await;
    assert_eq!(merged.status(), 200);
    let contacts: Value = coord.get(&format!("/people/{id}/contacts")).json().await;
    assert!(contacts["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["summary"] == "Called mum"));
    let tombstone: Value = coord.get(&format!("/people/{copy_id}")).json().await;
    assert_eq!(tombstone["merged_into"], id.as_str());
}
