//! The 12-point discharge plan from the record: **Create a discharge plan** for an open
//! admission (coordinators, clinicians) and **Update** a point: its status, owner, target date
//! and notes (coordinators, clinicians; keyworkers the points they own). The same service calls
//! as `POST /admissions/{id}/discharge-plan` and `PATCH /discharge-plans/{id}/points/{n}`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::forms::{self, DateInput, DateParts, FormErrors, Sent};
use super::respond::{html, see_other};
use super::session::Page;
use super::subject::{about, owners, About};
use crate::admissions::service as admissions;
use crate::auth::Permission;
use crate::discharge::model::{
    CreatePlanRequest, CreatePlanReviewRequest, PlanView, PointView, UpdatePlanRequest,
    UpdatePointRequest,
};
use crate::discharge::service as discharge;
use crate::domain::discharge::editable_when_frozen;
use crate::error::ApiError;
use crate::http::{IfMatch, Now};
use crate::users::model::UserSummary;

pub const STATUSES: [(&str, &str); 4] = [
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("complete", "Complete"),
    ("not_applicable", "Not applicable"),
];

/// The person's open admission and its plan, if any.
async fn current_plan(page: &Page, person: &str) -> Result<(String, Option<PlanView>), ApiError> {
    let person = person.to_string();
    page.read(move |c, a| {
        let open = admissions::for_person(c, a, &person)?
            .into_iter()
            .find(|adm| adm.discharged_on.is_none())
            .ok_or_else(|| {
                ApiError::Conflict("not in hospital: a plan needs an open admission".into())
            })?;
        let plan = match discharge::read_for_admission(c, a, &open.id) {
            Ok(plan) => Some(plan),
            Err(ApiError::NotFound) => None,
            Err(other) => return Err(other),
        };
        Ok((open.id, plan))
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default, rename = "planned_discharge_date-day")]
    pub day: String,
    #[serde(default, rename = "planned_discharge_date-month")]
    pub month: String,
    #[serde(default, rename = "planned_discharge_date-year")]
    pub year: String,
    /// Changing a plan only.
    #[serde(default)]
    pub review_cycle_days: String,
    #[serde(default)]
    pub version: i32,
}

impl PlanForm {
    pub fn planned(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    fn of(plan: &PlanView) -> PlanForm {
        let planned = plan
            .planned_discharge_date
            .map(DateParts::of)
            .unwrap_or_default();
        PlanForm {
            day: planned.day,
            month: planned.month,
            year: planned.year,
            review_cycle_days: plan.review_cycle_days.to_string(),
            version: plan.version,
            ..PlanForm::default()
        }
    }

    /// The plan's dates as a change: a blank planned date clears it.
    fn change(&self, now: Now) -> Result<UpdatePlanRequest, Result<FormErrors, ApiError>> {
        let mut found = FormErrors::default();
        let mut fields = serde_json::Map::new();
        let (date, cycle) = ("planned_discharge_date", "review_cycle_days");
        match self.planned().date() {
            DateInput::Blank => {
                fields.insert(date.into(), serde_json::Value::Null);
            }
            _ => self
                .planned()
                .put(&mut fields, &mut found, date, "Planned discharge date"),
        }
        match self.review_cycle_days.trim().parse::<i64>() {
            Ok(days) => {
                fields.insert(cycle.into(), days.into());
            }
            Err(_) => found.add(cycle, "Enter the days between reviews as a number, like 28"),
        }
        forms::request(now, fields, found, CHANGE_LABELS, &[date])
    }
}

const CHANGE_LABELS: &[(&str, &str)] = &[
    ("planned_discharge_date", "Planned discharge date"),
    ("review_cycle_days", "Days between reviews"),
];

#[derive(Template)]
#[template(path = "plan_form.html")]
struct PlanPage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    form: PlanForm,
    /// Changing the plan's dates (`false`: creating one).
    changing: bool,
    stale: bool,
}

/// The plan form as it is shown: for creating (`changing: false`) or changing a plan.
async fn plan_page(
    page: &Page,
    id: &str,
    form: PlanForm,
    errors: FormErrors,
    (changing, stale): (bool, bool),
    status: StatusCode,
) -> PageResult {
    let view = PlanPage {
        chrome: page.chrome("/register"),
        about: about(page, id).await?,
        errors,
        form,
        changing,
        stale,
    };
    Ok(html(status, view.render()))
}

#[get("/people/{id}/plan")]
pub async fn plan_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::DischargeWrite)?;
    let (form, errors) = (PlanForm::default(), FormErrors::default());
    plan_page(&page, &id, form, errors, (false, false), StatusCode::OK).await
}

async fn try_create(
    page: &Page,
    id: &str,
    form: &PlanForm,
) -> Result<Option<FormErrors>, ApiError> {
    let mut found = FormErrors::default();
    let mut fields = serde_json::Map::new();
    let field = "planned_discharge_date";
    form.planned()
        .put(&mut fields, &mut found, field, "Planned discharge date");
    let labels = &[(field, "Planned discharge date")];
    let body =
        match forms::request::<CreatePlanRequest>(page.now(), fields, found, labels, &[field]) {
            Ok(body) => body,
            Err(errors) => return errors.map(Some),
        };
    let (admission, _) = current_plan(page, id).await?;
    let written = page
        .write(move |c, a| discharge::create_view(c, a, &admission, body))
        .await;
    match forms::outcome(written, labels, Some(field))? {
        Sent::Refused(errors) => Ok(Some(errors)),
        _ => Ok(None),
    }
}

#[post("/people/{id}/plan")]
pub async fn create_plan(
    page: Page,
    id: web::Path<String>,
    form: web::Form<PlanForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::DischargeWrite)?;
    let form = form.into_inner();
    let Some(errors) = try_create(&page, &id, &form).await? else {
        return Ok(see_other(&format!("/people/{id}?done=plan#discharge-plan")));
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    plan_page(&page, &id, form, errors, (false, false), status).await
}

#[get("/people/{id}/plan/change")]
pub async fn change_plan_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::DischargeWrite)?;
    let (_, plan) = current_plan(&page, &id).await?;
    let form = PlanForm::of(&plan.ok_or(ApiError::NotFound)?);
    let errors = FormErrors::default();
    plan_page(&page, &id, form, errors, (true, false), StatusCode::OK).await
}

/// The planned discharge date and the review cycle, through `PATCH /discharge-plans/{id}`'s
/// service call at the version the form was filled.
#[post("/people/{id}/plan/change")]
pub async fn change_plan(
    page: Page,
    id: web::Path<String>,
    form: web::Form<PlanForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::DischargeWrite)?;
    let form = form.into_inner();
    let (_, plan) = current_plan(&page, &id).await?;
    let plan = plan.ok_or(ApiError::NotFound)?;
    let sent = match form.change(page.now()) {
        Ok(body) => {
            let (target, tag) = (plan.id.clone(), IfMatch::Tags(vec![Some(form.version)]));
            let written = page
                .write(move |c, a| discharge::update_view(c, a, &target, &tag, body))
                .await;
            forms::outcome(written, CHANGE_LABELS, Some("planned_discharge_date"))?
        }
        Err(errors) => Sent::Refused(errors?),
    };
    let Some(again) = sent.again(form, || PlanForm::of(&plan), &["planned_discharge_date"]) else {
        return Ok(see_other(&format!(
            "/people/{id}?done=plan_changed#discharge-plan"
        )));
    };
    let shown = (true, again.stale);
    plan_page(&page, &id, again.form, again.errors, shown, again.status).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PointForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default, rename = "target_date-day")]
    pub day: String,
    #[serde(default, rename = "target_date-month")]
    pub month: String,
    #[serde(default, rename = "target_date-year")]
    pub year: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub version: i32,
    /// `my-work`: go back there afterwards.
    #[serde(default)]
    pub back: String,
}

const POINT_LABELS: &[(&str, &str)] = &[
    ("status", "Status"),
    ("owner_id", "Owner"),
    ("target_date", "Target date"),
    ("notes", "Notes"),
];

impl PointForm {
    fn of(point: &PointView, version: i32) -> PointForm {
        let target = point.target_date.map(DateParts::of).unwrap_or_default();
        PointForm {
            status: point.status.as_str().into(),
            owner_id: point
                .owner
                .as_ref()
                .map(|u| u.id.clone())
                .unwrap_or_default(),
            day: target.day,
            month: target.month,
            year: target.year,
            notes: point.notes.clone().unwrap_or_default(),
            version,
            ..PointForm::default()
        }
    }

    pub fn target(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    /// Only what changed is sent (a keyworker may move a point's status and notes but not
    /// replan it: owner and target date are sent only when they change).
    fn request(
        &self,
        now: Now,
        current: &PointView,
    ) -> Result<UpdatePointRequest, Result<FormErrors, ApiError>> {
        let mut found = FormErrors::default();
        let mut fields = serde_json::Map::new();
        if self.status.is_empty() {
            found.add("status", "Select the point's status");
        } else if self.status != current.status.as_str() {
            fields.insert("status".into(), self.status.clone().into());
        }
        let owner = self.owner_id.trim();
        let current_owner = current.owner.as_ref().map_or("", |u| u.id.as_str());
        if owner != current_owner {
            fields.insert(
                "owner_id".into(),
                if owner.is_empty() {
                    serde_json::Value::Null
                } else {
                    owner.into()
                },
            );
        }
        match self.target().date() {
            DateInput::Blank if current.target_date.is_some() => {
                fields.insert("target_date".into(), serde_json::Value::Null);
            }
            DateInput::Blank => {}
            DateInput::Date(d) if Some(d) == current.target_date => {}
            _ => self
                .target()
                .put(&mut fields, &mut found, "target_date", "Target date"),
        }
        let notes = self.notes.trim();
        if notes != current.notes.as_deref().unwrap_or("").trim() {
            fields.insert(
                "notes".into(),
                if notes.is_empty() {
                    serde_json::Value::Null
                } else {
                    self.notes.clone().into()
                },
            );
        }
        forms::request(now, fields, found, POINT_LABELS, &["target_date"])
    }
}

#[derive(Template)]
#[template(path = "point_form.html")]
struct PointPage {
    chrome: super::chrome::Chrome,
    about: About,
    point: PointView,
    /// Who may own it: the viewer, the person's keyworker, the owner now.
    owners: Vec<UserSummary>,
    errors: FormErrors,
    form: PointForm,
    statuses: [(&'static str, &'static str); 4],
    stale: bool,
}

impl PointPage {
    fn owns(&self, id: &str) -> bool {
        self.form.owner_id == id
    }
}

/// The plan a point form is about, in one read of the person's stays: the open stay's, else
/// (for the post-discharge follow-up, point 12, which stays editable once the plan is frozen)
/// the latest stay's.
async fn point_of(
    page: &Page,
    person: &str,
    number: i32,
) -> Result<(PlanView, PointView), ApiError> {
    let person = person.to_string();
    let plan = page
        .read(move |c, a| {
            let stays = admissions::for_person(c, a, &person)?;
            let stay = match stays.iter().find(|adm| adm.discharged_on.is_none()) {
                Some(open) => open,
                None if editable_when_frozen(number) => stays
                    .iter()
                    .max_by_key(|adm| adm.admitted_on)
                    .ok_or(ApiError::NotFound)?,
                None => return Err(ApiError::NotFound),
            };
            discharge::read_for_admission(c, a, &stay.id)
        })
        .await?;
    let point = plan
        .points
        .iter()
        .find(|p| p.number == number)
        .cloned()
        .ok_or(ApiError::NotFound)?;
    Ok((plan, point))
}

struct Shown {
    point: PointView,
    form: PointForm,
    errors: FormErrors,
    stale: bool,
}

async fn show(page: &Page, person: &str, shown: Shown, status: StatusCode) -> PageResult {
    let about = about(page, person).await?;
    let view = PointPage {
        chrome: page.chrome("/register"),
        owners: owners(page, &about, shown.point.owner.as_ref()),
        about,
        point: shown.point,
        errors: shown.errors,
        form: shown.form,
        statuses: STATUSES,
        stale: shown.stale,
    };
    Ok(html(status, view.render()))
}

#[derive(Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    pub back: String,
}

#[get("/people/{id}/plan/points/{number}")]
pub async fn point_form(
    page: Page,
    path: web::Path<(String, i32)>,
    query: web::Query<BackQuery>,
) -> PageResult {
    page.require(Permission::PointUpdate)?;
    let (person, number) = path.into_inner();
    let (plan, point) = point_of(&page, &person, number).await?;
    let form = PointForm {
        back: query.into_inner().back,
        ..PointForm::of(&point, plan.version)
    };
    let shown = Shown {
        point,
        form,
        errors: FormErrors::default(),
        stale: false,
    };
    show(&page, &person, shown, StatusCode::OK).await
}

async fn try_update(
    page: &Page,
    plan: &PlanView,
    point: &PointView,
    form: &PointForm,
) -> Result<Sent, ApiError> {
    let body = match form.request(page.now(), point) {
        Ok(body) => body,
        Err(errors) => return Ok(Sent::Refused(errors?)),
    };
    let (id, number, tag) = (
        plan.id.clone(),
        point.number,
        IfMatch::Tags(vec![Some(form.version)]),
    );
    let written = page
        .write(move |c, a| discharge::update_point_view(c, a, &id, number, &tag, body))
        .await;
    forms::outcome(written, POINT_LABELS, Some("status"))
}

#[post("/people/{id}/plan/points/{number}")]
pub async fn update_point(
    page: Page,
    path: web::Path<(String, i32)>,
    form: web::Form<PointForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::PointUpdate)?;
    let ((person, number), form) = (path.into_inner(), form.into_inner());
    let (plan, point) = point_of(&page, &person, number).await?;
    let sent = try_update(&page, &plan, &point, &form).await?;
    let done = match form.back.as_str() {
        "my-work" => "/my-work?done=point#points".to_string(),
        _ => format!("/people/{person}?done=point#discharge-plan"),
    };
    let back = form.back.clone();
    let current = || PointForm {
        back,
        ..PointForm::of(&point, plan.version)
    };
    let Some(again) = sent.again(form, current, &["target_date"]) else {
        return Ok(see_other(&done));
    };
    let shown = Shown {
        point,
        form: again.form,
        errors: again.errors,
        stale: again.stale,
    };
    show(&page, &person, shown, again.status).await
}

const REVIEW_LABELS: &[(&str, &str)] = &[("reviewed_on", "Date of review"), ("summary", "Summary")];

#[derive(Debug, Default, Deserialize)]
pub struct PlanReviewForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default, rename = "reviewed_on-day")]
    pub day: String,
    #[serde(default, rename = "reviewed_on-month")]
    pub month: String,
    #[serde(default, rename = "reviewed_on-year")]
    pub year: String,
    #[serde(default)]
    pub summary: String,
}

impl PlanReviewForm {
    pub fn reviewed(&self) -> DateParts {
        DateParts::new(&self.day, &self.month, &self.year)
    }

    fn request(&self, now: Now) -> Result<CreatePlanReviewRequest, Result<FormErrors, ApiError>> {
        let mut found = FormErrors::default();
        let mut fields = serde_json::Map::new();
        match self.reviewed().date() {
            DateInput::Blank => found.add("reviewed_on", "Enter the date of the review"),
            _ => self
                .reviewed()
                .put(&mut fields, &mut found, "reviewed_on", "Date of review"),
        }
        // a stand-in, so the API checks the summary in the same answer
        fields
            .entry("reviewed_on")
            .or_insert_with(|| now.today.to_string().into());
        fields.insert("summary".into(), self.summary.clone().into());
        forms::request(now, fields, found, REVIEW_LABELS, &["reviewed_on"])
    }
}

#[derive(Template)]
#[template(path = "plan_review_form.html")]
struct PlanReviewPage {
    chrome: super::chrome::Chrome,
    about: About,
    plan: PlanView,
    errors: FormErrors,
    form: PlanReviewForm,
}

impl PlanReviewPage {
    fn due(&self) -> String {
        super::format::date(&self.plan.next_review_due)
    }
}

async fn plan_review_page(
    page: &Page,
    person: &str,
    form: PlanReviewForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let (_, plan) = current_plan(page, person).await?;
    let view = PlanReviewPage {
        chrome: page.chrome("/register"),
        about: about(page, person).await?,
        plan: plan.ok_or(ApiError::NotFound)?,
        errors,
        form,
    };
    Ok(html(status, view.render()))
}

#[get("/people/{id}/plan/review")]
pub async fn plan_review_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::DischargeWrite)?;
    let today = DateParts::of(page.today);
    let form = PlanReviewForm {
        day: today.day,
        month: today.month,
        year: today.year,
        ..PlanReviewForm::default()
    };
    plan_review_page(&page, &id, form, FormErrors::default(), StatusCode::OK).await
}

#[post("/people/{id}/plan/review")]
pub async fn record_plan_review(
    page: Page,
    id: web::Path<String>,
    form: web::Form<PlanReviewForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::DischargeWrite)?;
    let form = form.into_inner();
    let errors = match form.request(page.now()) {
        Ok(body) => {
            let (_, plan) = current_plan(&page, &id).await?;
            let plan = plan.ok_or(ApiError::NotFound)?.id;
            let written = page
                .write(move |c, a| discharge::record_review_view(c, a, &plan, body))
                .await;
            match forms::outcome(written, REVIEW_LABELS, Some("reviewed_on"))? {
                Sent::Refused(errors) => errors.dates_at_day(&["reviewed_on"]),
                _ => {
                    return Ok(see_other(&format!(
                        "/people/{id}?done=plan_review#discharge-plan"
                    )))
                }
            }
        }
        Err(errors) => errors?,
    };
    plan_review_page(&page, &id, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
}
