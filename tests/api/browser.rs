//! The pages in a real Chromium over WebDriver (Debian's chromium and chromedriver), each
//! page checked with axe-core for the WCAG 2.0/2.1/2.2 A and AA rules and at 320 px wide.
//! Switched on by DSR_BROWSER_TESTS=1 (as `.ci/run` does), like the PostgreSQL runs; a
//! bare `cargo test` on a machine without Chromium says so and checks nothing here.
//! DSR_CHROMEDRIVER and DSR_AXE_JS override where chromedriver and axe.min.js are.

use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::*;
use crate::smtp_sink::SmtpSink;

fn enabled() -> bool {
    std::env::var("DSR_BROWSER_TESTS").is_ok_and(|v| v == "1")
}

struct Driver {
    child: tokio::process::Child,
    port: u16,
    _profile: tempfile::TempDir,
    profile: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_driver() -> Driver {
    let binary = std::env::var("DSR_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = tokio::process::Command::new(binary)
        .arg(format!("--port={port}"))
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver starts (apt install chromium-driver)");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().expect("a profile dir");
    Driver {
        child,
        port,
        profile: profile.path().to_string_lossy().into_owned(),
        _profile: profile,
    }
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("DSR_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000",
                format!("--user-data-dir={}", driver.profile),
            ],
        }),
    );
    // Two rustls providers are linked (lettre's ring, reqwest's): name one for the driver's
    // client (it only speaks plain HTTP to chromedriver on loopback).
    let _ = rustls::crypto::ring::default_provider().install_default();
    ClientBuilder::rustls()
        .expect("rustls")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session")
}

fn axe_source() -> String {
    let path = std::env::var("DSR_AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/browser/node_modules/axe-core/axe.min.js"
        )
        .into()
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core at {path} (npm ci --prefix tests/browser): {e}"))
}

/// Every WCAG 2.0/2.1/2.2 A and AA violation axe finds on the current page, at full width
/// and at 320 px; and whether the page scrolls sideways at 320 px.
async fn check_page(c: &Client, axe: &str, what: &str) {
    c.execute(axe, vec![]).await.expect("inject axe");
    for width in [1280, 320] {
        c.set_window_size(width, 1000).await.expect("resize");
        // The header moves its links into a "More" menu on the animation frames after a
        // resize (nhsuk-frontend's ResizeObserver); axe reads the page once that is done,
        // not halfway through it.
        c.execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100)));",
            vec![],
        )
        .await
        .expect("the page settles after the resize");
        let violations = c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values:
                   ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})
                   .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                     v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("axe runs");
        assert_eq!(violations, json!([]), "axe on {what} at {width}px");
        if width == 320 {
            let sideways = c
                .execute(
                    "const w = window.innerWidth;
                     const wide = [...document.querySelectorAll('body *')]
                       .filter(e => e.getBoundingClientRect().right > w + 1)
                       .filter(e => !e.parentElement.closest('.dsr-table-scroll'))
                       .slice(0, 5)
                       .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' +
                         Math.round(e.getBoundingClientRect().right));
                     return [w, document.documentElement.scrollWidth, wide];",
                    vec![],
                )
                .await
                .expect("widths");
            let inner = sideways[0].as_i64().unwrap();
            let scroll = sideways[1].as_i64().unwrap();
            assert!(inner <= 400, "{what}: the window is narrow ({inner}px)");
            assert!(
                scroll <= inner,
                "{what} scrolls sideways at {inner}px: {scroll}px wide ({})",
                sideways[2]
            );
        }
    }
    c.set_window_size(1280, 1000).await.expect("resize back");
}

/// The input a visible label names (so the test finds fields the way a person does).
async fn field(c: &Client, label: &str) -> fantoccini::elements::Element {
    // An XPath literal: double quotes around a label with an apostrophe ("Referrer's name").
    let quoted = if label.contains('\'') {
        format!("\"{label}\"")
    } else {
        format!("'{label}'")
    };
    let xpath = format!("//*[@id=//label[normalize-space()={quoted}]/@for]");
    c.find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("a field labelled {label}: {e}"))
}

/// Ticks a radio or checkbox by clicking its label, as a person does.
async fn choose(c: &Client, id: &str) {
    let css = format!("label[for={id}]");
    c.find(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("a label for {id}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Types into the field a visible label names.
async fn type_in(c: &Client, label: &str, text: &str) {
    field(c, label).await.send_keys(text).await.unwrap();
}

async fn button(c: &Client, text: &str) -> fantoccini::elements::Element {
    let xpath = format!("//button[normalize-space()='{text}']");
    c.find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("a button {text}: {e}"))
}

/// Clicks something that loads a new page, and waits (bounded) until the new page is there.
async fn click_through(c: &Client, target: fantoccini::elements::Element) {
    c.execute("window.__dsr_previous_page = true;", vec![])
        .await
        .unwrap();
    target.click().await.unwrap();
    for _ in 0..200 {
        let fresh = c
            .execute(
                "return window.__dsr_previous_page === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await
            .unwrap_or(json!(false));
        if fresh == json!(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no new page after the click");
}

/// The app on a port of its own that it also names as its public address, so the links it
/// writes (redirects, email links) lead the browser back to it; `more` sets the rest.
async fn app_for_the_browser(more: impl FnOnce(&mut dsr::config::Settings)) -> TestApp {
    let port = free_port();
    spawn_app_with(|s| {
        s.server.bind = format!("127.0.0.1:{port}").parse().unwrap();
        s.server.public_url = format!("http://127.0.0.1:{port}");
        more(s);
    })
    .await
}

async fn sign_in(c: &Client, username: &str, password: &str) {
    type_in(c, "Username", username).await;
    type_in(c, "Password", password).await;
    click_through(c, button(c, "Sign in").await).await;
}

async fn path_of(c: &Client) -> String {
    let url = c.current_url().await.unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

async fn h1(c: &Client) -> String {
    c.find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_coordinator_and_a_manager_use_the_pages_in_chromium() {
    if !enabled() {
        eprintln!("browser tests are off: set DSR_BROWSER_TESTS=1 (with chromium, chromedriver and axe-core)");
        return;
    }
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let app = app_for_the_browser(|s| {
        s.email.transport = dsr::config::EmailTransportKind::Smtp;
        s.email.smtp_url = smtp;
        s.email.from = "DSR <dsr@nhs.net>".into();
    })
    .await;
    let base = app.address.clone();
    let admin = app.sign_in(Role::Admin).await;
    let manager = app
        .create_user(&admin, "morgan.manager", Role::Manager, None)
        .await;
    let manager_id = manager["id"].as_str().unwrap();
    app.create_user(&admin, "kit.keyworker", Role::Keyworker, Some(manager_id))
        .await;
    let kw = app.sign_in_as("kit.keyworker", PASSWORD).await;
    let coord = app.sign_in(Role::Coordinator).await;
    let red = coord.person_on_register("Rowan", Rag::Red).await;
    coord.person_on_register("Ash", Rag::Amber).await;
    let late = coord.person("Quinn").await;
    let late_entry = coord
        .open_entry(&late, Rag::Amber, Some(days_ago(40)))
        .await;
    let late_id = late["id"].as_str().unwrap();
    app.assign_keyworker(&coord, late_id, &kw.id).await;
    let (admitted, _) = coord.with_plan("Morgan").await;
    let mut young = person_body("Mia", "Young");
    young["date_of_birth"] = json!(days_ago(15 * 365));
    let young: serde_json::Value = coord.post("/people", &young).json().await;
    coord.open_entry(&young, Rag::Amber, None).await;
    let young_id = young["id"].as_str().unwrap().to_string();
    let review: serde_json::Value = coord
        .post(
            &format!("/register/{}/reviews", red["id"].as_str().unwrap()),
            &json!({"reviewed_on": today(), "rag": "red", "attendees": ["TCT"], "summary": "Crisis"}),
        )
        .json()
        .await;
    let res = coord
        .post("/escalations/run", &json!({"dry_run": false}))
        .await;
    assert_eq!(res.status(), 200);

    let driver = start_driver().await;
    let c = browser(&driver).await;
    let axe = axe_source();

    // A coordinator signs in, filters and searches the board, opens a record.
    c.goto(&format!("{base}/register")).await.unwrap();
    assert!(
        path_of(&c).await.starts_with("/sign-in"),
        "asked to sign in first"
    );
    check_page(&c, &axe, "sign-in").await;
    sign_in(&c, &coord.username, PASSWORD).await;
    assert_eq!(path_of(&c).await, "/register");
    assert_eq!(h1(&c).await, "Register");
    check_page(&c, &axe, "the board").await;
    choose(&c, "rag-red").await;
    click_through(&c, button(&c, "Apply filters").await).await;
    let filtered = path_of(&c).await;
    assert!(filtered.contains("rag=red"), "{filtered}");
    let text = body_text(&c).await;
    assert!(
        text.contains("Rowan") && !text.contains("Ash Tester"),
        "{text}"
    );
    c.goto(&format!("{base}/register")).await.unwrap();
    let reference = late_entry["reference"].as_str().unwrap();
    type_in(&c, "Search by name, NHS number or reference", reference).await;
    click_through(&c, button(&c, "Apply filters").await).await;
    let text = body_text(&c).await;
    assert!(
        text.contains("of 1 entry") && text.contains("Quinn Tester"),
        "{text}"
    );
    click_through(&c, c.find(Locator::LinkText(reference)).await.unwrap()).await;
    assert_eq!(path_of(&c).await, format!("/people/{late_id}"));
    assert_eq!(h1(&c).await, "Quinn Tester");
    check_page(&c, &axe, "a person's record").await;
    // The DSR meeting: a review to red, from the record.
    click_through(
        &c,
        c.find(Locator::LinkText("Record review")).await.unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Record a DSR review");
    check_page(&c, &axe, "the review form, empty").await;
    click_through(&c, button(&c, "Record review").await).await;
    assert!(body_text(&c).await.contains("There is a problem"));
    check_page(&c, &axe, "the review form, with errors").await;
    choose(&c, "rag-red").await;
    type_in(&c, "Who attended", "Coordinator\nKeyworker").await;
    type_in(&c, "Summary", "Placement at risk; crisis plan agreed").await;
    check_page(&c, &axe, "the review form, filled").await;
    click_through(&c, button(&c, "Record review").await).await;
    assert_eq!(path_of(&c).await, format!("/people/{late_id}?done=review"));
    let text = body_text(&c).await;
    assert!(
        text.contains("Review recorded.") && text.contains("crisis plan agreed"),
        "{text}"
    );
    // ...and names the keyworker.
    click_through(
        &c,
        c.find(Locator::Css("a[href$='/keyworker']")).await.unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Change named lead worker");
    check_page(&c, &axe, "the keyworker form").await;
    let option = format!("#keyworker option[value='{}']", kw.id);
    c.find(Locator::Css(&option))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_through(&c, button(&c, "Assign named lead worker").await).await;
    assert!(body_text(&c).await.contains("Keyworker assigned."));
    // ...and records a professional involved.
    click_through(
        &c,
        c.find(Locator::Css("a[href$='/involvements/new']"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Add a professional");
    check_page(&c, &axe, "the professional form, empty").await;
    click_through(&c, button(&c, "Add professional").await).await;
    assert!(body_text(&c).await.contains("Select the role"));
    check_page(&c, &axe, "the professional form, with errors").await;
    type_in(&c, "Name", "Jo Smith").await;
    type_in(&c, "Organisation", "County Council").await;
    choose(&c, "role-social_worker").await;
    click_through(&c, button(&c, "Add professional").await).await;
    let text = body_text(&c).await;
    assert!(
        text.contains("Professional saved.") && text.contains("Jo Smith"),
        "{text}"
    );
    // ...notes a reason for risk, and ends it.
    click_through(
        &c,
        c.find(Locator::Css("a[href$='/risk-factors/new']"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Note a reason for risk");
    check_page(&c, &axe, "the reason for risk form, empty").await;
    click_through(&c, button(&c, "Note reason").await).await;
    assert!(body_text(&c).await.contains("Select the reason for risk"));
    check_page(&c, &axe, "the reason for risk form, with errors").await;
    choose(&c, "code-harm_to_self").await;
    click_through(&c, button(&c, "Note reason").await).await;
    assert!(body_text(&c).await.contains("Reason for risk noted."));
    click_through(
        &c,
        c.find(Locator::Css("a[href^='/risk-factors/'][href$='/end']"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "End a reason for risk");
    check_page(&c, &axe, "the end of a reason for risk").await;
    click_through(&c, button(&c, "End reason").await).await;
    assert!(body_text(&c).await.contains("Ended: Harm to self"));
    c.goto(&format!("{base}/people/{late_id}/transition-plan"))
        .await
        .unwrap();
    assert_eq!(h1(&c).await, "Transition plan");
    check_page(&c, &axe, "the transition plan form").await;
    // ...refers a young person to CYP keyworking and moves the referral on.
    c.goto(&format!("{base}/people/{young_id}")).await.unwrap();
    check_page(&c, &axe, "a young person's record with CYP keyworking").await;
    click_through(
        &c,
        c.find(Locator::Css("a[href$='/keyworking/new']"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Refer to CYP keyworking");
    check_page(&c, &axe, "the CYP keyworking referral form").await;
    click_through(&c, button(&c, "Refer").await).await;
    assert!(body_text(&c).await.contains("Referred to CYP keyworking."));
    click_through(
        &c,
        c.find(Locator::Css("a[href^='/keyworking/'][href$='/update']"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Update CYP keyworking");
    click_through(&c, button(&c, "Save").await).await;
    assert!(body_text(&c).await.contains("Select what happened"));
    check_page(&c, &axe, "the CYP keyworking update, with errors").await;
    choose(&c, "status-accepted").await;
    click_through(&c, button(&c, "Save").await).await;
    assert!(body_text(&c).await.contains("CYP keyworking updated."));
    // ...and adds an action to a DSR review.
    let red_person = red["person_id"].as_str().unwrap();
    c.goto(&format!(
        "{base}/people/{red_person}/reviews/{}/action",
        review["id"].as_str().unwrap()
    ))
    .await
    .unwrap();
    assert_eq!(h1(&c).await, "Add an action");
    check_page(&c, &axe, "an action from a DSR review").await;
    // A new person onto the register.
    c.goto(&format!("{base}/people/new")).await.unwrap();
    check_page(&c, &axe, "add a person, empty").await;
    click_through(&c, button(&c, "Add person").await).await;
    check_page(&c, &axe, "add a person, with errors").await;
    let nhs = nhs_number();
    for (label, value) in [
        ("Given name", "Jordan"),
        ("Family name", "Tester"),
        ("NHS number", nhs.as_str()),
        ("Day", "9"),
        ("Month", "10"),
        ("Year", "2011"),
        ("Area", "South"),
    ] {
        let f = field(&c, label).await;
        f.clear().await.unwrap();
        f.send_keys(value).await.unwrap();
    }
    choose(&c, "autism").await;
    choose(&c, "consent_status-parental").await;
    check_page(&c, &axe, "add a person, filled").await;
    click_through(&c, button(&c, "Add person").await).await;
    assert!(body_text(&c).await.contains("Person added."));
    click_through(
        &c,
        c.find(Locator::LinkText("Put on the register"))
            .await
            .unwrap(),
    )
    .await;
    check_page(&c, &axe, "put on the register").await;
    choose(&c, "rag-amber").await;
    type_in(&c, "Why they are at risk", "Family placement under strain").await;
    click_through(&c, button(&c, "Put on the register").await).await;
    assert!(body_text(&c).await.contains("On the register."));
    c.goto(&format!("{base}/people/{}", admitted.person_id))
        .await
        .unwrap();
    assert!(body_text(&c).await.contains("12-point discharge plan"));
    check_page(&c, &axe, "an inpatient's record").await;
    click_through(
        &c,
        c.find(Locator::Css("a[href$='/plan/points/1']"))
            .await
            .unwrap(),
    )
    .await;
    check_page(&c, &axe, "a discharge plan point").await;
    choose(&c, "status-complete").await;
    click_through(&c, button(&c, "Save point").await).await;
    let text = body_text(&c).await;
    assert!(
        text.contains("Discharge plan point saved.") && text.contains("1 of 12 points complete"),
        "{text}"
    );
    click_through(&c, c.find(Locator::Css("a[href$='/visit']")).await.unwrap()).await;
    assert_eq!(h1(&c).await, "Record oversight visit");
    check_page(&c, &axe, "the visit form").await;
    c.goto(&format!("{base}/people/{late_id}/admission"))
        .await
        .unwrap();
    click_through(&c, button(&c, "Record admission").await).await;
    assert!(body_text(&c).await.contains("Select the setting"));
    check_page(&c, &axe, "the admission form, with errors").await;
    c.goto(&format!(
        "{base}/people/{}/contacts",
        red["person_id"].as_str().unwrap()
    ))
    .await
    .unwrap();
    check_page(&c, &axe, "a record's section").await;
    c.goto(&format!("{base}/my-work")).await.unwrap();
    check_page(&c, &axe, "My work").await;
    c.goto(&format!("{base}/account/password")).await.unwrap();
    check_page(&c, &axe, "change password").await;
    c.goto(&format!("{base}/no/such/page")).await.unwrap();
    assert_eq!(h1(&c).await, "Page not found");
    check_page(&c, &axe, "the 404 page").await;
    c.goto(&format!("{base}/admin/users")).await.unwrap();
    assert_eq!(h1(&c).await, "You do not have permission to see this page");
    check_page(&c, &axe, "the 403 page").await;
    c.goto(&format!("{base}/register")).await.unwrap();
    click_through(&c, button(&c, "Sign out").await).await;
    assert_eq!(path_of(&c).await, "/sign-in");
    c.goto(&format!("{base}/register")).await.unwrap();
    assert!(
        path_of(&c).await.starts_with("/sign-in"),
        "signed out for good"
    );

    // The manager follows the digest's link through sign-in to the alert, acknowledges it,
    // and reaches the person in one click.
    let mail = sink.to(manager["email"].as_str().unwrap());
    assert!(!mail.is_empty(), "the manager was emailed");
    let text = mail[0].text().replace("=\r\n", "");
    let link = text
        .split_whitespace()
        .find(|w| w.starts_with(&format!("{base}/alerts/")))
        .unwrap_or_else(|| panic!("a link to an alert page in {text}"))
        .to_string();
    c.goto(&link).await.unwrap();
    assert!(path_of(&c).await.starts_with("/sign-in?next=%2Falerts%2F"));
    sign_in(&c, "morgan.manager", PASSWORD).await;
    assert_eq!(
        format!("{base}{}", path_of(&c).await),
        link,
        "back on the alert"
    );
    check_page(&c, &axe, "an alert").await;
    type_in(&c, "Note", "Review booked with the family").await;
    click_through(&c, button(&c, "Acknowledge").await).await;
    assert!(body_text(&c).await.contains("Alert acknowledged"));
    check_page(&c, &axe, "an acknowledged alert").await;
    click_through(
        &c,
        c.find(Locator::Css("dd a[href^='/people/']"))
            .await
            .unwrap(),
    )
    .await;
    assert!(path_of(&c).await.starts_with("/people/"));
    click_through(&c, button(&c, "Sign out").await).await;

    // The keyworker logs a contact from a phone-sized window.
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&c, "kit.keyworker", PASSWORD).await;
    assert_eq!(path_of(&c).await, "/my-work");
    check_page(&c, &axe, "a keyworker's My work").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/people/{late_id}")).await.unwrap();
    click_through(&c, c.find(Locator::LinkText("Log contact")).await.unwrap()).await;
    check_page(&c, &axe, "the contact form").await;
    c.set_window_size(390, 844).await.unwrap();
    choose(&c, "kind-phone").await;
    type_in(&c, "Summary", "Called: calmer since the review").await;
    click_through(&c, button(&c, "Log contact").await).await;
    let text = body_text(&c).await;
    assert!(
        text.contains("Contact logged.") && text.contains("calmer since the review"),
        "{text}"
    );
    c.set_window_size(1280, 1000).await.unwrap();
    button(&c, "Sign out").await.click().await.unwrap();

    // An admin's start page.
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&c, "admin", ADMIN_PASSWORD).await;
    assert_eq!(path_of(&c).await, "/admin/users");
    check_page(&c, &axe, "users").await;
    click_through(
        &c,
        c.find(Locator::LinkText("Create a user")).await.unwrap(),
    )
    .await;
    check_page(&c, &axe, "create a user").await;
    click_through(&c, button(&c, "Create user").await).await;
    check_page(&c, &axe, "create a user, with errors").await;
    c.goto(&format!("{base}/admin/users/{}", kw.id))
        .await
        .unwrap();
    assert_eq!(h1(&c).await, "Change Test keyworker");
    check_page(&c, &axe, "change a user").await;
    c.close().await.unwrap();
}

/// Fills every empty field of the page's form the way a hurried person might: a date's boxes
/// with this year's first of January, text with "Test", the first of each radio group, the
/// first real option of each list. For the "filled" state of a form.
async fn fill_all(c: &Client) {
    c.execute(
        "const year = String(new Date().getFullYear());
         for (const i of document.querySelectorAll(
             'main input[type=text], main input[type=search], main textarea')) {
           if (i.value) continue;
           i.value = i.id.endsWith('-day') || i.id.endsWith('-month') ? '1'
             : i.id.endsWith('-year') ? year : 'Test';
         }
         const seen = new Set();
         for (const r of document.querySelectorAll('main input[type=radio]')) {
           if (seen.has(r.name)) continue;
           seen.add(r.name);
           if (![...document.getElementsByName(r.name)].some(x => x.checked)) r.checked = true;
         }
         for (const s of document.querySelectorAll('main select')) {
           if (!s.value && s.options.length > 1) s.selectedIndex = 1;
         }",
        vec![],
    )
    .await
    .expect("fill the form");
}

/// A form page in its states: empty, with the errors of sending it empty (when `refuses`
/// says an empty form is refused; a form that would be accepted as it stands is not sent),
/// and filled in.
async fn form_states(c: &Client, axe: &str, url: &str, submit: &str, what: &str, refuses: bool) {
    c.goto(url).await.unwrap();
    check_page(c, axe, &format!("{what}, empty")).await;
    if refuses {
        click_through(c, button(c, submit).await).await;
        assert!(
            body_text(c).await.contains("There is a problem"),
            "{what}: an empty form is refused"
        );
        check_page(c, axe, &format!("{what}, with errors")).await;
    }
    fill_all(c).await;
    check_page(c, axe, &format!("{what}, filled")).await;
}

#[tokio::test]
async fn a_clinician_records_a_cetr_and_a_coordinator_uses_the_other_forms_in_chromium() {
    if !enabled() {
        eprintln!("browser tests are off: set DSR_BROWSER_TESTS=1 (with chromium, chromedriver and axe-core)");
        return;
    }
    let app = app_for_the_browser(|_| {}).await;
    let base = app.address.clone();
    let coord = app.sign_in(Role::Coordinator).await;
    let clinician = app.sign_in(Role::Clinician).await;
    let red = coord.person_on_register("Rowan", Rag::Red).await;
    let red_id = red["person_id"].as_str().unwrap().to_string();
    let late = coord.person("Quinn").await;
    coord
        .open_entry(&late, Rag::Amber, Some(days_ago(40)))
        .await;
    let (planned, _) = coord.with_plan("Morgan").await;
    let unplanned = coord.admitted("Nova", 2).await;
    let contact: serde_json::Value = coord
        .post(
            &format!("/people/{red_id}/contacts"),
            &json!({"occurred_at": chrono::Utc::now() - chrono::Duration::hours(1), "kind": "phone", "summary": "Called the family"}),
        )
        .json()
        .await;
    let res = coord
        .post("/escalations/run", &json!({"dry_run": false}))
        .await;
    assert_eq!(res.status(), 200);

    let driver = start_driver().await;
    let c = browser(&driver).await;
    let axe = axe_source();

    // A clinician records a C(E)TR with its panel, then an action, then completes it.
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&c, &clinician.username, PASSWORD).await;
    c.goto(&format!("{base}/people/{red_id}")).await.unwrap();
    click_through(
        &c,
        c.find(Locator::LinkText("Record a C(E)TR")).await.unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Record a C(E)TR");
    check_page(&c, &axe, "the C(E)TR form, empty").await;
    click_through(&c, button(&c, "Record C(E)TR").await).await;
    let text = body_text(&c).await;
    assert!(text.contains("Select the kind of C(E)TR"), "{text}");
    check_page(&c, &axe, "the C(E)TR form, with errors").await;
    choose(&c, "kind-community").await;
    for (label, name) in [
        ("Member 1: name", "Dr Ada Chair"),
        ("Member 2: name", "Dr Ben Expert"),
        ("Member 3: name", "Cat Lived"),
    ] {
        type_in(&c, label, name).await;
    }
    type_in(&c, "Summary", "Community support to be increased").await;
    check_page(&c, &axe, "the C(E)TR form, filled").await;
    click_through(&c, button(&c, "Record C(E)TR").await).await;
    let text = body_text(&c).await;
    assert!(
        text.contains("C(E)TR recorded.") && text.contains("Cat Lived (expert by experience)"),
        "{text}"
    );
    click_through(
        &c,
        c.find(Locator::Css("a[href$='/action']")).await.unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Add an action");
    check_page(&c, &axe, "the action form, empty").await;
    click_through(&c, button(&c, "Add action").await).await;
    check_page(&c, &axe, "the action form, with errors").await;
    type_in(&c, "Action", "Find a specialist support provider").await;
    let me = format!("#owner_id option[value='{}']", clinician.id);
    c.find(Locator::Css(&me))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let due = days_ahead(14);
    for (label, value) in [
        ("Day", due.format("%-d").to_string()),
        ("Month", due.format("%-m").to_string()),
        ("Year", due.format("%Y").to_string()),
    ] {
        let f = field(&c, label).await;
        f.clear().await.unwrap();
        f.send_keys(&value).await.unwrap();
    }
    check_page(&c, &axe, "the action form, filled").await;
    click_through(&c, button(&c, "Add action").await).await;
    let text = body_text(&c).await;
    assert!(
        text.contains("Action added.") && text.contains("Find a specialist support provider"),
        "{text}"
    );
    // From My work, the quick action.
    c.goto(&format!("{base}/my-work")).await.unwrap();
    check_page(&c, &axe, "a clinician's My work").await;
    click_through(
        &c,
        c.find(Locator::Css("a[href*='/actions/'][href$='back=my-work']"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Update an action");
    check_page(&c, &axe, "the action update form").await;
    c.goto(&format!("{base}/my-work")).await.unwrap();
    click_through(
        &c,
        c.find(Locator::Css("form[action*='/actions/'] button"))
            .await
            .unwrap(),
    )
    .await;
    let text = body_text(&c).await;
    assert!(
        text.contains("Action saved.") && text.contains("No open C(E)TR actions are yours."),
        "{text}"
    );
    let person = &planned.person_id;
    form_states(
        &c,
        &axe,
        &format!("{base}/people/{person}/plan/review"),
        "Record plan review",
        "the plan review form",
        true,
    )
    .await;
    type_in(&c, "Summary", "Housing offer made").await;
    click_through(&c, button(&c, "Record plan review").await).await;
    assert!(body_text(&c).await.contains("Plan review recorded."));
    form_states(
        &c,
        &axe,
        &format!("{base}/people/{}/plan", unplanned.person_id),
        "Create plan",
        "the create plan form",
        false,
    )
    .await;
    click_through(&c, button(&c, "Sign out").await).await;

    // A coordinator: the rest of the record's forms, the dashboard, the alerts, an import.
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&c, &coord.username, PASSWORD).await;
    form_states(
        &c,
        &axe,
        &format!("{base}/people/{red_id}/rating"),
        "Change rating",
        "the rating form",
        true,
    )
    .await;
    form_states(
        &c,
        &axe,
        &format!("{base}/people/{red_id}/close"),
        "Close entry",
        "the close form",
        true,
    )
    .await;
    form_states(
        &c,
        &axe,
        &format!(
            "{base}/people/{}/admissions/{}/discharge",
            unplanned.person_id, unplanned.admission_id
        ),
        "Record discharge",
        "the discharge form",
        true,
    )
    .await;
    form_states(
        &c,
        &axe,
        &format!(
            "{base}/people/{red_id}/contacts/{}/correct",
            contact["id"].as_str().unwrap()
        ),
        "Log correction",
        "the correct a contact form",
        false,
    )
    .await;
    form_states(
        &c,
        &axe,
        &format!("{base}/people/{}/admission", late["id"].as_str().unwrap()),
        "Record admission",
        "the admission form",
        true,
    )
    .await;
    c.goto(&format!("{base}/dashboard")).await.unwrap();
    assert_eq!(h1(&c).await, "Dashboard");
    check_page(&c, &axe, "the dashboard").await;
    click_through(
        &c,
        c.find(Locator::Css("a[href='/alerts?level=1']"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(h1(&c).await, "Open alerts at level 1");
    check_page(&c, &axe, "the alerts at a level").await;
    c.goto(&format!("{base}/register/import")).await.unwrap();
    check_page(&c, &axe, "the import page").await;
    click_through(&c, button(&c, "Check the file").await).await;
    assert!(body_text(&c)
        .await
        .contains("Select a CSV or Excel file to import"));
    check_page(&c, &axe, "the import page, with errors").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("register.csv");
    let numbers = nhs_numbers(2);
    std::fs::write(
        &file,
        format!(
            "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk summary\n\
             {},Pat,Imported,14/03/2001,Autism,North,Given,Amber,Tenancy at risk\n\
             123,Bad,Imported,14/03/2001,Autism,North,Given,Amber,Tenancy at risk\n\
             {},Lee,Imported,01/02/1999,LD,South,Given,Red,Family in crisis\n",
            numbers[0], numbers[1]
        ),
    )
    .unwrap();
    field(&c, "The spreadsheet")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click_through(&c, button(&c, "Check the file").await).await;
    assert_eq!(h1(&c).await, "Check the import");
    check_page(&c, &axe, "the import preview").await;
    click_through(
        &c,
        button(&c, "Import 2 rows and leave out the rejected").await,
    )
    .await;
    let text = body_text(&c).await;
    assert!(text.contains("Import finished: 2 people added"), "{text}");
    check_page(&c, &axe, "an import finished").await;

    // Every other form in its states, so that each form page has been through axe empty,
    // refused and filled.
    let pia = coord.person("Pia").await;
    let actions: serde_json::Value = coord
        .get(&format!("/cetr-actions?person_id={red_id}"))
        .json()
        .await;
    let alerts: serde_json::Value = coord.get("/alerts?kind=dsr_review_overdue").json().await;
    let cetrs: serde_json::Value = coord.get(&format!("/people/{red_id}/cetrs")).json().await;
    let pages = [
        (
            format!("/people/{red_id}/keyworker"),
            "Assign named lead worker",
            "the keyworker form",
            true,
        ),
        (
            format!("/people/{}/register", pia["id"].as_str().unwrap()),
            "Put on the register",
            "the put on the register form",
            true,
        ),
        (
            format!("/people/{person}/plan/points/2"),
            "Save point",
            "the point form",
            false,
        ),
        (
            format!(
                "/people/{}/admissions/{}/visit",
                unplanned.person_id, unplanned.admission_id
            ),
            "Record visit",
            "the visit form",
            true,
        ),
        (
            format!("/people/{red_id}/contact"),
            "Log contact",
            "the contact form",
            true,
        ),
        (
            format!(
                "/people/{red_id}/actions/{}",
                actions["items"][0]["id"].as_str().unwrap()
            ),
            "Save action",
            "the action update form",
            false,
        ),
        (
            format!("/alerts/{}", alerts["items"][0]["id"].as_str().unwrap()),
            "Acknowledge",
            "the acknowledge form",
            true,
        ),
        (
            "/account/password".to_string(),
            "Change password",
            "the password form",
            true,
        ),
        (
            format!("/people/{red_id}/entry"),
            "Save entry",
            "the change entry form",
            false,
        ),
        (
            format!(
                "/people/{red_id}/cetrs/{}/change",
                cetrs[0]["id"].as_str().unwrap()
            ),
            "Save C(E)TR",
            "the correct a C(E)TR form",
            false,
        ),
        (
            format!("/people/{red_id}/details"),
            "Save details",
            "the change details form",
            false,
        ),
        (
            format!("/people/{person}/plan/change"),
            "Save plan",
            "the change plan form",
            false,
        ),
    ];
    for (path, submit, what, refuses) in pages {
        form_states(&c, &axe, &format!("{base}{path}"), submit, what, refuses).await;
    }
    c.goto(&format!("{base}/register")).await.unwrap();
    click_through(&c, button(&c, "Sign out").await).await;
    type_in(&c, "Username", &coord.username).await;
    type_in(&c, "Password", "not the password").await;
    click_through(&c, button(&c, "Sign in").await).await;
    assert!(body_text(&c).await.contains("There is a problem"));
    check_page(&c, &axe, "sign-in, refused").await;
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&c, "admin", ADMIN_PASSWORD).await;
    form_states(
        &c,
        &axe,
        &format!("{base}/admin/users/new"),
        "Create user",
        "the create user form",
        true,
    )
    .await;
    form_states(
        &c,
        &axe,
        &format!("{base}/admin/users/{}", clinician.id),
        "Save changes",
        "the change user form",
        false,
    )
    .await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_keyworker_refers_someone_and_a_coordinator_accepts_them_in_chromium() {
    if !enabled() {
        eprintln!("browser tests are off: set DSR_BROWSER_TESTS=1 (with chromium, chromedriver and axe-core)");
        return;
    }
    let app = app_for_the_browser(|_| {}).await;
    let base = app.address.clone();
    let kw = app.sign_in(Role::Keyworker).await;
    let coord = app.sign_in(Role::Coordinator).await;
    // A referral waiting too long, so the queue shows a late one.
    coord
        .post(
            "/referrals",
            &json!({"person": person_body("Waiting", "Long"), "referrer_name": "School nurse",
                    "reason": "Exclusion and distress", "received_on": days_ago(12)}),
        )
        .json()
        .await;
    let driver = start_driver().await;
    let c = browser(&driver).await;
    let axe = axe_source();

    // A keyworker refers someone not yet recorded.
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&c, &kw.username, PASSWORD).await;
    click_through(&c, c.find(Locator::LinkText("Referrals")).await.unwrap()).await;
    assert_eq!(h1(&c).await, "Referrals");
    check_page(&c, &axe, "the referrals, a keyworker's").await;
    assert!(
        !body_text(&c).await.contains("Waiting Long"),
        "only their own"
    );
    click_through(
        &c,
        c.find(Locator::LinkText("Refer someone")).await.unwrap(),
    )
    .await;
    check_page(&c, &axe, "refer someone, empty").await;
    click_through(&c, button(&c, "Make the referral").await).await;
    let text = body_text(&c).await;
    assert!(text.contains("There is a problem"), "{text}");
    assert!(text.contains("Referrer's name"), "{text}");
    check_page(&c, &axe, "refer someone, with errors").await;
    let nhs = nhs_number();
    for (label, value) in [
        ("Referrer's name", "Kit Keyworker"),
        ("Referrer's organisation (optional)", "Community LD team"),
        (
            "Reason for the referral",
            "Not sleeping; the family fear a crisis",
        ),
        ("Given name", "Sky"),
        ("Family name", "Referred"),
        ("NHS number", nhs.as_str()),
        ("Area", "North"),
    ] {
        let f = field(&c, label).await;
        f.clear().await.unwrap();
        f.send_keys(value).await.unwrap();
    }
    for (id, value) in [
        ("date_of_birth-day", "3"),
        ("date_of_birth-month", "4"),
        ("date_of_birth-year", "2010"),
    ] {
        let f = c.find(Locator::Id(id)).await.unwrap();
        f.clear().await.unwrap();
        f.send_keys(value).await.unwrap();
    }
    choose(&c, "autism").await;
    choose(&c, "consent_status-parental").await;
    click_through(&c, button(&c, "Make the referral").await).await;
    let text = body_text(&c).await;
    assert!(text.contains("Referral made."), "{text}");
    assert!(text.contains("REF-"), "{text}");
    assert_eq!(h1(&c).await, "Sky Referred");
    check_page(&c, &axe, "a referral, as its referrer sees it").await;
    assert!(
        !text.contains("Accept and put on the register"),
        "only coordinators decide"
    );
    c.goto(&format!("{base}/register")).await.unwrap();
    click_through(&c, button(&c, "Sign out").await).await;

    // A coordinator works the queue: first contact, then acceptance.
    sign_in(&c, &coord.username, PASSWORD).await;
    c.goto(&format!("{base}/referrals")).await.unwrap();
    let text = body_text(&c).await;
    assert!(
        text.contains("Waiting Long") && text.contains("Sky Referred"),
        "{text}"
    );
    assert!(
        text.contains("Late"),
        "the 12-day-old referral is late: {text}"
    );
    check_page(&c, &axe, "the referral queue").await;
    click_through(
        &c,
        c.find(Locator::XPath(
            "//td[contains(., 'Sky Referred')]/preceding-sibling::td/a",
        ))
        .await
        .unwrap(),
    )
    .await;
    check_page(&c, &axe, "a referral, for the coordinator").await;
    click_through(&c, button(&c, "Record first contact").await).await;
    assert!(body_text(&c).await.contains("First contact recorded."));
    let summary = field(&c, "Risk summary").await;
    summary.clear().await.unwrap();
    click_through(&c, button(&c, "Accept and put on the register").await).await;
    let text = body_text(&c).await;
    assert!(
        text.contains("There is a problem") && text.contains("Risk summary"),
        "{text}"
    );
    check_page(&c, &axe, "a referral, acceptance refused").await;
    type_in(&c, "Risk summary", "Family fear a crisis at home").await;
    choose(&c, "rag-red").await;
    click_through(&c, button(&c, "Accept and put on the register").await).await;
    let text = body_text(&c).await;
    assert!(text.contains("Referral accepted"), "{text}");
    assert!(text.contains("Family fear a crisis at home"), "{text}");
    assert!(text.contains("Rating Red"), "{text}");
    assert!(path_of(&c).await.starts_with("/people/"));

    // Someone recorded twice is merged from the copy's record.
    let kept: serde_json::Value = coord
        .post("/people", &person_body("Dana", "Twice"))
        .json()
        .await;
    let copy: serde_json::Value = coord
        .post("/people", &person_body("Dana", "Twice"))
        .json()
        .await;
    let (kept_id, copy_id) = (kept["id"].as_str().unwrap(), copy["id"].as_str().unwrap());
    c.goto(&format!("{base}/people/{copy_id}")).await.unwrap();
    click_through(&c, c.find(Locator::Css("a[href$='/merge']")).await.unwrap()).await;
    assert_eq!(h1(&c).await, "Merge a duplicate record");
    check_page(&c, &axe, "merge a duplicate, empty").await;
    click_through(&c, button(&c, "Merge into the record to keep").await).await;
    let text = body_text(&c).await;
    assert!(text.contains("Choose the record to keep"), "{text}");
    check_page(&c, &axe, "merge a duplicate, with errors").await;
    choose(&c, &format!("into-{kept_id}")).await;
    type_in(&c, "Why they are one person", "Recorded twice in one week").await;
    choose(&c, "confirm_different_nhs_numbers").await;
    click_through(&c, button(&c, "Merge into the record to keep").await).await;
    assert_eq!(path_of(&c).await, format!("/people/{kept_id}?done=merged"));
    assert!(body_text(&c).await.contains("Records merged"));
    c.goto(&format!("{base}/people/{copy_id}")).await.unwrap();
    assert!(body_text(&c).await.contains("This record was merged"));
    check_page(&c, &axe, "a merged record").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_manager_reads_the_monthly_figures_and_the_people_behind_one_in_chromium() {
    if !enabled() {
        eprintln!("browser tests are off: set DSR_BROWSER_TESTS=1 (with chromium, chromedriver and axe-core)");
        return;
    }
    let app = app_for_the_browser(|_| {}).await;
    let base = app.address.clone();
    let coord = app.sign_in(Role::Coordinator).await;
    let story = crate::reports_monthly::golden(&app, &coord).await;
    let manager = app.sign_in(Role::Manager).await;
    let driver = start_driver().await;
    let c = browser(&driver).await;
    let axe = axe_source();

    c.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&c, &manager.username, PASSWORD).await;
    click_through(&c, c.find(Locator::LinkText("Reports")).await.unwrap()).await;
    assert_eq!(h1(&c).await, "Reports");
    check_page(&c, &axe, "reports, the last twelve months").await;
    for (label, month) in [("From month", "2026-06"), ("To month", "2026-08")] {
        let input = field(&c, label).await;
        input.clear().await.unwrap();
        input.send_keys(month).await.unwrap();
    }
    click_through(&c, button(&c, "Show figures").await).await;
    assert_eq!(path_of(&c).await, "/reports?from=2026-06&to=2026-08&area=");
    check_page(&c, &axe, "reports, June to August").await;

    // The spreadsheet, fetched by the signed-in page as its link would save it.
    let xlsx = c
        .find(Locator::LinkText(
            "Download these figures as a spreadsheet (XLSX)",
        ))
        .await
        .unwrap();
    let href = xlsx.attr("href").await.unwrap().unwrap();
    assert_eq!(href, "/reports/monthly.xlsx?from=2026-06&to=2026-08");
    let fetched = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer().then(b =>
               done([r.status, r.headers.get('content-type'), b.byteLength])));",
            vec![json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(fetched[0], 200);
    assert_eq!(
        fetched[1],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(fetched[2].as_i64().unwrap() > 1000, "a workbook: {fetched}");

    // July's inpatients: the figure, then the people behind it.
    let link = c
        .find(Locator::Css(
            "a[href='/reports/people?measure=inpatients&month=2026-07']",
        ))
        .await
        .unwrap();
    let figure: i64 = link
        .text()
        .await
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(figure, 4);
    click_through(&c, link).await;
    assert_eq!(h1(&c).await, "Admissions open at the end of the day");
    check_page(&c, &axe, "the people behind a figure").await;
    let total = c
        .find(Locator::Id("total"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, figure.to_string(), "the list's total is the figure");
    let rows = c.find_all(Locator::Css("tbody tr")).await.unwrap().len();
    assert_eq!(rows as i64, figure);
    click_through(&c, c.find(Locator::LinkText("Cal Golden")).await.unwrap()).await;
    assert_eq!(
        path_of(&c).await,
        format!("/people/{}", story.people["Cal"])
    );

    // The inpatient details behind the return, on a form of their own: shown, then refused
    // (delays kept while the readiness date is cleared), each state checked.
    let details = format!(
        "{base}/people/{}/admissions/{}/details",
        story.people["Dee"], story.stays["Dee"]
    );
    let coordinator = app.sign_in(Role::Coordinator).await;
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&c, &coordinator.username, PASSWORD).await;
    c.goto(&details).await.unwrap();
    assert_eq!(h1(&c).await, "Inpatient details");
    check_page(&c, &axe, "inpatient details").await;
    c.find(Locator::Id("clinically_ready_on-day"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    click_through(&c, button(&c, "Save inpatient details").await).await;
    assert!(body_text(&c).await.contains("There is a problem"));
    check_page(&c, &axe, "inpatient details, refused").await;

    // A bad month, in the design system's error summary.
    c.goto(&format!("{base}/reports?from=2026-13&to=2026-08"))
        .await
        .unwrap();
    assert!(body_text(&c).await.contains("There is a problem"));
    check_page(&c, &axe, "reports, a bad month").await;
}
