//! `/register`: the triage board. The same filters, caseload scope, service call and batched
//! audit as `GET /api/v1/register`; the query string is read leniently (a bad value is
//! ignored, never an error page), since people edit and share these links.

use std::sync::Arc;

use actix_web::{get, HttpRequest};
use askama::Template;

use super::chrome::Chrome;
use super::error::{ok, PageResult};
use super::format::{Fmt, Words};
use super::session::Page;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::Permission;
use crate::domain::person::AgeGroup;
use crate::domain::{Rag, Role};
use crate::error::ApiError;
use crate::http::Page as Paging;
use crate::keyworkers::service::NAMED_WORKER_ROLES;
use crate::register::model::{EntryView, RegisterQuery};
use crate::register::service::{self as register, filter_from};
use crate::reports::export;
use crate::state::RenderedList;
use crate::users::model::{UserQuery, UserSummary};
use crate::users::service as users;

pub const PAGE_SIZE: i64 = 50;

pub const SORTS: &[(&str, &str)] = &[
    ("next_review_due", "Next review due (soonest first)"),
    ("rag", "Rating (red first)"),
    ("reference", "Reference"),
    ("-opened_on", "Newest on the register"),
];

/// The board's query as the page's form sends it (`rag` may repeat).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BoardQuery {
    pub rags: Vec<Rag>,
    pub area: String,
    pub age_group: Option<AgeGroup>,
    pub keyworker_id: Option<uuid::Uuid>,
    /// A keyworker named by username (where there are too many to list), resolved to an id.
    pub keyworker_username: String,
    pub review_overdue: bool,
    pub open_alerts: bool,
    /// Aged 16 to 18: the people whose move to adult services is being planned.
    pub transition_age: bool,
    pub search: String,
    /// A reason for risk's code (an unknown one is dropped by the page, see `board`).
    pub risk_factor: String,
    pub sort: &'static str,
    pub page: i64,
}

impl BoardQuery {
    pub fn parse(query: &str) -> BoardQuery {
        let mut q = BoardQuery {
            sort: SORTS[0].0,
            page: 1,
            ..BoardQuery::default()
        };
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim();
            match &*key {
                "rag" => q
                    .rags
                    .extend(Rag::parse(value).filter(|r| !q.rags.contains(r))),
                "area" => q.area = value.chars().take(200).collect(),
                "age_group" => q.age_group = AgeGroup::parse(value),
                "keyworker" => match value.parse() {
                    Ok(id) => q.keyworker_id = Some(id),
                    Err(_) => q.keyworker_username = value.chars().take(128).collect(),
                },
                "review_overdue" => q.review_overdue = value == "yes",
                "open_alerts" => q.open_alerts = value == "yes",
                "transition_age" => q.transition_age = value == "yes",
                "search" => q.search = value.chars().take(200).collect(),
                "risk_factor" => q.risk_factor = value.chars().take(60).collect(),
                "sort" => {
                    if let Some(&(sort, _)) = SORTS.iter().find(|(s, _)| *s == value) {
                        q.sort = sort;
                    }
                }
                "page" => q.page = value.parse().unwrap_or(1).clamp(1, 100_000),
                _ => {}
            }
        }
        q
    }

    /// The API's query for the same rows.
    pub fn api(&self) -> RegisterQuery {
        RegisterQuery {
            rag: (!self.rags.is_empty()).then(|| {
                self.rags
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            status: None,
            area: (!self.area.is_empty()).then(|| self.area.clone()),
            age_group: self.age_group,
            keyworker_id: self.keyworker_id,
            overdue: self.open_alerts.then_some(true),
            review_overdue: self.review_overdue.then_some(true),
            transition_age: self.transition_age.then_some(true),
            search: (!self.search.is_empty()).then(|| self.search.clone()),
            sort: Some(self.sort.to_string()),
            risk_factor: (!self.risk_factor.is_empty()).then(|| self.risk_factor.clone()),
        }
    }

    /// This query's link to page `page` (and the export's filters).
    pub fn link(&self, page: i64) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for rag in &self.rags {
            out.append_pair("rag", rag.as_str());
        }
        for (key, value) in [
            ("area", &self.area),
            ("search", &self.search),
            ("risk_factor", &self.risk_factor),
        ] {
            if !value.is_empty() {
                out.append_pair(key, value);
            }
        }
        if let Some(group) = self.age_group {
            out.append_pair("age_group", group.as_str());
        }
        if let Some(kw) = self.keyworker_id {
            out.append_pair("keyworker", &kw.to_string());
        } else if !self.keyworker_username.is_empty() {
            out.append_pair("keyworker", &self.keyworker_username);
        }
        if self.review_overdue {
            out.append_pair("review_overdue", "yes");
        }
        if self.open_alerts {
            out.append_pair("open_alerts", "yes");
        }
        if self.transition_age {
            out.append_pair("transition_age", "yes");
        }
        if self.sort != SORTS[0].0 {
            out.append_pair("sort", self.sort);
        }
        if page > 1 {
            out.append_pair("page", &page.to_string());
        }
        out.finish()
    }

    pub fn has_rag(&self, rag: &Rag) -> bool {
        self.rags.contains(rag)
    }

    pub fn is_age_group(&self, group: &AgeGroup) -> bool {
        self.age_group.as_ref() == Some(group)
    }

    pub fn is_risk_factor(&self, code: &str) -> bool {
        self.risk_factor == code
    }

    pub fn is_keyworker(&self, id: &str) -> bool {
        self.keyworker_id.is_some_and(|k| k.to_string() == id)
    }
}

pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

/// The board's table, rendered once per page of rows while nothing changes (it depends on
/// the rows, today and nothing about the viewer beyond the scope the rows were read in).
#[derive(Template)]
#[template(path = "board_rows.html")]
struct BoardRows<'a> {
    entries: &'a [EntryView],
    today: chrono::NaiveDate,
}

impl Fmt for BoardRows<'_> {
    fn today(&self) -> chrono::NaiveDate {
        self.today
    }
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    query: BoardQuery,
    rows: Arc<RenderedList>,
    total: i64,
    first: i64,
    last: i64,
    pages: Vec<PageLink>,
    previous: Option<String>,
    next: Option<String>,
    /// `None`: too many to list; the filter is a username field.
    keyworkers: Option<Arc<Vec<UserSummary>>>,
    caseload_only: bool,
    /// Coordinators add people from the board.
    may_add: bool,
    may_import: bool,
    export: Option<String>,
    rags: [Rag; 4],
    age_groups: [AgeGroup; 3],
    /// The configured reasons for risk, to filter by.
    risk_factors: Vec<crate::config::RiskFactorSetting>,
    sorts: &'static [(&'static str, &'static str)],
}

/// Up to 7 numbered links around the current page.
fn page_links(query: &BoardQuery, pages: i64) -> Vec<PageLink> {
    let from = (query.page - 3).max(1);
    let to = (from + 6).min(pages);
    (from..=to)
        .map(|n| PageLink {
            number: n,
            href: format!("/register?{}", query.link(n)),
            current: n == query.page,
        })
        .collect()
}

/// The page's rows through the same service call as the API (cached under the same change
/// stamp, keyed by everything the rows depend on), audited about every person shown.
async fn rows(page: &Page, query: &BoardQuery) -> Result<Arc<RenderedList>, ApiError> {
    let state = page.state();
    let today = page.today;
    let (filter, sort) = filter_from(&query.api(), &page.scope, today, &page.settings.register)?;
    let paging = Paging {
        limit: PAGE_SIZE,
        offset: (query.page - 1) * PAGE_SIZE,
    };
    let key = format!("{filter:?}|{sort:?}|{paging:?}|{today}");
    let rows = state
        .register_views
        .get_or_build(
            key,
            || state.changes.stamp(),
            || async {
                let (entries, total) = state
                    .db
                    .run(move |c| register::list(c, filter, sort, paging, today))
                    .await?;
                let html = BoardRows {
                    entries: &entries,
                    today,
                }
                .render()
                .map_err(ApiError::internal)?;
                Ok::<_, ApiError>(Arc::new(RenderedList {
                    html,
                    shown: entries.len() as i64,
                    total,
                    people: entries.iter().map(|e| e.person_id.clone()).collect(),
                }))
            },
        )
        .await?;
    let event = AuditEvent::new(AuditAction::Read, "register_board", None)
        .about_all(rows.people.iter().cloned());
    state.read_audit.record(&page.audit, event).await?;
    Ok(rows)
}

/// Up to this many keyworkers are offered as a list to filter by; a larger service types a
/// keyworker's username instead (a list of thousands helps nobody and weighs every page).
pub const KEYWORKER_CHOICES: i64 = 200;

/// The named lead workers to filter by and to choose from: `None` when there are too many to list (a keyworker's own
/// board has no such filter). Kept under the change stamp: users change rarely.
pub async fn keyworker_choices(page: &Page) -> Result<Option<Arc<Vec<UserSummary>>>, ApiError> {
    if page.user.role == Role::Keyworker {
        return Ok(Some(Arc::new(Vec::new())));
    }
    let state = page.state();
    state
        .keyworker_choices
        .get_or_build(
            (),
            || state.changes.stamp(),
            || async {
                let first = Paging {
                    limit: KEYWORKER_CHOICES + 1,
                    offset: 0,
                };
                // A named lead worker is a keyworker or a clinician.
                let mut users = Vec::new();
                for role in NAMED_WORKER_ROLES {
                    let query = UserQuery {
                        role: Some(role),
                        active: Some(true),
                    };
                    let found = state.db.run(move |c| users::list(c, query, first)).await?;
                    users.extend(found.items);
                }
                users.sort_by(|a, b| a.display_name.cmp(&b.display_name));
                Ok::<_, ApiError>((users.len() as i64 <= KEYWORKER_CHOICES).then(|| {
                    Arc::new(
                        users
                            .into_iter()
                            .map(|u| UserSummary {
                                id: u.id,
                                username: u.username,
                                display_name: u.display_name,
                                role: u.role,
                            })
                            .collect(),
                    )
                }))
            },
        )
        .await
}

impl BoardPage {
    fn new(
        page: &Page,
        query: BoardQuery,
        rows: Arc<RenderedList>,
        keyworkers: Option<Arc<Vec<UserSummary>>>,
    ) -> BoardPage {
        let total = rows.total;
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let first = if total == 0 {
            0
        } else {
            (query.page - 1) * PAGE_SIZE + 1
        };
        let link = |n: i64| format!("/register?{}", query.link(n));
        BoardPage {
            chrome: page.chrome("/register"),
            pages: page_links(&query, pages),
            previous: (query.page > 1).then(|| link(query.page - 1)),
            next: (query.page < pages).then(|| link(query.page + 1)),
            first,
            last: (first + rows.shown - 1).max(0),
            export: page
                .user
                .require(Permission::ReportsRead)
                .is_ok()
                .then(|| format!("/register/export.csv?{}", query.link(1))),
            rows,
            total,
            keyworkers,
            caseload_only: page.user.role == Role::Keyworker,
            may_add: page.user.require(Permission::RegisterWrite).is_ok(),
            may_import: page.user.require(Permission::Import).is_ok(),
            rags: [Rag::Red, Rag::Amber, Rag::Green, Rag::Blue],
            age_groups: [AgeGroup::Child, AgeGroup::YoungPerson, AgeGroup::Adult],
            risk_factors: page.settings.register.risk_factors.clone(),
            sorts: SORTS,
            query,
        }
    }
}

/// A code that is not configured (an old link, a typo) is ignored, as every bad value on
/// the board is, rather than answered with an error page.
fn lenient_risk_factor(page: &Page, query: &mut BoardQuery) {
    if page
        .settings
        .register
        .risk_factor_label(&query.risk_factor)
        .is_none()
    {
        query.risk_factor.clear();
    }
}

/// A keyworker typed by username becomes their id (an unknown one matches nobody).
async fn resolve_keyworker(page: &Page, query: &mut BoardQuery) -> Result<(), ApiError> {
    if query.keyworker_id.is_some() || query.keyworker_username.is_empty() {
        return Ok(());
    }
    let name = query.keyworker_username.to_lowercase();
    let found = page
        .read(move |c, _| Ok(crate::users::store::find_by_username(c, &name)?))
        .await?;
    query.keyworker_id = Some(
        found
            .filter(|u| u.role == Role::Keyworker)
            .and_then(|u| u.id.parse().ok())
            .unwrap_or(uuid::Uuid::nil()),
    );
    Ok(())
}

#[get("/register")]
pub async fn board(page: Page, req: HttpRequest) -> PageResult {
    page.require(Permission::RecordsRead)?;
    let mut query = BoardQuery::parse(req.query_string());
    lenient_risk_factor(&page, &mut query);
    resolve_keyworker(&page, &mut query).await?;
    let rows = rows(&page, &query).await?;
    let keyworkers = keyworker_choices(&page).await?;
    ok(BoardPage::new(&page, query, rows, keyworkers).render())
}

/// The board's rows as CSV, for those who may export: the API's export, audited as one.
#[get("/register/export.csv")]
pub async fn export_csv(page: Page, req: HttpRequest) -> PageResult {
    page.require(Permission::ReportsRead)?;
    let mut query = BoardQuery::parse(req.query_string());
    lenient_risk_factor(&page, &mut query);
    let query = query.api();
    let body = page
        .write(move |c, a| export::register_csv(c, a, &query))
        .await?;
    let name = format!("dsr-register-{}.csv", page.today);
    Ok(crate::http::attachment(
        "text/csv; charset=utf-8",
        &name,
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_read_leniently_and_round_trips() {
        let q = BoardQuery::parse(
            "rag=red&rag=amber&rag=red&rag=purple&area=+North+&age_group=child&keyworker=nope\
             &review_overdue=yes&open_alerts=no&search=DSR-000037&sort=rag&page=3&extra=1\
             &risk_factor=harm_to_self",
        );
        assert_eq!(q.rags, vec![Rag::Red, Rag::Amber]);
        assert_eq!(q.area, "North");
        assert_eq!(q.age_group, Some(AgeGroup::Child));
        assert_eq!(q.keyworker_id, None);
        assert!(q.review_overdue && !q.open_alerts);
        assert_eq!((q.sort, q.page), ("rag", 3));
        assert_eq!(BoardQuery::parse(&q.link(3)), q);
        let api = q.api();
        assert_eq!(api.rag.as_deref(), Some("red,amber"));
        assert_eq!(api.review_overdue, Some(true));
        assert_eq!(api.overdue, None);
        assert_eq!(api.search.as_deref(), Some("DSR-000037"));
        assert_eq!(api.risk_factor.as_deref(), Some("harm_to_self"));
        let by_name = BoardQuery::parse("keyworker=kim.keyworker");
        assert_eq!(
            (by_name.keyworker_id, by_name.keyworker_username.as_str()),
            (None, "kim.keyworker")
        );
        assert_eq!(BoardQuery::parse(&by_name.link(1)), by_name);
        let plain = BoardQuery::parse("sort=drop+table&page=-4");
        assert_eq!((plain.sort, plain.page), ("next_review_due", 1));
        assert_eq!(plain.link(1), "");
    }

    #[test]
    fn page_links_stay_near_the_current_page() {
        let q = BoardQuery {
            page: 10,
            ..BoardQuery::parse("")
        };
        let numbers: Vec<i64> = page_links(&q, 40).iter().map(|l| l.number).collect();
        assert_eq!(numbers, vec![7, 8, 9, 10, 11, 12, 13]);
        assert_eq!(page_links(&BoardQuery::parse(""), 1).len(), 1);
    }
}
