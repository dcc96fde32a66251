//! Sessions that end and passwords users own: an access token dies with its session (logout,
//! a password change, an admin reset, deactivation, refresh-token reuse), sessions have idle
//! and absolute limits, passwords follow the NCSC rules, and an admin reset makes the user
//! choose their own before anything else.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::smtp_sink::SmtpSink;

const NEW_PASSWORD: &str = "lantern orchid gravel 42";

/// Two sessions of one new keyworker (signed in twice), with their login responses.
async fn two_sessions(app: &TestApp) -> (Value, Value, String) {
    let kw = app.sign_in(Role::Keyworker).await;
    let second = app.login(&kw.username, PASSWORD).await;
    let first = app.login(&kw.username, PASSWORD).await;
    (first, second, kw.id.clone())
}

async fn me_status(app: &TestApp, login: &Value) -> u16 {
    app.get("/me", &token_of(login)).await.status().as_u16()
}

async fn refresh(app: &TestApp, login: &Value) -> reqwest::Response {
    app.post(
        "/auth/refresh",
        None,
        &json!({"refresh_token": login["refresh_token"]}),
    )
    .await
}

#[tokio::test]
async fn logout_ends_its_own_session_and_no_other() {
    let app = spawn_app().await;
    let (first, second, _) = two_sessions(&app).await;
    let res = app
        .post(
            "/auth/logout",
            Some(&token_of(&first)),
            &json!({"refresh_token": first["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        me_status(&app, &first).await,
        401,
        "its access token died with it"
    );
    assert_eq!(refresh(&app, &first).await.status(), 401);
    assert_eq!(
        me_status(&app, &second).await,
        200,
        "the other session goes on"
    );
}

#[tokio::test]
async fn an_admin_reset_ends_every_session_tells_the_user_and_makes_them_choose() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = spawn_app_with(|s| {
        s.email.transport = dsr::config::EmailTransportKind::Smtp;
        s.email.smtp_url = url;
        s.email.from = "DSR <dsr@nhs.net>".into();
    })
    .await;
    let admin = app.sign_in(Role::Admin).await;
    let (first, second, id) = two_sessions(&app).await;
    let user = admin.get(&format!("/users/{id}")).json().await;
    let res = admin
        .patch(
            &format!("/users/{id}"),
            &json!({"password": "temporary quartz meadow 7"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["must_change_password"], true);
    assert_eq!(me_status(&app, &first).await, 401);
    assert_eq!(me_status(&app, &second).await, 401);
    assert_eq!(refresh(&app, &second).await.status(), 401);

    let email = user["email"].as_str().unwrap();
    let mut mail = sink.to(email);
    for _ in 0..100 {
        if !mail.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        mail = sink.to(email);
    }
    assert_eq!(mail.len(), 1, "the user is told");
    assert!(mail[0].text().contains("reset your password"));

    // Signing in still works and says so; until the password is changed only /me, the
    // password change and /auth/* answer.
    let login = app
        .login(
            user["username"].as_str().unwrap(),
            "temporary quartz meadow 7",
        )
        .await;
    assert_eq!(login["user"]["must_change_password"], true);
    let kw = token_of(&login);
    assert_eq!(app.get("/me", &kw).await.status(), 200);
    let refused = assert_problem(app.get("/people", &kw).await, 403).await;
    assert_eq!(refused["type"], "urn:dsr:problem:password-change-required");
    let res = app
        .post(
            "/me/password",
            Some(&kw),
            &json!({"current_password": "temporary quartz meadow 7", "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        app.get("/people", &kw).await.status(),
        200,
        "this session stays"
    );
    assert_eq!(
        app.get_json("/me", &kw).await["must_change_password"],
        false
    );
    app.login(user["username"].as_str().unwrap(), NEW_PASSWORD)
        .await;
}

#[tokio::test]
async fn changing_your_password_ends_your_other_sessions_and_needs_the_current_one() {
    let app = spawn_app().await;
    let (first, second, _) = two_sessions(&app).await;
    let token = token_of(&first);
    let wrong = app
        .post(
            "/me/password",
            Some(&token),
            &json!({"current_password": "not-my-password-at-all", "new_password": NEW_PASSWORD}),
        )
        .await;
    let problem = assert_problem(wrong, 422).await;
    assert_eq!(error_fields(&problem), vec!["current_password"]);
    for weak in ["password1234", "aaaaaaaaaaaa", "            "] {
        let res = app
            .post(
                "/me/password",
                Some(&token),
                &json!({"current_password": PASSWORD, "new_password": weak}),
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(error_fields(&problem), vec!["new_password"], "{weak:?}");
    }
    assert_eq!(me_status(&app, &second).await, 200, "refusals end nothing");
    let res = app
        .post(
            "/me/password",
            Some(&token),
            &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(me_status(&app, &first).await, 200, "this session stays");
    assert_eq!(me_status(&app, &second).await, 401, "every other one ends");
    assert_eq!(refresh(&app, &second).await.status(), 401);
}

#[tokio::test]
async fn refresh_token_reuse_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    let (first, second, _) = two_sessions(&app).await;
    assert_eq!(refresh(&app, &first).await.status(), 200);
    // The same refresh token again: someone has a copy.
    assert_eq!(refresh(&app, &first).await.status(), 401);
    assert_eq!(me_status(&app, &first).await, 401);
    assert_eq!(
        me_status(&app, &second).await,
        401,
        "the thief may hold any session"
    );
}

#[tokio::test]
async fn deactivating_ends_sessions_for_good_even_after_reactivation() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let (first, _, id) = two_sessions(&app).await;
    let path = format!("/users/{id}");
    assert_eq!(
        admin.patch(&path, &json!({"active": false})).await.status(),
        200
    );
    assert_eq!(
        admin.patch(&path, &json!({"active": true})).await.status(),
        200
    );
    assert_eq!(me_status(&app, &first).await, 401);
    assert_eq!(refresh(&app, &first).await.status(), 401);
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_absolute_lifetime() {
    let app = spawn_app().await;
    let kw = app.sign_in(Role::Keyworker).await;
    // Idle: two hours unused (the default) and the session is over.
    let idle = app.login(&kw.username, PASSWORD).await;
    app.clock.advance(2 * 3600 + 1);
    assert_eq!(refresh(&app, &idle).await.status(), 401);

    // Absolute: refreshed every hour, it still ends twelve hours after sign-in.
    let mut login = app.login(&kw.username, PASSWORD).await;
    for hour in 1..=11 {
        app.clock.advance(3600);
        let res = refresh(&app, &login).await;
        assert_eq!(res.status(), 200, "hour {hour}");
        login = res.json().await.unwrap();
        assert_eq!(me_status(&app, &login).await, 200);
    }
    app.clock.advance(3600);
    assert_eq!(
        refresh(&app, &login).await.status(),
        401,
        "twelve hours in all"
    );
    assert_eq!(
        me_status(&app, &login).await,
        401,
        "its access token ends with it"
    );
}

#[tokio::test]
async fn new_passwords_follow_the_rules() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    for (password, why) in [
        ("aaaaaaaaaaaa", "one character repeated"),
        ("password1234", "a common password"),
        ("            ", "twelve spaces"),
        ("sam.sample.user", "the username"),
        ("short", "too short"),
    ] {
        let res = admin
            .post(
                "/users",
                &json!({"username": "sam.sample.user", "email": "sam@nhs.net",
                        "display_name": "Sam Sample", "role": "keyworker", "password": password}),
            )
            .await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(error_fields(&problem), vec!["password"], "{why}");
    }
}
