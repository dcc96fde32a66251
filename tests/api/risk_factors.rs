//! Reasons for risk (the DSR meeting, #20 point 1): coded factors noted on an entry with a
//! date and a note, ended with history kept, shown on the entry, filtering the triage list
//! and counted in the summary report; what has been tried and what would help on the entry.

use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn reasons_for_risk_are_noted_ended_kept_as_history_and_shown_on_the_entry() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = coord.person("Rhea").await;
    let entry = coord
        .open_entry(&person, Rag::Red, Some(days_ago(60)))
        .await;
    let entry_id = entry["id"].as_str().unwrap();
    let path = format!("/register/{entry_id}/risk-factors");
    assert_eq!(entry["risk_factors"], json!([]));
    assert_eq!(entry["version"], 1);

    let res = coord
        .post(
            &path,
            &json!({"code": "placement_breakdown", "noted_on": days_ago(30), "note": " Provider gave notice "}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let placement: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/risk-factors/{}", placement["id"].as_str().unwrap())
    );
    assert_eq!(placement["label"], "Placement breakdown");
    assert_eq!(placement["note"], "Provider gave notice", "trimmed");
    assert_eq!(placement["current"], true);
    assert_eq!(placement["person_id"], person["id"]);
    let harm: Value = coord
        .post(
            &path,
            &json!({"code": "harm_to_self", "noted_on": days_ago(10)}),
        )
        .json()
        .await;
    assert_eq!(harm["current"], true);

    let now: Value = coord.get(&format!("/register/{entry_id}")).json().await;
    assert_eq!(
        now["risk_factors"],
        json!(["placement_breakdown", "harm_to_self"])
    );
    assert_eq!(
        now["version"], 3,
        "each reason noted moves the entry's version"
    );

    // The same code twice while current, a code nobody configured, a future date, a date
    // before the entry opened: each refused naming its field.
    let again = coord
        .post(&path, &json!({"code": "harm_to_self", "noted_on": today()}))
        .await;
    assert_eq!(error_fields(&assert_problem(again, 422).await), ["code"]);
    // The database holds the rule too (two people noting it at the same moment).
    let twice = try_sql_elsewhere(
        &app,
        &format!(
            "INSERT INTO risk_factors (id, register_entry_id, code, noted_on, version, recorded_by, \
             created_at, updated_at) VALUES ('{}', '{entry_id}', 'harm_to_self', '{}', 1, '{}', \
             '2026-12-01 10:00:00', '2026-12-01 10:00:00')",
            uuid::Uuid::now_v7(),
            today(),
            coord.id
        ),
    );
    assert!(twice.is_err(), "a second current harm_to_self was stored");
    let unknown = assert_problem(
        coord
            .post(&path, &json!({"code": "bad_weather", "noted_on": today()}))
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&unknown), ["code"]);
    assert!(
        unknown.to_string().contains("placement_breakdown"),
        "the codes are listed: {unknown}"
    );
    let future = coord
        .post(
            &path,
            &json!({"code": "school_exclusion", "noted_on": today().succ_opt().unwrap()}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(future, 422).await),
        ["noted_on"]
    );
    let early = coord
        .post(
            &path,
            &json!({"code": "school_exclusion", "noted_on": days_ago(61)}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(early, 422).await),
        ["noted_on"]
    );

    // Ending one keeps it as history; an end before it was noted is refused.
    let factor = format!("/risk-factors/{}", placement["id"].as_str().unwrap());
    let backwards = coord
        .patch(&factor, &json!({"ended_on": days_ago(31)}))
        .await;
    assert_eq!(
        error_fields(&assert_problem(backwards, 422).await),
        ["ended_on"]
    );
    let stale = coord
        .patch(&factor, &json!({"ended_on": days_ago(2)}))
        .if_match(7)
        .await;
    assert_eq!(stale.status(), 412);
    let ended = coord
        .patch(&factor, &json!({"ended_on": days_ago(2)}))
        .if_match(1)
        .await;
    assert_eq!(ended.status(), 200);
    let ended: Value = ended.json().await.unwrap();
    assert_eq!(
        (ended["current"].clone(), ended["version"].clone()),
        (json!(false), json!(2))
    );
    let now: Value = coord.get(&format!("/register/{entry_id}")).json().await;
    assert_eq!(now["risk_factors"], json!(["harm_to_self"]));
    let history: Value = coord.get(&path).json().await;
    let codes: Vec<(&str, bool)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["current"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [("harm_to_self", true), ("placement_breakdown", false)],
        "current first, the ended one kept"
    );
    // Once ended, the code may be noted again.
    let back = coord
        .post(
            &path,
            &json!({"code": "placement_breakdown", "noted_on": today()}),
        )
        .await;
    assert_eq!(back.status(), 201);

    // What has been tried and what would help are on the entry; null clears.
    let res = coord
        .patch(
            &format!("/register/{entry_id}"),
            &json!({"what_has_been_tried": "Positive behaviour support plan", "what_would_help": "A stable provider"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let now: Value = res.json().await.unwrap();
    assert_eq!(
        now["what_has_been_tried"],
        "Positive behaviour support plan"
    );
    assert_eq!(now["what_would_help"], "A stable provider");
    let cleared: Value = coord
        .patch(
            &format!("/register/{entry_id}"),
            &json!({"what_would_help": null}),
        )
        .json()
        .await;
    assert_eq!(cleared["what_would_help"], Value::Null);

    // Only coordinators note reasons; a closed entry takes none.
    let kw = app.sign_in(Role::Keyworker).await;
    let refused = kw
        .post(
            &path,
            &json!({"code": "harm_to_others", "noted_on": today()}),
        )
        .await;
    assert_eq!(refused.status(), 403);
    let res = coord
        .post(
            &format!("/register/{entry_id}/close"),
            &json!({"reason": "no_longer_at_risk"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let closed = coord
        .post(
            &path,
            &json!({"code": "harm_to_others", "noted_on": today()}),
        )
        .await;
    assert_problem(closed, 409).await;
}

#[tokio::test]
async fn the_triage_list_filters_by_reason_and_the_summary_counts_them_as_at_a_date() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let manager = app.sign_in(Role::Manager).await;
    // A fresh area, so other tests' people are not counted.
    let area = format!("Area {}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let mut entries = Vec::new();
    for given in ["Sol", "Tam", "Uma"] {
        let mut body = person_body(given, "Tester");
        body["area"] = json!(area);
        let person: Value = coord.post("/people", &body).json().await;
        entries.push(
            coord
                .open_entry(&person, Rag::Amber, Some(days_ago(40)))
                .await,
        );
    }
    let note = |entry: &Value, code: &str, on| {
        let path = format!("/register/{}/risk-factors", entry["id"].as_str().unwrap());
        let body = json!({"code": code, "noted_on": on});
        let coord = &coord;
        async move {
            let res = coord.post(&path, &body).await;
            assert_eq!(res.status(), 201);
            res.json::<Value>().await.unwrap()
        }
    };
    note(&entries[0], "police_or_justice_contact", days_ago(20)).await;
    note(&entries[1], "police_or_justice_contact", days_ago(5)).await;
    let ended = note(&entries[2], "police_or_justice_contact", days_ago(30)).await;
    let res = coord
        .patch(
            &format!("/risk-factors/{}", ended["id"].as_str().unwrap()),
            &json!({"ended_on": days_ago(10)}),
        )
        .await;
    assert_eq!(res.status(), 200);
    note(&entries[2], "loss_of_support", days_ago(10)).await;

    let list: Value = coord
        .get(&format!(
            "/register?risk_factor=police_or_justice_contact&area={area}"
        ))
        .json()
        .await;
    let mut ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![
        entries[0]["id"].as_str().unwrap(),
        entries[1]["id"].as_str().unwrap(),
    ];
    expected.sort();
    assert_eq!(ids, expected, "current reasons only");
    assert_eq!(list["total"], 2);
    let bad = app.get("/register?risk_factor=bad_weather", &coord).await;
    assert_eq!(
        error_fields(&assert_problem(bad, 400).await),
        ["risk_factor"]
    );

    let summary = |as_of: chrono::NaiveDate| {
        let path = format!("/reports/summary?area={area}&as_of={as_of}");
        let manager = &manager;
        async move { manager.get(&path).json().await["risk_factors"].clone() }
    };
    let now = summary(today()).await;
    assert_eq!(now["police_or_justice_contact"], 2);
    assert_eq!(now["loss_of_support"], 1);
    assert_eq!(now["harm_to_self"], 0, "every configured code listed");
    // Fifteen days ago: the first and the third (not yet ended), not the second (noted later).
    let then = summary(days_ago(15)).await;
    assert_eq!(then["police_or_justice_contact"], 2);
    assert_eq!(then["loss_of_support"], 0);
    let earlier = summary(days_ago(25)).await;
    assert_eq!(earlier["police_or_justice_contact"], 1);
}

#[tokio::test]
async fn the_record_shows_the_reasons_and_its_forms_note_and_end_them() {
    use crate::web::{date_fields, fields, strip_tags, Browser};
    let app = spawn_app().await;
    let (mut browser, coord) = Browser::signed_in(&app, Role::Coordinator).await;
    let entry = coord.person_on_register("Vic", Rag::Amber).await;
    let id = entry["person_id"].as_str().unwrap();
    let record = browser.get(&format!("/people/{id}")).await;
    let text = strip_tags(&record.body);
    assert!(
        text.contains("Reasons for risk") && text.contains("None noted"),
        "{text}"
    );
    assert!(record.has(&format!("href=\"/people/{id}/risk-factors/new\"")));

    let form = browser.get(&format!("/people/{id}/risk-factors/new")).await;
    assert_eq!(form.status, 200);
    assert!(
        strip_tags(&form.body).contains("Urgent care attendance (A&#38;E, crisis line, 111)"),
        "configured labels"
    );
    let csrf = form.csrf();
    let path = format!("/people/{id}/risk-factors/new");
    let mut sent = fields(&[("csrf_token", &csrf), ("note", "Crisis team called twice")]);
    sent.extend(date_fields("noted_on", today()));
    let refused = browser.send(&path, &sent).await;
    assert_eq!(refused.status, 422);
    let text = strip_tags(&refused.body);
    assert!(
        text.contains("There is a problem") && text.contains("Select the reason for risk"),
        "{text}"
    );

    let mut sent = fields(&[
        ("csrf_token", &csrf),
        ("code", "crisis_team_involvement"),
        ("note", "Crisis team called twice"),
    ]);
    sent.extend(date_fields("noted_on", today()));
    let noted = browser.send(&path, &sent).await;
    assert_eq!(noted.status, 303, "{}", noted.body);
    let record = browser.get(noted.location()).await;
    let text = strip_tags(&record.body);
    assert!(
        text.contains("Reason for risk noted.")
            && text.contains("Crisis team involvement")
            && text.contains("Crisis team called twice"),
        "{text}"
    );
    // The same reason again is refused on the form, in words.
    let again = browser.send(&path, &sent).await;
    assert_eq!(again.status, 422);
    assert!(strip_tags(&again.body).contains("already a current reason"));

    let factors: Value = coord
        .get(&format!(
            "/register/{}/risk-factors",
            entry["id"].as_str().unwrap()
        ))
        .json()
        .await;
    let factor = factors[0]["id"].as_str().unwrap().to_string();
    let end_path = format!("/risk-factors/{factor}/end");
    assert!(record.has(&format!("href=\"{end_path}\"")));
    let form = browser.get(&end_path).await;
    assert_eq!(form.status, 200);
    let mut sent = fields(&[("csrf_token", &csrf), ("version", "1"), ("note", "")]);
    sent.extend(date_fields("ended_on", today()));
    let ended = browser.send(&end_path, &sent).await;
    assert_eq!(ended.status, 303, "{}", ended.body);
    let record = browser.get(ended.location()).await;
    let text = strip_tags(&record.body);
    assert!(
        text.contains("Reason for risk ended") && text.contains("Ended: Crisis team involvement"),
        "{text}"
    );
    let stale = browser.send(&end_path, &sent).await;
    assert_eq!(stale.status, 412);
    assert!(strip_tags(&stale.body).contains("Someone else changed this"));

    // The board filters by reason; a manager reads but has no forms.
    let board = browser
        .get("/register?risk_factor=crisis_team_involvement")
        .await;
    assert!(board.has("<option value=\"crisis_team_involvement\" selected>"));
    let (mut manager, _) = Browser::signed_in(&app, Role::Manager).await;
    let record = manager.get(&format!("/people/{id}")).await;
    assert!(!record.has("/risk-factors/new"));
    assert_eq!(manager.get(&path).await.status, 403);
}
