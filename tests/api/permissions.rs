//! The permission matrix: every cell of the contract's permission table, for every role,
//! through the real API. "keyworker (own)" has the fixture person on their caseload;
//! "keyworker (other)" does not, and must get 404s as if the person did not exist.
//! Grow this table with every endpoint that is added.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const ROLES: [&str; 6] = [
    "admin",
    "coordinator",
    "manager",
    "clinician",
    "keyworker (own)",
    "keyworker (other)",
];

struct Fixtures {
    tokens: Vec<String>,
    coordinator: String,
    person: String,
    entry: String,
    contact: String,
    involvement: String,
    risk_factor: String,
    referral: String,
    kw_own: String,
    kw_other: String,
    clinician: String,
    admission: String,
    cetr: String,
    review: String,
    visit: String,
    /// A young person on keyworker (own)'s caseload, and their keyworking episode.
    young: String,
    episode: String,
    action_own: String,
    action_clin: String,
    plan: String,
    alert: String,
}

/// (cell of the table, method, path, body, expected status per role in ROLES order)
type Row = (&'static str, Method, &'static str, Value, [u16; 6]);

fn rows() -> Vec<Row> {
    use Method as M;
    let person = json!({"nhs_number": "{nhs}", "given_name": "Matrix", "family_name": "Row", "date_of_birth": "1999-01-01",
                        "diagnoses": ["autism"], "area": "North", "consent_status": "given"});
    let contact =
        json!({"occurred_at": chrono::Utc::now(), "kind": "phone", "summary": "Matrix call"});
    let review = json!({"reviewed_on": today(), "rag": "amber", "attendees": ["A"], "summary": "Matrix review"});
    vec![
        (
            "users write: create",
            M::POST,
            "/users",
            json!({"username": "u-{uniq}", "email": "u@nhs.net", "display_name": "U", "role": "clinician", "password": PASSWORD}),
            [201, 403, 403, 403, 403, 403],
        ),
        (
            "users write: update",
            M::PATCH,
            "/users/{kw_other}",
            json!({"display_name": "Renamed"}),
            [200, 403, 403, 403, 403, 403],
        ),
        (
            "users: list",
            M::GET,
            "/users",
            Value::Null,
            [200, 200, 200, 403, 403, 403],
        ),
        (
            "users: read",
            M::GET,
            "/users/{kw_own}",
            Value::Null,
            [200, 200, 200, 403, 403, 403],
        ),
        (
            "people write: create",
            M::POST,
            "/people",
            person,
            [403, 201, 403, 403, 403, 403],
        ),
        (
            "people write: update",
            M::PATCH,
            "/people/{person}",
            json!({"area": "North"}),
            [403, 200, 403, 403, 403, 403],
        ),
        (
            "register write: open",
            M::POST,
            "/register",
            json!({"person_id": "{fresh_person}", "rag": "green", "risk_summary": "r"}),
            [403, 201, 403, 403, 403, 403],
        ),
        (
            // A fresh entry: the fixture person is in hospital, and blue is held while admitted.
            "RAG write",
            M::PATCH,
            "/register/{fresh_entry}",
            json!({"rag": "red", "rag_reason": "Matrix"}),
            [403, 200, 403, 403, 403, 403],
        ),
        (
            "reviews write",
            M::POST,
            "/register/{fresh_entry}/reviews",
            review,
            [403, 201, 403, 403, 403, 403],
        ),
        (
            "close write",
            M::POST,
            "/register/{fresh_entry}/close",
            json!({"reason": "no_longer_at_risk"}),
            [403, 200, 403, 403, 403, 403],
        ),
        (
            "risk factors: list",
            M::GET,
            "/register/{entry}/risk-factors",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "risk factors: one",
            M::GET,
            "/risk-factors/{risk_factor}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "risk factors: note",
            M::POST,
            "/register/{fresh_entry}/risk-factors",
            json!({"code": "harm_to_self", "noted_on": today()}),
            [403, 201, 403, 403, 403, 403],
        ),
        (
            "risk factors: change",
            M::PATCH,
            "/risk-factors/{risk_factor}",
            json!({"note": "Matrix {uniq}"}),
            [403, 200, 403, 403, 403, 403],
        ),
        (
            "register: by reason for risk",
            M::GET,
            "/register?risk_factor=placement_breakdown",
            Value::Null,
            [403, 200, 200, 200, 200, 200],
        ),
        (
            "read people: list",
            M::GET,
            "/people",
            Value::Null,
            [403, 200, 200, 200, 200, 200],
        ),
        (
            "read people: one",
            M::GET,
            "/people/{person}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read register: list",
            M::GET,
            "/register",
            Value::Null,
            [403, 200, 200, 200, 200, 200],
        ),
        (
            "read register: one",
            M::GET,
            "/register/{entry}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read history",
            M::GET,
            "/register/{entry}/history",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read reviews",
            M::GET,
            "/register/{entry}/reviews",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read keyworker history",
            M::GET,
            "/people/{person}/keyworker-history",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read contacts: list",
            M::GET,
            "/people/{person}/contacts",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read contacts: one",
            M::GET,
            "/people/{person}/contacts/{contact}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "merge a duplicate",
            M::POST,
            "/people/{fresh_person}/merge",
            json!({"into": "{person}", "reason": "Recorded twice", "confirm_different_nhs_numbers": true}),
            [403, 200, 403, 403, 403, 403],
        ),
        (
            "involvements: list",
            M::GET,
            "/people/{person}/involvements",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "involvements: one",
            M::GET,
            "/involvements/{involvement}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "involvements: write",
            M::POST,
            "/people/{person}/involvements",
            json!({"name": "Alex {uniq}", "organisation": "CAMHS", "role": "camhs", "from_on": "2026-01-05"}),
            [403, 201, 403, 201, 201, 404],
        ),
        (
            "involvements: change",
            M::PATCH,
            "/involvements/{involvement}",
            json!({"contact": "01632 {uniq}"}),
            [403, 200, 403, 200, 200, 404],
        ),
        (
            "transition plan: set",
            M::PUT,
            "/people/{person}/transition-plan",
            json!({"adult_team": "Adult LD team", "education_status": "EHCP in place", "planned_handover_on": "2027-09-01"}),
            [403, 201, 403, 200, 200, 404],
        ),
        (
            // A keyworker refers only someone they may see: anyone else is as if unknown.
            "referrals: make",
            M::POST,
            "/referrals",
            json!({"person_id": "{person}", "referrer_name": "Matrix", "reason": "Matrix {uniq}", "received_on": "2026-11-30"}),
            [403, 201, 201, 201, 201, 404],
        ),
        (
            "referrals: the queue (others: their own)",
            M::GET,
            "/referrals",
            Value::Null,
            [403, 200, 200, 200, 200, 200],
        ),
        (
            "referrals: one made by a coordinator",
            M::GET,
            "/referrals/{referral}",
            Value::Null,
            [403, 200, 200, 404, 404, 404],
        ),
        (
            "referrals: triage",
            M::PATCH,
            "/referrals/{referral}",
            json!({"first_contact_on": "2026-11-30"}),
            [403, 200, 403, 403, 403, 403],
        ),
        (
            "transition plan: read",
            M::GET,
            "/people/{person}/transition-plan",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read a keyworker's caseload",
            M::GET,
            "/users/{kw_own}/caseload",
            Value::Null,
            [403, 200, 200, 403, 200, 403],
        ),
        (
            "keyworking (CYP): refer",
            M::POST,
            "/people/{fresh_young}/keyworking",
            json!({"referred_on": today()}),
            [403, 201, 201, 403, 403, 403],
        ),
        (
            "keyworking (CYP): move on",
            M::PATCH,
            "/keyworking/{fresh_episode}",
            json!({"status": "accepted", "on": today()}),
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "keyworking (CYP): list",
            M::GET,
            "/people/{young}/keyworking",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "keyworking (CYP): one",
            M::GET,
            "/keyworking/{episode}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "assign keyworker",
            M::PUT,
            "/people/{fresh_person}/keyworker",
            json!({"user_id": "{kw_other}"}),
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "end keyworker",
            M::DELETE,
            "/people/{fresh_person}/keyworker",
            Value::Null,
            [403, 204, 204, 403, 403, 403],
        ),
        (
            "contacts write",
            M::POST,
            "/people/{person}/contacts",
            contact,
            [403, 201, 403, 201, 201, 404],
        ),
        (
            "audit",
            M::GET,
            "/audit",
            Value::Null,
            [200, 403, 403, 403, 403, 403],
        ),
        (
            "a person's access log",
            M::GET,
            "/people/{person}/access-log",
            Value::Null,
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "a person's subject-access export",
            M::GET,
            "/people/{person}/subject-access",
            Value::Null,
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "admissions write: admit",
            M::POST,
            "/people/{fresh_person}/admissions",
            json!({"admitted_on": today(), "hospital": "H", "setting": "non_secure"}),
            [403, 201, 403, 403, 403, 403],
        ),
        (
            "admissions write: update",
            M::PATCH,
            "/admissions/{admission}",
            json!({"legal_status": "Section 3"}),
            [403, 200, 403, 403, 403, 403],
        ),
        (
            "visits write",
            M::POST,
            "/admissions/{admission}/visits",
            json!({"visited_on": today(), "visitor": "Commissioner"}),
            [403, 201, 403, 403, 403, 403],
        ),
        (
            "read admissions: list",
            M::GET,
            "/people/{person}/admissions",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read admissions: one",
            M::GET,
            "/admissions/{admission}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read visits",
            M::GET,
            "/admissions/{admission}/visits",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "C(E)TRs write: record",
            M::POST,
            "/people/{person}/cetrs",
            json!({"kind": "laep", "held_on": today(), "panel": [], "summary": "s", "agencies": ["Social care"]}),
            [403, 201, 403, 201, 403, 403],
        ),
        (
            "C(E)TRs write: update",
            M::PATCH,
            "/cetrs/{cetr}",
            json!({"summary": "Updated"}),
            [403, 200, 403, 200, 403, 403],
        ),
        (
            "read C(E)TRs: list",
            M::GET,
            "/people/{person}/cetrs",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read C(E)TRs: one",
            M::GET,
            "/cetrs/{cetr}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "actions write: create",
            M::POST,
            "/cetrs/{cetr}/actions",
            json!({"description": "d", "owner_id": "{clinician}", "due_on": today()}),
            [403, 201, 403, 201, 403, 403],
        ),
        (
            "read actions: list",
            M::GET,
            "/cetr-actions",
            Value::Null,
            [403, 200, 200, 200, 200, 200],
        ),
        (
            "read actions: one",
            M::GET,
            "/cetr-actions/{action_own}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "actions write: one they own",
            M::PATCH,
            "/cetr-actions/{action_own}",
            json!({"completion_note": "Progress"}),
            [403, 200, 403, 200, 200, 404],
        ),
        (
            "actions write: someone else's",
            M::PATCH,
            "/cetr-actions/{action_clin}",
            json!({"completion_note": "Progress"}),
            [403, 200, 403, 200, 403, 404],
        ),
        (
            "actions write: from a DSR review",
            M::POST,
            "/register/{entry}/reviews/{review}/actions",
            json!({"description": "d", "owner_id": "{clinician}", "due_on": today()}),
            [403, 201, 403, 403, 403, 403],
        ),
        (
            "actions write: from an oversight visit",
            M::POST,
            "/admissions/{admission}/visits/{visit}/actions",
            json!({"description": "d", "owner_id": "{clinician}", "due_on": today()}),
            [403, 201, 403, 403, 403, 403],
        ),
        (
            "read actions: list across sources",
            M::GET,
            "/actions",
            Value::Null,
            [403, 200, 200, 200, 200, 200],
        ),
        (
            "read actions: one (any source)",
            M::GET,
            "/actions/{action_own}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "actions write: one they own (any source)",
            M::PATCH,
            "/actions/{action_own}",
            json!({"completion_note": "More progress"}),
            [403, 200, 403, 200, 200, 404],
        ),
        (
            "actions write: decline (not the keyworker who owns it)",
            M::PATCH,
            "/actions/{action_own}",
            json!({"status": "declined", "justification": "The responsible clinician's reasons"}),
            [403, 200, 403, 200, 403, 404],
        ),
        (
            "discharge plans write: create",
            M::POST,
            "/admissions/{fresh_admission}/discharge-plan",
            json!({}),
            [403, 201, 403, 201, 403, 403],
        ),
        (
            "discharge plans write: update",
            M::PATCH,
            "/discharge-plans/{plan}",
            json!({"planned_discharge_date": days_ahead(30)}),
            [403, 200, 403, 200, 403, 403],
        ),
        (
            "discharge plans write: review",
            M::POST,
            "/discharge-plans/{plan}/reviews",
            json!({"reviewed_on": today(), "summary": "s"}),
            [403, 201, 403, 201, 403, 403],
        ),
        (
            "read plans: by admission",
            M::GET,
            "/admissions/{admission}/discharge-plan",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read plans: one",
            M::GET,
            "/discharge-plans/{plan}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "read plans: reviews",
            M::GET,
            "/discharge-plans/{plan}/reviews",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "points write: one they own",
            M::PATCH,
            "/discharge-plans/{plan}/points/1",
            json!({"notes": "Progress"}),
            [403, 200, 403, 200, 200, 404],
        ),
        (
            "points write: someone else's",
            M::PATCH,
            "/discharge-plans/{plan}/points/2",
            json!({"notes": "Progress"}),
            [403, 200, 403, 200, 403, 404],
        ),
        (
            "alerts: list",
            M::GET,
            "/alerts",
            Value::Null,
            [403, 200, 200, 200, 200, 200],
        ),
        (
            "alerts: read one",
            M::GET,
            "/alerts/{alert}",
            Value::Null,
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "alerts: acknowledge",
            M::POST,
            "/alerts/{fresh_alert}/acknowledge",
            json!({"note": "On it"}),
            [403, 200, 200, 200, 200, 404],
        ),
        (
            "escalations run",
            M::POST,
            "/escalations/run",
            json!({"dry_run": true}),
            [200, 200, 200, 403, 403, 403],
        ),
        (
            "notifications",
            M::GET,
            "/notifications",
            Value::Null,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "reports",
            M::GET,
            "/reports/summary",
            Value::Null,
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "reports: the monthly series",
            M::GET,
            "/reports/monthly?format=xlsx",
            Value::Null,
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "reports: the people behind a figure",
            M::GET,
            "/reports/people?measure=register_total",
            Value::Null,
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "export",
            M::GET,
            "/register/export.csv",
            Value::Null,
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "export: the Assuring Transformation return",
            M::GET,
            "/exports/assuring-transformation",
            Value::Null,
            [403, 200, 200, 403, 403, 403],
        ),
        (
            "import (dry run)",
            M::POST,
            "/imports?dry_run=true",
            // `{}` is no spreadsheet: a coordinator passes the check and is told so (422).
            json!({}),
            [403, 422, 403, 403, 403, 403],
        ),
    ]
}

async fn fixtures(app: &TestApp) -> Fixtures {
    let admin = app.admin_token().await;
    let coordinator = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let clinician_id = clinician.id.clone();
    let kw_own_token = app.sign_in(Role::Keyworker).await;
    let kw_own = kw_own_token.id.clone();
    let kw_other_token = app.sign_in(Role::Keyworker).await;
    let kw_other = kw_other_token.id.clone();
    let entry = coordinator.person_on_register("Fixture", Rag::Amber).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let res = app
        .request(
            Method::PUT,
            &format!("/people/{person}/keyworker"),
            Some(&coordinator),
        )
        .json(&json!({"user_id": kw_own}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let contact: Value = coordinator
        .post(
            &format!("/people/{person}/contacts"),
            &json!({"occurred_at": chrono::Utc::now(), "kind": "video", "summary": "Fixture"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let involvement: Value = coordinator
        .post(
            &format!("/people/{person}/involvements"),
            &json!({"name": "Fixture", "organisation": "County Council", "role": "social_worker", "from_on": today()}),
        )
        .await
        .json()
        .await
        .unwrap();
    let risk_factor: Value = coordinator
        .post(
            &format!("/register/{}/risk-factors", entry["id"].as_str().unwrap()),
            &json!({"code": "placement_breakdown", "noted_on": today(), "note": "Fixture"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let referral: Value = coordinator
        .post(
            "/referrals",
            &json!({"person": person_body("Fixture", "Referral"), "referrer_name": "GP",
                    "reason": "Fixture", "received_on": "2026-11-30"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let review: Value = coordinator
        .post(
            &format!("/register/{}/reviews", entry["id"].as_str().unwrap()),
            &json!({"reviewed_on": today(), "rag": "amber", "attendees": ["A"], "summary": "Fixture"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let admission = app
        .admit(&coordinator, &person, days_ago(10), "non_secure")
        .await;
    let visit: Value = coordinator
        .post(
            &format!("/admissions/{}/visits", admission["id"].as_str().unwrap()),
            &json!({"visited_on": days_ago(1), "visitor": "Fixture"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let cetr: Value = coordinator.post(&format!("/people/{person}/cetrs"), &json!({"kind": "post_admission", "held_on": days_ago(5), "panel": full_panel(), "summary": "Fixture"}))
        .await
        .json()
        .await
        .unwrap();
    let mut action_ids = Vec::new();
    for owner in [&kw_own, &clinician_id] {
        let action: Value = coordinator
            .post(
                &format!("/cetrs/{}/actions", cetr["id"].as_str().unwrap()),
                &json!({"description": "Fixture", "owner_id": owner, "due_on": today()}),
            )
            .await
            .json()
            .await
            .unwrap();
        action_ids.push(action["id"].as_str().unwrap().to_string());
    }
    let plan: Value = coordinator
        .post(
            &format!(
                "/admissions/{}/discharge-plan",
                admission["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let plan_id = plan["id"].as_str().unwrap().to_string();
    for (number, owner) in [(1, &kw_own), (2, &clinician_id)] {
        let res = coordinator
            .patch(
                &format!("/discharge-plans/{plan_id}/points/{number}"),
                &json!({"owner_id": owner}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let young = young_person(app, &coordinator.token).await;
    coordinator.assign_keyworker(&young, &kw_own).await;
    let episode = referral_of(app, &coordinator.token, &young).await;
    let cetr_id = cetr["id"].as_str().unwrap().to_string();
    let alert = overdue_action_alert(app, &coordinator, &person, &cetr_id, &clinician_id).await;
    Fixtures {
        tokens: vec![
            admin,
            coordinator.token.clone(),
            manager.token.clone(),
            clinician.token.clone(),
            kw_own_token.token.clone(),
            kw_other_token.token.clone(),
        ],
        coordinator: coordinator.token.clone(),
        person,
        entry: entry["id"].as_str().unwrap().to_string(),
        contact: contact["id"].as_str().unwrap().to_string(),
        involvement: involvement["id"].as_str().unwrap().to_string(),
        risk_factor: risk_factor["id"].as_str().unwrap().to_string(),
        referral: referral["id"].as_str().unwrap().to_string(),
        kw_own,
        kw_other,
        clinician: clinician_id,
        admission: admission["id"].as_str().unwrap().to_string(),
        review: review["id"].as_str().unwrap().to_string(),
        visit: visit["id"].as_str().unwrap().to_string(),
        young,
        episode,
        action_own: action_ids[0].clone(),
        action_clin: action_ids[1].clone(),
        plan: plan_id,
        cetr: cetr_id,
        alert,
    }
}

/// Makes a C(E)TR action overdue, sweeps, and returns the id of the alert about it (assigned
/// to the clinician who owns the action; on the keyworker's caseload).
async fn overdue_action_alert(
    app: &TestApp,
    coordinator: &str,
    person: &str,
    cetr: &str,
    owner: &str,
) -> String {
    let action: Value = app
        .post(
            &format!("/cetrs/{cetr}/actions"),
            Some(coordinator),
            &json!({"description": "Late", "owner_id": owner, "due_on": days_ago(2)}),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post("/escalations/run", Some(coordinator), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let alerts: Value = app
        .get(
            &format!("/alerts?person_id={person}&kind=cetr_action_overdue&limit=500"),
            coordinator,
        )
        .await
        .json()
        .await
        .unwrap();
    alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["subject_id"] == action["id"])
        .expect("an alert about the overdue action")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A new person aged 10 (the keyworking service takes 0-25s); returns their id.
async fn young_person(app: &TestApp, coordinator: &str) -> String {
    let mut body = person_body("Young", "Person");
    body["date_of_birth"] = json!(days_ago(3700));
    app.create_person(coordinator, &body).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Refers the person to the keyworking service; returns the episode's id.
async fn referral_of(app: &TestApp, coordinator: &str, person: &str) -> String {
    let res = app
        .post(
            &format!("/people/{person}/keyworking"),
            Some(coordinator),
            &json!({"referred_on": today()}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let episode: Value = res.json().await.unwrap();
    episode["id"].as_str().unwrap().to_string()
}

/// Fills the placeholders, creating fresh records (as the coordinator) where asked.
async fn fill(app: &TestApp, f: &Fixtures, template: &str) -> String {
    let mut s = template
        .replace("{person}", &f.person)
        .replace("{entry}", &f.entry)
        .replace("{contact}", &f.contact)
        .replace("{involvement}", &f.involvement)
        .replace("{risk_factor}", &f.risk_factor)
        .replace("{referral}", &f.referral)
        .replace("{kw_own}", &f.kw_own)
        .replace("{kw_other}", &f.kw_other)
        .replace("{clinician}", &f.clinician)
        .replace("{admission}", &f.admission)
        .replace("{cetr}", &f.cetr)
        .replace("{review}", &f.review)
        .replace("{young}", &f.young)
        .replace("{episode}", &f.episode)
        .replace("{visit}", &f.visit)
        .replace("{action_own}", &f.action_own)
        .replace("{action_clin}", &f.action_clin)
        .replace("{plan}", &f.plan)
        .replace("{alert}", &f.alert)
        .replace("{nhs}", &nhs_number())
        .replace("{uniq}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    if s.contains("{fresh_person}") {
        let person = app
            .create_person(&f.coordinator, &person_body("Fresh", "Person"))
            .await;
        s = s.replace("{fresh_person}", person["id"].as_str().unwrap());
    }
    if s.contains("{fresh_young}") {
        let young = young_person(app, &f.coordinator).await;
        s = s.replace("{fresh_young}", &young);
    }
    if s.contains("{fresh_episode}") {
        let young = young_person(app, &f.coordinator).await;
        let episode = referral_of(app, &f.coordinator, &young).await;
        s = s.replace("{fresh_episode}", &episode);
    }
    if s.contains("{fresh_admission}") {
        let person = app
            .create_person(&f.coordinator, &person_body("Fresh", "Inpatient"))
            .await;
        let admission = app
            .admit(
                &f.coordinator,
                person["id"].as_str().unwrap(),
                today(),
                "non_secure",
            )
            .await;
        s = s.replace("{fresh_admission}", admission["id"].as_str().unwrap());
    }
    if s.contains("{fresh_alert}") {
        let alert =
            overdue_action_alert(app, &f.coordinator, &f.person, &f.cetr, &f.clinician).await;
        s = s.replace("{fresh_alert}", &alert);
    }
    if s.contains("{fresh_entry}") {
        let entry = app
            .person_on_register(&f.coordinator, "Fresh", "green")
            .await;
        s = s.replace("{fresh_entry}", entry["id"].as_str().unwrap());
    }
    s
}

#[tokio::test]
async fn every_cell_of_the_permission_table() {
    let app = spawn_app().await;
    let f = fixtures(&app).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for (cell, method, path, body, expected) in rows() {
        for (i, role) in ROLES.iter().enumerate() {
            let path = fill(&app, &f, path).await;
            let mut req = app.request(method.clone(), &path, Some(&f.tokens[i]));
            if !body.is_null() {
                let body: Value =
                    serde_json::from_str(&fill(&app, &f, &body.to_string()).await).unwrap();
                req = req.json(&body);
            }
            let status = req.send().await.unwrap().status().as_u16();
            checked += 1;
            if status != expected[i] {
                failures.push(format!(
                    "{cell} [{method} {path}] as {role}: got {status}, expected {}",
                    expected[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, rows().len() * ROLES.len());
}
