//! `/dashboard` (managers, coordinators): the figures of `GET /api/v1/reports/summary` for
//! today, with charts of the register by rating and of open alerts by kind and by level, each
//! figure a link to the board or list behind it.

use actix_web::get;
use askama::Template;

use super::charts::{self, Bar};
use super::chrome::Chrome;
use super::error::{ok, PageResult};
use super::format::Words;
use super::session::Page;
use crate::auth::Permission;
use crate::domain::alerts::AlertKind;
use crate::domain::person::AgeGroup;
use crate::domain::Rag;
use crate::reports::service::{self as reports, Summary, SummaryQuery};

/// One figure: what it counts, how many, and where the list of them is.
pub struct Figure {
    pub label: String,
    pub value: i64,
    pub href: String,
}

/// The NHS palette's colours for the ratings (the tag's words say which is which).
fn rag_colour(rag: Rag) -> &'static str {
    match rag {
        Rag::Red => "#d5281b",
        Rag::Amber => "#ffb81c",
        Rag::Green => "#007f3b",
        Rag::Blue => "#005eb8",
    }
}

pub fn register_figures(s: &Summary) -> Vec<(Rag, Figure)> {
    [
        (Rag::Red, s.register.red),
        (Rag::Amber, s.register.amber),
        (Rag::Green, s.register.green),
        (Rag::Blue, s.register.blue),
    ]
    .into_iter()
    .map(|(rag, value)| {
        let figure = Figure {
            label: rag.words().into(),
            value,
            href: format!("/register?rag={}", rag.as_str()),
        };
        (rag, figure)
    })
    .collect()
}

pub fn kind_figures(s: &Summary) -> Vec<Figure> {
    AlertKind::ALL
        .into_iter()
        .map(|kind| Figure {
            label: kind.words().into(),
            value: s.overdue.get(kind.as_str()).copied().unwrap_or(0),
            href: format!("/alerts?kind={}", kind.as_str()),
        })
        .collect()
}

pub fn level_figures(s: &Summary) -> Vec<Figure> {
    (1..=3)
        .map(|level: i32| Figure {
            label: format!("Level {level}"),
            value: s
                .overdue_by_level
                .get(&level.to_string())
                .copied()
                .unwrap_or(0),
            href: format!("/alerts?level={level}"),
        })
        .collect()
}

pub fn age_figures(s: &Summary) -> Vec<Figure> {
    let a = &s.by_age_group;
    [
        (AgeGroup::Child, a.child),
        (AgeGroup::YoungPerson, a.young_person),
        (AgeGroup::Adult, a.adult),
    ]
    .into_iter()
    .map(|(group, value)| Figure {
        label: group.words().into(),
        value,
        href: format!("/register?age_group={}", group.as_str()),
    })
    .collect()
}

pub fn area_figures(s: &Summary) -> Vec<Figure> {
    s.by_area
        .iter()
        .map(|(area, value)| Figure {
            label: area.clone(),
            value: *value,
            href: format!(
                "/register?area={}",
                url::form_urlencoded::byte_serialize(area.as_bytes()).collect::<String>()
            ),
        })
        .collect()
}

fn bars(figures: &[Figure], colour: &'static str) -> Vec<Bar> {
    figures
        .iter()
        .map(|f| Bar {
            label: f.label.clone(),
            value: f.value,
            colour,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    summary: Summary,
    register: Vec<Figure>,
    kinds: Vec<Figure>,
    levels: Vec<Figure>,
    ages: Vec<Figure>,
    areas: Vec<Figure>,
    open_alerts: i64,
    as_of: String,
    /// The charts, already SVG (drawn by `charts`, their text escaped there).
    register_chart: String,
    kinds_chart: String,
    levels_chart: String,
    /// After **Check for overdue work now**.
    swept: Option<DashboardQuery>,
    may_sweep: bool,
}

/// `?swept=…`: what the sweep run from the dashboard did.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    swept: bool,
    #[serde(default)]
    raised: usize,
    #[serde(default)]
    resolved: usize,
    #[serde(default)]
    emailed: usize,
}

#[get("/dashboard")]
pub async fn dashboard(page: Page, query: actix_web::web::Query<DashboardQuery>) -> PageResult {
    page.require(Permission::ReportsRead)?;
    let today = SummaryQuery {
        area: None,
        as_of: None,
    };
    let summary = page
        .read(move |c, a| reports::summary_for(c, a, today))
        .await?;
    let rated = register_figures(&summary);
    let register_bars: Vec<Bar> = rated
        .iter()
        .map(|(rag, f)| Bar {
            label: f.label.clone(),
            value: f.value,
            colour: rag_colour(*rag),
        })
        .collect();
    let register: Vec<Figure> = rated.into_iter().map(|(_, f)| f).collect();
    let (kinds, levels) = (kind_figures(&summary), level_figures(&summary));
    let query = query.into_inner();
    let view = DashboardPage {
        chrome: page.chrome("/dashboard"),
        swept: query.swept.then_some(query),
        may_sweep: page.user.require(Permission::EscalationsRun).is_ok(),
        register_chart: charts::bars("The register by rating", &register_bars),
        kinds_chart: charts::bars("Open alerts by kind", &bars(&kinds, "#005eb8")),
        levels_chart: charts::bars("Open alerts by level", &bars(&levels, "#330072")),
        open_alerts: levels.iter().map(|f| f.value).sum(),
        as_of: super::format::date(&summary.as_of),
        ages: age_figures(&summary),
        areas: area_figures(&summary),
        register,
        kinds,
        levels,
        summary,
    };
    ok(view.render())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SweepForm {
    #[serde(default)]
    csrf_token: String,
}

/// **Check for overdue work now**: one escalation sweep, as `POST /api/v1/escalations/run`
/// (the scheduler runs the same one on its own; this is for the meeting that cannot wait).
#[actix_web::post("/dashboard/sweep")]
pub async fn sweep(page: Page, form: actix_web::web::Form<SweepForm>) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::EscalationsRun)?;
    let report = page
        .state()
        .escalator
        .run(false, Some(crate::escalation::run::LEASE_WAIT))
        .await?;
    Ok(super::respond::see_other(&format!(
        "/dashboard?swept=true&raised={}&resolved={}&emailed={}",
        report.raised, report.resolved, report.emails_sent
    )))
}
