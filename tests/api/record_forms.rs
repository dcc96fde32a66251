//! The record's C(E)TR and plan forms at the handler level: Record a C(E)TR with its panel,
//! Add an action, Update an action (and "Mark done" from My work), Record a plan review, and
//! updating a point from My work. Each succeeds through post/redirect/get, refuses a forged
//! form (403, nothing changed), says what is wrong in words (422), refuses the roles the API
//! refuses, and a stale form says so instead of overwriting.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::web::{date_fields, fields, strip_tags, Browser};

fn panel(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .enumerate()
        .flat_map(|(n, (name, role))| {
            [
                (format!("panel-{n}-name"), name.to_string()),
                (format!("panel-{n}-role"), role.to_string()),
            ]
        })
        .collect()
}

#[tokio::test]
async fn a_clinician_records_a_cetr_with_its_panel() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Quinn", Rag::Red).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let (mut browser, _) = Browser::signed_in(&app, Role::Clinician).await;
    let record = browser.get(&format!("/people/{person}")).await;
    assert!(record.has(&format!(
        "href=\"/people/{person}/cetr\">Record a C(E)TR</a>"
    )));
    let path = format!("/people/{person}/cetr");
    let form = browser.get(&path).await;
    assert_eq!((form.status, form.h1().as_str()), (200, "Record a C(E)TR"));
    assert!(form.has("for=\"panel-0-name\">Member 1: name</label>"));
    assert!(
        form.has("<option value=\"chair\" selected>Chair</option>"),
        "the first row is the chair's"
    );
    let csrf = form.csrf();

    let forged = browser.post(&path, &[("kind", "community")]).await;
    assert_eq!(forged.status, 403);

    // Nothing chosen, a member without a role, no expert by experience.
    let mut bad = fields(&[("csrf_token", &csrf), ("summary", " ")]);
    bad.extend(date_fields("held_on", days_ahead(3)));
    let res = browser.send(&path, &bad).await;
    assert_eq!(res.status, 422);
    let text = strip_tags(&res.body);
    for expected in [
        "Select the kind of C(E)TR",
        "Summary must not be blank",
        "Date held must not be in the future",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(res.has("href=\"#held_on-day\"") && res.has("href=\"#kind\""));
    let mut no_expert = fields(&[
        ("csrf_token", &csrf),
        ("kind", "community"),
        ("summary", "Agreed crisis plan"),
    ]);
    no_expert.extend(date_fields("held_on", today()));
    no_expert.extend(panel(&[
        ("Dr Ada Chair", "chair"),
        ("Dr Ben Expert", "clinical_expert"),
        ("Cat Lived", ""),
    ]));
    let res = browser.send(&path, &no_expert).await;
    assert_eq!(res.status, 422);
    let text = strip_tags(&res.body);
    assert!(text.contains("Select a role for Cat Lived"), "{text}");
    assert!(
        text.contains("The panel needs an expert by experience"),
        "{text}"
    );
    assert!(res.has("href=\"#panel-2-role\"") && res.has("href=\"#panel-0-name\""));
    assert!(res.has("value=\"Dr Ben Expert\""), "what was typed is kept");
    let none = coord.get(&format!("/people/{person}/cetrs")).json().await;
    assert_eq!(
        none.as_array().map(Vec::len),
        Some(0),
        "nothing recorded yet"
    );

    let mut good = fields(&[
        ("csrf_token", &csrf),
        ("kind", "community"),
        ("summary", "Agreed crisis plan"),
        ("outcome", "Safe at home with more support"),
    ]);
    good.extend(date_fields("held_on", today()));
    good.extend(panel(&[
        ("Dr Ada Chair", "chair"),
        ("Dr Ben Expert", "clinical_expert"),
        ("Cat Lived", "expert_by_experience"),
        ("", "commissioner"),
    ]));
    let res = browser.send(&path, &good).await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=cetr#cetrs").as_str()),
        "{}",
        strip_tags(&res.body)
    );
    let after = browser.get(res.location()).await;
    assert!(after.has("C(E)TR recorded.") && after.has("Agreed crisis plan"));
    assert!(after.has("Cat Lived (expert by experience)"));
    let cetrs = coord.get(&format!("/people/{person}/cetrs")).json().await;
    assert_eq!(cetrs[0]["kind"], "community");
    assert_eq!(
        cetrs[0]["panel"].as_array().map(Vec::len),
        Some(3),
        "the blank row is not a member: {cetrs}"
    );
    assert_eq!(cetrs[0]["outcome"], "Safe at home with more support");

    for role in [Role::Manager, Role::Keyworker] {
        let (mut other, _) = Browser::signed_in(&app, role).await;
        assert!(
            matches!(other.get(&path).await.status, 403 | 404),
            "{role:?} may not record a C(E)TR"
        );
        let csrf = other.csrf().await;
        let mut sent = good.clone();
        sent[0].1 = csrf;
        assert!(matches!(other.send(&path, &sent).await.status, 403 | 404));
    }
    let cetrs = coord.get(&format!("/people/{person}/cetrs")).json().await;
    assert_eq!(
        cetrs.as_array().map(Vec::len),
        Some(1),
        "nothing more written"
    );
}

/// A community C(E)TR recorded through the API, for the action forms.
async fn cetr_for(coord: &Actor<'_>, person: &str) -> Value {
    coord
        .post(
            &format!("/people/{person}/cetrs"),
            &serde_json::json!({
                "kind": "community",
                "held_on": today(),
                "panel": [
                    {"name": "Chair", "role": "chair"},
                    {"name": "Expert", "role": "clinical_expert"},
                    {"name": "Lived", "role": "expert_by_experience"},
                ],
                "summary": "Review",
            }),
        )
        .json()
        .await
}

#[tokio::test]
async fn actions_are_added_updated_and_marked_done_from_my_work() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Rowan", Rag::Red).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let (mut kw_browser, kw) = Browser::signed_in(&app, Role::Keyworker).await;
    app.assign_keyworker(&coord, &person, &kw.id).await;
    let cetr = cetr_for(&coord, &person).await;
    let cetr_id = cetr["id"].as_str().unwrap();

    let (mut browser, _) = Browser::signed_in(&app, Role::Clinician).await;
    let record = browser.get(&format!("/people/{person}")).await;
    let add = format!("/people/{person}/cetrs/{cetr_id}/action");
    assert!(record.has(&format!("href=\"{add}\">Add an action")));
    let form = browser.get(&add).await;
    assert_eq!(form.h1(), "Add an action");
    assert!(
        form.has(&format!("<option value=\"{}\">", kw.id)),
        "the person's keyworker is offered"
    );
    let csrf = form.csrf();
    assert_eq!(
        browser.post(&add, &[("description", "x")]).await.status,
        403
    );
    let empty = browser.post(&add, &[("csrf_token", &csrf)]).await;
    assert_eq!(empty.status, 422);
    let text = strip_tags(&empty.body);
    for expected in [
        "Action must not be blank",
        "Select who owns the action",
        "Enter the date the action is due",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(empty.has("href=\"#due_on-day\""));
    let mut good = fields(&[
        ("csrf_token", &csrf),
        ("description", "Find a specialist autism placement"),
        ("owner_id", &kw.id),
    ]);
    good.extend(date_fields("due_on", days_ahead(14)));
    let res = browser.send(&add, &good).await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    assert!(browser.get(res.location()).await.has("Action added."));
    let actions = coord
        .get(&format!("/cetr-actions?person_id={person}"))
        .json()
        .await;
    let action = actions["items"][0].clone();
    assert_eq!(action["owner"]["id"], kw.id.as_str());
    let action_id = action["id"].as_str().unwrap();

    // The clinician moves it on; a form filled before that is stale.
    let update = format!("/people/{person}/actions/{action_id}");
    let form = browser.get(&update).await;
    assert_eq!(form.h1(), "Update an action");
    let version = form.version();
    let forged = browser
        .post(&update, &[("status", "cancelled"), ("version", &version)])
        .await;
    assert_eq!(forged.status, 403, "no form token, nothing changed");
    let res = browser
        .post(
            &update,
            &[
                ("csrf_token", &csrf),
                ("status", "in_progress"),
                ("completion_note", "Two providers approached"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (
            303,
            format!("/people/{person}?done=action_saved#cetrs").as_str()
        )
    );
    let stale = browser
        .post(
            &update,
            &[
                ("csrf_token", &csrf),
                ("status", "cancelled"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(stale.status, 412);
    assert!(stale.has("Someone else changed this action"));
    assert!(
        stale.has("value=\"in_progress\" checked"),
        "the form shows the action as it is now"
    );

    // The keyworker owns it: My work offers Mark done and Update; they may not replan it.
    let work = kw_browser.get("/my-work").await;
    assert!(work.has(&format!("action=\"{update}\" method=\"post\"")));
    assert!(work.has(&format!("href=\"{update}?back=my-work\">Update")));
    let kw_form = kw_browser.get(&format!("{update}?back=my-work")).await;
    assert_eq!(kw_form.status, 200);
    assert!(
        !kw_form.has("id=\"owner_id\""),
        "a keyworker does not replan"
    );
    let kw_csrf = kw_form.csrf();
    let fresh = kw_form.version();
    let later = days_ahead(40);
    let mut replan = fields(&[("csrf_token", &kw_csrf), ("version", &fresh)]);
    replan.extend(date_fields("due_on", later));
    assert_eq!(kw_browser.send(&update, &replan).await.status, 403);
    let res = kw_browser
        .post(
            &update,
            &[
                ("csrf_token", &kw_csrf),
                ("version", &fresh),
                ("status", "done"),
                ("back", "my-work"),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, "/my-work?done=action#actions")
    );
    let work = kw_browser.get(res.location()).await;
    assert!(work.has("Action saved.") && work.has("No open C(E)TR actions are yours."));
    let done = coord
        .get(&format!("/cetr-actions/{action_id}"))
        .json()
        .await;
    assert_eq!(done["status"], "done");
    assert_eq!(done["completed_on"], today().to_string());
    assert_eq!(done["due_on"], days_ahead(14).to_string(), "not replanned");
    assert_eq!(done["completion_note"], "Two providers approached");

    // Not theirs: another keyworker's person is no such page; managers may not add actions.
    let (mut stranger, _) = Browser::signed_in(&app, Role::Keyworker).await;
    assert_eq!(stranger.get(&update).await.status, 404);
    let (mut manager, _) = Browser::signed_in(&app, Role::Manager).await;
    assert_eq!(manager.get(&add).await.status, 403);
}

#[tokio::test]
async fn a_plan_review_is_recorded_and_a_point_updated_from_my_work() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let (admitted, plan) = coord.with_plan("Sage").await;
    let person = admitted.person_id.clone();
    let (mut browser, clinician) = Browser::signed_in(&app, Role::Clinician).await;
    let record = browser.get(&format!("/people/{person}")).await;
    let path = format!("/people/{person}/plan/review");
    assert!(record.has(&format!("href=\"{path}\">Record a plan review</a>")));
    let form = browser.get(&path).await;
    assert_eq!(form.h1(), "Record a plan review");
    let csrf = form.csrf();
    assert_eq!(browser.post(&path, &[("summary", "x")]).await.status, 403);
    let mut bad = fields(&[("csrf_token", &csrf), ("summary", "")]);
    bad.extend(date_fields("reviewed_on", days_ahead(1)));
    let res = browser.send(&path, &bad).await;
    assert_eq!(res.status, 422);
    let text = strip_tags(&res.body);
    assert!(
        text.contains("Date of review must not be in the future"),
        "{text}"
    );
    assert!(text.contains("Summary must not be blank"), "{text}");
    let reviewed = days_ago(2);
    let mut good = fields(&[("csrf_token", &csrf), ("summary", "Housing found")]);
    good.extend(date_fields("reviewed_on", reviewed));
    let res = browser.send(&path, &good).await;
    assert_eq!(
        (res.status, res.location()),
        (
            303,
            format!("/people/{person}?done=plan_review#discharge-plan").as_str()
        )
    );
    assert!(browser
        .get(res.location())
        .await
        .has("Plan review recorded."));
    let plan_id = plan["id"].as_str().unwrap();
    let now = coord
        .get(&format!("/discharge-plans/{plan_id}"))
        .json()
        .await;
    let cycle = plan["review_cycle_days"].as_i64().unwrap();
    assert_eq!(
        now["next_review_due"],
        (reviewed + chrono::Duration::days(cycle)).to_string()
    );
    let (mut kw_browser, _) = Browser::signed_in(&app, Role::Keyworker).await;
    assert_eq!(kw_browser.get(&path).await.status, 403);

    // A point owned by the clinician, updated from their My work row and back there.
    let point = format!("/people/{person}/plan/points/5");
    let form = browser.get(&point).await;
    let clinician_id = clinician.id.clone();
    let res = browser
        .post(
            &point,
            &[
                ("csrf_token", &csrf),
                ("status", "in_progress"),
                ("owner_id", &clinician_id),
                ("version", &form.version()),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let work = browser.get("/my-work").await;
    assert!(work.has(&format!("href=\"{point}?back=my-work\">Update")));
    let form = browser.get(&format!("{point}?back=my-work")).await;
    assert!(form.has("name=\"back\" value=\"my-work\""));
    let res = browser
        .post(
            &point,
            &[
                ("csrf_token", &csrf),
                ("status", "complete"),
                ("owner_id", &clinician_id),
                ("version", &form.version()),
                ("back", "my-work"),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, "/my-work?done=point#points")
    );
    let work = browser.get(res.location()).await;
    assert!(work.has("Discharge plan point saved."));
    assert!(work.has("No open discharge plan points are yours."));
}

#[tokio::test]
async fn a_contact_is_corrected_and_the_original_kept() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Tam", Rag::Amber).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let other = coord.person_on_register("Uma", Rag::Amber).await;
    let (mut browser, kw) = Browser::signed_in(&app, Role::Keyworker).await;
    app.assign_keyworker(&coord, &person, &kw.id).await;
    let when = chrono::Utc::now() - chrono::Duration::hours(3);
    let original: Value = kw
        .post(
            &format!("/people/{person}/contacts"),
            &serde_json::json!({"occurred_at": when, "kind": "phone", "summary": "Spoke to mum", "with_whom": "Mum"}),
        )
        .json()
        .await;
    let original_id = original["id"].as_str().unwrap();
    let other_contact: Value = coord
        .post(
            &format!("/people/{}/contacts", other["person_id"].as_str().unwrap()),
            &serde_json::json!({"occurred_at": when, "kind": "phone", "summary": "Elsewhere"}),
        )
        .json()
        .await;

    let record = browser.get(&format!("/people/{person}")).await;
    let path = format!("/people/{person}/contacts/{original_id}/correct");
    assert!(record.has(&format!("href=\"{path}\">Correct")));
    let form = browser.get(&path).await;
    assert_eq!(form.h1(), "Correct a contact");
    assert!(form.has(">Spoke to mum</textarea>") && form.has("value=\"Mum\""));
    assert!(form.has("value=\"phone\" checked"), "filled in as logged");
    assert!(form.has(&format!("name=\"corrects_id\" value=\"{original_id}\"")));
    let csrf = form.csrf();
    let time = when
        .with_timezone(&chrono_tz::Europe::London)
        .format("%H:%M")
        .to_string();
    let mut fields = fields(&[
        ("csrf_token", &csrf),
        ("time", &time),
        ("kind", "face_to_face"),
        ("summary", "Visited mum at home"),
        ("with_whom", "Mum"),
        ("corrects_id", original_id),
    ]);
    fields.extend(date_fields(
        "occurred_on",
        when.with_timezone(&chrono_tz::Europe::London).date_naive(),
    ));
    let contact_path = format!("/people/{person}/contact");
    let mut forged = fields.clone();
    forged.remove(0);
    assert_eq!(browser.send(&contact_path, &forged).await.status, 403);
    let mut elsewhere = fields.clone();
    let at = elsewhere
        .iter()
        .position(|(k, _)| k == "corrects_id")
        .unwrap();
    elsewhere[at].1 = other_contact["id"].as_str().unwrap().to_string();
    let refused = browser.send(&contact_path, &elsewhere).await;
    assert_eq!(
        refused.status, 422,
        "another person's contact is not corrected from here"
    );
    assert!(strip_tags(&refused.body).contains("must be an earlier contact of the same person"));
    let res = browser.send(&contact_path, &fields).await;
    assert_eq!(
        (res.status, res.location()),
        (
            303,
            format!("/people/{person}?done=contact_corrected#contacts").as_str()
        ),
        "{}",
        strip_tags(&res.body)
    );
    let after = browser.get(res.location()).await;
    assert!(after.has("Correction logged. The original stays on the record"));
    assert!(after.has("Corrected later") && after.has("Visited mum at home"));
    assert!(!after.has(&format!("href=\"{path}\"")), "corrected once");
    let contacts: Value = coord
        .get(&format!("/people/{person}/contacts"))
        .json()
        .await;
    let items = contacts["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the original is kept: {contacts}");
    let correction = items.iter().find(|c| c["id"] != original_id).unwrap();
    assert_eq!(correction["corrects_id"], original_id);
    assert_eq!(correction["kind"], "face_to_face");
    let kept = items.iter().find(|c| c["id"] == original_id).unwrap();
    assert_eq!(kept["summary"], "Spoke to mum");
    assert_eq!(kept["corrected_by_id"], correction["id"]);

    let (mut manager, _) = Browser::signed_in(&app, Role::Manager).await;
    assert_eq!(
        manager.get(&path).await.status,
        403,
        "managers do not log contacts"
    );
}

#[tokio::test]
async fn details_the_keyworker_and_the_plan_change_from_the_record() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let (admitted, plan) = coord.with_plan("Vic").await;
    let person = admitted.person_id.clone();
    let kw = app.sign_in(Role::Keyworker).await;
    app.assign_keyworker(&coord, &person, &kw.id).await;
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;

    // Change details: filled in as they are; a stale form says so; a bad NHS number is refused.
    let record = browser.get(&format!("/people/{person}")).await;
    let path = format!("/people/{person}/details");
    assert!(record.has(&format!("href=\"{path}\">Change details")));
    let form = browser.get(&path).await;
    assert_eq!(form.h1(), "Change details");
    assert!(form.has("value=\"Vic\"") && form.has("value=\"given\" checked"));
    let csrf = form.csrf();
    let version = form.version();
    let current: Value = coord.get(&format!("/people/{person}")).json().await;
    let nhs = current["nhs_number"].as_str().unwrap().to_string();
    let mut good = fields(&[
        ("csrf_token", &csrf),
        ("version", &version),
        ("given_name", "Victoria"),
        ("family_name", "Tester"),
        ("nhs_number", &nhs),
        ("autism", "yes"),
        ("area", "East"),
        ("consent_status", "given"),
    ]);
    good.extend(date_fields(
        "date_of_birth",
        chrono::NaiveDate::from_ymd_opt(2001, 5, 6).unwrap(),
    ));
    let mut bad = good.clone();
    bad[4].1 = "123".into();
    let res = browser.send(&path, &bad).await;
    assert_eq!(res.status, 422);
    assert!(res.has("href=\"#nhs_number\""), "{}", strip_tags(&res.body));
    let mut forged = good.clone();
    forged.remove(0);
    assert_eq!(browser.send(&path, &forged).await.status, 403);
    let res = browser.send(&path, &good).await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=details").as_str()),
        "{}",
        strip_tags(&res.body)
    );
    assert!(browser.get(res.location()).await.has("Details saved."));
    let now: Value = coord.get(&format!("/people/{person}")).json().await;
    assert_eq!(
        (now["given_name"].as_str(), now["area"].as_str()),
        (Some("Victoria"), Some("East"))
    );
    assert_eq!(now["date_of_birth"], "2001-05-06");
    let stale = browser.send(&path, &good).await;
    assert_eq!(stale.status, 412, "the form's version is old now");
    assert!(stale.has("Someone else changed these details") && stale.has("value=\"Victoria\""));

    // Remove the keyworker.
    let kw_form = browser.get(&format!("/people/{person}/keyworker")).await;
    assert!(kw_form.has(">Remove named lead worker</button>"));
    let remove = format!("/people/{person}/keyworker/remove");
    assert_eq!(
        browser.post(&remove, &[]).await.status,
        403,
        "no form token"
    );
    let res = browser.post(&remove, &[("csrf_token", &csrf)]).await;
    assert_eq!(
        (res.status, res.location()),
        (
            303,
            format!("/people/{person}?done=keyworker_removed").as_str()
        )
    );
    let now: Value = coord.get(&format!("/people/{person}")).json().await;
    assert!(now["keyworker"].is_null(), "{now}");

    // The plan's planned date and review cycle.
    let change = format!("/people/{person}/plan/change");
    let form = browser.get(&change).await;
    assert_eq!(form.h1(), "Change the discharge plan");
    let version = form.version();
    let forged = browser
        .post(
            &change,
            &[("version", &version), ("review_cycle_days", "7")],
        )
        .await;
    assert_eq!(forged.status, 403, "no form token");
    let res = browser
        .post(
            &change,
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("review_cycle_days", "lots"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Enter the days between reviews as a number, like 28"));
    let res = browser
        .post(
            &change,
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("review_cycle_days", "500"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(strip_tags(&res.body).contains("Days between reviews must be 1 to 365 days"));
    let res = browser
        .post(
            &change,
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("review_cycle_days", "14"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let plan_id = plan["id"].as_str().unwrap();
    let now: Value = coord
        .get(&format!("/discharge-plans/{plan_id}"))
        .json()
        .await;
    assert_eq!(now["review_cycle_days"], 14);
    assert!(
        now["planned_discharge_date"].is_null(),
        "the blank date cleared it"
    );
    let stale = browser
        .post(
            &change,
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("review_cycle_days", "21"),
            ],
        )
        .await;
    assert_eq!(stale.status, 412);

    for role in [Role::Keyworker, Role::Manager] {
        let (mut other, _) = Browser::signed_in(&app, role).await;
        assert!(
            matches!(other.get(&path).await.status, 403 | 404),
            "{role:?}"
        );
        assert!(
            matches!(other.get(&change).await.status, 403 | 404),
            "{role:?}"
        );
    }
}

#[tokio::test]
async fn a_cetr_is_corrected_and_its_kind_kept() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Xan", Rag::Red).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let cetr = cetr_for(&coord, &person).await;
    let cetr_id = cetr["id"].as_str().unwrap();
    let (mut browser, _) = Browser::signed_in(&app, Role::Clinician).await;
    let record = browser.get(&format!("/people/{person}")).await;
    let path = format!("/people/{person}/cetrs/{cetr_id}/change");
    assert!(record.has(&format!("href=\"{path}\">Correct")));
    let form = browser.get(&path).await;
    assert_eq!(form.h1(), "Correct a C(E)TR");
    assert!(form.has("value=\"Lived\"") && form.has(">Review</textarea>"));
    let csrf = form.csrf();
    let version = form.version();
    let mut good = fields(&[
        ("csrf_token", &csrf),
        ("version", &version),
        ("kind", "laep"),
        ("summary", "Review, with the family's view added"),
    ]);
    good.extend(date_fields("held_on", today()));
    good.extend(panel(&[
        ("Chair", "chair"),
        ("Expert", "clinical_expert"),
        ("Lived", "expert_by_experience"),
    ]));
    assert_eq!(
        browser.send(&path, &good[1..]).await.status,
        403,
        "no form token"
    );
    let mut short = good.clone();
    short.truncate(short.len() - 2);
    let res = browser.send(&path, &short).await;
    assert_eq!(res.status, 422);
    assert!(strip_tags(&res.body).contains("The panel needs an expert by experience"));
    let res = browser.send(&path, &good).await;
    assert_eq!(
        (res.status, res.location()),
        (
            303,
            format!("/people/{person}?done=cetr_saved#cetrs").as_str()
        ),
        "{}",
        strip_tags(&res.body)
    );
    let now: Value = coord.get(&format!("/cetrs/{cetr_id}")).json().await;
    assert_eq!(now["summary"], "Review, with the family's view added");
    assert_eq!(now["kind"], "community", "the kind is the record's");
    let stale = browser.send(&path, &good).await;
    assert_eq!(stale.status, 412);
    assert!(stale.has("Someone else changed this C(E)TR"));
    let (mut kw, _) = Browser::signed_in(&app, Role::Keyworker).await;
    assert!(matches!(kw.get(&path).await.status, 403 | 404));
}

#[tokio::test]
async fn why_someone_is_at_risk_is_changed_on_the_entry() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Yan", Rag::Amber).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let path = format!("/people/{person}/entry");
    assert!(browser
        .get(&format!("/people/{person}"))
        .await
        .has(&format!("href=\"{path}\">Change")));
    let form = browser.get(&path).await;
    assert_eq!(form.h1(), "Change the register entry");
    let (csrf, version) = (form.csrf(), form.version());
    let forged = browser
        .post(&path, &[("version", &version), ("risk_summary", "Forged")])
        .await;
    assert_eq!(forged.status, 403, "no form token");
    let blank = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("risk_summary", " "),
            ],
        )
        .await;
    assert_eq!(blank.status, 422);
    assert!(strip_tags(&blank.body).contains("Why they are at risk must not be blank"));
    let sent = [
        ("csrf_token", csrf.as_str()),
        ("version", version.as_str()),
        ("risk_summary", "Tenancy ends next month"),
        ("referral_source", "Housing"),
    ];
    let res = browser.post(&path, &sent).await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=entry_saved").as_str())
    );
    let now: Value = coord
        .get(&format!("/register/{}", entry["id"].as_str().unwrap()))
        .json()
        .await;
    assert_eq!(now["risk_summary"], "Tenancy ends next month");
    assert_eq!(now["referral_source"], "Housing");
    assert_eq!(now["rag"], "amber", "the rating is not touched");
    assert_eq!(browser.post(&path, &sent).await.status, 412, "stale");
    let (mut manager, _) = Browser::signed_in(&app, Role::Manager).await;
    assert_eq!(manager.get(&path).await.status, 403);
}

#[tokio::test]
async fn a_review_and_a_visit_get_actions_from_the_record_and_a_decline_needs_its_reasons() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let stay = coord.admitted("Tegan", 12).await;
    let (person, entry_id) = (&stay.person_id, stay.entry["id"].as_str().unwrap());
    let review: Value = coord
        .post(
            &format!("/register/{entry_id}/reviews"),
            &json!({"reviewed_on": today(), "rag": "blue", "attendees": ["TCT"], "summary": "Ward review"}),
        )
        .json()
        .await;
    let visit: Value = coord
        .post(
            &format!("/admissions/{}/visits", stay.admission_id),
            &json!({"visited_on": days_ago(1), "visitor": "Commissioner", "concerns": "Seclusion"}),
        )
        .json()
        .await;
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let record = browser.get(&format!("/people/{person}")).await;
    let from_review = format!(
        "/people/{person}/reviews/{}/action",
        review["id"].as_str().unwrap()
    );
    let from_visit = format!(
        "/people/{person}/visits/{}/action",
        visit["id"].as_str().unwrap()
    );
    for link in [&from_review, &from_visit] {
        assert!(
            record.has(&format!("href=\"{link}\">Add an action")),
            "{link}"
        );
    }
    // Another person's review is no such page; nor is an unknown kind of meeting.
    let other = coord.person_on_register("Other", Rag::Green).await;
    for wrong in [
        format!(
            "/people/{}/reviews/{}/action",
            other["person_id"].as_str().unwrap(),
            review["id"].as_str().unwrap()
        ),
        format!(
            "/people/{person}/meetings/{}/action",
            review["id"].as_str().unwrap()
        ),
    ] {
        assert_eq!(browser.get(&wrong).await.status, 404, "{wrong}");
    }
    let form = browser.get(&from_review).await;
    assert_eq!(form.h1(), "Add an action");
    assert!(form.has("DSR review,"), "names the meeting");
    let csrf = form.csrf();
    for (path, what) in [
        (&from_review, "Review the care plan"),
        (&from_visit, "End seclusion"),
    ] {
        let mut good = fields(&[
            ("csrf_token", &csrf),
            ("description", what),
            ("owner_id", &clinician.id),
        ]);
        good.extend(date_fields("due_on", days_ahead(7)));
        let res = browser.send(path, &good).await;
        assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    }
    let record = browser.get(&format!("/people/{person}")).await;
    assert!(record.has("Review the care plan") && record.has("End seclusion"));
    let list: Value = coord
        .get(&format!("/actions?person_id={person}"))
        .json()
        .await;
    let mut sources: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["source"].as_str().unwrap())
        .collect();
    sources.sort();
    assert_eq!(sources, ["dsr_review", "visit"]);

    // Declined without the clinician's reasons: the error summary names the field.
    let action = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["source"] == "visit")
        .unwrap()
        .clone();
    let update = format!(
        "/people/{person}/actions/{}",
        action["id"].as_str().unwrap()
    );
    let form = browser.get(&update).await;
    assert!(form.has("Oversight visit action"));
    let version = form.version();
    let bare = browser
        .post(
            &update,
            &[
                ("csrf_token", &csrf),
                ("status", "declined"),
                ("justification", " "),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(bare.status, 422);
    assert!(
        bare.has("href=\"#justification\""),
        "{}",
        strip_tags(&bare.body)
    );
    let res = browser
        .post(
            &update,
            &[
                ("csrf_token", &csrf),
                ("status", "declined"),
                ("justification", "Seclusion ended before the action was due"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (
            303,
            format!("/people/{person}?done=action_saved#admissions").as_str()
        )
    );
    let saved: Value = coord
        .get(&format!("/actions/{}", action["id"].as_str().unwrap()))
        .json()
        .await;
    assert_eq!(saved["status"], "declined");
    assert_eq!(
        saved["justification"],
        "Seclusion ended before the action was due"
    );
}

#[tokio::test]
async fn after_discharge_the_record_keeps_the_follow_up_point_of_the_frozen_plan_open() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let (stay, _) = coord.with_plan("Lior").await;
    let person = &stay.person_id;
    let res = coord
        .patch(
            &format!("/admissions/{}", stay.admission_id),
            &json!({"discharged_on": today(), "discharge_destination": "community"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let record = browser.get(&format!("/people/{person}")).await;
    let text = strip_tags(&record.body);
    assert!(text.contains("the plan is frozen"), "{text}");
    let follow_up = format!("/people/{person}/plan/points/12");
    assert!(record.has(&format!("href=\"{follow_up}\">Update")));
    assert!(!record.has(&format!("/people/{person}/plan/points/3\"")));
    // The other points are frozen: no such form.
    assert_eq!(
        browser
            .get(&format!("/people/{person}/plan/points/3"))
            .await
            .status,
        404
    );
    let form = browser.get(&follow_up).await;
    let csrf = form.csrf();
    let res = browser
        .post(
            &follow_up,
            &[
                ("csrf_token", &csrf),
                ("status", "in_progress"),
                ("owner_id", &coord.id),
                ("notes", "Home visit booked for day 2"),
                ("version", &form.version()),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let record = browser.get(res.location()).await;
    assert!(strip_tags(&record.body).contains("Home visit booked for day 2"));
}
