use std::net::{IpAddr, Ipv4Addr};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn login_returns_tokens_and_me_returns_the_user() {
    let app = spawn_app().await;
    let login = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(login["token_type"], "Bearer");
    assert_eq!(login["expires_in"], 900);
    assert!(login["refresh_token"].as_str().unwrap().len() >= 32);
    assert_eq!(login["user"]["username"], "admin");
    assert_eq!(login["user"]["role"], "admin");
    assert!(login["user"].get("password").is_none());
    assert!(login["user"].get("password_hash").is_none());

    let res = app.get("/me", &token_of(&login)).await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["username"], "admin");
    assert_eq!(me["id"], login["user"]["id"]);
}

#[tokio::test]
async fn access_tokens_carry_the_required_claims() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["iss"], "dsr");
    assert_eq!(claims["aud"], "dsr-api");
    assert_eq!(claims["role"], "admin");
    assert!(claims["sub"].is_string());
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 15 * 60, "access tokens live 15 minutes");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_401_with_bearer_challenge() {
    let app = spawn_app().await;
    for (user, pw) in [
        ("admin", "wrong-password-123"),
        ("nobody", "whatever-password"),
    ] {
        let res = app.login_response(user, pw).await;
        assert_eq!(
            res.headers()
                .get("www-authenticate")
                .unwrap()
                .to_str()
                .unwrap(),
            "Bearer"
        );
        assert_problem(res, 401).await;
    }
}

/// The claims of a token this server issued (checked with the test secret).
pub fn session_claims(token: &str) -> Value {
    let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
    validation.set_audience(&["dsr-api"]);
    jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(JWT_SECRET.as_bytes()),
        &validation,
    )
    .unwrap()
    .claims
}

fn mint(claims: &Value, secret: &[u8], alg: Algorithm) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_401() {
    let app = spawn_app().await;
    let login = app.login("admin", ADMIN_PASSWORD).await;
    let sub = login["user"]["id"].as_str().unwrap();
    let now = chrono::Utc::now().timestamp();
    // The session and generation a real token carries (a minted token must name a live one).
    let real = session_claims(&token_of(&login));
    let good = json!({"iss": "dsr", "aud": "dsr-api", "sub": sub, "role": "admin", "iat": now, "nbf": now, "exp": now + 600, "jti": "x", "sid": real["sid"], "gen": real["gen"]});
    // A token minted by hand with the right secret works, so the refusals below are about
    // exactly the one thing each case changes.
    let valid = mint(&good, JWT_SECRET.as_bytes(), Algorithm::HS256);
    assert_eq!(app.get("/me", &valid).await.status(), 200);

    let mut expired = good.clone();
    expired["iat"] = json!(now - 3600);
    expired["exp"] = json!(now - 1800);
    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("someone-else");
    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("evil");
    let mut no_exp = good.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut no_sid = good.clone();
    no_sid.as_object_mut().unwrap().remove("sid");
    let mut other_sid = good.clone();
    other_sid["sid"] = json!("a-session-that-never-was");
    let mut old_generation = good.clone();
    old_generation["gen"] = json!(real["gen"].as_i64().unwrap() - 1);
    let mut future = good.clone();
    future["iat"] = json!(now + 600);
    future["nbf"] = json!(now + 600);
    let mut not_yet = good.clone();
    not_yet["nbf"] = json!(now + 600);
    let header_none = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{header_none}.{}.", base64_url(good.to_string().as_bytes()));

    let cases = [
        (
            "expired",
            mint(&expired, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "wrong audience",
            mint(&wrong_aud, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "wrong issuer",
            mint(&wrong_iss, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "no exp",
            mint(&no_exp, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "no sid",
            mint(&no_sid, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "another session",
            mint(&other_sid, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "an old generation",
            mint(&old_generation, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "issued in the future",
            mint(&future, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "not yet valid",
            mint(&not_yet, JWT_SECRET.as_bytes(), Algorithm::HS256),
        ),
        (
            "wrong key",
            mint(
                &good,
                b"another-secret-that-is-long-enough-xx",
                Algorithm::HS256,
            ),
        ),
        (
            "HS512",
            mint(&good, JWT_SECRET.as_bytes(), Algorithm::HS512),
        ),
        ("alg none", alg_none),
        ("garbage", "not-a-jwt".to_string()),
    ];
    for (name, token) in cases {
        let res = app.get("/me", &token).await;
        assert_eq!(res.status(), 401, "{name}");
        assert_eq!(
            res.headers().get("www-authenticate").unwrap(),
            "Bearer",
            "{name}"
        );
    }
    let res = app
        .request(reqwest::Method::GET, "/me", None)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn five_failures_lock_the_pair_until_the_window_passes() {
    let app = spawn_app_with(|s| s.auth.login_window_secs = 3).await;
    for _ in 0..5 {
        assert_eq!(
            app.login_response("admin", "wrong-password-1")
                .await
                .status(),
            401
        );
    }
    // The sixth attempt is refused even with the right password.
    let res = app.login_response("admin", ADMIN_PASSWORD).await;
    let retry: i64 = res
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3).contains(&retry), "retry-after {retry}");
    assert_problem(res, 429).await;

    // Another client address is a different pair and is not locked out.
    let other = client_from(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))));
    let res = other
        .post(app.url("/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Once the window has passed, the pair may log in again.
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    assert_eq!(
        app.login_response("admin", ADMIN_PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let first = app.login("admin", ADMIN_PASSWORD).await;
    let r1 = first["refresh_token"].as_str().unwrap();

    let res = app
        .post("/auth/refresh", None, &json!({"refresh_token": r1}))
        .await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2, "refresh tokens rotate");
    assert_eq!(app.get("/me", &token_of(&second)).await.status(), 200);

    // Replaying the rotated token is refused, and it revokes the whole family: r2 too.
    let replay = app
        .post("/auth/refresh", None, &json!({"refresh_token": r1}))
        .await;
    assert_problem(replay, 401).await;
    let after = app
        .post("/auth/refresh", None, &json!({"refresh_token": r2}))
        .await;
    assert_problem(after, 401).await;

    // A separate login is another family and still works.
    let other = app.login("admin", ADMIN_PASSWORD).await;
    let res = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": other["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let unknown = app
        .post("/auth/refresh", None, &json!({"refresh_token": "nope"}))
        .await;
    assert_problem(unknown, 401).await;
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let login = app.login("admin", ADMIN_PASSWORD).await;
    let token = token_of(&login);
    let res = app
        .post(
            "/auth/logout",
            Some(&token),
            &json!({"refresh_token": login["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": login["refresh_token"]}),
        )
        .await;
    assert_problem(res, 401).await;
    let res = app
        .post(
            "/auth/logout",
            None,
            &json!({"refresh_token": login["refresh_token"]}),
        )
        .await;
    assert_problem(res, 401).await;
}

#[tokio::test]
async fn deactivated_users_cannot_log_in_and_their_tokens_stop_working() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let user = app
        .create_user(&admin, "carol", Role::Coordinator, None)
        .await;
    let login = app.login("carol", PASSWORD).await;
    let carol = token_of(&login);
    assert_eq!(app.get("/me", &carol).await.status(), 200);

    let path = format!("/users/{}", user["id"].as_str().unwrap());
    let res = app
        .patch(&path, &admin, &json!({"active": false}), None)
        .await;
    assert_eq!(res.status(), 200);

    assert_problem(app.get("/me", &carol).await, 401).await;
    assert_problem(app.login_response("carol", PASSWORD).await, 401).await;
    let res = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": login["refresh_token"]}),
        )
        .await;
    assert_problem(res, 401).await;
}
