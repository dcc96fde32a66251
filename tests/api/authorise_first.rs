//! Authorise before validate: a role that may not do something gets 403 whatever the body or
//! query holds, so it learns nothing of the schema. Every write route of the OpenAPI document
//! is walked with a body of unknown fields as a role the permission table refuses.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

/// (method, path template, a role the route refuses). `{…}` segments get a fresh UUID (or a
/// point number): a forbidden role is refused before anything is looked up.
const WRITES: [(&str, &str, &str); 43] = [
    ("POST", "/api/v1/people", "keyworker"),
    ("PATCH", "/api/v1/people/{id}", "manager"),
    ("POST", "/api/v1/people/{id}/merge", "clinician"),
    ("PUT", "/api/v1/people/{id}/keyworker", "keyworker"),
    ("DELETE", "/api/v1/people/{id}/keyworker", "clinician"),
    ("POST", "/api/v1/people/{id}/keyworking", "clinician"),
    ("PATCH", "/api/v1/keyworking/{id}", "keyworker"),
    ("POST", "/api/v1/people/{id}/contacts", "manager"),
    ("POST", "/api/v1/people/{id}/involvements", "manager"),
    ("POST", "/api/v1/register/{id}/risk-factors", "clinician"),
    ("PATCH", "/api/v1/risk-factors/{id}", "keyworker"),
    ("PATCH", "/api/v1/involvements/{id}", "admin"),
    ("POST", "/api/v1/referrals", "admin"),
    ("PATCH", "/api/v1/referrals/{id}", "manager"),
    ("PUT", "/api/v1/people/{id}/transition-plan", "manager"),
    ("POST", "/api/v1/people/{id}/admissions", "clinician"),
    ("POST", "/api/v1/people/{id}/cetrs", "keyworker"),
    ("POST", "/api/v1/register", "clinician"),
    ("PATCH", "/api/v1/register/{id}", "keyworker"),
    ("POST", "/api/v1/register/{id}/reviews", "manager"),
    ("POST", "/api/v1/register/{id}/close", "keyworker"),
    ("PATCH", "/api/v1/admissions/{id}", "keyworker"),
    ("POST", "/api/v1/admissions/{id}/visits", "clinician"),
    (
        "POST",
        "/api/v1/admissions/{id}/discharge-plan",
        "keyworker",
    ),
    ("PATCH", "/api/v1/cetrs/{id}", "manager"),
    ("POST", "/api/v1/cetrs/{id}/actions", "keyworker"),
    ("PATCH", "/api/v1/cetr-actions/{id}", "manager"),
    (
        "POST",
        "/api/v1/register/{id}/reviews/{review_id}/actions",
        "clinician",
    ),
    (
        "POST",
        "/api/v1/admissions/{id}/visits/{visit_id}/actions",
        "manager",
    ),
    ("PATCH", "/api/v1/actions/{id}", "admin"),
    ("PATCH", "/api/v1/discharge-plans/{id}", "keyworker"),
    (
        "PATCH",
        "/api/v1/discharge-plans/{id}/points/{number}",
        "manager",
    ),
    ("POST", "/api/v1/discharge-plans/{id}/reviews", "manager"),
    ("POST", "/api/v1/alerts/{id}/acknowledge", "admin"),
    ("POST", "/api/v1/escalations/run", "keyworker"),
    ("POST", "/api/v1/imports", "manager"),
    ("POST", "/api/v1/users", "coordinator"),
    ("PATCH", "/api/v1/users/{id}", "manager"),
    // Sign-in routes answer everyone; logout needs only a signed-in user of any role.
    ("POST", "/api/v1/auth/login", ""),
    ("POST", "/api/v1/auth/refresh", ""),
    ("POST", "/api/v1/auth/logout", ""),
    // Any signed-in user may change their own password.
    ("POST", "/api/v1/me/password", ""),
    ("POST", "/api/v1/imports?dry_run=maybe", "clinician"),
];

/// Reads with a query the server would refuse, as a role the route refuses.
const READS: [(&str, &str); 6] = [
    ("/api/v1/users?role=bogus&limit=0", "keyworker"),
    ("/api/v1/audit?from=yesterday", "coordinator"),
    ("/api/v1/reports/summary?as_of=someday", "clinician"),
    ("/api/v1/register/export.csv?rag=purple", "keyworker"),
    ("/api/v1/register?rag=purple&limit=9999", "admin"),
    ("/api/v1/alerts?level=9", "admin"),
];

fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{number}" => "3".to_string(),
            s if s.starts_with('{') => uuid::Uuid::new_v4().to_string(),
            s => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn the_table_covers_every_write_route_of_the_document() {
    let document = serde_json::to_value(dsr::openapi::document()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = WRITES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.split('?').next().unwrap().to_string()))
        .collect();
    assert_eq!(listed, documented, "WRITES must list every write route");
}

#[tokio::test]
async fn a_forbidden_role_gets_403_whatever_the_body_or_query_holds() {
    let app = spawn_app().await;
    let mut tokens = std::collections::HashMap::new();
    tokens.insert("admin", app.admin_token().await);
    for role in ["coordinator", "manager", "clinician", "keyworker"] {
        tokens.insert(role, app.user_with_role(Role::parse(role).unwrap()).await.1);
    }
    let mut checked = 0;
    for (method, template, role) in WRITES.iter().filter(|(_, _, r)| !r.is_empty()) {
        let path = concrete(template);
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let res = app
            .request(method.clone(), &path, Some(&tokens[role]))
            .json(&json!({"zz": 1, "nhs_number": 7}))
            .send()
            .await
            .unwrap();
        let problem = assert_problem(res, 403).await;
        assert!(
            problem.get("errors").is_none(),
            "{method} {template} as {role} named fields: {problem}"
        );
        checked += 1;
    }
    for (path, role) in READS {
        let res = app.get(path, &tokens[role]).await;
        assert_problem(res, 403).await;
        checked += 1;
    }
    assert_eq!(checked, WRITES.len() - 4 + READS.len());
}
