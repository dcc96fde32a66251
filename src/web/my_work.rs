//! `/my-work`: what is mine to do, each list soonest due first and linking to the record:
//! my caseload (overdue reviews first), my open C(E)TR actions, my discharge plan points,
//! the alerts assigned to me.

use actix_web::get;
use askama::Template;
use chrono::NaiveDate;

use super::chrome::Chrome;
use super::error::{ok, PageResult};
use super::format::{Fmt, Words};
use super::session::Page;
use super::subject::Names;
use crate::actions::model::{ActionQuery, ActionSource, ActionView};
use crate::actions::service as actions;
use crate::alerts::model::{AlertQuery, AlertView};
use crate::alerts::service as alerts;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::actor::Actor;
use crate::auth::Permission;
use crate::db::AnyConnection;
use crate::discharge::store as plans;
use crate::domain::discharge::{point_overdue, PointStatus};
use crate::error::ApiError;
use crate::http::Page as Paging;
use crate::register::model::{EntryView, RegisterQuery};
use crate::register::service::{self as register, filter_from};

const MOST: Paging = Paging {
    limit: 200,
    offset: 0,
};

pub struct MyPoint {
    pub person_id: String,
    pub number: i32,
    pub title: String,
    pub status: PointStatus,
    pub target_date: Option<NaiveDate>,
    pub overdue: bool,
}

pub struct MyWork {
    pub caseload: Vec<EntryView>,
    pub caseload_total: i64,
    pub actions: Vec<ActionView>,
    pub points: Vec<MyPoint>,
    pub alerts: Vec<AlertView>,
    /// For the rows that show only a person id.
    pub names: Names,
}

pub fn gather(conn: &mut AnyConnection, a: &Actor) -> Result<MyWork, ApiError> {
    let me: uuid::Uuid = a.user.id.parse().map_err(ApiError::internal)?;
    let mine = RegisterQuery {
        keyworker_id: Some(me),
        sort: Some("next_review_due".into()),
        ..RegisterQuery::default()
    };
    let (filter, sort) = filter_from(&mine, &a.scope, a.today, &a.settings.register)?;
    let (caseload, caseload_total) = register::list(conn, filter, sort, MOST, a.today)?;
    let open_actions = ActionQuery {
        owner_id: Some(me),
        status: Some("open,in_progress".into()),
        ..ActionQuery::default()
    };
    let actions = actions::list(conn, a, open_actions, &ActionSource::ALL, MOST)?.items;
    let points: Vec<MyPoint> = plans::open_points_owned_by(conn, &a.user.id)?
        .into_iter()
        .map(|(p, person_id)| MyPoint {
            overdue: point_overdue(p.target_date, p.status, a.today),
            person_id,
            number: p.number,
            title: p.title,
            status: p.status,
            target_date: p.target_date,
        })
        .collect();
    let assigned = AlertQuery {
        status: Some("open,acknowledged".into()),
        kind: None,
        level: None,
        assignee_id: Some(me),
        person_id: None,
    };
    let mut alert_list = match a.user.require(Permission::AlertsRead) {
        Ok(()) => alerts::list(conn, a, assigned, MOST)?.items,
        Err(_) => Vec::new(),
    };
    alert_list.sort_by_key(|al| al.due_on);
    let mut ids: Vec<String> = actions
        .iter()
        .map(|x| x.person_id.clone())
        .chain(points.iter().map(|p| p.person_id.clone()))
        .chain(alert_list.iter().filter_map(|al| al.person_id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    let names = Names::of(conn, &ids)?.with_referrals(conn, &alert_list)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "my_work", None)
            .about_all(caseload.iter().map(|e| e.person_id.clone()).chain(ids)),
    );
    Ok(MyWork {
        caseload,
        caseload_total,
        actions,
        points,
        alerts: alert_list,
        names,
    })
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    chrome: Chrome,
    work: MyWork,
    today: NaiveDate,
    /// Quick actions from the rows.
    may_log_contact: bool,
    /// The confirmation after a quick action sent here.
    done: Option<&'static str>,
}

impl Fmt for MyWorkPage {
    fn today(&self) -> NaiveDate {
        self.today
    }
}

impl MyWorkPage {
    fn name(&self, person_id: &str) -> String {
        self.work.names.of_person(person_id)
    }
    fn alert_name(&self, al: &crate::alerts::model::AlertView) -> String {
        self.work.names.of_alert(al)
    }
}

#[derive(serde::Deserialize)]
pub struct MyWorkQuery {
    done: Option<String>,
}

/// `?done=action` and the like (anything else shows none).
fn done_banner(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "action" => Some("Action saved."),
        "point" => Some("Discharge plan point saved."),
        _ => None,
    }
}

#[get("/my-work")]
pub async fn my_work(page: Page, query: actix_web::web::Query<MyWorkQuery>) -> PageResult {
    page.require(Permission::RecordsRead)?;
    let work = page.read(gather).await?;
    let view = MyWorkPage {
        chrome: page.chrome("/my-work"),
        today: page.today,
        may_log_contact: page.user.require(Permission::ContactsWrite).is_ok(),
        done: done_banner(query.done.as_deref()),
        work,
    };
    ok(view.render())
}
