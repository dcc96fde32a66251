//! `/dashboard` and `/alerts`: the manager's figures are `GET /api/v1/reports/summary`'s, each
//! a link to the list behind it, and the alert lists hold as many as their figure says.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::web::{strip_tags, Browser};

/// The figure's link as the dashboard draws it: `<a href="{href}">{value}<span …>: label`.
fn figure(page: &crate::web::PageResponse, href: &str) -> Option<i64> {
    let link = format!("<a href=\"{href}\">");
    page.body.match_indices(&link).find_map(|(at, _)| {
        let rest = &page.body[at + link.len()..];
        let (number, after) = rest.split_once('<')?;
        after
            .starts_with("span class=\"nhsuk-u-visually-hidden\">")
            .then(|| number.trim().parse().ok())?
    })
}

#[tokio::test]
async fn the_dashboard_shows_the_summary_and_every_figure_leads_to_its_list() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    for (given, rag, opened) in [
        ("Ash", Rag::Red, 0),
        ("Bay", Rag::Red, 0),
        ("Cai", Rag::Amber, 31),
        ("Dee", Rag::Amber, 40),
        ("Eli", Rag::Green, 0),
    ] {
        let person = coord.person(given).await;
        coord.open_entry(&person, rag, Some(days_ago(opened))).await;
    }
    coord.admitted("Fox", 2).await;
    let run = coord
        .post("/escalations/run", &json!({"dry_run": false}))
        .await;
    assert_eq!(run.status(), 200);
    let summary: Value = coord.get("/reports/summary").json().await;
    let levels: i64 = summary["overdue_by_level"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    let kinds: i64 = summary["overdue"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert!(kinds > 0, "something is overdue: {summary}");
    assert_eq!(levels, kinds, "by level and by kind count the same alerts");
    assert!(
        summary["overdue_by_level"]["2"].as_i64().unwrap() >= 1,
        "a review 12 days overdue is at level 2: {summary}"
    );

    let (mut browser, _) = Browser::signed_in(&app, Role::Manager).await;
    let page = browser.get("/dashboard").await;
    assert_eq!((page.status, page.h1().as_str()), (200, "Dashboard"));
    for chart in [
        "The register by rating",
        "Open alerts by kind",
        "Open alerts by level",
    ] {
        assert!(
            page.has(&format!("<svg role=\"img\" aria-label=\"{chart}\"")),
            "{chart}"
        );
    }
    for rag in ["red", "amber", "green", "blue"] {
        assert_eq!(
            figure(&page, &format!("/register?rag={rag}")),
            summary["register"][rag].as_i64(),
            "{rag}"
        );
    }
    assert!(strip_tags(&page.body)
        .contains(&format!("{} on the register", summary["register"]["total"])));
    for group in ["child", "young_person", "adult"] {
        assert_eq!(
            figure(&page, &format!("/register?age_group={group}")),
            summary["by_age_group"][group].as_i64(),
            "{group}"
        );
    }
    for (area, n) in summary["by_area"].as_object().unwrap() {
        assert_eq!(figure(&page, &format!("/register?area={area}")), n.as_i64());
    }
    for (kind, n) in summary["overdue"].as_object().unwrap() {
        let href = format!("/alerts?kind={kind}");
        assert_eq!(figure(&page, &href), n.as_i64(), "{kind}");
        let list = browser.get(&href).await;
        assert_eq!(list.status, 200);
        let n = n.as_i64().unwrap();
        if n > 0 {
            assert!(
                strip_tags(&list.body).contains(&format!("of {n}, most overdue first")),
                "{kind}: {}",
                strip_tags(&list.body)
            );
        } else {
            assert!(list.has("No open alerts of this kind."));
        }
    }
    for (level, n) in summary["overdue_by_level"].as_object().unwrap() {
        let href = format!("/alerts?level={level}");
        assert_eq!(figure(&page, &href), n.as_i64(), "level {level}");
        let rows = browser
            .get(&href)
            .await
            .body
            .matches("<tr class=\"nhsuk-table__row\">")
            .count() as i64;
        // the header row and one row an alert
        assert_eq!(
            rows,
            if n.as_i64() == Some(0) {
                0
            } else {
                n.as_i64().unwrap() + 1
            },
            "level {level}"
        );
    }
    let all = browser.get("/alerts").await;
    assert_eq!(all.h1(), "Open alerts");
    assert!(strip_tags(&all.body).contains(&format!("of {kinds}")));

    // The board behind a rating holds as many as its figure.
    let red = browser.get("/register?rag=red").await;
    assert_eq!(
        red.body.matches("nhsuk-tag--red\">Red</strong>").count() as i64,
        summary["register"]["red"].as_i64().unwrap()
    );

    for role in [Role::Keyworker, Role::Clinician] {
        let (mut other, _) = Browser::signed_in(&app, role).await;
        assert_eq!(other.get("/dashboard").await.status, 403, "{role:?}");
        assert!(!other.get("/my-work").await.has("href=\"/dashboard\""));
    }
    assert_eq!(
        browser.get("/alerts?kind=no_such_kind").await.status,
        404,
        "an unknown kind is no such list"
    );
}

#[tokio::test]
async fn a_manager_checks_for_overdue_work_from_the_dashboard() {
    let app = spawn_app().await;
    let coord = app.sign_in(Role::Coordinator).await;
    let person = coord.person("Wren").await;
    coord
        .open_entry(&person, Rag::Amber, Some(days_ago(35)))
        .await;
    let (mut browser, _) = Browser::signed_in(&app, Role::Manager).await;
    let page = browser.get("/dashboard").await;
    assert!(page.has(">Check for overdue work now</button>"));
    let csrf = page.csrf();
    assert_eq!(browser.post("/dashboard/sweep", &[]).await.status, 403);
    let res = browser
        .post("/dashboard/sweep", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(res.status, 303);
    assert!(res.location().starts_with("/dashboard?swept=true&raised="));
    let after = browser.get(res.location()).await;
    assert!(strip_tags(&after.body).contains("Checked for overdue work:"));
    let alerts: Value = coord
        .get(&format!(
            "/alerts?person_id={}",
            person["id"].as_str().unwrap()
        ))
        .json()
        .await;
    assert!(
        alerts["total"].as_i64().unwrap() >= 1,
        "the sweep raised the overdue review"
    );
    let (mut clinician, _) = Browser::signed_in(&app, Role::Clinician).await;
    let csrf = clinician.csrf().await;
    assert_eq!(
        clinician
            .post("/dashboard/sweep", &[("csrf_token", &csrf)])
            .await
            .status,
        403
    );
}
