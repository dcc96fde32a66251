//! Actions from every meeting: who may add and change them, where they came from, and one
//! list across sources. Keyworkers update only the actions they own, and never replan or
//! decline them.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{
    ActionQuery, ActionSource, ActionStatus, ActionView, CreateActionRequest, UpdateActionRequest,
};
use super::store::{self, ActionChanges, ActionFilter, ActionRow};
use crate::admissions::store as admissions;
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access::{self, Scope};
use crate::auth::actor::Actor;
use crate::cetrs::store as cetrs;
use crate::db::AnyConnection;
use crate::domain::register::is_overdue;
use crate::error::ApiError;
use crate::http::{comma_list, ListResponse, Page};
use crate::register::store as register;
use crate::users::model::UserSummary;
use crate::users::store as users;

/// The audit's and the alerts' name for an action (the round-1 name, for every source).
pub const ENTITY: &str = "cetr_action";

/// The meeting a new action comes from: its person and the day it was held (no action may
/// fall due before it).
pub struct Origin {
    source: ActionSource,
    source_id: String,
    cetr_id: Option<String>,
    person_id: String,
    held_on: NaiveDate,
}

impl Origin {
    pub fn cetr(conn: &mut AnyConnection, id: &str) -> Result<Origin, ApiError> {
        let cetr = cetrs::get(conn, id)?;
        Ok(Origin {
            source: ActionSource::of_cetr(cetr.kind),
            source_id: cetr.id.clone(),
            cetr_id: Some(cetr.id),
            person_id: cetr.person_id,
            held_on: cetr.held_on,
        })
    }

    /// A DSR review of this register entry.
    pub fn review(
        conn: &mut AnyConnection,
        entry_id: &str,
        review_id: &str,
    ) -> Result<Origin, ApiError> {
        let review = register::get_review(conn, entry_id, review_id)?;
        let entry = register::get(conn, entry_id)?;
        Ok(Origin {
            source: ActionSource::DsrReview,
            source_id: review.id,
            cetr_id: None,
            person_id: entry.person_id,
            held_on: review.reviewed_on,
        })
    }

    /// An oversight visit during this admission.
    pub fn visit(
        conn: &mut AnyConnection,
        admission_id: &str,
        visit_id: &str,
    ) -> Result<Origin, ApiError> {
        let visit = admissions::get_visit(conn, admission_id, visit_id)?;
        let admission = admissions::get(conn, admission_id)?;
        Ok(Origin {
            source: ActionSource::Visit,
            source_id: visit.id,
            cetr_id: None,
            person_id: admission.person_id,
            held_on: visit.visited_on,
        })
    }

    /// A DSR review, found by its id alone (the pages name it under the person).
    pub fn review_by_id(conn: &mut AnyConnection, review_id: &str) -> Result<Origin, ApiError> {
        let entry_id = register::review_entry(conn, review_id)?;
        Origin::review(conn, &entry_id, review_id)
    }

    /// An oversight visit, found by its id alone.
    pub fn visit_by_id(conn: &mut AnyConnection, visit_id: &str) -> Result<Origin, ApiError> {
        let admission_id = admissions::visit_admission(conn, visit_id)?;
        Origin::visit(conn, &admission_id, visit_id)
    }

    pub fn source(&self) -> ActionSource {
        self.source
    }

    pub fn person_id(&self) -> &str {
        &self.person_id
    }

    pub fn held_on(&self) -> NaiveDate {
        self.held_on
    }

    fn held(&self) -> &'static str {
        match self.source {
            ActionSource::Cetr => "must not be before the C(E)TR was held",
            ActionSource::Laep => "must not be before the LAEP was held",
            ActionSource::DsrReview => "must not be before the DSR review",
            ActionSource::Visit => "must not be before the visit",
        }
    }
}

/// The meeting `find` names, if the viewer may see its person (404 otherwise).
pub fn visible_origin(
    conn: &mut AnyConnection,
    a: &Actor,
    find: impl FnOnce(&mut AnyConnection) -> Result<Origin, ApiError>,
) -> Result<Origin, ApiError> {
    let origin = find(conn)?;
    access::ensure_person_visible(conn, &a.scope, &origin.person_id)?;
    Ok(origin)
}

pub fn create(
    conn: &mut AnyConnection,
    a: &Actor,
    origin: Origin,
    req: CreateActionRequest,
) -> Result<ActionRow, ApiError> {
    let ctx = &a.audit;
    access::ensure_person_visible(conn, &a.scope, &origin.person_id)?;
    crate::people::merge::ensure_writable(conn, &origin.person_id)?;
    let owner_id = req.owner_id.to_string();
    access::check_owner(conn, &owner_id, &origin.person_id)?;
    if req.due_on < origin.held_on {
        return Err(ApiError::validation("due_on", origin.held()));
    }
    let row = ActionRow {
        id: Uuid::now_v7().to_string(),
        cetr_id: origin.cetr_id,
        person_id: origin.person_id,
        description: req.description.trim().to_string(),
        owner_id: Some(owner_id),
        due_on: req.due_on,
        status: ActionStatus::Open,
        completed_on: None,
        completion_note: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        source: origin.source,
        source_id: origin.source_id,
        justification: None,
    };
    store::insert(conn, &row)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(&row.person_id)
            .fields(vec![
                "source",
                "source_id",
                "description",
                "owner_id",
                "due_on",
            ]),
    )?;
    Ok(row)
}

pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<ActionRow>,
    today: NaiveDate,
) -> Result<Vec<ActionView>, ApiError> {
    let owner_ids: Vec<String> = rows.iter().filter_map(|r| r.owner_id.clone()).collect();
    let owners = users::find_many(conn, &owner_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| ActionView {
            owner: r
                .owner_id
                .as_ref()
                .and_then(|o| owners.get(o))
                .map(UserSummary::from),
            overdue: !r.status.is_closed() && is_overdue(r.due_on, today),
            status: r.status,
            source: r.source,
            source_id: r.source_id,
            id: r.id,
            cetr_id: r.cetr_id,
            person_id: r.person_id,
            description: r.description,
            due_on: r.due_on,
            completed_on: r.completed_on,
            completion_note: r.completion_note,
            justification: r.justification,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
        .collect())
}

/// The actions of these meetings, soonest due first.
pub fn of_sources(
    conn: &mut AnyConnection,
    source_ids: &[String],
    today: NaiveDate,
) -> Result<Vec<ActionView>, ApiError> {
    let rows = store::of_sources(conn, source_ids)?;
    views(conn, rows, today)
}

/// Every action about the person (for their subject-access export, whose read is audited
/// there).
pub fn for_person(
    conn: &mut AnyConnection,
    person_id: &str,
    today: NaiveDate,
) -> Result<Vec<ActionView>, ApiError> {
    let rows = store::for_person(conn, person_id)?;
    views(conn, rows, today)
}

/// The actions of these meetings, by meeting.
pub fn by_source(
    conn: &mut AnyConnection,
    source_ids: &[String],
    today: NaiveDate,
) -> Result<HashMap<String, Vec<ActionView>>, ApiError> {
    let mut by: HashMap<String, Vec<ActionView>> = HashMap::new();
    for action in of_sources(conn, source_ids, today)? {
        by.entry(action.source_id.clone()).or_default().push(action);
    }
    Ok(by)
}

fn view(
    conn: &mut AnyConnection,
    row: ActionRow,
    today: NaiveDate,
) -> Result<ActionView, ApiError> {
    views(conn, vec![row], today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// The action if its person is in the caller's scope (404 otherwise).
fn visible(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<ActionRow, ApiError> {
    let action = store::get(conn, id)?;
    access::ensure_person_visible(conn, scope, &action.person_id)?;
    Ok(action)
}

pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<ActionView, ApiError> {
    let action = visible(conn, &a.scope, id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about(&action.person_id));
    view(conn, action, a.today)
}

/// The status change a request makes, with the justification a decline needs: given with
/// it, or already held when only the justification is being corrected.
fn status_change(
    action: &ActionRow,
    req: &UpdateActionRequest,
    today: NaiveDate,
    changes: &mut ActionChanges,
    fields: &mut Vec<&'static str>,
) -> Result<(), ApiError> {
    let status = req.status.unwrap_or(action.status);
    let justification = req
        .justification
        .as_ref()
        .map(|j| j.trim().to_string())
        .or_else(|| action.justification.clone());
    if status == ActionStatus::Declined && justification.is_none() {
        return Err(ApiError::validation(
            "justification",
            "a declined action needs the responsible clinician's justification",
        ));
    }
    if status != ActionStatus::Declined && req.justification.is_some() {
        return Err(ApiError::validation(
            "justification",
            "only a declined action has a justification",
        ));
    }
    if status != action.status {
        changes.status = Some(status);
        changes.completed_on = Some((status == ActionStatus::Done).then_some(today));
        fields.extend(["status", "completed_on"]);
    }
    // Leaving `declined` leaves no justification behind on an action now owed or done.
    let kept = justification.filter(|_| status == ActionStatus::Declined);
    if kept != action.justification {
        changes.justification = Some(kept);
        fields.push("justification");
    }
    Ok(())
}

pub fn update(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &crate::http::IfMatch,
    req: UpdateActionRequest,
) -> Result<ActionRow, ApiError> {
    let (ctx, user, today) = (&a.audit, &a.user, a.today);
    let action = visible(conn, &Scope::of(user), id)?;
    // Declining is the responsible clinician's decision, recorded by the team, as replanning is.
    let replans = req.owner_id.is_some()
        || req.due_on.is_some()
        || req.description.is_some()
        || req.status == Some(ActionStatus::Declined)
        || req.justification.is_some();
    if !access::may_update_owned_work(user, action.owner_id.as_deref(), replans) {
        return Err(ApiError::Forbidden);
    }
    if_match.check(action.version)?;
    let mut changes = ActionChanges::default();
    let mut fields = Vec::new();
    status_change(&action, &req, today, &mut changes, &mut fields)?;
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
    store::update_if_version(conn, id, action.version, &changes, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(&action.person_id)
            .fields(fields),
    )?;
    Ok(store::get(conn, id)?)
}

/// Which sources a list covers: those asked for, within those the route serves
/// (`/cetr-actions` serves C(E)TRs' and LAEPs' only).
pub fn list(
    conn: &mut AnyConnection,
    a: &Actor,
    query: ActionQuery,
    served: &[ActionSource],
    page: Page,
) -> Result<ListResponse<ActionView>, ApiError> {
    let today = a.today;
    let filter = filter(&query, served, &a.scope, today)?;
    let (rows, total) = store::list(conn, &filter, page)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "action_list", None)
            .about_all(rows.iter().map(|r| r.person_id.clone())),
    );
    Ok(ListResponse::new(views(conn, rows, today)?, total, page))
}

fn filter(
    query: &ActionQuery,
    served: &[ActionSource],
    scope: &Scope,
    today: NaiveDate,
) -> Result<ActionFilter, ApiError> {
    let mut errors = Vec::new();
    let statuses = comma_list(query.status.as_deref(), "status", &mut errors, |part| {
        ActionStatus::parse(part).ok_or_else(|| {
            format!("unknown status {part:?}: use open, in_progress, done, declined, cancelled")
        })
    });
    let asked = comma_list(query.source.as_deref(), "source", &mut errors, |part| {
        ActionSource::parse(part)
            .filter(|s| served.contains(s))
            .ok_or_else(|| {
                let names: Vec<&str> = served.iter().map(|s| s.as_str()).collect();
                format!("unknown source {part:?}: use {}", names.join(", "))
            })
    });
    if !errors.is_empty() {
        return Err(ApiError::BadQuery(errors));
    }
    Ok(ActionFilter {
        owner_id: query.owner_id.map(|o| o.to_string()),
        statuses,
        sources: if asked.is_empty() {
            served.to_vec()
        } else {
            asked
        },
        person_id: query.person_id.map(|p| p.to_string()),
        overdue_before: (query.overdue == Some(true)).then_some(today),
        caseload_of: scope.caseload_of().map(String::from),
    })
}

/// Adds an action and answers its view.
pub fn create_view(
    conn: &mut AnyConnection,
    a: &Actor,
    origin: impl FnOnce(&mut AnyConnection) -> Result<Origin, ApiError>,
    req: CreateActionRequest,
) -> Result<ActionView, ApiError> {
    let origin = origin(conn)?;
    let row = create(conn, a, origin, req)?;
    view(conn, row, a.today)
}

/// Updates an action and answers its view.
pub fn update_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &crate::http::IfMatch,
    req: UpdateActionRequest,
) -> Result<ActionView, ApiError> {
    let row = update(conn, a, id, if_match, req)?;
    view(conn, row, a.today)
}
