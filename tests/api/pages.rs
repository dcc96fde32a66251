//! The web pages at the handler level (no browser): who may open each, the sign-in and
//! session rules of ui.md (cookie flags, hashed ids, idle and absolute limits, CSRF, `next`,
//! lockout and audit shared with the API), the board's filters, the record's sections, My
//! work, alert pages and their one form, error pages and assets.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::web::{strip_tags, Browser};

fn one_query(app: &TestApp, sql: &str) -> String {
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct One {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let url = &app.database_url;
    let rows: Vec<One> = if is_postgres() {
        let mut c = diesel::PgConnection::establish(url).unwrap();
        diesel::sql_query(sql).load(&mut c).unwrap()
    } else {
        let mut c = diesel::SqliteConnection::establish(url).unwrap();
        diesel::sql_query(sql).load(&mut c).unwrap()
    };
    rows.into_iter().map(|r| r.v).collect::<Vec<_>>().join(",")
}

#[tokio::test]
async fn a_signed_out_request_goes_to_sign_in_and_comes_back() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut browser = Browser::new(&app);
    let res = browser.get("/register?rag=red&search=Ann").await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.location(),
        "/sign-in?next=%2Fregister%3Frag%3Dred%26search%3DAnn"
    );
    assert_eq!(browser.get("/").await.location(), "/sign-in");
    let form = browser.get("/sign-in?next=%2Fregister%3Frag%3Dred").await;
    assert_eq!(form.h1(), "Sign in");
    assert!(form.has("<label class=\"nhsuk-label\" for=\"username\">Username</label>"));
    assert!(form.has("<label class=\"nhsuk-label\" for=\"password\">Password</label>"));
    assert!(form.has(">Sign in</button>"));
    let csrf = form.csrf();
    let res = browser
        .post(
            "/sign-in",
            &[
                ("csrf_token", &csrf),
                ("username", &coord.username),
                ("password", PASSWORD),
                ("next", "/register?rag=red"),
            ],
        )
        .await;
    assert_eq!((res.status, res.location()), (303, "/register?rag=red"));
    let board = browser.get("/register?rag=red").await;
    assert_eq!(board.status, 200);
    assert_eq!(board.h1(), "Register");
}

#[tokio::test]
async fn next_never_leaves_the_site() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    for next in [
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
        "evil.example",
        "/a\r\nSet-Cookie: x=1",
    ] {
        let mut browser = Browser::new(&app);
        let res = browser.sign_in_with(&coord.username, PASSWORD, next).await;
        assert_eq!((res.status, res.location()), (303, "/register"), "{next:?}");
    }
}

#[tokio::test]
async fn each_role_starts_on_its_own_page() {
    let app = spawn_app().await;
    for (role, start) in [
        (Role::Coordinator, "/register"),
        (Role::Manager, "/register"),
        (Role::Clinician, "/register"),
        (Role::Keyworker, "/my-work"),
        (Role::Admin, "/admin/users"),
    ] {
        let mut browser = Browser::new(&app);
        let username = if role == Role::Admin {
            "admin".to_string()
        } else {
            app.sign_in(role).await.username.clone()
        };
        let password = if role == Role::Admin {
            ADMIN_PASSWORD
        } else {
            PASSWORD
        };
        let res = browser.sign_in_with(&username, password, "").await;
        assert_eq!(res.location(), start, "{role:?} after sign-in");
        assert_eq!(browser.get("/").await.location(), start, "{role:?} at /");
        assert_eq!(browser.get(start).await.status, 200, "{role:?} on {start}");
    }
}

#[tokio::test]
async fn the_session_cookie_is_flagged_random_and_stored_hashed() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut browser = Browser::new(&app);
    let res = browser.sign_in_with(&coord.username, PASSWORD, "").await;
    let cookie = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("dsr_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Path=/") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let value = browser.cookies["dsr_session"].clone();
    assert_eq!(value.len(), 64, "256 random bits");
    let stored = one_query(
        &app,
        "SELECT token_hash AS v FROM refresh_tokens WHERE kind = 'web'",
    );
    assert_eq!(stored.len(), 64);
    assert_ne!(stored, value, "the id is stored hashed");
    // A second sign-in is a fresh session id.
    let mut again = Browser::new(&app);
    again.sign_in_with(&coord.username, PASSWORD, "").await;
    assert_ne!(again.cookies["dsr_session"], value);

    let https = spawn_app_with(|s| s.server.public_url = "https://dsr.example.nhs.uk".into()).await;
    let coord = https.sign_in(Role::Coordinator).await;
    let res = Browser::new(&https)
        .sign_in_with(&coord.username, PASSWORD, "")
        .await;
    assert!(
        res.set_cookies()
            .iter()
            .any(|c| c.starts_with("dsr_session=") && c.contains("Secure")),
        "Secure over https"
    );
}

#[tokio::test]
async fn the_api_ignores_the_cookie_and_the_cookie_is_no_refresh_token() {
    let app = spawn_app().await;
    let (browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let cookie = format!("dsr_session={}", browser.cookies["dsr_session"]);
    let res = app
        .client
        .get(app.url("/register"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": browser.cookies["dsr_session"]}),
        )
        .await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn sign_in_shares_the_api_logins_checks_lockout_and_audit() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut browser = Browser::new(&app);
    // Without the form's own token: refused, and nothing counted.
    let res = browser
        .post(
            "/sign-in",
            &[("username", &coord.username), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(!browser.cookies.contains_key("dsr_session"));
    let empty = browser.sign_in_with("", "", "").await;
    assert_eq!(empty.status, 422);
    assert!(empty.has("There is a problem") && empty.has("href=\"#username\""));
    assert!(empty.has("Enter your username") && empty.has("Enter your password"));
    for _ in 0..5 {
        let wrong = browser
            .sign_in_with(&coord.username, "not the password", "")
            .await;
        assert_eq!(wrong.status, 401);
        assert!(wrong.has("Enter a correct username and password"));
    }
    let locked = browser.sign_in_with(&coord.username, PASSWORD, "").await;
    assert_eq!(locked.status, 429);
    assert!(locked.has("Too many failed attempts"));
    // The API's login counts the page's failures.
    let api = app.login_response(&coord.username, PASSWORD).await;
    assert_eq!(api.status(), 429);
    let admin = app.sign_in(Role::Admin).await;
    let audit = admin
        .get(&format!("/audit?actor_id={}&action=login", coord.id))
        .json()
        .await;
    assert!(audit["total"].as_i64().unwrap() >= 6, "{audit}");
}

#[tokio::test]
async fn sign_out_ends_the_session_and_needs_its_token() {
    let app = spawn_app().await;
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let res = browser.post("/sign-out", &[("csrf_token", "0000")]).await;
    assert_eq!(res.status, 403, "a forged sign-out changes nothing");
    assert!(res.has("Nothing was changed"));
    assert_eq!(browser.get("/register").await.status, 200);
    let kept = browser.cookies["dsr_session"].clone();
    let csrf = browser.csrf().await;
    let res = browser.post("/sign-out", &[("csrf_token", &csrf)]).await;
    assert_eq!((res.status, res.location()), (303, "/sign-in"));
    assert!(
        !browser.cookies.contains_key("dsr_session"),
        "the cookie is cleared"
    );
    browser.cookies.insert("dsr_session".into(), kept);
    assert_eq!(
        browser.get("/register").await.location(),
        "/sign-in?next=%2Fregister"
    );
}

#[tokio::test]
async fn page_sessions_end_when_idle_at_their_absolute_limit_and_with_the_user() {
    let app = spawn_app().await;
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    app.clock.advance(29 * 60);
    assert_eq!(
        browser.get("/register").await.status,
        200,
        "29 idle minutes"
    );
    app.clock.advance(29 * 60);
    assert_eq!(
        browser.get("/register").await.status,
        200,
        "moved on by use"
    );
    app.clock.advance(31 * 60);
    assert_eq!(
        browser.get("/register").await.status,
        303,
        "31 idle minutes"
    );

    let (mut busy, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let mut open_for = 0;
    // Busy every 25 minutes: open until 12 hours after sign-in, then closed.
    for _ in 0..40 {
        app.clock.advance(25 * 60);
        open_for += 25;
        if busy.get("/register").await.status != 200 {
            break;
        }
    }
    assert!(
        (12 * 60..12 * 60 + 25).contains(&open_for),
        "{open_for} minutes"
    );

    let admin = app.sign_in(Role::Admin).await;
    let (mut leaving, user) = Browser::signed_in(&app, Role::Coordinator).await;
    let path = format!("/users/{}", user.id);
    assert_eq!(
        admin.patch(&path, &json!({"active": false})).await.status(),
        200
    );
    assert_eq!(leaving.get("/register").await.status, 303, "deactivated");
}

#[tokio::test]
async fn a_reset_password_must_be_changed_on_its_page_which_ends_other_sessions() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let (mut elsewhere, user) = Browser::signed_in(&app, Role::Keyworker).await;
    let temporary = "temporary quartz meadow 7";
    let res = admin
        .patch(
            &format!("/users/{}", user.id),
            &json!({"password": temporary}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        elsewhere.get("/my-work").await.status,
        303,
        "the reset ended it"
    );

    let mut browser = Browser::new(&app);
    let res = browser
        .sign_in_with(&user.username, temporary, "/my-work")
        .await;
    assert_eq!(res.location(), "/account/password");
    for page in ["/my-work", "/register", "/"] {
        assert_eq!(
            browser.get(page).await.location(),
            "/account/password",
            "{page}"
        );
    }
    let form = browser.get("/account/password").await;
    assert!(form.has("for=\"current_password\">Current password</label>"));
    assert!(form.has("for=\"new_password\">New password</label>"));
    assert!(form.has(">Change password</button>"));
    let csrf = form.csrf();
    let weak = browser
        .post(
            "/account/password",
            &[
                ("csrf_token", &csrf),
                ("current_password", temporary),
                ("new_password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.has("href=\"#new_password\""), "{}", weak.body);
    assert!(strip_tags(&weak.body).contains("New password must be at least 12 characters"));
    let (mut other, _) = (Browser::new(&app), ());
    other.sign_in_with(&user.username, temporary, "").await;
    let res = browser
        .post(
            "/account/password",
            &[
                ("csrf_token", &csrf),
                ("current_password", temporary),
                ("new_password", "lantern orbit saffron canal"),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location()),
        (303, "/account/password?changed=1")
    );
    assert!(browser
        .get("/account/password?changed=1")
        .await
        .has("Your password has been changed"));
    assert_eq!(
        browser.get("/my-work").await.status,
        200,
        "this session stays"
    );
    assert_eq!(other.get("/my-work").await.status, 303, "the others end");
}

/// (path, admin, coordinator, manager, clinician, keyworker): the status each role gets.
#[tokio::test]
async fn who_may_open_each_page() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Pat", Rag::Amber).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let record = format!("/people/{person}");
    let contacts = format!("/people/{person}/contacts");
    let (_, alert) = overdue_alert(&coord).await;
    let alert = format!("/alerts/{alert}");
    let table: [(&str, [u16; 5]); 8] = [
        ("/register", [403, 200, 200, 200, 200]),
        ("/my-work", [403, 200, 200, 200, 200]),
        ("/admin/users", [200, 403, 403, 403, 403]),
        ("/account/password", [200, 200, 200, 200, 200]),
        // a keyworker outside their caseload: the same 404 as no such person
        (&record, [403, 200, 200, 200, 404]),
        (&contacts, [403, 200, 200, 200, 404]),
        ("/register/export.csv", [403, 200, 200, 403, 403]),
        // alerts: clinicians see those assigned to them, keyworkers their caseload's
        (&alert, [403, 200, 200, 404, 404]),
    ];
    let roles = [
        Role::Admin,
        Role::Coordinator,
        Role::Manager,
        Role::Clinician,
        Role::Keyworker,
    ];
    for (i, role) in roles.into_iter().enumerate() {
        let mut browser = Browser::new(&app);
        let (username, password) = if role == Role::Admin {
            ("admin".to_string(), ADMIN_PASSWORD)
        } else {
            (app.sign_in(role).await.username.clone(), PASSWORD)
        };
        browser.sign_in_with(&username, password, "").await;
        for (path, expected) in &table {
            let res = browser.get(path).await;
            assert_eq!(res.status, expected[i], "{role:?} {path}");
            match res.status {
                403 => assert!(
                    res.has("You do not have permission to see this page"),
                    "{path}"
                ),
                404 => assert_eq!(res.h1(), "Page not found"),
                _ => {}
            }
        }
    }
    let (mut kw, kw_actor) = Browser::signed_in(&app, Role::Keyworker).await;
    let missing = kw.get("/people/01900000-0000-7000-8000-000000000000").await;
    let outside = kw.get(&record).await;
    assert_eq!((missing.status, outside.status), (404, 404));
    assert_eq!(
        strip_tags(&missing.body),
        strip_tags(&outside.body),
        "indistinguishable"
    );
    app.assign_keyworker(&coord, &person, &kw_actor.id).await;
    assert_eq!(kw.get(&record).await.status, 200, "on the caseload now");
}

#[tokio::test]
async fn pages_are_html_in_the_service_style_with_safe_headers() {
    let app = spawn_app().await;
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let board = browser.get("/register").await;
    let h = |name: &str| {
        board
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(h("content-type"), "text/html; charset=utf-8");
    assert_eq!(h("cache-control"), "no-store");
    assert_eq!(h("x-content-type-options"), "nosniff");
    let csp = h("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(board.has("Dynamic Support Register") && board.has(">Sign out</button>"));
    assert!(!board.body.contains("<script>"), "no inline script");
    assert_eq!(board.body.matches("<h1").count(), 1);
    let unknown = browser.get("/no/such/page").await;
    assert_eq!(
        (unknown.status, unknown.h1().as_str()),
        (404, "Page not found")
    );
    assert!(unknown.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let api = app.get_public("/api/v1/no/such").await;
    assert_eq!(api.headers()["content-type"], "application/problem+json");

    // The design system's assets, hashed, for a year, to anyone.
    let css = board
        .body
        .split('"')
        .find(|s| s.starts_with("/assets/nhsuk-frontend.") && s.ends_with(".css"))
        .expect("the stylesheet's address")
        .to_string();
    let res = app
        .client
        .get(format!("{}{css}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    assert!(!res.text().await.unwrap().contains("@font-face"));
    let gone = app
        .client
        .get(format!("{}/assets/nhsuk-frontend.css", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn the_board_filters_searches_sorts_and_pages_in_the_callers_scope() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let red = coord.person_on_register("Rowan", Rag::Red).await;
    let amber = coord.person_on_register("Ash", Rag::Amber).await;
    for i in 0..52 {
        coord
            .person_on_register(&format!("Green{i:02}"), Rag::Green)
            .await;
    }
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    let all = browser.get("/register").await;
    assert!(
        all.has("Showing 1 to 50 of 54 entries"),
        "{}",
        strip_tags(&all.body)
    );
    assert!(all.has("aria-label=\"Page 2\""));
    assert!(all.has("for=\"search\">Search by name, NHS number or reference</label>"));
    assert!(
        all.has("href=\"/register/export.csv?\""),
        "coordinators may export"
    );
    let page2 = browser.get("/register?page=2").await;
    assert!(page2.has("Showing 51 to 54 of 54 entries"));

    let reds = browser.get("/register?rag=red").await;
    assert!(reds.has("of 1 entry") && reds.has("Rowan") && !reds.has("Ash"));
    assert!(reds.has("<strong class=\"nhsuk-tag nhsuk-tag--red\">Red</strong>"));
    let two = browser.get("/register?rag=red&rag=amber&sort=rag").await;
    assert!(two.has("of 2 entries"));
    assert!(
        two.body.find("Rowan").unwrap() < two.body.find("Ash").unwrap(),
        "red first"
    );

    let reference = amber["reference"].as_str().unwrap();
    let by_ref = browser.get(&format!("/register?search={reference}")).await;
    assert!(
        by_ref.has("of 1 entry") && by_ref.has("Ash"),
        "by reference"
    );
    let nhs = red["person"]["nhs_number"].as_str().unwrap();
    let spaced = format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..]);
    let by_nhs = browser
        .get(&format!("/register?search={}", spaced.replace(' ', "+")))
        .await;
    assert!(
        by_nhs.has("of 1 entry") && by_nhs.has(&spaced),
        "by NHS number, shown spaced"
    );
    let by_name = browser.get("/register?search=rowan").await;
    assert!(by_name.has("of 1 entry"));
    let none = browser.get("/register?search=nobody+at+all").await;
    assert!(none.has("No entries match."));
    let lenient = browser.get("/register?rag=purple&sort=drop&page=x").await;
    assert_eq!(lenient.status, 200, "a bad value is ignored");

    // The API finds a reference too.
    let api = coord
        .get(&format!("/register?search={reference}"))
        .json()
        .await;
    assert_eq!(api["total"], 1);
    assert_eq!(api["items"][0]["reference"], reference);
    let people = coord
        .get(&format!("/people?search={reference}"))
        .json()
        .await;
    assert_eq!(people["total"], 1);

    // A keyworker's board is their caseload, without the export.
    let (mut kw, kw_actor) = Browser::signed_in(&app, Role::Keyworker).await;
    app.assign_keyworker(&coord, red["person_id"].as_str().unwrap(), &kw_actor.id)
        .await;
    for by in [kw_actor.id.as_str(), kw_actor.username.as_str()] {
        let filtered = browser.get(&format!("/register?keyworker={by}")).await;
        assert!(
            filtered.has("of 1 entry") && filtered.has("Rowan"),
            "keyworker={by}"
        );
    }
    let nobody = browser.get("/register?keyworker=no.such.person").await;
    assert!(nobody.has("No entries match."));
    let theirs = kw.get("/register").await;
    assert!(
        theirs.has("of 1 entry") && theirs.has("Rowan"),
        "{}",
        strip_tags(&theirs.body)
    );
    assert!(!theirs.has("export.csv"));
    let csv = browser.get("/register/export.csv?rag=red").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.lines().count() == 2 && csv.body.contains(red["reference"].as_str().unwrap()));

    // The board's read is audited about the people it showed.
    let log = coord
        .get(&format!(
            "/people/{}/access-log",
            red["person_id"].as_str().unwrap()
        ))
        .json()
        .await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["entity_type"] == "register_board"),
        "{log}"
    );
}

#[tokio::test]
async fn the_record_shows_every_section_newest_first() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let (admitted, _plan) = coord.with_plan("Morgan").await;
    let person = &admitted.person_id;
    for i in 0..7 {
        let res = coord
            .post(
                &format!("/people/{person}/contacts"),
                &json!({
                    "occurred_at": format!("2026-11-{:02}T10:00:00Z", 10 + i),
                    "kind": "phone",
                    "summary": format!("Call number {i}"),
                }),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let res = coord
        .post(
            &format!("/people/{person}/cetrs"),
            &json!({
                "kind": "post_admission",
                "held_on": days_ago(1),
                "admission_id": admitted.admission_id,
                "panel": full_panel(),
                "summary": "Agreed a plan for home leave",
            }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let (mut browser, _) = Browser::signed_in(&app, Role::Manager).await;
    let page = browser.get(&format!("/people/{person}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.h1(), "Morgan Tester", "given name, then family name");
    let text = strip_tags(&page.body);
    for heading in [
        "NHS number",
        "Named lead worker",
        "Rating Blue",
        "Register entry",
        "Rating history",
        "DSR reviews",
        "Contacts",
        "Admissions and oversight visits",
        "C(E)TRs and their actions",
        "12-point discharge plan",
        "Open alerts",
    ] {
        assert!(text.contains(heading), "{heading} in {text}");
    }
    assert!(text.contains("Riverside Hospital") && text.contains("In hospital"));
    assert!(text.contains("Agreed a plan for home leave"));
    assert!(text.contains("0 of 12 points complete"));
    assert!(
        text.contains("Call number 6") && !text.contains("Call number 1 "),
        "five of seven"
    );
    assert!(
        text.find("Call number 6").unwrap() < text.find("Call number 5").unwrap(),
        "newest first"
    );
    assert!(
        page.has(&format!("href=\"/people/{person}/contacts\"")),
        "see all"
    );
    let all = browser.get(&format!("/people/{person}/contacts")).await;
    let all_text = strip_tags(&all.body);
    assert!(all_text.contains("Call number 0") && all_text.contains("Back to the record"));
    assert!(
        !all_text.contains("12-point discharge plan"),
        "only that section"
    );
    assert_eq!(
        browser
            .get(&format!("/people/{person}/passwords"))
            .await
            .status,
        404
    );
    let log = coord
        .get(&format!("/people/{person}/access-log"))
        .json()
        .await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["entity_type"] == "person"),
        "{log}"
    );
}

/// An amber entry opened 31 days ago: its DSR review (28 days) is 3 days overdue.
async fn overdue_alert(coord: &Actor<'_>) -> (Value, String) {
    let person = coord.person("Quinn").await;
    let entry = coord
        .open_entry(&person, Rag::Amber, Some(days_ago(31)))
        .await;
    let res = coord
        .post("/escalations/run", &json!({"dry_run": false}))
        .await;
    assert_eq!(res.status(), 200);
    let alerts = coord
        .get(&format!(
            "/alerts?kind=dsr_review_overdue&person_id={}",
            person["id"].as_str().unwrap()
        ))
        .json()
        .await;
    (
        entry,
        alerts["items"][0]["id"]
            .as_str()
            .expect("an alert")
            .to_string(),
    )
}

#[tokio::test]
async fn an_alert_page_says_what_is_overdue_and_takes_an_acknowledgement() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let (entry, alert) = overdue_alert(&coord).await;
    let mut browser = Browser::new(&app);
    let manager = app.sign_in(Role::Manager).await;
    let path = format!("/alerts/{alert}");
    // From an email: signed out, to sign-in, back to the alert.
    let res = browser.get(&path).await;
    assert_eq!(res.location(), format!("/sign-in?next=%2Falerts%2F{alert}"));
    let res = browser
        .sign_in_with(&manager.username, PASSWORD, &path)
        .await;
    assert_eq!(res.location(), path);
    let page = browser.get(&path).await;
    assert_eq!(page.h1(), "DSR review overdue");
    let text = strip_tags(&page.body);
    assert!(
        text.contains(entry["reference"].as_str().unwrap()),
        "{text}"
    );
    assert!(text.contains("overdue by 3 days"), "{text}");
    assert!(page.has(&format!(
        "href=\"/people/{}\"",
        entry["person_id"].as_str().unwrap()
    )));
    assert!(page.has("for=\"note\">Note</label>") && page.has(">Acknowledge</button>"));

    let csrf = page.csrf();
    let forged = browser
        .post(&format!("{path}/acknowledge"), &[("note", "x")])
        .await;
    assert_eq!(forged.status, 403);
    let blank = browser
        .post(
            &format!("{path}/acknowledge"),
            &[("csrf_token", &csrf), ("note", "  ")],
        )
        .await;
    assert_eq!(blank.status, 422);
    assert!(
        blank.has("href=\"#note\"") && strip_tags(&blank.body).contains("Note must not be blank")
    );
    let api = coord.get(&format!("/alerts/{alert}")).json().await;
    assert_eq!(api["status"], "open", "nothing changed yet");
    let done = browser
        .post(
            &format!("{path}/acknowledge"),
            &[("csrf_token", &csrf), ("note", "Review booked for Friday")],
        )
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, format!("{path}?acknowledged=1").as_str())
    );
    let after = browser.get(&format!("{path}?acknowledged=1")).await;
    assert!(after.has("Alert acknowledged") && after.has("Review booked for Friday"));
    assert!(
        !after.has(">Acknowledge</button>"),
        "no second acknowledgement"
    );
    let api = coord.get(&format!("/alerts/{alert}")).json().await;
    assert_eq!(api["status"], "acknowledged");
    assert_eq!(api["acknowledge_note"], "Review booked for Friday");
}

#[tokio::test]
async fn my_work_lists_my_caseload_actions_points_and_alerts() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let (mut browser, kw) = Browser::signed_in(&app, Role::Keyworker).await;
    let (admitted, plan) = coord.with_plan("Robin").await;
    app.assign_keyworker(&coord, &admitted.person_id, &kw.id)
        .await;
    let res = coord
        .patch(
            &format!("/discharge-plans/{}/points/3", plan["id"].as_str().unwrap()),
            &json!({"owner_id": kw.id, "target_date": days_ahead(5)}),
        )
        .if_match(plan["version"].as_i64().unwrap())
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let page = browser.get("/my-work").await;
    assert_eq!(page.h1(), "My work");
    let text = strip_tags(&page.body);
    assert!(
        text.contains("My caseload (1)") && text.contains("Robin Tester"),
        "{text}"
    );
    assert!(text.contains("My discharge plan points (1)"), "{text}");
    assert!(page.has(&format!(
        "href=\"/people/{}#discharge-plan\"",
        admitted.person_id
    )));
    let quick = format!(
        "href=\"/people/{}/contact\">Log contact",
        admitted.person_id
    );
    assert!(page.has(&quick), "a quick action from the row");
}

#[tokio::test]
async fn a_broken_record_answers_the_500_page_not_a_crash() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = coord.person("Kai").await;
    let id = person["id"].as_str().unwrap();
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    sql_past_the_check(
        &app,
        "people",
        "consent_status",
        &format!("UPDATE people SET consent_status = 'maybe' WHERE id = '{id}'"),
    );
    let res = browser.get(&format!("/people/{id}")).await;
    assert_eq!(res.status, 500);
    assert_eq!(res.h1(), "Sorry, there is a problem with the service");
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        !res.body.contains("maybe"),
        "no detail of the cause on the page"
    );
    assert_eq!(
        browser.get("/register").await.status,
        200,
        "the rest still works"
    );
}

#[tokio::test]
async fn a_record_shows_what_another_process_wrote_within_seconds() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Lane", Rag::Green).await;
    let person = entry["person_id"].as_str().unwrap().to_string();
    let (mut browser, _) = Browser::signed_in(&app, Role::Coordinator).await;
    assert!(!browser
        .get(&format!("/people/{person}"))
        .await
        .has("Written elsewhere"));
    // A contact written by another process: no change counter moves for contacts.
    sql_elsewhere(
        &app,
        &format!(
            "INSERT INTO contacts (id, person_id, occurred_at, kind, summary, recorded_by, created_at) \
             VALUES ('01900000-0000-7000-8000-00000000c0de', '{person}', '2026-11-30 10:00:00', 'phone', \
             'Written elsewhere', '{}', '2026-11-30 10:00:00')",
            coord.id
        ),
    );
    app.clock.advance(dsr::web::record::RECORD_FRESH_SECS);
    assert!(browser
        .get(&format!("/people/{person}"))
        .await
        .has("Written elsewhere"));
}
