//! Safe headers and inputs: nothing personal is cached, content types are not sniffed, pages
//! cannot be framed; JSON must come as JSON; text from outside loses CRLF and may not carry
//! control or bidi-override characters; Swagger UI calls no outside validator.

use serde_json::{json, Value};

use crate::helpers::*;

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .to_str()
        .unwrap()
}

fn assert_safe_headers(res: &reqwest::Response, what: &str) {
    assert_eq!(header(res, "cache-control"), "no-store", "{what}");
    assert_eq!(header(res, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(res, "referrer-policy"), "no-referrer", "{what}");
    assert!(
        header(res, "content-security-policy").contains("frame-ancestors 'none'"),
        "{what}"
    );
}

#[tokio::test]
async fn tokens_records_and_exports_are_never_cached_and_never_sniffed() {
    let app = spawn_app().await;
    let login = app.login_response("admin", ADMIN_PASSWORD).await;
    assert_safe_headers(&login, "login");
    let tokens: Value = login.json().await.unwrap();
    let refreshed = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;
    assert_safe_headers(&refreshed, "refresh");
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Ada", Rag::Amber).await;
    let person = coord
        .get(&format!("/people/{}", entry["person_id"].as_str().unwrap()))
        .await;
    assert_safe_headers(&person, "a person's record");
    let manager = app.sign_in(Role::Manager).await;
    let csv = manager.get("/register/export.csv").await;
    assert_eq!(csv.status(), 200);
    assert_safe_headers(&csv, "the CSV export");
    let refused = coord.get("/audit").await;
    assert_safe_headers(&refused, "a 403");
}

#[tokio::test]
async fn a_json_endpoint_refuses_other_content_types_after_authorising() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let body = person_body("Ada", "Lovelace").to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "text/csv",
    ] {
        let res = app
            .request(reqwest::Method::POST, "/people", Some(&coord))
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_problem(res, 415).await;
    }
    let json_with_charset = app
        .request(reqwest::Method::POST, "/people", Some(&coord))
        .header("content-type", "application/json; charset=utf-8")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(json_with_charset.status(), 201);
    // A role that may not create people still gets 403 first, whatever it sent.
    let kw = app.sign_in(Role::Keyworker).await;
    let res = app
        .request(reqwest::Method::POST, "/people", Some(&kw))
        .header("content-type", "text/plain")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_problem(res, 403).await;
}

#[tokio::test]
async fn control_and_bidi_characters_are_refused_and_crlf_becomes_lf() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let admin = app.sign_in(Role::Admin).await;
    for (field, value) in [
        ("given_name", "Ada\u{0}"),
        ("family_name", "Love\u{202E}lace"),
        ("area", "North\r\nSouth"),
        ("gp_practice", "Surgery\u{7f}"),
    ] {
        let mut body = person_body("Ada", "Lovelace");
        body[field] = json!(value);
        let problem = assert_problem(coord.post("/people", &body).await, 422).await;
        assert_eq!(error_fields(&problem), vec![field], "{value:?}");
    }
    // A display name with CR/LF could forge lines in a plain-text email.
    let res = admin
        .post(
            "/users",
            &json!({"username": "crlf.user", "email": "crlf@nhs.net", "role": "keyworker",
                    "display_name": "Kim\r\nBcc: someone@example.com",
                    "password": "lantern orchid gravel 42"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(res, 422).await),
        vec!["display_name"]
    );

    // Long free text keeps its lines, with CRLF made LF.
    let person = coord.person("Bea").await;
    let entry = coord
        .post(
            "/register",
            &json!({"person_id": person["id"], "rag": "green",
                    "risk_summary": "Line one\r\nLine two\rLine three"}),
        )
        .json()
        .await;
    assert_eq!(entry["risk_summary"], "Line one\nLine two\nLine three");

    // A NUL in a search is refused on both backends, never a 500 or every row.
    for search in ["%00", "Ada%0D%0A", "%E2%80%AE"] {
        let res = coord.get(&format!("/register?search={search}")).await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(error_fields(&problem), vec!["search"], "{search}");
        let res = coord.get(&format!("/people?search={search}")).await;
        assert_problem(res, 422).await;
    }
}

#[tokio::test]
async fn swagger_ui_calls_no_outside_validator() {
    let app = spawn_app().await;
    let res = app.get_public("/docs/swagger-initializer.js").await;
    assert_eq!(res.status(), 200);
    let script = res.text().await.unwrap();
    assert!(
        script.contains(r#""validatorUrl": "none""#) || script.contains(r#""validatorUrl":"none""#),
        "{script}"
    );
}

/// Sends `head` and `body_part` over a raw connection and reads until the server answers
/// and closes (bounded by `limit`); returns what came back.
async fn raw_exchange(
    port: u16,
    head: &str,
    body_part: &[u8],
    limit: std::time::Duration,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body_part).await.unwrap();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut got)).await;
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408_and_the_connection_closed() {
    let app = spawn_app_with(|s| s.server.body_timeout_secs = 1).await;
    let port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    // A login whose body promises 100 bytes and sends 10, then nothing.
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    let answer = raw_exchange(
        port,
        head,
        b"{\"username",
        std::time::Duration::from_secs(15),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(
        answer.contains("urn:dsr:problem:request-timeout"),
        "{answer}"
    );
    // A form page's body is read under the same rule.
    let head = "POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n";
    let answer = raw_exchange(port, head, b"username=", std::time::Duration::from_secs(15)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // A whole body in one go is unaffected.
    let res = app
        .post(
            "/auth/login",
            None,
            &serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_burst_of_a_thousand_connections_is_answered() {
    // The listen backlog (server.backlog, 2048) holds a burst the workers have not accepted
    // yet; at the old 128, bursts of 500-1,000 overflowed it.
    let app = spawn_app().await;
    let port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let head = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            tokio::spawn(raw_exchange(
                port,
                head,
                b"",
                std::time::Duration::from_secs(30),
            ))
        })
        .collect();
    let mut answered = 0;
    for task in tasks {
        if task.await.unwrap().starts_with("HTTP/1.1 200") {
            answered += 1;
        }
    }
    assert_eq!(answered, 1000);
    assert_eq!(app.state.settings.server.backlog, 2048);
}

#[derive(diesel::QueryableByName)]
struct Synchronous {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    synchronous: i32,
}

#[tokio::test]
async fn sqlite_commits_are_synced_to_disk_by_default() {
    // FULL (2): a committed write survives a power cut; NORMAL (1) may lose the last ones.
    // On a SQLite file whichever backend the suite runs on (PostgreSQL syncs commits itself).
    let dir = tempfile::tempdir().unwrap();
    let file = dir
        .path()
        .join("synced.sqlite3")
        .to_string_lossy()
        .into_owned();
    let app = spawn_app_with(|s| s.database.url = file).await;
    let pool = app.state.db.pool.clone();
    let mode = tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = pool.get().unwrap();
        diesel::sql_query("PRAGMA synchronous")
            .get_result::<Synchronous>(&mut *conn)
            .unwrap()
            .synchronous
    })
    .await
    .unwrap();
    assert_eq!(mode, 2, "PRAGMA synchronous = FULL");
}
