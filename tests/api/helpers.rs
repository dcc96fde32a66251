use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use diesel::{Connection, PgConnection, RunQueryDsl};
use dsr::config::Settings;
pub use dsr::domain::{Rag, Role};
use dsr::startup::Application;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};

pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-0123456789";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const PASSWORD: &str = "a-long-enough-password";
pub const AUDIT_SEAL_KEY: &str = "audit-seal-key-for-tests-0123456789";

/// A fresh, empty database for one test: a SQLite file in `dir`, or a new PostgreSQL
/// database on the server named by DSR_TEST_DATABASE_URL.
pub fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("DSR_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("dsr_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = PgConnection::establish(&base).expect("connect to the test PostgreSQL");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create a test database");
            let (prefix, _) = base
                .rsplit_once('/')
                .expect("DSR_TEST_DATABASE_URL ends in /<db>");
            format!("{prefix}/{name}")
        }
        _ => dir.join("dsr.sqlite3").to_string_lossy().into_owned(),
    }
}

pub fn is_postgres() -> bool {
    std::env::var("DSR_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty())
}

pub fn test_settings(dir: &std::path::Path) -> Settings {
    let mut settings = Settings::load_from(None, Some(HashMap::new())).expect("default settings");
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    settings.server.workers = 2;
    settings.server.data_dir = dir.join("var");
    settings.database.url = fresh_database_url(dir);
    settings.database.pool_size = 4;
    settings.auth.jwt_secret = JWT_SECRET.into();
    settings.auth.bootstrap_admin_password = ADMIN_PASSWORD.into();
    settings.escalation.sweep_interval_secs = 0;
    settings.audit.seal_key = AUDIT_SEAL_KEY.into();
    // Tests seal when they mean to (`dsr audit seal`), or switch the sealer on themselves.
    settings.audit.seal_interval_secs = 0;
    // Tests send through POST /escalations/run; the background sender would only add noise.
    settings.escalation.sender_interval_secs = 3600;
    settings
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Arc<TestClock>,
    /// The database the app serves, for tests that write to it from another process.
    pub database_url: String,
    /// The running app's state, for tests that look at its caches' change stamp.
    pub state: actix_web::web::Data<dsr::state::AppState>,
    pub _dir: tempfile::TempDir,
}

/// The system clock, moved on by the test when it needs time to pass (retry back-off).
#[derive(Default)]
pub struct TestClock {
    offset_secs: AtomicI64,
}

impl TestClock {
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::SeqCst);
    }
}

impl dsr::domain::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::seconds(self.offset_secs.load(Ordering::SeqCst))
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        dsr::telemetry::init(&dsr::config::LogSettings {
            format: dsr::config::LogFormat::Text,
            level: "debug".into(),
        });
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(dir.path());
    customize(&mut settings);
    let clock = Arc::new(TestClock::default());
    let app = Application::build_with_clock(settings.clone(), clock.clone())
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: client_from(None),
        clock,
        database_url: settings.database.url,
        state,
        _dir: dir,
    }
}

/// A client, optionally connecting from another loopback address (e.g. 127.0.0.2).
pub fn client_from(local: Option<IpAddr>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(local)
        .build()
        .expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') && !path.starts_with("/api/") && !is_root_path(path) {
            format!("{}/api/v1{}", self.address, path)
        } else {
            format!("{}{}", self.address, path)
        }
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req
    }

    /// GET and the body as JSON (whatever the status: callers that care check it first).
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        self.get(path, token)
            .await
            .json()
            .await
            .expect("a JSON body")
    }

    /// GET without a token (health, metrics, the API documents).
    pub async fn get_public(&self, path: &str) -> Response {
        self.request(Method::GET, path, None)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token))
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(
        &self,
        path: &str,
        token: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> Response {
        let mut req = self.request(Method::PATCH, path, Some(token)).json(body);
        if let Some(tag) = if_match {
            req = req.header("If-Match", tag);
        }
        req.send().await.expect("request")
    }

    pub async fn login_response(&self, username: &str, password: &str) -> Response {
        self.post(
            "/auth/login",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    /// Logs in and returns the whole token response.
    pub async fn login(&self, username: &str, password: &str) -> Value {
        let res = self.login_response(username, password).await;
        assert_eq!(res.status(), 200, "login as {username}");
        res.json().await.expect("token json")
    }

    pub async fn admin_token(&self) -> String {
        token_of(&self.login("admin", ADMIN_PASSWORD).await)
    }

    /// Creates a user with `role` (as admin) and returns (id, access token).
    pub async fn user_with_role(&self, role: Role) -> (String, String) {
        let admin = self.admin_token().await;
        let username = format!("{role}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let user = self.create_user(&admin, &username, role, None).await;
        let id = user["id"].as_str().expect("id").to_string();
        let token = token_of(&self.login(&username, PASSWORD).await);
        (id, token)
    }

    pub async fn create_user(
        &self,
        admin: &str,
        username: &str,
        role: Role,
        manager_id: Option<&str>,
    ) -> Value {
        let res = self
            .post(
                "/users",
                Some(admin),
                &json!({
                    "username": username,
                    "email": format!("{username}@nhs.net"),
                    "display_name": format!("Test {role}"),
                    "role": role.as_str(),
                    "manager_id": manager_id,
                    "password": PASSWORD,
                }),
            )
            .await;
        assert_eq!(res.status(), 201, "create user {username}");
        res.json().await.expect("user json")
    }
}

/// Runs SQL from outside the server, as another process sharing the database would (or as
/// someone with database access, bypassing the service).
pub fn sql_elsewhere(app: &TestApp, sql: &str) {
    sql_statements_elsewhere(app, &[sql]);
}

/// The same, answering the database's error instead of failing the test.
pub fn try_sql_elsewhere(app: &TestApp, sql: &str) -> Result<usize, String> {
    diesel::sql_query(sql)
        .execute(&mut connection_elsewhere(app))
        .map_err(|e| e.to_string())
}

/// A connection of its own to the app's database, as another process would open.
fn connection_elsewhere(app: &TestApp) -> dsr::db::AnyConnection {
    connect_to(&app.database_url)
}

/// A connection to the database at `url` (SQLite file or PostgreSQL), outside any app.
pub fn connect_to(url: &str) -> dsr::db::AnyConnection {
    let manager = dsr::db::pool::ConnectionManager::new(
        dsr::config::DatabaseUrl::parse(url),
        dsr::config::SqliteSynchronous::Normal,
    );
    manager.connect_now().expect("a second connection")
}

/// Several statements on one outside connection (for per-connection pragmas).
fn sql_statements_elsewhere(app: &TestApp, statements: &[&str]) {
    let mut conn = connection_elsewhere(app);
    for sql in statements {
        diesel::sql_query(*sql).execute(&mut conn).expect(sql);
    }
}

/// Writes a value the schema's CHECK on `table.column` would refuse, as a newer version of
/// the service (with more variants) or someone at the database prompt might have.
pub fn sql_past_the_check(app: &TestApp, table: &str, column: &str, sql: &str) {
    let relax = if is_postgres() {
        format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_check")
    } else {
        "PRAGMA ignore_check_constraints = ON".to_string()
    };
    sql_statements_elsewhere(app, &[&relax, sql]);
}

fn is_root_path(path: &str) -> bool {
    ["/health/", "/metrics", "/openapi.", "/docs"]
        .iter()
        .any(|p| path.starts_with(p))
}

pub fn token_of(login: &Value) -> String {
    login["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// Asserts a problem+json response with `status` and returns its body.
pub async fn assert_problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type}"
    );
    let body: Value = res.json().await.expect("problem json");
    assert_eq!(body["status"], status);
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "problem has {key}: {body}");
    }
    body
}

/// The field names a 422 (or 400) problem lists, sorted.
pub fn error_fields(problem: &Value) -> Vec<String> {
    let mut fields: Vec<String> = problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    fields.sort();
    fields
}

/// A random valid NHS number in the synthetic 999 range (never issued to a patient).
/// A valid synthetic NHS number never handed out before in this test process. Random ones
/// collided: the crash test creates about 750 people, and among a million stems that gives
/// a repeat (a 409) in about one run in four. The stems start at a random point in the upper
/// half, apart from `nhs_numbers`' stems, which count up from 0.
pub fn nhs_number() -> String {
    use rand::Rng;
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: std::sync::LazyLock<AtomicU32> =
        std::sync::LazyLock::new(|| AtomicU32::new(rand::thread_rng().gen_range(500_000..900_000)));
    // Stems whose check digit would be 10 have no number; the next one does.
    (0..20)
        .find_map(|_| with_check_digit(500_000 + NEXT.fetch_add(1, Ordering::Relaxed) % 500_000))
        .expect("a valid number within a few stems")
}

/// `999` then six digits then the check digit the service itself computes (`NhsNumber`);
/// `None` for the one in eleven stems that no check digit makes valid.
fn with_check_digit(stem: u32) -> Option<String> {
    (0..10)
        .map(|check| format!("999{stem:06}{check}"))
        .find(|n| dsr::domain::NhsNumber::parse(n).is_ok())
}

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
}

pub fn days_ago(days: u64) -> chrono::NaiveDate {
    today().checked_sub_days(chrono::Days::new(days)).unwrap()
}

pub fn days_ahead(days: u64) -> chrono::NaiveDate {
    today().checked_add_days(chrono::Days::new(days)).unwrap()
}

pub fn person_body(given: &str, family: &str) -> Value {
    json!({
        "nhs_number": nhs_number(),
        "given_name": given,
        "family_name": family,
        "date_of_birth": "1990-05-17",
        "diagnoses": ["autism"],
        "area": "North",
        "consent_status": "given",
        // Test people share a date of birth and a surname: they are look-alikes on purpose.
        "confirm_not_duplicate": true,
    })
}

impl TestApp {
    /// Creates a person from `body` as `token` (a coordinator) and returns it.
    pub async fn create_person(&self, token: &str, body: &Value) -> Value {
        let res = self.post("/people", Some(token), body).await;
        assert_eq!(res.status(), 201, "create person");
        res.json().await.expect("person json")
    }

    /// Creates a person and puts them on the register; returns the entry.
    pub async fn open_entry(
        &self,
        token: &str,
        person: &Value,
        rag: &str,
        opened_on: Option<chrono::NaiveDate>,
    ) -> Value {
        let mut body =
            json!({"person_id": person["id"], "rag": rag, "risk_summary": "Placement at risk"});
        if let Some(date) = opened_on {
            body["opened_on"] = json!(date);
        }
        let res = self.post("/register", Some(token), &body).await;
        assert_eq!(res.status(), 201, "open entry");
        res.json().await.expect("entry json")
    }

    pub async fn person_on_register(&self, token: &str, given: &str, rag: &str) -> Value {
        let person = self
            .create_person(token, &person_body(given, "Tester"))
            .await;
        self.open_entry(token, &person, rag, None).await
    }
}

pub fn date_plus(date: chrono::NaiveDate, days: i64) -> chrono::NaiveDate {
    date + chrono::Duration::days(days)
}

pub fn full_panel() -> Value {
    json!([
        {"name": "Dr Chair", "role": "chair"},
        {"name": "Dr Expert", "role": "clinical_expert"},
        {"name": "Expert By Experience", "role": "expert_by_experience"},
    ])
}

impl TestApp {
    pub async fn admit(
        &self,
        token: &str,
        person_id: &str,
        admitted_on: chrono::NaiveDate,
        setting: &str,
    ) -> Value {
        let res = self
            .post(
                &format!("/people/{person_id}/admissions"),
                Some(token),
                &json!({"admitted_on": admitted_on, "hospital": "Riverside Hospital", "setting": setting, "legal_status": "Section 3"}),
            )
            .await;
        assert_eq!(res.status(), 201, "admit");
        res.json().await.expect("admission json")
    }

    pub async fn assign_keyworker(&self, token: &str, person_id: &str, user_id: &str) {
        let res = self
            .request(
                reqwest::Method::PUT,
                &format!("/people/{person_id}/keyworker"),
                Some(token),
            )
            .json(&json!({"user_id": user_id}))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200, "assign keyworker");
    }
}

/// The `dsr` binary with a clean environment, run in `dir`.
pub fn dsr_command(dir: &std::path::Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_dsr"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DSR_LOG__LEVEL", "info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// Reads a `dsr serve` child's log until it says it is listening (60 s at most) and returns
/// the port with the lines read. The rest of its log is drained in the background so the
/// child never blocks on a full pipe.
pub async fn wait_until_listening(child: &mut tokio::process::Child) -> (u16, Vec<String>) {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stderr.take().expect("piped stderr")).lines();
    let mut seen = Vec::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            // `port=41234` in the text log, `"port":41234` in the JSON one.
            let port = line
                .contains("listening")
                .then(|| {
                    line.split("port=")
                        .nth(1)
                        .or_else(|| line.split("\"port\":").nth(1))
                        .and_then(|p| {
                            let digits: String =
                                p.chars().take_while(char::is_ascii_digit).collect();
                            digits.parse::<u16>().ok()
                        })
                })
                .flatten();
            seen.push(line);
            if port.is_some() {
                return port;
            }
        }
        None
    })
    .await;
    let port = found
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("dsr serve did not report listening: {seen:#?}"));
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (port, seen)
}

/// A `dsr serve` child process and everything it has logged so far.
pub struct Served {
    pub child: tokio::process::Child,
    pub port: u16,
    /// `http://127.0.0.1:<port>/api/v1`
    pub base: String,
    pub log: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Served {
    pub fn logged(&self, text: &str) -> bool {
        self.log.lock().unwrap().iter().any(|l| l.contains(text))
    }

    /// SIGKILL: the process gets no chance to release leases or claims.
    pub async fn kill(&mut self) {
        self.child.kill().await.expect("kill dsr serve");
    }
}

/// Starts `dsr serve` on `database_url` with its own data dir `dir/name`, the test secrets,
/// and `env` on top; returns once it listens. Its log is kept for the test to read.
pub async fn serve(
    dir: &std::path::Path,
    name: &str,
    database_url: &str,
    env: &[(&str, &str)],
) -> Served {
    use tokio::io::AsyncBufReadExt;
    let mut cmd = dsr_command(dir);
    cmd.env("DSR_SERVER__BIND", "127.0.0.1:0")
        .env("DSR_SERVER__DATA_DIR", dir.join(name))
        .env("DSR_DATABASE__URL", database_url)
        .env("DSR_AUTH__JWT_SECRET", JWT_SECRET)
        .env("DSR_AUTH__BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("DSR_AUDIT__SEAL_KEY", AUDIT_SEAL_KEY);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let mut child = cmd.spawn().expect("start dsr serve");
    let mut lines = tokio::io::BufReader::new(child.stderr.take().expect("piped stderr")).lines();
    let log: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let found = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            let port = line
                .split("port=")
                .nth(1)
                .filter(|_| line.contains("listening"))
                .and_then(|p| p.trim().parse::<u16>().ok());
            log.lock().unwrap().push(line);
            if port.is_some() {
                return port;
            }
        }
        None
    })
    .await;
    let Some(port) = found.ok().flatten() else {
        panic!(
            "dsr serve did not report listening: {:#?}",
            log.lock().unwrap()
        );
    };
    let kept = log.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            kept.lock().unwrap().push(line);
        }
    });
    Served {
        child,
        port,
        base: format!("http://127.0.0.1:{port}/api/v1"),
        log,
    }
}

/// `n` distinct valid NHS numbers in the synthetic 999 range, in order.
pub fn nhs_numbers(n: usize) -> Vec<String> {
    (0..).filter_map(with_check_digit).take(n).collect()
}

/// A signed-in user who carries their token, so a test reads as what people do:
/// `let coord = app.sign_in(Role::Coordinator).await; coord.post("/people", &body).await`,
/// `coord.patch(&path, &change).if_match(2).await`, `coord.get(&path).json().await`.
#[derive(Clone)]
pub struct Actor<'a> {
    app: &'a TestApp,
    pub id: String,
    pub username: String,
    pub token: String,
}

/// Where a helper still takes a raw bearer token, an actor stands for it.
impl std::ops::Deref for Actor<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.token
    }
}

/// One request an actor is about to send: await it for the response, or take its JSON.
pub struct Call {
    req: RequestBuilder,
    what: String,
}

impl Call {
    /// Sends `If-Match: "version"`.
    pub fn if_match(self, version: i64) -> Call {
        Call {
            req: self.req.header("If-Match", format!("\"{version}\"")),
            what: self.what,
        }
    }

    /// The body of a successful (2xx) answer; a failure names the call and its body.
    pub async fn json(self) -> Value {
        let what = self.what.clone();
        let res = self.await;
        let status = res.status();
        let body = res.text().await.expect("a body");
        assert!(status.is_success(), "{what}: {status} {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body}"))
    }
}

impl std::future::IntoFuture for Call {
    type Output = Response;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.req
                .send()
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", self.what))
        })
    }
}

impl TestApp {
    /// Signs in a new user with `role` (the bootstrap admin for `Role::Admin`).
    pub async fn sign_in(&self, role: Role) -> Actor<'_> {
        if role == Role::Admin {
            return self.sign_in_as("admin", ADMIN_PASSWORD).await;
        }
        let admin = self.admin_token().await;
        let username = format!("{role}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        self.create_user(&admin, &username, role, None).await;
        self.sign_in_as(&username, PASSWORD).await
    }

    pub async fn sign_in_as(&self, username: &str, password: &str) -> Actor<'_> {
        let login = self.login(username, password).await;
        Actor {
            app: self,
            id: login["user"]["id"].as_str().expect("user id").to_string(),
            username: username.to_string(),
            token: token_of(&login),
        }
    }
}

impl Actor<'_> {
    fn call(&self, method: Method, path: &str) -> Call {
        Call {
            what: format!("{method} {path} as {}", self.username),
            req: self.app.request(method, path, Some(&self.token)),
        }
    }

    pub fn get(&self, path: &str) -> Call {
        self.call(Method::GET, path)
    }

    pub fn delete(&self, path: &str) -> Call {
        self.call(Method::DELETE, path)
    }

    pub fn post(&self, path: &str, body: &Value) -> Call {
        let call = self.call(Method::POST, path);
        Call {
            req: call.req.json(body),
            ..call
        }
    }

    pub fn put(&self, path: &str, body: &Value) -> Call {
        let call = self.call(Method::PUT, path);
        Call {
            req: call.req.json(body),
            ..call
        }
    }

    pub fn patch(&self, path: &str, body: &Value) -> Call {
        let call = self.call(Method::PATCH, path);
        Call {
            req: call.req.json(body),
            ..call
        }
    }
}

/// Fixture builders for the set-ups most tests begin with, each through the real API as
/// this actor (a coordinator, for most of them).
impl Actor<'_> {
    /// A new person (not on the register).
    pub async fn person(&self, given: &str) -> Value {
        let res = self.post("/people", &person_body(given, "Tester")).await;
        assert_eq!(res.status(), 201, "create person");
        res.json().await.expect("person json")
    }

    /// A new person on the register at `rag`, opened today; returns the entry.
    pub async fn person_on_register(&self, given: &str, rag: Rag) -> Value {
        let person = self.person(given).await;
        self.open_entry(&person, rag, None).await
    }

    /// Puts `person` on the register; returns the entry.
    pub async fn open_entry(
        &self,
        person: &Value,
        rag: Rag,
        opened_on: Option<chrono::NaiveDate>,
    ) -> Value {
        let mut body = json!({
            "person_id": person["id"],
            "rag": rag.as_str(),
            "risk_summary": "Placement at risk",
        });
        if let Some(date) = opened_on {
            body["opened_on"] = json!(date);
        }
        self.post("/register", &body).json().await
    }

    /// A person on the register (blue) admitted `days` ago to a non-secure ward.
    pub async fn admitted(&self, given: &str, days: u64) -> Admitted {
        let entry = self.person_on_register(given, Rag::Blue).await;
        let person_id = entry["person_id"].as_str().expect("person id").to_string();
        let admission = self
            .post(
                &format!("/people/{person_id}/admissions"),
                &json!({
                    "admitted_on": days_ago(days),
                    "hospital": "Riverside Hospital",
                    "setting": "non_secure",
                    "legal_status": "Section 3",
                }),
            )
            .json()
            .await;
        Admitted {
            admission_id: admission["id"].as_str().expect("admission id").to_string(),
            person_id,
            entry,
        }
    }

    /// An admitted person with a 12-point discharge plan (planned discharge in 60 days).
    pub async fn with_plan(&self, given: &str) -> (Admitted, Value) {
        let admitted = self.admitted(given, 3).await;
        let plan = self
            .post(
                &format!("/admissions/{}/discharge-plan", admitted.admission_id),
                &json!({"planned_discharge_date": days_ahead(60)}),
            )
            .json()
            .await;
        (admitted, plan)
    }

    /// Names the user `keyworker_id` as the person's keyworker.
    pub async fn assign_keyworker(&self, person_id: &str, keyworker_id: &str) {
        self.put(
            &format!("/people/{person_id}/keyworker"),
            &json!({"user_id": keyworker_id}),
        )
        .json()
        .await;
    }
}

/// What `Actor::admitted` set up.
pub struct Admitted {
    pub person_id: String,
    pub admission_id: String,
    pub entry: Value,
}
