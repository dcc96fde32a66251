//! The record's forms at the handler level: Record review, Change rating and Log contact.
//! Each succeeds through post/redirect/get, refuses a forged form (403, nothing changed), says
//! what is wrong in words on its fields (422, the API's rules), refuses roles the API refuses,
//! and a stale rating form says so instead of overwriting.

use chrono::Datelike;
use serde_json::json;

use crate::helpers::*;
use crate::web::{date_fields, strip_tags, Browser};

#[tokio::test]
async fn a_coordinator_records_a_review_from_the_record() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Devon", Rag::Amber).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let record = browser.get(&format!("/people/{person}")).await;
    assert!(record.has(&format!(
        "href=\"/people/{person}/review\" role=\"button\" draggable=\"false\">Record review</a>"
    )));
    assert!(record.has(">Change rating</a>") && record.has(">Log contact</a>"));
    let path = format!("/people/{person}/review");
    let form = browser.get(&path).await;
    assert_eq!(form.status, 200);
    assert_eq!(form.h1(), "Record a DSR review");
    assert!(form.has(">Record review</button>") && form.has("for=\"reviewed_on-day\">Day</label>"));
    let csrf = form.csrf();

    let forged = browser.send(&path, &[("summary".into(), "x".into())]).await;
    assert_eq!(forged.status, 403);

    let mut fields = vec![("csrf_token".to_string(), csrf.clone())];
    fields.extend([
        ("reviewed_on-day".into(), "31".into()),
        ("reviewed_on-month".into(), "2".into()),
        ("reviewed_on-year".into(), "2026".into()),
    ]);
    fields.push(("summary".into(), "   ".into()));
    let res = browser.send(&path, &fields).await;
    assert_eq!(res.status, 422);
    let text = strip_tags(&res.body);
    assert!(res.has("href=\"#reviewed_on-day\""), "{text}");
    assert!(
        text.contains("Date of review must be a real date"),
        "{text}"
    );
    assert!(
        text.contains("Select the rating the review agreed"),
        "{text}"
    );
    assert!(text.contains("Summary must not be blank"), "{text}");
    assert!(
        text.contains("Who attended must list 1 to 50 attendees"),
        "{text}"
    );

    let mut future = vec![("csrf_token".to_string(), csrf.clone())];
    future.extend(date_fields("reviewed_on", days_ahead(2)));
    future.extend([
        ("rag".into(), "red".into()),
        ("attendees".into(), "Coordinator\nKeyworker".into()),
        ("summary".into(), "Placement breaking down".into()),
    ]);
    let res = browser.send(&path, &future).await;
    assert_eq!(res.status, 422);
    assert!(strip_tags(&res.body).contains("Date of review must not be in the future"));
    assert!(res.has("Placement breaking down"), "what was typed is kept");
    let reviews = coord
        .get(&format!(
            "/register/{}/reviews",
            entry["id"].as_str().unwrap()
        ))
        .json()
        .await;
    assert_eq!(
        reviews.as_array().map(|a| a.len()),
        Some(0),
        "nothing recorded yet: {reviews}"
    );

    let mut good = vec![("csrf_token".to_string(), csrf)];
    good.extend(date_fields("reviewed_on", today()));
    good.extend([
        ("rag".into(), "red".into()),
        ("attendees".into(), "Coordinator\n\nKeyworker\n".into()),
        ("summary".into(), "Placement breaking down".into()),
    ]);
    let res = browser.send(&path, &good).await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=review").as_str())
    );
    let after = browser.get(res.location()).await;
    assert!(after.has("Review recorded.") && after.has("Placement breaking down"));
    let now = coord
        .get(&format!("/register/{}", entry["id"].as_str().unwrap()))
        .json()
        .await;
    assert_eq!(now["rag"], "red");
    let reviews = coord
        .get(&format!(
            "/register/{}/reviews",
            entry["id"].as_str().unwrap()
        ))
        .json()
        .await;
    assert_eq!(reviews[0]["attendees"], json!(["Coordinator", "Keyworker"]));

    // Roles the API refuses are refused here too.
    for role in [Role::Manager, Role::Keyworker, Role::Clinician] {
        let (mut other, _) = Browser::signed_in(&app, role).await;
        let res = other.get(&path).await;
        assert!(
            res.status == 403 || res.status == 404,
            "{role:?}: {}",
            res.status
        );
        let record = other.get(&format!("/people/{person}")).await;
        assert!(
            !record.has(">Record review</a>"),
            "{role:?} sees no Record review"
        );
    }
}

#[tokio::test]
async fn a_rating_changes_with_a_reason_and_a_stale_form_says_so() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Ellis", Rag::Amber).await;
    let (person, entry_id) = (
        entry["person_id"].as_str().unwrap().to_string(),
        entry["id"].as_str().unwrap().to_string(),
    );
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let path = format!("/people/{person}/rating");
    let form = browser.get(&path).await;
    assert!(form.has(">Change rating</button>") && form.has("value=\"amber\" checked"));
    let csrf = form.csrf();
    let version = entry["version"].as_i64().unwrap().to_string();
    let missing = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("rag", "red"),
                ("rag_reason", " "),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.has("href=\"#rag_reason\"") && missing.has("Say why the rating changes"));

    // Someone else changes the entry while the form is open.
    let res = coord
        .patch(
            &format!("/register/{entry_id}"),
            &json!({"rag": "green", "rag_reason": "Settled"}),
        )
        .if_match(entry["version"].as_i64().unwrap())
        .await;
    assert_eq!(res.status(), 200);
    let stale = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("rag", "red"),
                ("rag_reason", "Crisis at home"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(stale.status, 412);
    assert!(stale.has("Someone else changed this entry") && stale.has("its rating is now Green"));
    assert!(stale.has("Crisis at home"), "the reason typed is kept");
    let now = coord.get(&format!("/register/{entry_id}")).json().await;
    assert_eq!(now["rag"], "green", "nothing overwritten");
    let fresh = stale.version();
    assert_eq!(fresh, now["version"].to_string());
    let res = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("rag", "red"),
                ("rag_reason", "Crisis at home"),
                ("version", &fresh),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=rating").as_str())
    );
    let history = coord
        .get(&format!("/register/{entry_id}/history"))
        .json()
        .await;
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["to"].as_str(), last["reason"].as_str()),
        (Some("red"), Some("Crisis at home"))
    );
    assert!(browser.get(res.location()).await.has("Rating changed."));
}

#[tokio::test]
async fn a_keyworker_logs_a_contact_for_their_caseload_only() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mine = coord.person_on_register("Frankie", Rag::Green).await;
    let theirs = coord.person_on_register("Gale", Rag::Green).await;
    let (mut browser, kw) = Browser::signed_in(&app, Role::Keyworker).await;
    let person = mine["person_id"].as_str().unwrap().to_string();
    app.assign_keyworker(&coord, &person, &kw.id).await;
    let path = format!("/people/{person}/contact");
    let form = browser.get(&path).await;
    assert_eq!(form.status, 200);
    assert!(form.has(">Log contact</button>") && form.has("for=\"summary\">Summary</label>"));
    let csrf = form.csrf();
    let outside = browser
        .get(&format!(
            "/people/{}/contact",
            theirs["person_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(outside.status, 404, "outside the caseload: not found");
    let forged = browser.post(&path, &[("summary", "x")]).await;
    assert_eq!(forged.status, 403);

    let mut fields = vec![("csrf_token".to_string(), csrf.clone())];
    fields.extend(date_fields("occurred_on", today()));
    fields.extend([
        ("time".into(), "quarter past".into()),
        ("summary".into(), "".into()),
    ]);
    let res = browser.send(&path, &fields).await;
    assert_eq!(res.status, 422);
    let text = strip_tags(&res.body);
    assert!(
        text.contains("Enter the time like 14:30") && text.contains("Select the kind of contact"),
        "{text}"
    );

    let when = chrono::Utc::now() - chrono::Duration::hours(2);
    let local = when.with_timezone(&chrono_tz::Europe::London);
    let mut fields = vec![("csrf_token".to_string(), csrf)];
    fields.extend(date_fields("occurred_on", local.date_naive()));
    fields.extend([
        ("time".into(), local.format("%H:%M").to_string()),
        ("kind".into(), "face_to_face".into()),
        ("with_whom".into(), "Frankie and their dad".into()),
        ("summary".into(), "Home visit: calmer this week".into()),
    ]);
    let res = browser.send(&path, &fields).await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=contact").as_str())
    );
    assert!(browser.get(res.location()).await.has("Contact logged."));
    let contacts = coord
        .get(&format!("/people/{person}/contacts"))
        .json()
        .await;
    let logged = &contacts["items"][0];
    assert_eq!(logged["summary"], "Home visit: calmer this week");
    assert_eq!(logged["kind"], "face_to_face");
    let at: chrono::DateTime<chrono::Utc> =
        logged["occurred_at"].as_str().unwrap().parse().unwrap();
    assert!(
        (at - when).num_seconds().abs() < 60,
        "the London time became {at}"
    );
}

#[tokio::test]
async fn a_coordinator_or_manager_names_the_keyworker() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Harper", Rag::Amber).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let kw = app.sign_in(Role::Keyworker).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let (mut browser, _) = Browser::signed_in(&app, Role::Manager).await;
    let record = browser.get(&format!("/people/{person}")).await;
    assert!(record.has(&format!("href=\"/people/{person}/keyworker\">Change")));
    let path = format!("/people/{person}/keyworker");
    let form = browser.get(&path).await;
    assert_eq!(form.h1(), "Change named lead worker");
    assert!(
        form.has(&format!("<option value=\"{}\"", kw.id)),
        "the keyworkers are listed"
    );
    assert!(
        form.has(&format!("<option value=\"{}\"", clinician.id)),
        "a clinician may be the named lead worker too"
    );
    let csrf = form.csrf();
    assert_eq!(
        browser
            .post(&path, &[("keyworker", kw.id.as_str())])
            .await
            .status,
        403
    );
    let none = browser
        .post(&path, &[("csrf_token", &csrf), ("keyworker", "")])
        .await;
    assert_eq!(none.status, 422);
    assert!(none.has("href=\"#keyworker\"") && none.has("Choose the named lead worker"));
    let unknown = browser
        .post(&path, &[("csrf_token", &csrf), ("keyworker", "no.such.kw")])
        .await;
    assert!(unknown.has("There is no active keyworker or clinician with that username"));
    let coordinator = app.sign_in(Role::Coordinator).await;
    let not_kw = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("keyworker", coordinator.id.as_str()),
            ],
        )
        .await;
    assert_eq!(
        not_kw.status, 422,
        "the API's rule: only keyworkers and clinicians"
    );
    assert!(
        not_kw.has("href=\"#keyworker\""),
        "{}",
        strip_tags(&not_kw.body)
    );
    for by in [kw.id.as_str(), kw.username.as_str()] {
        let res = browser
            .post(
                &path,
                &[
                    ("csrf_token", &csrf),
                    ("keyworker", by),
                    ("note", "Knows the family"),
                ],
            )
            .await;
        assert_eq!(
            (res.status, res.location()),
            (303, format!("/people/{person}?done=keyworker").as_str()),
            "by {by}"
        );
    }
    let now = coord.get(&format!("/people/{person}")).json().await;
    assert_eq!(now["keyworker"]["id"], kw.id.as_str());
    assert!(browser
        .get(&format!("/people/{person}?done=keyworker"))
        .await
        .has("Keyworker assigned."));
    let (mut other, _) = Browser::signed_in(&app, Role::Keyworker).await;
    assert!(matches!(other.get(&path).await.status, 403 | 404));
}

#[tokio::test]
async fn a_coordinator_adds_a_person_and_puts_them_on_the_register() {
    let app = spawn_app().await;
    let (mut browser, coord) = Browser::signed_in(&app, Role::Coordinator).await;
    let board = browser.get("/register").await;
    assert!(board.has("href=\"/people/new\" role=\"button\" draggable=\"false\">Add a person</a>"));
    let form = browser.get("/people/new").await;
    assert_eq!(form.h1(), "Add a person");
    let csrf = form.csrf();
    let empty = browser.post("/people/new", &[("csrf_token", &csrf)]).await;
    assert_eq!(empty.status, 422);
    let text = strip_tags(&empty.body);
    for expected in [
        "Enter the date of birth",
        "Select what consent has been recorded",
        "Given name must not be blank",
        "Area must not be blank",
        "Diagnosis",
        "NHS number",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(empty.has("href=\"#date_of_birth-day\""));
    let nhs = nhs_number();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("given_name", "Indigo"),
        ("family_name", "Tester"),
        ("nhs_number", nhs.as_str()),
        ("date_of_birth-day", "14"),
        ("date_of_birth-month", "3"),
        ("date_of_birth-year", "2009"),
        ("autism", "yes"),
        ("area", "North"),
        ("consent_status", "parental"),
    ];
    let res = browser.post("/people/new", &fields).await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let record_path = res.location().trim_end_matches("?done=person").to_string();
    let record = browser.get(res.location()).await;
    assert!(record.has("Person added.") && record.has("Not on the register"));
    assert!(record.has(">Put on the register</a>") && !record.has(">Record review</a>"));
    let again = browser.post("/people/new", &fields).await;
    assert_eq!(again.status, 422, "the NHS number is taken");
    assert!(
        again.has("href=\"#nhs_number\""),
        "{}",
        strip_tags(&again.body)
    );

    let open = format!("{record_path}/register");
    let form = browser.get(&open).await;
    let csrf = form.csrf();
    let missing = browser
        .post(&open, &[("csrf_token", &csrf), ("risk_summary", "")])
        .await;
    assert_eq!(missing.status, 422);
    assert!(strip_tags(&missing.body).contains("Select the rating"));
    assert!(strip_tags(&missing.body).contains("Why they are at risk must not be blank"));
    let res = browser
        .post(
            &open,
            &[
                ("csrf_token", &csrf),
                ("rag", "red"),
                ("risk_summary", "Placement ending next week"),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("{record_path}?done=entry").as_str())
    );
    let record = browser.get(res.location()).await;
    assert!(
        record.has("On the register.")
            && record.has("DSR-000001")
            && record.has(">Record review</a>")
    );
    let person_id = record_path.trim_start_matches("/people/");
    let person = coord.get(&format!("/people/{person_id}")).json().await;
    assert_eq!(person["nhs_number"], nhs.as_str());
    assert!(person["register_entry_id"].is_string());
    let (mut manager, _) = Browser::signed_in(&app, Role::Manager).await;
    assert_eq!(manager.get("/people/new").await.status, 403);
}

#[tokio::test]
async fn a_coordinator_closes_an_entry_with_a_reason() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Jules", Rag::Green).await;
    let (person, entry_id) = (
        entry["person_id"].as_str().unwrap().to_string(),
        entry["id"].as_str().unwrap().to_string(),
    );
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let path = format!("/people/{person}/close");
    assert!(browser
        .get(&format!("/people/{person}"))
        .await
        .has(">Close entry</a>"));
    let form = browser.get(&path).await;
    assert!(form.has(">Close entry</button>"));
    let csrf = form.csrf();
    let version = entry["version"].to_string();
    assert_eq!(
        browser
            .post(&path, &[("reason", "died"), ("version", &version)])
            .await
            .status,
        403
    );
    let other = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("reason", "other"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(other.status, 422);
    assert!(
        strip_tags(&other.body).contains("Note is required when the reason is other"),
        "{}",
        strip_tags(&other.body)
    );
    let res = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("reason", "moved_out_of_area"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=closed").as_str())
    );
    let record = browser.get(res.location()).await;
    assert!(record.has("Entry closed.") && record.has("Moved out of area"));
    assert!(
        !record.has(">Record review</a>"),
        "a closed entry takes no review"
    );
    let now = coord.get(&format!("/register/{entry_id}")).json().await;
    assert_eq!(
        (now["status"].as_str(), now["closure_reason"].as_str()),
        (Some("closed"), Some("moved_out_of_area"))
    );
}

#[tokio::test]
async fn an_admin_creates_changes_resets_and_deactivates_users() {
    let app = spawn_app().await;
    let mut admin = Browser::new(&app);
    admin.sign_in_with("admin", ADMIN_PASSWORD, "").await;
    let list = admin.get("/admin/users").await;
    assert!(
        list.has("href=\"/admin/users/new\" role=\"button\" draggable=\"false\">Create a user</a>")
    );
    let form = admin.get("/admin/users/new").await;
    assert_eq!(form.h1(), "Create a user");
    let csrf = form.csrf();
    assert_eq!(
        admin
            .post("/admin/users/new", &[("username", "x")])
            .await
            .status,
        403
    );
    let weak = admin
        .post(
            "/admin/users/new",
            &[
                ("csrf_token", &csrf),
                ("username", "sam.keyworker"),
                ("display_name", "Sam"),
                ("email", "not-an-email"),
                ("role", "keyworker"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    let text = strip_tags(&weak.body);
    assert!(
        text.contains("Email address must be an email address"),
        "{text}"
    );
    assert!(
        text.contains("Password must be 12 to 1024 characters"),
        "{text}"
    );
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("username", "sam.keyworker"),
        ("display_name", "Sam Keyworker"),
        ("email", "sam@nhs.net"),
        ("role", "keyworker"),
        ("password", "marble orchard velvet 42"),
    ];
    let res = admin.post("/admin/users/new", &fields).await;
    assert_eq!(
        (res.status, res.location()),
        (303, "/admin/users?done=created"),
        "{}",
        strip_tags(&res.body)
    );
    assert!(admin.get(res.location()).await.has("User created."));
    let taken = admin.post("/admin/users/new", &fields).await;
    assert_eq!(taken.status, 422);
    assert!(taken.has("href=\"#username\""));

    let sam = app
        .sign_in_as("sam.keyworker", "marble orchard velvet 42")
        .await;
    let mut sams = Browser::new(&app);
    sams.sign_in_with("sam.keyworker", "marble orchard velvet 42", "")
        .await;
    assert_eq!(sams.get("/my-work").await.status, 200);
    let edit = format!("/admin/users/{}", sam.id);
    let form = admin.get(&edit).await;
    assert_eq!(form.h1(), "Change Sam Keyworker");
    assert!(form.has("id=\"active\" name=\"active\" type=\"checkbox\" value=\"yes\" checked"));
    let version = form.version();
    // A reset: the user must choose a password, and every session ends.
    let res = admin
        .post(
            &edit,
            &[
                ("csrf_token", &csrf),
                ("display_name", "Sam Keyworker"),
                ("email", "sam@nhs.net"),
                ("role", "keyworker"),
                ("active", "yes"),
                ("password", "temporary quartz meadow 9"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, "/admin/users?done=updated"),
        "{}",
        strip_tags(&res.body)
    );
    assert_eq!(
        sams.get("/my-work").await.status,
        303,
        "the reset ended the session"
    );
    let stale = admin
        .post(
            &edit,
            &[
                ("csrf_token", &csrf),
                ("display_name", "Sam K"),
                ("email", "sam@nhs.net"),
                ("role", "manager"),
                ("active", "yes"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(stale.status, 412);
    assert!(stale.has("Someone else changed this user"));
    let fresh = stale.version();
    let res = admin
        .post(
            &edit,
            &[
                ("csrf_token", &csrf),
                ("display_name", "Sam K"),
                ("email", "sam@nhs.net"),
                ("role", "manager"),
                ("version", &fresh),
            ],
        )
        .await;
    assert_eq!(
        res.status, 303,
        "deactivated (the box unticked) and made a manager"
    );
    let api = app.sign_in(Role::Admin).await;
    let now = api.get(&format!("/users/{}", sam.id)).json().await;
    assert_eq!(
        (
            now["role"].as_str(),
            now["active"].as_bool(),
            now["display_name"].as_str()
        ),
        (Some("manager"), Some(false), Some("Sam K"))
    );
    assert_eq!(now["must_change_password"], true);
    let (mut coord, _) = Browser::signed_in(&app, Role::Coordinator).await;
    assert_eq!(coord.get("/admin/users/new").await.status, 403);
    assert_eq!(coord.get(&edit).await.status, 403);
}

#[tokio::test]
async fn a_coordinator_records_an_admission_a_visit_and_the_discharge() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Kit", Rag::Red).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let record = browser.get(&format!("/people/{person}")).await;
    assert!(record.has(&format!(
        "href=\"/people/{person}/admission\">Record an admission</a>"
    )));
    let path = format!("/people/{person}/admission");
    let form = browser.get(&path).await;
    assert_eq!(form.h1(), "Record an admission");
    let csrf = form.csrf();
    assert_eq!(browser.post(&path, &[("text", "x")]).await.status, 403);
    let empty = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("on-day", "31"),
                ("on-month", "4"),
                ("on-year", "2026"),
                ("text", " "),
            ],
        )
        .await;
    assert_eq!(empty.status, 422);
    let text = strip_tags(&empty.body);
    assert!(
        text.contains("Date admitted must be a real date") && text.contains("Select the setting"),
        "{text}"
    );
    assert!(text.contains("Hospital must not be blank"), "{text}");
    assert!(empty.has("href=\"#on-day\""));
    let admitted = days_ago(5);
    let day = |d: chrono::NaiveDate| {
        (
            d.day().to_string(),
            d.month().to_string(),
            d.year().to_string(),
        )
    };
    let (dd, mm, yy) = day(admitted);
    let res = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("on-day", &dd),
                ("on-month", &mm),
                ("on-year", &yy),
                ("text", "Riverside Hospital"),
                ("choice", "low_secure"),
                ("more", "Section 3"),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=admitted").as_str()),
        "{}",
        strip_tags(&res.body)
    );
    let again = browser
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("on-day", &dd),
                ("on-month", &mm),
                ("on-year", &yy),
                ("text", "Elsewhere"),
                ("choice", "low_secure"),
            ],
        )
        .await;
    assert_eq!(
        again.status, 422,
        "already in hospital: the API's 409 on the form"
    );
    let admissions = coord
        .get(&format!("/people/{person}/admissions"))
        .json()
        .await;
    let admission = admissions[0]["id"].as_str().unwrap().to_string();
    assert_eq!(admissions[0]["setting"], "low_secure");
    let now = coord
        .get(&format!("/register/{}", entry["id"].as_str().unwrap()))
        .json()
        .await;
    assert_eq!(now["rag"], "blue", "an admission turns the entry blue");

    let visit = format!("/people/{person}/admissions/{admission}/visit");
    let record = browser
        .get(&format!("/people/{person}?done=admitted"))
        .await;
    assert!(record.has("Admission recorded.") && record.has(&format!("href=\"{visit}\"")));
    let (vd, vm, vy) = day(days_ago(1));
    let res = browser
        .post(
            &visit,
            &[
                ("csrf_token", &csrf),
                ("on-day", &vd),
                ("on-month", &vm),
                ("on-year", &vy),
                ("text", "Alex Commissioner"),
                ("more", "Seen on the ward"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let visits = coord
        .get(&format!("/admissions/{admission}/visits"))
        .json()
        .await;
    assert_eq!(visits[0]["visitor"], "Alex Commissioner");

    let discharge = format!("/people/{person}/admissions/{admission}/discharge");
    let form = browser.get(&discharge).await;
    let version = form.version();
    let (td, tm, ty) = day(today());
    let early = day(admitted - chrono::Duration::days(3));
    let before = browser
        .post(
            &discharge,
            &[
                ("csrf_token", &csrf),
                ("on-day", &early.0),
                ("on-month", &early.1),
                ("on-year", &early.2),
                ("choice", "community"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(before.status, 422, "not before the admission");
    assert!(
        before.has("href=\"#on-day\""),
        "{}",
        strip_tags(&before.body)
    );
    let res = browser
        .post(
            &discharge,
            &[
                ("csrf_token", &csrf),
                ("on-day", &td),
                ("on-month", &tm),
                ("on-year", &ty),
                ("choice", "community"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, format!("/people/{person}?done=discharged").as_str()),
        "{}",
        strip_tags(&res.body)
    );
    let admissions = coord
        .get(&format!("/people/{person}/admissions"))
        .json()
        .await;
    assert_eq!(admissions[0]["discharge_destination"], "community");
    let stale = browser
        .post(
            &discharge,
            &[
                ("csrf_token", &csrf),
                ("on-day", &td),
                ("on-month", &tm),
                ("on-year", &ty),
                ("choice", "community"),
                ("version", &version),
            ],
        )
        .await;
    assert!(
        matches!(stale.status, 412 | 422),
        "a second discharge on the old form: {}",
        stale.status
    );
    let other = coord.person_on_register("Lee", Rag::Amber).await;
    let elsewhere = browser
        .get(&format!(
            "/people/{}/admissions/{admission}/visit",
            other["person_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        elsewhere.status, 404,
        "another person's admission is no such page"
    );
}

#[tokio::test]
async fn a_plan_is_created_and_its_points_updated_by_their_owner() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let admitted = coord.admitted("Morgan", 4).await;
    let person = admitted.person_id.clone();
    let (mut browser, _) = Browser::signed_in(&app, Role::Clinician).await;
    let record = browser.get(&format!("/people/{person}")).await;
    assert!(record.has(&format!(
        "href=\"/people/{person}/plan\">Create a discharge plan</a>"
    )));
    let form = browser.get(&format!("/people/{person}/plan")).await;
    let csrf = form.csrf();
    let planned = days_ahead(60);
    let res = browser
        .post(
            &format!("/people/{person}/plan"),
            &[
                ("csrf_token", csrf.as_str()),
                ("planned_discharge_date-day", &planned.day().to_string()),
                ("planned_discharge_date-month", &planned.month().to_string()),
                ("planned_discharge_date-year", &planned.year().to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let record = browser.get(res.location()).await;
    assert!(record.has("Discharge plan created.") && record.has("0 of 12 points complete"));
    let again = browser
        .post(
            &format!("/people/{person}/plan"),
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(again.status, 422, "one plan an admission");

    // The keyworker owns point 3 and completes it.
    let (mut kw_browser, kw) = Browser::signed_in(&app, Role::Keyworker).await;
    app.assign_keyworker(&coord, &person, &kw.id).await;
    let point = format!("/people/{person}/plan/points/3");
    let form = browser.get(&point).await;
    assert!(
        form.has(&format!("<option value=\"{}\"", kw.id)),
        "the keyworker is offered"
    );
    let version = form.version();
    let target = days_ahead(10);
    let res = browser
        .post(
            &point,
            &[
                ("csrf_token", csrf.as_str()),
                ("status", "in_progress"),
                ("owner_id", kw.id.as_str()),
                ("target_date-day", &target.day().to_string()),
                ("target_date-month", &target.month().to_string()),
                ("target_date-year", &target.year().to_string()),
                ("notes", "Viewing the flat"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let stale = browser
        .post(
            &point,
            &[
                ("csrf_token", csrf.as_str()),
                ("status", "complete"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(stale.status, 412);
    assert!(stale.has("Someone else changed this plan"));
    let form = kw_browser.get(&point).await;
    assert_eq!(form.status, 200);
    let kw_csrf = form.csrf();
    let fresh = form.version();
    let res = kw_browser
        .post(
            &point,
            &[
                ("csrf_token", kw_csrf.as_str()),
                ("status", "complete"),
                ("owner_id", kw.id.as_str()),
                ("target_date-day", &target.day().to_string()),
                ("target_date-month", &target.month().to_string()),
                ("target_date-year", &target.year().to_string()),
                ("notes", "Tenancy signed"),
                ("version", &fresh),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", strip_tags(&res.body));
    let plan = coord
        .get(&format!(
            "/admissions/{}/discharge-plan",
            admitted.admission_id
        ))
        .json()
        .await;
    let p3 = plan["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["number"] == 3)
        .unwrap();
    assert_eq!(
        (p3["status"].as_str(), p3["notes"].as_str()),
        (Some("complete"), Some("Tenancy signed"))
    );
    assert_eq!(plan["complete_count"], 1);
    // Not theirs: point 4 is nobody's, so the keyworker may not change it.
    let form = kw_browser
        .get(&format!("/people/{person}/plan/points/4"))
        .await;
    let res = kw_browser
        .post(
            &format!("/people/{person}/plan/points/4"),
            &[
                ("csrf_token", kw_csrf.as_str()),
                ("status", "complete"),
                ("version", &form.version()),
            ],
        )
        .await;
    assert!(matches!(res.status, 403 | 404), "{}", res.status);
}
