//! The keyworking service for children and young people (#20 points 3-4): an episode is
//! referred, accepted or declined, allocated to a CYP keyworker (who then sees the person as
//! part of their caseload) and closed, with its history; a young person rated red, amber or
//! blue without a referral raises `keyworking_referral_missing`, and an episode still open
//! past the 26th birthday raises `keyworking_past_25`.

use chrono::{Duration, Months};
use serde_json::{json, Value};

use crate::helpers::*;

/// A person aged `years` (and `days_past` days past that birthday) today.
fn born(years: u32, days_past: i64) -> chrono::NaiveDate {
    today().checked_sub_months(Months::new(12 * years)).unwrap() - Duration::days(days_past)
}

async fn aged(coord: &Actor<'_>, given: &str, years: u32, days_past: i64) -> Value {
    let mut body = person_body(given, "Tester");
    body["date_of_birth"] = json!(born(years, days_past));
    let res = coord.post("/people", &body).await;
    assert_eq!(res.status(), 201, "create {given}");
    res.json().await.unwrap()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn statuses(episode: &Value) -> Vec<String> {
    episode["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_referral_moves_through_its_states_and_the_allocated_cyp_keyworker_sees_the_person() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let cyp = app.sign_in(Role::Keyworker).await;
    let lead = app.sign_in(Role::Keyworker).await;
    let person = aged(&coord, "Kai", 17, 30).await;
    let pid = id(&person);
    coord.open_entry(&person, Rag::Red, None).await;
    coord.assign_keyworker(&pid, &lead.id).await;
    let path = format!("/people/{pid}/keyworking");

    let refused = clinician
        .post(&path, &json!({"referred_on": today()}))
        .await;
    assert_problem(refused, 403).await;
    let res = coord
        .post(
            &path,
            &json!({"referred_on": days_ago(3), "note": " From the DSR meeting "}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let episode: Value = res.json().await.unwrap();
    let episode_path = format!("/keyworking/{}", id(&episode));
    assert_eq!(location, format!("/api/v1{episode_path}"));
    assert_eq!(
        (episode["status"].as_str(), episode["open"].as_bool()),
        (Some("referred"), Some(true))
    );
    assert_eq!(episode["note"], "From the DSR meeting");
    let again = coord.post(&path, &json!({"referred_on": today()})).await;
    assert_problem(again, 409).await;

    // Moves the episode cannot make, or on days it cannot have made them.
    let skip = manager
        .patch(
            &episode_path,
            &json!({"status": "allocated", "keyworker_id": cyp.id, "on": today()}),
        )
        .if_match(1)
        .await;
    assert_eq!(error_fields(&assert_problem(skip, 422).await), ["status"]);
    let early = manager
        .patch(
            &episode_path,
            &json!({"status": "accepted", "on": days_ago(4)}),
        )
        .if_match(1)
        .await;
    assert_eq!(error_fields(&assert_problem(early, 422).await), ["on"]);
    let accepted: Value = manager
        .patch(
            &episode_path,
            &json!({"status": "accepted", "on": days_ago(2)}),
        )
        .if_match(1)
        .json()
        .await;
    assert_eq!(accepted["status"], "accepted");

    // Only an active keyworker can be the CYP keyworker; until then they do not see the person.
    assert_problem(cyp.get(&format!("/people/{pid}")).await, 404).await;
    for (body, field) in [
        (
            json!({"status": "allocated", "on": today()}),
            "keyworker_id",
        ),
        (
            json!({"status": "allocated", "keyworker_id": clinician.id, "on": today()}),
            "keyworker_id",
        ),
    ] {
        let res = coord.patch(&episode_path, &body).if_match(2).await;
        assert_eq!(error_fields(&assert_problem(res, 422).await), [field]);
    }
    let allocated: Value = coord
        .patch(
            &episode_path,
            &json!({"status": "allocated", "keyworker_id": cyp.id, "on": today()}),
        )
        .if_match(2)
        .json()
        .await;
    assert_eq!(allocated["keyworker"]["id"], cyp.id.as_str());
    assert_eq!(statuses(&allocated), ["referred", "accepted", "allocated"]);

    // The CYP keyworker sees the person as part of their caseload; the named lead worker stays.
    let seen: Value = cyp.get(&format!("/people/{pid}")).json().await;
    assert_eq!(seen["cyp_keyworker"]["id"], cyp.id.as_str());
    assert_eq!(seen["keyworker"]["id"], lead.id.as_str());
    let caseload: Value = cyp.get(&format!("/users/{}/caseload", cyp.id)).json().await;
    assert_eq!(caseload["total"], 1);
    let board: Value = cyp.get("/register").json().await;
    assert_eq!(board["total"], 1);
    let episodes: Value = cyp.get(&path).json().await;
    assert_eq!(episodes.as_array().unwrap().len(), 1);
    let refused = cyp
        .patch(&episode_path, &json!({"status": "closed", "on": today()}))
        .if_match(3)
        .await;
    assert_problem(refused, 403).await;

    // Closed, they see the person no more; a new referral may start a new episode, and a
    // decline needs its reason.
    let closed: Value = coord
        .patch(
            &episode_path,
            &json!({"status": "closed", "reason": "Goals met", "on": today()}),
        )
        .if_match(3)
        .json()
        .await;
    assert_eq!(
        (closed["status"].as_str(), closed["open"].as_bool()),
        (Some("closed"), Some(false))
    );
    assert_eq!(closed["keyworker"], Value::Null);
    assert_problem(cyp.get(&format!("/people/{pid}")).await, 404).await;
    let person_now: Value = coord.get(&format!("/people/{pid}")).json().await;
    assert_eq!(person_now["cyp_keyworker"], Value::Null);
    let finished = coord
        .patch(&episode_path, &json!({"status": "accepted", "on": today()}))
        .if_match(4)
        .await;
    assert_eq!(
        error_fields(&assert_problem(finished, 422).await),
        ["status"]
    );
    let second: Value = coord
        .post(&path, &json!({"referred_on": today()}))
        .json()
        .await;
    let second_path = format!("/keyworking/{}", id(&second));
    let bare = coord
        .patch(&second_path, &json!({"status": "declined", "on": today()}))
        .if_match(1)
        .await;
    assert_eq!(error_fields(&assert_problem(bare, 422).await), ["reason"]);
    let declined: Value = coord
        .patch(
            &second_path,
            &json!({"status": "declined", "reason": "Family declined the service", "on": today()}),
        )
        .if_match(1)
        .json()
        .await;
    assert_eq!(declined["reason"], "Family declined the service");
    let all: Value = coord.get(&path).json().await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let export: Value = manager
        .get(&format!("/people/{pid}/subject-access"))
        .json()
        .await;
    assert_eq!(
        export["keyworking"], all,
        "the subject-access export has them all"
    );

    // The service is for 0-25s.
    let adult = aged(&coord, "Ada", 30, 0).await;
    let res = coord
        .post(
            &format!("/people/{}/keyworking", id(&adult)),
            &json!({"referred_on": today()}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        ["referred_on"]
    );
}

async fn alerts_of(coord: &Actor<'_>, person: &str, kind: &str, status: &str) -> Vec<Value> {
    let page: Value = coord
        .get(&format!(
            "/alerts?person_id={person}&kind={kind}&status={status}"
        ))
        .json()
        .await;
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_red_17_year_old_without_a_keyworking_referral_raises_its_alert_until_referred() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let young = aged(&coord, "Remy", 17, 40).await;
    let entry = coord.open_entry(&young, Rag::Red, Some(days_ago(10))).await;
    // Not owed: an adult; a green young person; a young person rated red 3 days ago.
    let adult = aged(&coord, "Ava", 30, 0).await;
    coord.open_entry(&adult, Rag::Red, Some(days_ago(10))).await;
    let green = aged(&coord, "Gus", 16, 0).await;
    coord
        .open_entry(&green, Rag::Green, Some(days_ago(10)))
        .await;
    let recent = aged(&coord, "Rio", 20, 0).await;
    coord
        .open_entry(&recent, Rag::Amber, Some(days_ago(3)))
        .await;

    coord.post("/escalations/run", &json!({})).await;
    let kind = "keyworking_referral_missing";
    let raised = alerts_of(&coord, &id(&young), kind, "open").await;
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0]["subject_type"], "register_entry");
    assert_eq!(raised[0]["subject_id"], entry["id"]);
    assert_eq!(raised[0]["due_on"], json!(days_ago(5)));
    for other in [&adult, &green, &recent] {
        assert!(
            alerts_of(&coord, &id(other), kind, "open,acknowledged,resolved")
                .await
                .is_empty()
        );
    }

    // Referred 9 days ago and declined with a reason: the rule is met, the alert resolves.
    let episode: Value = coord
        .post(
            &format!("/people/{}/keyworking", id(&young)),
            &json!({"referred_on": days_ago(9)}),
        )
        .json()
        .await;
    let res = coord
        .patch(
            &format!("/keyworking/{}", id(&episode)),
            &json!({"status": "declined", "reason": "Already has a social care keyworker", "on": days_ago(8)}),
        )
        .if_match(1)
        .await;
    assert_eq!(res.status(), 200);
    coord.post("/escalations/run", &json!({})).await;
    assert_eq!(
        alerts_of(&coord, &id(&young), kind, "resolved").await.len(),
        1
    );

    // A move into amber starts the rule again: the old decline no longer meets it. (The move
    // is dated 7 days ago behind the server: the API dates a change today.)
    let res = coord
        .patch(
            &format!("/register/{}", id(&entry)),
            &json!({"rag": "amber", "rag_reason": "Settling"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    sql_elsewhere(
        &app,
        &format!(
            "UPDATE register_entries SET rag_changed_on = '{}' WHERE id = '{}'",
            days_ago(7),
            id(&entry)
        ),
    );
    coord.post("/escalations/run", &json!({})).await;
    let again = alerts_of(&coord, &id(&young), kind, "open").await;
    assert_eq!(again.len(), 1, "raised again after the move into amber");
    assert_eq!(again[0]["due_on"], json!(days_ago(2)));
}

#[tokio::test]
async fn an_episode_open_past_the_26th_birthday_raises_its_alert_for_the_cyp_keyworker() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let cyp = app.sign_in(Role::Keyworker).await;
    // 26 three days ago; referred when still 25.
    let person = aged(&coord, "Theo", 26, 3).await;
    coord
        .open_entry(&person, Rag::Green, Some(days_ago(20)))
        .await;
    let episode: Value = coord
        .post(
            &format!("/people/{}/keyworking", id(&person)),
            &json!({"referred_on": days_ago(10)}),
        )
        .json()
        .await;
    let path = format!("/keyworking/{}", id(&episode));
    for (version, body) in [
        (1, json!({"status": "accepted", "on": days_ago(9)})),
        (
            2,
            json!({"status": "allocated", "keyworker_id": cyp.id, "on": days_ago(8)}),
        ),
    ] {
        let res = coord.patch(&path, &body).if_match(version).await;
        assert_eq!(res.status(), 200);
    }
    coord.post("/escalations/run", &json!({})).await;
    let kind = "keyworking_past_25";
    let raised = alerts_of(&coord, &id(&person), kind, "open").await;
    assert_eq!(raised.len(), 1);
    assert_eq!(
        (
            raised[0]["subject_type"].as_str(),
            raised[0]["subject_id"].as_str()
        ),
        (Some("keyworking"), episode["id"].as_str())
    );
    assert_eq!(raised[0]["days_overdue"], 3);
    // The CYP keyworker sees the alert about the person on their caseload.
    let theirs: Value = cyp.get(&format!("/alerts?kind={kind}")).json().await;
    assert_eq!(theirs["total"], 1);

    let res = coord
        .patch(
            &path,
            &json!({"status": "closed", "reason": "Moved to adult services", "on": today()}),
        )
        .if_match(3)
        .await;
    assert_eq!(res.status(), 200);
    coord.post("/escalations/run", &json!({})).await;
    assert!(alerts_of(&coord, &id(&person), kind, "open")
        .await
        .is_empty());
    assert_eq!(
        alerts_of(&coord, &id(&person), kind, "resolved")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn the_record_refers_to_cyp_keyworking_and_allocates_a_cyp_keyworker() {
    use crate::web::{date_fields, fields, strip_tags, Browser};
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let cyp = app.sign_in(Role::Keyworker).await;
    let person = aged(&coord, "Mia", 15, 10).await;
    let pid = id(&person);
    coord.open_entry(&person, Rag::Amber, None).await;
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let record = browser.get(&format!("/people/{pid}")).await;
    let text = strip_tags(&record.body);
    assert!(text.contains("CYP keyworking") && text.contains("Named lead worker"));
    assert!(text.contains("Not referred to CYP keyworking."));
    let refer = format!("/people/{pid}/keyworking/new");
    assert!(record.has(&format!("href=\"{refer}\">Refer to CYP keyworking")));
    let form = browser.get(&refer).await;
    assert_eq!(form.h1(), "Refer to CYP keyworking");
    let csrf = form.csrf();
    let mut blank = fields(&[("csrf_token", &csrf)]);
    blank.extend([
        ("referred_on-day".to_string(), String::new()),
        ("referred_on-month".to_string(), String::new()),
        ("referred_on-year".to_string(), String::new()),
    ]);
    let missing = browser.send(&refer, &blank).await;
    assert_eq!(missing.status, 422);
    assert!(
        missing.has("href=\"#referred_on-day\""),
        "{}",
        strip_tags(&missing.body)
    );
    let mut good = fields(&[("csrf_token", &csrf), ("note", "Agreed at the DSR meeting")]);
    good.extend(date_fields("referred_on", today()));
    let res = browser.send(&refer, &good).await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    assert!(browser
        .get(res.location())
        .await
        .has("Referred to CYP keyworking."));

    let episodes: Value = coord.get(&format!("/people/{pid}/keyworking")).json().await;
    let update = format!("/keyworking/{}/update", id(&episodes[0]));
    let form = browser.get(&update).await;
    assert_eq!(form.h1(), "Update CYP keyworking");
    assert!(
        !form.has("value=\"allocated\""),
        "a referral is accepted before it is allocated"
    );
    let version = form.version();
    let mut declined = fields(&[
        ("csrf_token", &csrf),
        ("status", "declined"),
        ("version", &version),
    ]);
    declined.extend(date_fields("on", today()));
    let bare = browser.send(&update, &declined).await;
    assert_eq!(bare.status, 422);
    assert!(bare.has("href=\"#reason\""), "{}", strip_tags(&bare.body));
    let mut accepted = fields(&[
        ("csrf_token", &csrf),
        ("status", "accepted"),
        ("version", &version),
    ]);
    accepted.extend(date_fields("on", today()));
    assert_eq!(browser.send(&update, &accepted).await.status, 303);
    let form = browser.get(&update).await;
    assert!(
        form.has(&format!("<option value=\"{}\">", cyp.id)),
        "keyworkers offered"
    );
    let mut allocated = fields(&[
        ("csrf_token", &csrf),
        ("status", "allocated"),
        ("keyworker_id", &cyp.id),
        ("version", &form.version()),
    ]);
    allocated.extend(date_fields("on", today()));
    let res = browser.send(&update, &allocated).await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let record = browser.get(res.location()).await;
    assert!(record.has("CYP keyworking updated."));
    let seen: Value = cyp.get(&format!("/people/{pid}")).json().await;
    assert_eq!(seen["cyp_keyworker"]["id"], cyp.id.as_str());
    assert!(strip_tags(&record.body).contains("Allocated"));
}
