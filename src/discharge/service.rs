//! Discharge plan rules: twelve points from the configured template, owners who can see the
//! person, keyworkers updating only points they own, a review cycle, and freezing on
//! discharge.

use chrono::NaiveDate;
use diesel::OptionalExtension;
use uuid::Uuid;

use super::model::{
    CreatePlanRequest, CreatePlanReviewRequest, PlanReviewView, PlanView, PointView,
    UpdatePlanRequest, UpdatePointRequest,
};
use super::store::{self, PlanChanges, PlanReviewRow, PlanRow, PointChanges, PointRow};
use crate::admissions::store as admissions;
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::auth::access::{self, Scope};
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::discharge::{point_overdue, progress_percent, PointStatus};
use crate::domain::register::{add_days, is_overdue};
use crate::error::ApiError;
use crate::http::{tidy, IfMatch};
use crate::register::store as entries;
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "discharge_plan";
pub const POINT_ENTITY: &str = "discharge_point";
pub const REVIEW_ENTITY: &str = "discharge_plan_review";

fn frozen_conflict() -> ApiError {
    ApiError::Conflict(
        "the admission has been discharged: its plan is frozen and can no longer change".into(),
    )
}

/// Shows the plan's complete count on the person's active entry (null when none is current).
fn show_on_entry(
    conn: &mut AnyConnection,
    person_id: &str,
    count: Option<i32>,
) -> Result<(), ApiError> {
    if let Some(entry) = entries::active_for_person(conn, person_id)? {
        entries::set_discharge_points_complete(conn, &entry.id, count)?;
    }
    Ok(())
}

pub fn create(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    admission_id: &str,
    req: CreatePlanRequest,
    template: &[String],
    default_cycle: u32,
    today: NaiveDate,
) -> Result<PlanRow, ApiError> {
    let admission = admissions::get(conn, admission_id)?;
    if admission.discharged_on.is_some() {
        return Err(ApiError::Conflict(
            "the admission has been discharged: a plan can no longer be made".into(),
        ));
    }
    if store::for_admission(conn, admission_id)?.is_some() {
        return Err(ApiError::Conflict(
            "this admission already has a discharge plan".into(),
        ));
    }
    let cycle = req.review_cycle_days.unwrap_or(default_cycle as i32);
    let plan = PlanRow {
        id: Uuid::now_v7().to_string(),
        admission_id: admission_id.to_string(),
        person_id: admission.person_id.clone(),
        planned_discharge_date: req.planned_discharge_date,
        review_cycle_days: cycle,
        last_review_on: None,
        next_review_due: add_days(today, cycle as u32),
        complete_count: 0,
        closed_count: 0,
        frozen_on: None,
        created_by: ctx.actor_id.clone().unwrap_or_default(),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let points: Vec<PointRow> = template
        .iter()
        .enumerate()
        .map(|(i, title)| PointRow {
            id: Uuid::now_v7().to_string(),
            plan_id: plan.id.clone(),
            number: i as i32 + 1,
            title: title.clone(),
            status: PointStatus::NotStarted,
            owner_id: None,
            target_date: None,
            notes: None,
            completed_on: None,
            updated_at: ctx.now,
        })
        .collect();
    store::insert(conn, &plan, &points)?;
    show_on_entry(conn, &plan.person_id, Some(0))?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&plan.id))
            .about(&plan.person_id)
            .fields(vec![
                "admission_id",
                "planned_discharge_date",
                "review_cycle_days",
                "points",
            ]),
    )?;
    Ok(plan)
}

/// The plan at the version `If-Match` names, frozen or not.
fn plan_at(conn: &mut AnyConnection, id: &str, if_match: &IfMatch) -> Result<PlanRow, ApiError> {
    let plan = store::get(conn, id)?;
    if_match.check(plan.version)?;
    Ok(plan)
}

fn open_plan(conn: &mut AnyConnection, id: &str, if_match: &IfMatch) -> Result<PlanRow, ApiError> {
    let plan = plan_at(conn, id, if_match)?;
    if plan.frozen_on.is_some() {
        return Err(frozen_conflict());
    }
    Ok(plan)
}

fn save(
    conn: &mut AnyConnection,
    plan: &PlanRow,
    changes: &PlanChanges,
    now: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    store::update_if_version(conn, &plan.id, plan.version, changes, now)?;
    Ok(())
}

pub fn update(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: &str,
    if_match: &IfMatch,
    req: UpdatePlanRequest,
) -> Result<PlanRow, ApiError> {
    let plan = open_plan(conn, id, if_match)?;
    let mut changes = PlanChanges::default();
    let mut fields = Vec::new();
    if let Some(date) = req
        .planned_discharge_date
        .filter(|d| *d != plan.planned_discharge_date)
    {
        changes.planned_discharge_date = Some(date);
        fields.push("planned_discharge_date");
    }
    if let Some(cycle) = req
        .review_cycle_days
        .filter(|c| *c != plan.review_cycle_days)
    {
        let from = plan.last_review_on.unwrap_or(plan.created_at.date());
        changes.review_cycle_days = Some(cycle);
        changes.next_review_due = Some(add_days(from, cycle as u32));
        fields.extend(["review_cycle_days", "next_review_due"]);
    }
    if fields.is_empty() {
        return Ok(plan);
    }
    save(conn, &plan, &changes, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(&plan.person_id)
            .fields(fields),
    )?;
    Ok(store::get(conn, id)?)
}

pub fn update_point(
    conn: &mut AnyConnection,
    a: &Actor,
    plan_id: &str,
    number: i32,
    if_match: &IfMatch,
    req: UpdatePointRequest,
) -> Result<PlanRow, ApiError> {
    let (ctx, user, today) = (&a.audit, &a.user, a.today);
    let plan = store::get(conn, plan_id)?;
    access::ensure_person_visible(conn, &Scope::of(user), &plan.person_id)?;
    let point = store::get_point(conn, plan_id, number)?;
    let replans = req.owner_id.is_some() || req.target_date.is_some();
    if !access::may_update_owned_work(user, point.owner_id.as_deref(), replans) {
        return Err(ApiError::Forbidden);
    }
    // The post-discharge follow-up is done after the discharge that freezes the plan.
    let plan = if crate::domain::discharge::editable_when_frozen(number) {
        plan_at(conn, plan_id, if_match)?
    } else {
        open_plan(conn, plan_id, if_match)?
    };
    let mut changes = PointChanges::default();
    let mut fields = Vec::new();
    if let Some(status) = req.status.filter(|s| *s != point.status) {
        changes.status = Some(status);
        changes.completed_on = Some((status == PointStatus::Complete).then_some(today));
        fields.extend(["status", "completed_on"]);
    }
    if let Some(owner) = req
        .owner_id
        .map(|o| o.map(|o| o.to_string()))
        .filter(|o| *o != point.owner_id)
    {
        if let Some(owner_id) = &owner {
            access::check_owner(conn, owner_id, &plan.person_id)?;
        }
        changes.owner_id = Some(owner);
        fields.push("owner_id");
    }
    if let Some(target) = req.target_date.filter(|t| *t != point.target_date) {
        changes.target_date = Some(target);
        fields.push("target_date");
    }
    if let Some(notes) = req.notes.map(tidy).filter(|n| *n != point.notes) {
        changes.notes = Some(notes);
        fields.push("notes");
    }
    if fields.is_empty() {
        return Ok(plan);
    }
    store::update_point(conn, &point.id, &changes, ctx.now)?;
    let statuses: Vec<PointStatus> = store::points(conn, plan_id)?
        .iter()
        .map(|p| p.status)
        .collect();
    let complete = statuses
        .iter()
        .filter(|s| **s == PointStatus::Complete)
        .count() as i32;
    let closed = statuses.iter().filter(|s| s.is_closed()).count() as i32;
    // Every point change is a change to the plan: one version and ETag for the whole plan.
    let counts = PlanChanges {
        complete_count: Some(complete),
        closed_count: Some(closed),
        ..PlanChanges::default()
    };
    save(conn, &plan, &counts, ctx.now)?;
    // A frozen plan (its point 12 worked on after discharge) is no longer the entry's.
    if plan.frozen_on.is_none() {
        show_on_entry(conn, &plan.person_id, Some(complete))?;
    }
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, POINT_ENTITY, Some(&point.id))
            .about(&plan.person_id)
            .fields(fields),
    )?;
    Ok(store::get(conn, plan_id)?)
}

pub fn record_review(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    plan_id: &str,
    req: CreatePlanReviewRequest,
) -> Result<PlanReviewRow, ApiError> {
    let plan = open_plan(conn, plan_id, &IfMatch::Absent)?;
    if let Some(last) = plan.last_review_on.filter(|l| req.reviewed_on < *l) {
        return Err(ApiError::validation(
            "reviewed_on",
            format!("must not be before the last review ({last})"),
        ));
    }
    let next = add_days(req.reviewed_on, plan.review_cycle_days as u32);
    let changes = PlanChanges {
        last_review_on: Some(Some(req.reviewed_on)),
        next_review_due: Some(next),
        ..PlanChanges::default()
    };
    save(conn, &plan, &changes, ctx.now)?;
    let row = PlanReviewRow {
        id: Uuid::now_v7().to_string(),
        plan_id: plan_id.to_string(),
        reviewed_on: req.reviewed_on,
        summary: req.summary.trim().to_string(),
        next_review_due: next,
        recorded_by: ctx.actor_id.clone().unwrap_or_default(),
        created_at: ctx.now,
    };
    store::insert_review(conn, &row)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, REVIEW_ENTITY, Some(&row.id))
            .about(&plan.person_id)
            .fields(vec!["reviewed_on", "summary"]),
    )?;
    Ok(row)
}

/// Freezes the admission's plan on discharge: kept and readable, no longer changeable.
pub fn freeze_for_admission(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    admission_id: &str,
    on: NaiveDate,
) -> Result<(), ApiError> {
    let Some(plan) = store::for_admission(conn, admission_id)? else {
        return Ok(());
    };
    if plan.frozen_on.is_none() {
        store::freeze(conn, &plan.id, on, ctx.now)?;
        show_on_entry(conn, &plan.person_id, None)?;
        audit::record(
            conn,
            ctx,
            AuditEvent::new(AuditAction::Update, ENTITY, Some(&plan.id))
                .about(&plan.person_id)
                .fields(vec!["frozen_on"]),
        )?;
    }
    Ok(())
}

pub fn view(
    conn: &mut AnyConnection,
    plan: PlanRow,
    today: NaiveDate,
) -> Result<PlanView, ApiError> {
    let points = store::points(conn, &plan.id)?;
    let mut ids: Vec<String> = points.iter().filter_map(|p| p.owner_id.clone()).collect();
    ids.push(plan.created_by.clone());
    let found = users::find_many(conn, &ids)?;
    let points = points
        .into_iter()
        .map(|p| {
            let status = p.status;
            PointView {
                owner: p
                    .owner_id
                    .as_ref()
                    .and_then(|o| found.get(o))
                    .map(UserSummary::from),
                overdue: plan.frozen_on.is_none() && point_overdue(p.target_date, status, today),
                status,
                number: p.number,
                title: p.title,
                target_date: p.target_date,
                notes: p.notes,
                completed_on: p.completed_on,
                updated_at: p.updated_at.and_utc(),
            }
        })
        .collect();
    Ok(PlanView {
        review_overdue: plan.frozen_on.is_none() && is_overdue(plan.next_review_due, today),
        progress_percent: progress_percent(plan.closed_count.max(0) as usize),
        frozen: plan.frozen_on.is_some(),
        created_by: found.get(&plan.created_by).map(UserSummary::from),
        points,
        id: plan.id,
        admission_id: plan.admission_id,
        person_id: plan.person_id,
        planned_discharge_date: plan.planned_discharge_date,
        review_cycle_days: plan.review_cycle_days,
        last_review_on: plan.last_review_on,
        next_review_due: plan.next_review_due,
        complete_count: plan.complete_count,
        closed_count: plan.closed_count,
        frozen_on: plan.frozen_on,
        version: plan.version,
        created_at: plan.created_at.and_utc(),
        updated_at: plan.updated_at.and_utc(),
    })
}

/// A plan (by its id or its admission's) if the person is in scope; the read is audited.
pub fn read(
    conn: &mut AnyConnection,
    a: &Actor,
    plan: Option<PlanRow>,
) -> Result<PlanView, ApiError> {
    let (scope, today) = (&a.scope, a.today);
    let plan = plan.ok_or(ApiError::NotFound)?;
    access::ensure_person_visible(conn, scope, &plan.person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(&plan.id)).about(&plan.person_id));
    view(conn, plan, today)
}

pub fn review_views(
    conn: &mut AnyConnection,
    rows: Vec<PlanReviewRow>,
) -> Result<Vec<PlanReviewView>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let found = users::find_many(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| PlanReviewView {
            recorded_by: found.get(&r.recorded_by).map(UserSummary::from),
            id: r.id,
            plan_id: r.plan_id,
            reviewed_on: r.reviewed_on,
            summary: r.summary,
            next_review_due: r.next_review_due,
            created_at: r.created_at.and_utc(),
        })
        .collect())
}

/// Creates the admission's plan from the configured template and answers its view.
pub fn create_view(
    conn: &mut AnyConnection,
    a: &Actor,
    admission_id: &str,
    req: CreatePlanRequest,
) -> Result<PlanView, ApiError> {
    let settings = &a.settings.discharge;
    let (template, cycle) = (&settings.points, settings.review_cycle_days);
    let plan = create(conn, &a.audit, admission_id, req, template, cycle, a.today)?;
    view(conn, plan, a.today)
}

/// The admission's plan (audited).
pub fn read_for_admission(
    conn: &mut AnyConnection,
    a: &Actor,
    admission_id: &str,
) -> Result<PlanView, ApiError> {
    let plan = store::for_admission(conn, admission_id)?;
    read(conn, a, plan)
}

/// A plan by its id (audited).
pub fn read_plan(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<PlanView, ApiError> {
    let plan = store::get(conn, id).optional()?;
    read(conn, a, plan)
}

/// Changes a plan and answers its view.
pub fn update_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdatePlanRequest,
) -> Result<PlanView, ApiError> {
    let plan = update(conn, &a.audit, id, if_match, req)?;
    view(conn, plan, a.today)
}

/// Changes one point and answers the plan's view.
pub fn update_point_view(
    conn: &mut AnyConnection,
    a: &Actor,
    plan_id: &str,
    number: i32,
    if_match: &IfMatch,
    req: UpdatePointRequest,
) -> Result<PlanView, ApiError> {
    let plan = update_point(conn, a, plan_id, number, if_match, req)?;
    view(conn, plan, a.today)
}

/// Records a plan review and answers its view.
pub fn record_review_view(
    conn: &mut AnyConnection,
    a: &Actor,
    plan_id: &str,
    req: CreatePlanReviewRequest,
) -> Result<PlanReviewView, ApiError> {
    let row = record_review(conn, &a.audit, plan_id, req)?;
    review_views(conn, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// A plan's reviews, newest first (the plan read is audited).
pub fn reviews(
    conn: &mut AnyConnection,
    a: &Actor,
    plan_id: &str,
) -> Result<Vec<PlanReviewView>, ApiError> {
    let plan = read_plan(conn, a, plan_id)?;
    let rows = store::reviews(conn, &plan.id)?;
    review_views(conn, rows)
}
