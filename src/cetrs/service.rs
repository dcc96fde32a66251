//! C(E)TRs (panel rules, the inpatient and community clocks) and their actions (owners who
//! can see the person; keyworkers update only what they own).

use diesel::OptionalExtension;
use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{
    ActionQuery, ActionStatus, ActionView, CetrView, CreateActionRequest, CreateCetrRequest,
    PanelMember, UpdateActionRequest, UpdateCetrRequest,
};
use super::store::{self, ActionChanges, ActionFilter, ActionRow, CetrChanges, CetrRow};
use crate::admissions::service as admissions_service;
use crate::admissions::store::{self as admissions, AdmissionRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access::{self, Scope};
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::inpatient::CetrKind;
use crate::domain::register::is_overdue;
use crate::error::ApiError;
use crate::http::{comma_list, tidy, IfMatch, ListResponse, Page};
use crate::people::store as people;
use crate::register::service::{self as register, Rules};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "cetr";
pub const ACTION_ENTITY: &str = "cetr_action";

/// The admission a C(E)TR belongs to: the one named (it must be the person's), else for
/// post-admission and inpatient C(E)TRs the open one.
fn admission_for(
    conn: &mut AnyConnection,
    person_id: &str,
    kind: CetrKind,
    named: Option<String>,
) -> Result<Option<AdmissionRow>, ApiError> {
    if let Some(id) = named {
        return match admissions::get(conn, &id).optional()? {
            Some(a) if a.person_id == person_id => Ok(Some(a)),
            _ => Err(ApiError::validation(
                "admission_id",
                "must be an admission of this person",
            )),
        };
    }
    if matches!(kind, CetrKind::PostAdmission | CetrKind::Inpatient) {
        return match admissions::open_for_person(conn, person_id)? {
            Some(a) => Ok(Some(a)),
            None => Err(ApiError::validation(
                "admission_id",
                "an inpatient C(E)TR needs an admission, and this person has no open one",
            )),
        };
    }
    Ok(None)
}

fn check_held_within(held_on: NaiveDate, admission: Option<&AdmissionRow>) -> Result<(), ApiError> {
    if let Some(a) = admission {
        if held_on < a.admitted_on {
            return Err(ApiError::validation(
                "held_on",
                "must not be before the admission",
            ));
        }
        if a.discharged_on.is_some_and(|d| held_on > d) {
            return Err(ApiError::validation(
                "held_on",
                "must not be after the discharge",
            ));
        }
    }
    Ok(())
}

/// After a C(E)TR is recorded or moved: restart the admission's clock (inpatient kinds) and
/// the entry's community clock (community kinds).
fn refresh_clocks(conn: &mut AnyConnection, cetr: &CetrRow, rules: Rules) -> Result<(), ApiError> {
    let kind = cetr.kind;
    if let (true, Some(admission_id)) = (kind.is_inpatient(), &cetr.admission_id) {
        if let Some(admission) = admissions::get(conn, admission_id).optional()? {
            let due = admissions_service::refresh_cetr_clock(conn, &admission, rules)?;
            if let Some(latest) = store::latest_for_admission(conn, admission_id)? {
                store::set_next_due(conn, &latest.id, due)?;
            }
        }
    }
    register::refresh_cetr_due_for_person(conn, &cetr.person_id, &rules.timescales)
}

pub fn create(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateCetrRequest,
) -> Result<CetrRow, ApiError> {
    let (ctx, rules) = (&a.audit, Rules::of(a));
    crate::people::merge::refuse_if_merged(&people::get(conn, person_id)?)?;
    let admission = admission_for(
        conn,
        person_id,
        req.kind,
        req.admission_id.map(|a| a.to_string()),
    )?;
    check_held_within(req.held_on, admission.as_ref())?;
    let row = CetrRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.to_string(),
        admission_id: admission.map(|a| a.id),
        kind: req.kind,
        held_on: req.held_on,
        panel: panel_json(&req.panel),
        summary: req.summary.trim().to_string(),
        outcome: req
            .outcome
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty()),
        agencies: agencies_json(&req.agencies),
        laep_outcome: req.laep_outcome,
        next_due: None,
        recorded_by: ctx.actor_id.clone().unwrap_or_default(),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    store::insert(conn, &row)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(&row.person_id)
            .fields(vec![
                "kind",
                "held_on",
                "admission_id",
                "panel",
                "summary",
                "outcome",
                "agencies",
                "laep_outcome",
            ]),
    )?;
    refresh_clocks(conn, &row, rules)?;
    Ok(store::get(conn, &row.id)?)
}

/// A LAEP's agencies, trimmed, as stored.
fn agencies_json(agencies: &[String]) -> String {
    let trimmed: Vec<&str> = agencies.iter().map(|a| a.trim()).collect();
    serde_json::to_string(&trimmed).unwrap_or_else(|_| "[]".into())
}

fn panel_json(panel: &[PanelMember]) -> String {
    let trimmed: Vec<PanelMember> = panel
        .iter()
        .map(|m| PanelMember {
            name: m.name.trim().to_string(),
            role: m.role,
        })
        .collect();
    serde_json::to_string(&trimmed).unwrap_or_else(|_| "[]".into())
}

pub fn update(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateCetrRequest,
) -> Result<CetrRow, ApiError> {
    let (ctx, rules) = (&a.audit, Rules::of(a));
    let cetr = store::get(conn, id)?;
    if_match.check(cetr.version)?;
    let wrong = req.kind_errors(cetr.kind);
    if !wrong.is_empty() {
        return Err(ApiError::Validation(wrong));
    }
    let mut changes = CetrChanges::default();
    let mut fields = Vec::new();
    if let Some(held_on) = req.held_on.filter(|h| *h != cetr.held_on) {
        let admission = match &cetr.admission_id {
            Some(a) => admissions::get(conn, a).optional()?,
            None => None,
        };
        check_held_within(held_on, admission.as_ref())?;
        changes.held_on = Some(held_on);
        fields.push("held_on");
    }
    if let Some(panel) = req
        .panel
        .map(|p| panel_json(&p))
        .filter(|p| *p != cetr.panel)
    {
        changes.panel = Some(panel);
        fields.push("panel");
    }
    if let Some(summary) = req
        .summary
        .map(|s| s.trim().to_string())
        .filter(|s| *s != cetr.summary)
    {
        changes.summary = Some(summary);
        fields.push("summary");
    }
    if let Some(outcome) = req.outcome.map(tidy).filter(|o| *o != cetr.outcome) {
        changes.outcome = Some(outcome);
        fields.push("outcome");
    }
    if let Some(agencies) = req
        .agencies
        .map(|a| agencies_json(&a))
        .filter(|a| *a != cetr.agencies)
    {
        changes.agencies = Some(agencies);
        fields.push("agencies");
    }
    if let Some(outcome) = req.laep_outcome.filter(|o| *o != cetr.laep_outcome) {
        changes.laep_outcome = Some(outcome);
        fields.push("laep_outcome");
    }
    if fields.is_empty() {
        return Ok(cetr);
    }
    store::update_if_version(conn, id, cetr.version, &changes, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(&cetr.person_id)
            .fields(fields),
    )?;
    let updated = store::get(conn, id)?;
    if changes.held_on.is_some() {
        refresh_clocks(conn, &updated, rules)?;
    }
    Ok(store::get(conn, id)?)
}

pub fn action_views(
    conn: &mut AnyConnection,
    rows: Vec<ActionRow>,
    today: NaiveDate,
) -> Result<Vec<ActionView>, ApiError> {
    let owner_ids: Vec<String> = rows.iter().filter_map(|r| r.owner_id.clone()).collect();
    let owners = users::find_many(conn, &owner_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = r.status;
            ActionView {
                owner: r
                    .owner_id
                    .as_ref()
                    .and_then(|o| owners.get(o))
                    .map(UserSummary::from),
                overdue: !status.is_closed() && is_overdue(r.due_on, today),
                status,
                id: r.id,
                cetr_id: r.cetr_id,
                person_id: r.person_id,
                description: r.description,
                due_on: r.due_on,
                completed_on: r.completed_on,
                completion_note: r.completion_note,
                version: r.version,
                created_at: r.created_at.and_utc(),
                updated_at: r.updated_at.and_utc(),
            }
        })
        .collect())
}

/// C(E)TR views with their actions and recorders, in three queries whatever the count.
pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<CetrRow>,
    today: NaiveDate,
) -> Result<Vec<CetrView>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut actions: HashMap<String, Vec<ActionView>> = HashMap::new();
    let action_rows = store::actions_of(conn, &ids)?;
    for action in action_views(conn, action_rows, today)? {
        actions
            .entry(action.cetr_id.clone())
            .or_default()
            .push(action);
    }
    let recorder_ids: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let recorders = users::find_many(conn, &recorder_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| CetrView {
            kind: r.kind,
            panel: serde_json::from_str(&r.panel).unwrap_or_default(),
            agencies: serde_json::from_str(&r.agencies).unwrap_or_default(),
            laep_outcome: r.laep_outcome,
            recorded_by: recorders.get(&r.recorded_by).map(UserSummary::from),
            actions: actions.remove(&r.id).unwrap_or_default(),
            id: r.id,
            person_id: r.person_id,
            admission_id: r.admission_id,
            held_on: r.held_on,
            summary: r.summary,
            outcome: r.outcome,
            next_due: r.next_due,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
        .collect())
}

pub fn view(
    conn: &mut AnyConnection,
    row: CetrRow,
    today: NaiveDate,
) -> Result<CetrView, ApiError> {
    views(conn, vec![row], today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<CetrView, ApiError> {
    let (scope, today) = (&a.scope, a.today);
    let cetr = store::get(conn, id)?;
    access::ensure_person_visible(conn, scope, &cetr.person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about(&cetr.person_id));
    view(conn, cetr, today)
}

pub fn for_person(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
) -> Result<Vec<CetrView>, ApiError> {
    let (scope, today) = (&a.scope, a.today);
    access::ensure_person_visible(conn, scope, person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, "cetr_list", Some(person_id)).about(person_id));
    let rows = store::for_person(conn, person_id)?;
    views(conn, rows, today)
}

pub fn create_action(
    conn: &mut AnyConnection,
    a: &Actor,
    cetr_id: &str,
    req: CreateActionRequest,
) -> Result<ActionRow, ApiError> {
    let ctx = &a.audit;
    let cetr = store::get(conn, cetr_id)?;
    let owner_id = req.owner_id.to_string();
    access::check_owner(conn, &owner_id, &cetr.person_id)?;
    if req.due_on < cetr.held_on {
        return Err(ApiError::validation(
            "due_on",
            "must not be before the C(E)TR was held",
        ));
    }
    let row = ActionRow {
        id: Uuid::now_v7().to_string(),
        cetr_id: cetr.id.clone(),
        person_id: cetr.person_id.clone(),
        description: req.description.trim().to_string(),
        owner_id: Some(owner_id),
        due_on: req.due_on,
        status: ActionStatus::Open,
        completed_on: None,
        completion_note: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    store::insert_action(conn, &row)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ACTION_ENTITY, Some(&row.id))
            .about(&row.person_id)
            .fields(vec!["cetr_id", "description", "owner_id", "due_on"]),
    )?;
    Ok(row)
}

/// The action if its person is in the caller's scope (404 otherwise).
fn visible_action(
    conn: &mut AnyConnection,
    scope: &Scope,
    id: &str,
) -> Result<ActionRow, ApiError> {
    let action = store::get_action(conn, id)?;
    access::ensure_person_visible(conn, scope, &action.person_id)?;
    Ok(action)
}

pub fn read_action(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<ActionView, ApiError> {
    let (scope, today) = (&a.scope, a.today);
    let action = visible_action(conn, scope, id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, ACTION_ENTITY, Some(id)).about(&action.person_id),
    );
    action_views(conn, vec![action], today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

pub fn update_action(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateActionRequest,
) -> Result<ActionRow, ApiError> {
    let (ctx, user, today) = (&a.audit, &a.user, a.today);
    let action = visible_action(conn, &Scope::of(user), id)?;
    let replans = req.owner_id.is_some() || req.due_on.is_some() || req.description.is_some();
    if !access::may_update_owned_work(user, action.owner_id.as_deref(), replans) {
        return Err(ApiError::Forbidden);
    }
    if_match.check(action.version)?;
    let mut changes = ActionChanges::default();
    let mut fields = Vec::new();
    if let Some(status) = req.status.filter(|s| *s != action.status) {
        changes.status = Some(status);
        changes.completed_on = Some((status == ActionStatus::Done).then_some(today));
        fields.extend(["status", "completed_on"]);
    }
    if let Some(due_on) = req.due_on.filter(|d| *d != action.due_on) {
        changes.due_on = Some(due_on);
        fields.push("due_on");
    }
    if let Some(owner) = req
        .owner_id
        .map(|o| o.to_string())
        .filter(|o| Some(o) != action.owner_id.as_ref())
    {
        access::check_owner(conn, &owner, &action.person_id)?;
        changes.owner_id = Some(Some(owner));
        fields.push("owner_id");
    }
    if let Some(note) = req.completion_note.map(|n| n.trim().to_string()) {
        let note = Some(note).filter(|n| !n.is_empty());
        if note != action.completion_note {
            changes.completion_note = Some(note);
            fields.push("completion_note");
        }
    }
    if let Some(d) = req
        .description
        .map(|d| d.trim().to_string())
        .filter(|d| *d != action.description)
    {
        changes.description = Some(d);
        fields.push("description");
    }
    if fields.is_empty() {
        return Ok(action);
    }
    store::update_action_if_version(conn, id, action.version, &changes, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ACTION_ENTITY, Some(id))
            .about(&action.person_id)
            .fields(fields),
    )?;
    Ok(store::get_action(conn, id)?)
}

pub fn list_actions(
    conn: &mut AnyConnection,
    a: &Actor,
    query: ActionQuery,
    page: Page,
) -> Result<ListResponse<ActionView>, ApiError> {
    let today = a.today;
    let filter = action_filter(&query, &a.scope, today)?;
    let (rows, total) = store::list_actions(conn, &filter, page)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "cetr_action_list", None)
            .about_all(rows.iter().map(|r| r.person_id.clone())),
    );
    Ok(ListResponse::new(
        action_views(conn, rows, today)?,
        total,
        page,
    ))
}

fn action_filter(
    query: &ActionQuery,
    scope: &Scope,
    today: NaiveDate,
) -> Result<ActionFilter, ApiError> {
    let mut errors = Vec::new();
    let statuses = comma_list(query.status.as_deref(), "status", &mut errors, |part| {
        ActionStatus::parse(part).ok_or_else(|| {
            format!("unknown status {part:?}: use open, in_progress, done, cancelled")
        })
    });
    if !errors.is_empty() {
        return Err(ApiError::BadQuery(errors));
    }
    Ok(ActionFilter {
        owner_id: query.owner_id.map(|o| o.to_string()),
        statuses,
        person_id: query.person_id.map(|p| p.to_string()),
        overdue_before: (query.overdue == Some(true)).then_some(today),
        caseload_of: scope.caseload_of().map(String::from),
    })
}

/// Records a C(E)TR and answers its view.
pub fn create_view(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateCetrRequest,
) -> Result<CetrView, ApiError> {
    let row = create(conn, a, person_id, req)?;
    view(conn, row, a.today)
}

/// Corrects a C(E)TR and answers its view.
pub fn update_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateCetrRequest,
) -> Result<CetrView, ApiError> {
    let row = update(conn, a, id, if_match, req)?;
    view(conn, row, a.today)
}

fn action_view(
    conn: &mut AnyConnection,
    row: ActionRow,
    today: NaiveDate,
) -> Result<ActionView, ApiError> {
    action_views(conn, vec![row], today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// Adds an action and answers its view.
pub fn create_action_view(
    conn: &mut AnyConnection,
    a: &Actor,
    cetr_id: &str,
    req: CreateActionRequest,
) -> Result<ActionView, ApiError> {
    let row = create_action(conn, a, cetr_id, req)?;
    action_view(conn, row, a.today)
}

/// Updates an action and answers its view.
pub fn update_action_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateActionRequest,
) -> Result<ActionView, ApiError> {
    let row = update_action(conn, a, id, if_match, req)?;
    action_view(conn, row, a.today)
}
