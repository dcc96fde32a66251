//! The first hour of a new user: configuration that cannot be misread, errors that say what
//! to send, imports that say what they did, demo users to sign in as, a password prompt that
//! does not echo.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

async fn run(cmd: &mut tokio::process::Command) -> (bool, String, String) {
    let out = cmd.output().await.expect("run dsr");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_misspelt_setting_stops_start_up_with_the_nearest_name() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("dsr.sqlite3");
    let url = url.to_str().unwrap();
    for (typo, meant) in [
        ("DSR_ESCALATION__LEVEL2_DAY", "DSR_ESCALATION__LEVEL2_DAYS"),
        ("DSR_SERVR__BIND", "DSR_SERVER__BIND"),
        ("DSR_SERVER_DATA_DIR", "DSR_SERVER__DATA_DIR"),
    ] {
        let (ok, _, stderr) = run(dsr_command(dir.path())
            .env("DSR_DATABASE__URL", url)
            .env(typo, "3")
            .arg("migrate"))
        .await;
        assert!(!ok, "{typo} stops start-up");
        assert!(stderr.contains(typo), "{stderr}");
        assert!(
            stderr.contains(&format!("did you mean {meant}?")),
            "{stderr}"
        );
    }
    let file = dir.path().join("dsr.toml");
    std::fs::write(&file, "[escalation]\nlevel_2_days = 3\n").unwrap();
    let (ok, _, stderr) = run(dsr_command(dir.path())
        .env("DSR_DATABASE__URL", url)
        .env("DSR_CONFIG", &file)
        .arg("migrate"))
    .await;
    assert!(!ok, "an unknown key in the file stops start-up");
    assert!(
        stderr.contains("escalation.level_2_days")
            && stderr.contains("did you mean escalation.level2_days?"),
        "{stderr}"
    );
    // The reserved names and variables that are not settings pass.
    let (ok, stdout, stderr) = run(dsr_command(dir.path())
        .env("DSR_DATABASE__URL", url)
        .env("DSR_TEST_ANYTHING", "1")
        .env("DSR_TEST_WITH__PARTS", "1")
        .env("DSR_CI_PGPORT", "5432")
        .env("DSR_BROWSER_TESTS", "1")
        .arg("migrate"))
    .await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("migration"), "{stdout}");
}

#[tokio::test]
async fn help_points_at_the_configuration_table_and_the_database_lives_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stdout, _) = run(dsr_command(dir.path()).arg("--help")).await;
    assert!(ok);
    assert!(
        stdout.contains("DSR_<SECTION>__<KEY>")
            && stdout.contains("Configuration table of README.md"),
        "{stdout}"
    );
    let (ok, _, stderr) = run(dsr_command(dir.path())
        .env("DSR_SERVER__DATA_DIR", "elsewhere")
        .arg("migrate"))
    .await;
    assert!(ok, "{stderr}");
    assert!(dir.path().join("elsewhere/dsr.sqlite3").exists());
    assert!(!dir.path().join("var").exists(), "nothing is left in var/");
}

#[tokio::test]
async fn a_wrong_value_is_answered_with_what_to_send() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let mut body = person_body("Sam", "Taylor");
    body["date_of_birth"] = json!("14/03/2009");
    body["consent_status"] = json!("maybe");
    let problem = assert_problem(coord.post("/people", &body).await, 422).await;
    let message = |field: &str| {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["message"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{field} named: {problem}"))
    };
    assert!(
        message("date_of_birth").contains("use YYYY-MM-DD"),
        "{problem}"
    );
    assert_eq!(
        message("consent_status"),
        "must be one of: given, best_interests, parental, declined, not_recorded"
    );

    let person = coord.person("Priya").await;
    let contacts = format!("/people/{}/contacts", person["id"].as_str().unwrap());
    let problem = assert_problem(
        coord
            .post(
                &contacts,
                &json!({"occurred_at": "yesterday", "kind": "phone", "summary": "x"}),
            )
            .await,
        422,
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("RFC 3339"),
        "{problem}"
    );
    let problem = assert_problem(
        coord
            .put(
                &format!("/people/{}/keyworker", person["id"].as_str().unwrap()),
                &json!({"user_id": "kate"}),
            )
            .await,
        422,
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("a UUID"),
        "{problem}"
    );
    let problem = assert_problem(
        coord
            .post(
                &contacts,
                &json!({"occurred_at": "2026-12-01T10:00:00Z", "kind": 7, "summary": "x"}),
            )
            .await,
        422,
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("must be"),
        "{problem}"
    );

    // Query parameters: 400, naming the parameter and what it takes.
    for (query, field, says) in [
        ("/register?offset=abc", "offset", "whole number"),
        ("/register?overdue=perhaps", "overdue", "true or false"),
        ("/register?keyworker_id=kate", "keyworker_id", "a UUID"),
    ] {
        let problem = assert_problem(coord.get(query).await, 400).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{query}: {problem}"
        );
    }
}

#[tokio::test]
async fn names_and_areas_match_whatever_their_case() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Samantha", Rag::Red).await;
    for query in ["area=NORTH", "area=north", "area=North", "search=SAMANTHA"] {
        let page = coord.get(&format!("/register?{query}")).json().await;
        assert_eq!(page["total"], 1, "{query}");
        assert_eq!(page["items"][0]["id"], entry["id"], "{query}");
    }
    let page = coord.get("/register?area=south").json().await;
    assert_eq!(page["total"], 0);
    let summary = coord.get("/reports/summary?area=nOrTh").json().await;
    assert_eq!(summary["register"]["red"], 1, "{summary}");
}

#[tokio::test]
async fn a_known_path_with_a_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let entry = coord.person_on_register("Noah", Rag::Amber).await;
    let entry_path = format!("/register/{}", entry["id"].as_str().unwrap());
    for (method, path, allow) in [
        (Method::DELETE, "/people".to_string(), "GET, POST"),
        (Method::PUT, entry_path.clone(), "GET, PATCH"),
        (Method::POST, "/reports/summary".to_string(), "GET"),
    ] {
        let res = app
            .request(method.clone(), &path, Some(&coord.token))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        let problem = assert_problem(res, 405).await;
        assert!(
            problem["detail"].as_str().unwrap().contains(allow),
            "{problem}"
        );
    }
    // An unknown path stays 404, and a right method on a known path is served.
    assert_problem(
        app.request(Method::DELETE, "/nothing", Some(&coord.token))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert_eq!(coord.get(&entry_path).await.status(), 200);
}

async fn import(app: &TestApp, token: &str, body: &[u8], query: &str) -> reqwest::Response {
    app.request(Method::POST, &format!("/imports{query}"), Some(token))
        .header("content-type", "text/csv")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_import_with_nothing_to_import_says_so_and_a_report_names_ignored_and_overdue_rows() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    for (body, says) in [
        (
            &b"Colour,Shoe size\nblue,9\n"[..],
            "no column this service reads (found: Colour, Shoe size)",
        ),
        (&b"NHS Number,First name,Surname\n"[..], "no data rows"),
        (
            &b"PK\x03\x04 not really a workbook"[..],
            "could not be read as an Excel .xlsx workbook",
        ),
        (&b""[..], "the file is empty"),
    ] {
        let problem = assert_problem(import(&app, &coord, body, "?dry_run=true").await, 422).await;
        assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{problem}"
        );
    }
    let opened = days_ago(200).format("%d/%m/%Y").to_string();
    let reviewed = days_ago(5).format("%d/%m/%Y").to_string();
    let numbers = nhs_numbers(2);
    let csv = format!(
        "NHS Number,First name,Surname,DOB,Diagnosis,Area,Consent,RAG,Risk,Date added,Last review,Shoe size\n\
         {},Ann,Lee,01/01/1990,Autism,North,Given,Amber,Risk,{opened},,9\n\
         {},Bob,Ray,01/01/1991,Autism,North,Given,Amber,Risk,{opened},{reviewed},10\n",
        numbers[0], numbers[1]
    );
    let report: Value = import(&app, &coord, csv.as_bytes(), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["entries_opened"], 2, "{report}");
    assert_eq!(report["ignored_columns"], json!(["Shoe size"]));
    let overdue = report["arrive_overdue"].as_array().unwrap();
    assert_eq!(
        overdue.len(),
        1,
        "only the row with no review arrives overdue: {report}"
    );
    assert_eq!(overdue[0]["row"], 2);
    assert_eq!(
        overdue[0]["next_review_due"],
        json!(date_plus(days_ago(200), 28))
    );
    assert!(overdue[0]["reason"]
        .as_str()
        .unwrap()
        .contains("no last review date"));

    // The command line fails the same files.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, b"this is not a spreadsheet at all").unwrap();
    let (ok, _, stderr) = run(dsr_command(dir.path())
        .env("DSR_DATABASE__URL", fresh_database_url(dir.path()))
        .arg("import")
        .arg(&junk))
    .await;
    assert!(!ok, "dsr import of a junk file exits non-zero");
    assert!(stderr.contains("no column this service reads"), "{stderr}");
}

#[tokio::test]
async fn demo_data_prints_an_admin_and_one_user_of_each_role() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let (ok, stdout, stderr) = run(dsr_command(dir.path())
        .env("DSR_DATABASE__URL", &url)
        .args(["demo-data", "--people", "30"]))
    .await;
    assert!(ok, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let users = report["users"].as_array().unwrap();
    let roles: Vec<&str> = users.iter().map(|u| u["role"].as_str().unwrap()).collect();
    assert_eq!(
        roles,
        ["admin", "coordinator", "manager", "clinician", "keyworker"]
    );
    let app = spawn_app_with(|s| s.database.url = url.clone()).await;
    for user in users {
        let username = user["username"].as_str().unwrap();
        assert!(stderr.contains(username), "{stderr}");
        let login = app
            .login(username, user["password"].as_str().unwrap())
            .await;
        assert_eq!(login["user"]["role"], user["role"], "{username} signs in");
    }

    // On a database that already has its admin, that admin is named and kept.
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let app = spawn_app_with(|s| s.database.url = url.clone()).await;
    let (ok, stdout, stderr) = run(dsr_command(dir.path())
        .env("DSR_DATABASE__URL", &url)
        .args(["demo-data", "--people", "30"]))
    .await;
    assert!(ok, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["users"][0],
        json!({"role": "admin", "username": "admin", "password": null})
    );
    assert_eq!(
        app.login_response("demo-admin", dsr::demo::DEMO_PASSWORD)
            .await
            .status(),
        401
    );
}

/// Runs `dsr create-user` on a pseudo-terminal of its own (its controlling terminal, as a
/// person's shell would give it), answering its prompts; returns what the terminal showed.
#[cfg(unix)]
fn create_user_on_a_terminal(dir: &std::path::Path, url: &str, password: &str) -> (bool, String) {
    use std::io::{Read, Write};
    use std::os::fd::FromRawFd;
    use std::os::unix::process::CommandExt;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills in two new descriptors; the null pointers ask for defaults.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(master),
            std::fs::File::from_raw_fd(slave),
        )
    };
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dsr"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DSR_DATABASE__URL", url)
        .args([
            "create-user",
            "--username",
            "tty-kw",
            "--role",
            "keyworker",
            "--email",
            "kw@nhs.net",
        ])
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    // SAFETY: only async-signal-safe calls, in the child between fork and exec: a new
    // session whose controlling terminal is the pty on stdin.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("start dsr create-user");
    drop(cmd);
    let shown = Arc::new(Mutex::new(String::new()));
    let mut reader = master.try_clone().unwrap();
    let seen = shown.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let mut master = master;
    let wait_for = |text: &str| {
        let until = Instant::now() + Duration::from_secs(30);
        while !shown.lock().unwrap().contains(text) {
            assert!(
                Instant::now() < until,
                "no {text:?} on the terminal: {:?}",
                shown.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("Password for tty-kw: ");
    master
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    wait_for("The same password again: ");
    master
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let until = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < until, "create-user did not finish");
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(200));
    let text = shown.lock().unwrap().clone();
    (status.success(), text)
}

#[cfg(unix)]
#[tokio::test]
async fn create_user_asks_for_the_password_on_a_terminal_without_echo() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let password = "tty-typed-lantern-orbit";
    let (path, at) = (dir.path().to_path_buf(), url.clone());
    let (ok, shown) =
        tokio::task::spawn_blocking(move || create_user_on_a_terminal(&path, &at, password))
            .await
            .unwrap();
    assert!(ok, "{shown}");
    assert!(shown.contains("created user tty-kw"), "{shown}");
    assert!(
        !shown.contains(password),
        "the password is not echoed: {shown:?}"
    );
    let app = spawn_app_with(|s| s.database.url = url.clone()).await;
    let login = app.login("tty-kw", password).await;
    assert_eq!(login["user"]["role"], "keyworker");
}
