//! The `dsr` binary itself: configuration errors, zero-setup start, create-user, migrate, openapi.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::helpers::*;

fn dsr(dir: &std::path::Path) -> Command {
    dsr_command(dir)
}

#[tokio::test]
async fn a_bad_configuration_value_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("DSR_SERVER__BIND", "nonsense", "server.bind"),
        (
            "DSR_AUTH__JWT_SECRET",
            "too-short-secret",
            "auth.jwt_secret",
        ),
        (
            "DSR_ESCALATION__SWEEP_INTERVAL_SECS",
            "often",
            "escalation.sweep_interval_secs",
        ),
    ];
    for (var, value, key) in cases {
        let out = dsr(dir.path())
            .arg("serve")
            .env(var, value)
            .output()
            .await
            .unwrap();
        assert!(!out.status.success(), "{var}={value} must stop start-up");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(key), "{var}: stderr {stderr:?} names {key}");
    }
    let eleven = dir.path().join("eleven.toml");
    let points: Vec<String> = (1..=11).map(|i| format!("\"Point {i}\"")).collect();
    std::fs::write(
        &eleven,
        format!("[discharge]\npoints = [{}]\n", points.join(", ")),
    )
    .unwrap();
    let out = dsr(dir.path())
        .env("DSR_CONFIG", &eleven)
        .arg("serve")
        .output()
        .await
        .unwrap();
    assert!(
        !out.status.success(),
        "a template without 12 points stops start-up"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("discharge.points") && stderr.contains("exactly 12"),
        "{stderr}"
    );
    let out = dsr(dir.path())
        .env("DSR_CONFIG", dir.path().join("missing.toml"))
        .arg("migrate")
        .output()
        .await
        .unwrap();
    assert!(
        !out.status.success(),
        "a named config file that is missing is an error"
    );
}

#[tokio::test]
async fn serve_starts_with_zero_setup_and_leaves_the_admin_password_out_of_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = dsr(dir.path());
    // Logs as a shipper would take them; stderr is a pipe, not a terminal.
    cmd.env("DSR_SERVER__BIND", "127.0.0.1:0")
        .env("DSR_LOG__FORMAT", "json")
        .env("DSR_ESCALATION__SWEEP_INTERVAL_SECS", "0");
    if is_postgres() {
        cmd.env("DSR_DATABASE__URL", fresh_database_url(dir.path()));
    }
    let mut child = cmd.spawn().unwrap();
    let (port, lines) = wait_until_listening(&mut child).await;
    let file = dir.path().join("var/admin_password");
    let password = std::fs::read_to_string(&file)
        .expect("with no terminal to print to, the password is left in the data dir")
        .trim()
        .to_string();
    assert!(password.len() >= 20, "a long random password");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable only by its owner");
    }
    assert!(
        !lines.iter().any(|l| l.contains(&password)),
        "the password is never logged: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with('{') && l.contains("admin_password")),
        "the JSON log says where the password is: {lines:#?}"
    );
    let warned = lines
        .iter()
        .any(|l| l.contains("no auth.jwt_secret configured"));
    assert!(warned, "a generated JWT secret is warned about");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(dir.path().join("var/jwt_secret")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    if !is_postgres() {
        assert!(
            dir.path().join("var/dsr.sqlite3").exists(),
            "SQLite under var/ by default"
        );
    }
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let ready = client
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn create_user_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let run = |username: &str, stdin: &'static str| {
        let mut cmd = dsr(dir.path());
        cmd.env("DSR_DATABASE__URL", &url)
            .args([
                "create-user",
                "--username",
                username,
                "--role",
                "keyworker",
                "--email",
                "kw@nhs.net",
            ])
            .stdin(Stdio::piped());
        async move {
            let mut child = cmd.spawn().unwrap();
            let mut input = child.stdin.take().unwrap();
            input.write_all(stdin.as_bytes()).await.unwrap();
            drop(input);
            child.wait_with_output().await.unwrap()
        }
    };
    let out = run("cli-kw", "a-long-enough-password\n").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created user cli-kw"));
    let out = run("cli-short", "short\n").await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12"));
    let out = run("cli-kw", "a-long-enough-password\n").await;
    assert!(!out.status.success(), "duplicate usernames are refused");

    let app = spawn_app_with(|s| s.database.url = url.clone()).await;
    let login = app.login("cli-kw", "a-long-enough-password").await;
    assert_eq!(login["user"]["role"], "keyworker");
}

#[tokio::test]
async fn migrate_applies_once_and_openapi_prints_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let first = dsr(dir.path())
        .env("DSR_DATABASE__URL", &url)
        .arg("migrate")
        .output()
        .await
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(!stdout.contains("applied 0"), "{stdout}");
    let second = dsr(dir.path())
        .env("DSR_DATABASE__URL", &url)
        .arg("migrate")
        .output()
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&second.stdout).contains("applied 0 migration(s)"));

    let out = dsr(dir.path()).arg("openapi").output().await.unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), dsr::openapi::yaml());
}
