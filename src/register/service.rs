//! Register rules: opening (one active entry per person, consent), RAG changes with history
//! and review dates, DSR reviews, closing; audited reads.

use chrono::NaiveDate;
use diesel::OptionalExtension;
use uuid::Uuid;

use super::model::{
    CloseEntryRequest, EntryView, OpenEntryRequest, RagChange, RecordReviewRequest, RegisterQuery,
    ReviewView, UpdateEntryRequest,
};
use super::store::{self, EntryChanges, EntryRow, RagHistoryRow, RegisterFilter, ReviewRow, Sort};
use crate::admissions::store as admissions;
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::auth::access::{self, Scope};
use crate::auth::actor::Actor;
use crate::cetrs::store as cetrs;
use crate::config::{RegisterSettings, Settings};
use crate::db::AnyConnection;
use crate::domain::inpatient::Timescales;
use crate::domain::register::{format_reference, is_overdue, ClosureReason, EntryStatus};
use crate::domain::{Rag, ReviewCadence};
use crate::error::ApiError;
use crate::error::FieldError;
use crate::http::{comma_list, tidy, Diff, IfMatch, Page};
use crate::people::model::PersonBrief;
use crate::people::store::Search;
use crate::people::store::{self as people, PersonRow};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "register_entry";
pub const REVIEW_ENTITY: &str = "dsr_review";
pub const REVIEW_REASON: &str = "DSR review";

/// The dates the rules need: today, and the configured cadences and timescales.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub today: NaiveDate,
    pub cadence: ReviewCadence,
    pub timescales: Timescales,
}

impl Rules {
    pub fn new(settings: &Settings, today: NaiveDate) -> Rules {
        Rules {
            today,
            cadence: settings.register.review_cadence_days,
            timescales: settings.timescales,
        }
    }

    /// The rules as they stand for this request.
    pub fn of(a: &Actor) -> Rules {
        Rules::new(&a.settings, a.today)
    }
}

/// Turns the query into a filter and sort, naming every parameter that does not parse.
pub fn filter_from(
    query: &RegisterQuery,
    scope: &Scope,
    today: NaiveDate,
    settings: &RegisterSettings,
) -> Result<(RegisterFilter, Sort), ApiError> {
    let mut errors = Vec::new();
    let risk_factor = query
        .risk_factor
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from);
    if let Some(problem) = risk_factor
        .as_deref()
        .and_then(|code| settings.unknown_risk_factor(code))
    {
        errors.push(FieldError::new("risk_factor", problem));
    }
    let rags = comma_list(query.rag.as_deref(), "rag", &mut errors, |part| {
        Rag::parse(part)
            .ok_or_else(|| format!("unknown rating {part:?}: use red, amber, green, blue"))
    });
    let status = match query.status.as_deref().unwrap_or("active") {
        "active" => Some(EntryStatus::Active),
        "closed" => Some(EntryStatus::Closed),
        "all" => None,
        _ => {
            errors.push(FieldError::new("status", "must be active, closed or all"));
            None
        }
    };
    let sort = Sort::parse(query.sort.as_deref());
    if sort.is_none() {
        errors.push(FieldError::new(
            "sort",
            "must be next_review_due, rag, opened_on or reference, optionally prefixed with -",
        ));
    }
    match sort {
        Some(sort) if errors.is_empty() => Ok((
            RegisterFilter {
                rags,
                status,
                area: query
                    .area
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(String::from),
                age_group: query.age_group,
                transition_age: query.transition_age == Some(true),
                keyworker_id: query.keyworker_id.map(|id| id.to_string()),
                review_due_before: (query.review_overdue == Some(true)).then_some(today),
                with_open_alerts: query.overdue == Some(true),
                search: query.search.as_deref().and_then(Search::parse),
                caseload_of: scope.caseload_of().map(String::from),
                risk_factor,
            },
            sort,
        )),
        _ => Err(ApiError::BadQuery(errors)),
    }
}

/// Recomputes the entry's next C(E)TR date from the facts: the inpatient clock while the
/// person is admitted; while red in the community, 14 days from turning red unless a
/// community C(E)TR or LAEP has been held since; otherwise none.
pub fn refresh_cetr_due(
    conn: &mut AnyConnection,
    entry_id: &str,
    timescales: &Timescales,
) -> Result<(), ApiError> {
    let Some(entry) = store::get(conn, entry_id).optional()? else {
        return Ok(());
    };
    let due = if entry.status != EntryStatus::Active {
        None
    } else if let Some(admission) = admissions::open_for_person(conn, &entry.person_id)? {
        admission.next_cetr_due
    } else if entry.rag == Rag::Red {
        let last = cetrs::last_community_held_on(conn, &entry.person_id)?;
        timescales.community_cetr_due(entry.rag_changed_on, last)
    } else {
        None
    };
    if due != entry.next_cetr_due {
        store::set_next_cetr_due(conn, entry_id, due)?;
    }
    Ok(())
}

/// The same for the person's active entry, if they have one.
pub fn refresh_cetr_due_for_person(
    conn: &mut AnyConnection,
    person_id: &str,
    timescales: &Timescales,
) -> Result<(), ApiError> {
    if let Some(entry) = store::active_for_person(conn, person_id)? {
        refresh_cetr_due(conn, &entry.id, timescales)?;
    }
    Ok(())
}

pub fn open(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    req: OpenEntryRequest,
    rules: Rules,
) -> Result<EntryRow, ApiError> {
    let person_id = req.person_id.to_string();
    let person = people::get(conn, &person_id)
        .optional()?
        .ok_or_else(|| ApiError::validation("person_id", "no such person"))?;
    crate::people::merge::refuse_if_merged(&person)?;
    if let Some(existing) = store::active_for_person(conn, &person_id)? {
        return Err(ApiError::Conflict(format!(
            "this person already has an active register entry ({})",
            existing.reference
        )));
    }
    let consent_note = tidy(req.consent_note);
    let consent = person.consent_status;
    if !consent.permits_register() && consent_note.is_none() && person.consent_note.is_none() {
        return Err(ApiError::validation(
            "consent_note",
            "is required: the person's consent is not given, best-interests or parental",
        ));
    }
    refuse_unless_blue_while_admitted(conn, &person_id, req.rag)?;
    let opened_on = req.opened_on.unwrap_or(rules.today);
    if opened_on < person.date_of_birth {
        return Err(ApiError::validation(
            "opened_on",
            "must not be before the date of birth",
        ));
    }
    let row = new_entry(conn, ctx, &person_id, req.rag, opened_on, rules.cadence)?;
    let row = EntryRow {
        risk_summary: req.risk_summary.trim().to_string(),
        referral_source: tidy(req.referral_source),
        consent_note,
        what_has_been_tried: tidy(req.what_has_been_tried),
        what_would_help: tidy(req.what_would_help),
        ..row
    };
    insert_with_history(conn, ctx, &row, "opened")?;
    refresh_cetr_due(conn, &row.id, &rules.timescales)?;
    Ok(store::get(conn, &row.id)?)
}

/// A new active entry, with a fresh reference, first review due one cadence after opening.
pub fn new_entry(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    person_id: &str,
    rag: Rag,
    opened_on: NaiveDate,
    cadence: ReviewCadence,
) -> Result<EntryRow, ApiError> {
    let number = store::next_reference_number(conn)?;
    Ok(EntryRow {
        id: Uuid::now_v7().to_string(),
        reference: format_reference(number),
        reference_number: number,
        person_id: person_id.to_string(),
        status: EntryStatus::Active,
        rag,
        rag_rank: rag.triage_rank(),
        rag_changed_on: opened_on,
        opened_on,
        closed_on: None,
        closure_reason: None,
        closure_note: None,
        risk_summary: String::new(),
        referral_source: None,
        consent_note: None,
        last_review_on: None,
        next_review_due: cadence.next_review(opened_on, rag),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        next_cetr_due: None,
        discharge_points_complete: None,
        open_alerts: 0,
        what_has_been_tried: None,
        what_would_help: None,
    })
}

/// Inserts a new entry with its first history row and audit record.
pub fn insert_with_history(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    row: &EntryRow,
    reason: &str,
) -> Result<(), ApiError> {
    store::insert(conn, row)?;
    store::insert_history(
        conn,
        &RagHistoryRow {
            id: Uuid::now_v7().to_string(),
            register_entry_id: row.id.clone(),
            from_rag: None,
            to_rag: row.rag,
            reason: reason.to_string(),
            changed_by: ctx.actor_id.clone(),
            changed_at: ctx.now,
            changed_on: row.opened_on,
        },
    )?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(&row.person_id)
            .fields(vec![
                "person_id",
                "rag",
                "risk_summary",
                "opened_on",
                "referral_source",
                "consent_note",
            ]),
    )?;
    Ok(())
}

/// Blue is held while admitted (domain.md): while the person has an open admission, any
/// other rating (a review's, a change's, an import row's, a new entry's) is refused naming the
/// admission; the rating moves only through discharge. `None` when `rag` may be set.
pub fn held_blue(
    conn: &mut AnyConnection,
    person_id: &str,
    rag: Rag,
) -> Result<Option<String>, ApiError> {
    if rag == Rag::Blue {
        return Ok(None);
    }
    Ok(
        crate::admissions::store::open_for_person(conn, person_id)?.map(|stay| {
            format!(
                "the person is in hospital (admission {} to {} on {}): the rating stays blue \
                 until the discharge is recorded",
                stay.id, stay.hospital, stay.admitted_on
            )
        }),
    )
}

fn refuse_unless_blue_while_admitted(
    conn: &mut AnyConnection,
    person_id: &str,
    rag: Rag,
) -> Result<(), ApiError> {
    match held_blue(conn, person_id, rag)? {
        Some(why) => Err(ApiError::Conflict(why)),
        None => Ok(()),
    }
}

/// Records a RAG change in `changes` and in the history. Returns false when `new` is the
/// current rating (nothing to record).
pub fn change_rag(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    entry: &EntryRow,
    new: Rag,
    reason: &str,
    on: NaiveDate,
    changes: &mut EntryChanges,
) -> Result<bool, ApiError> {
    let current = entry.rag;
    if current == new {
        return Ok(false);
    }
    changes.rag = Some(new);
    changes.rag_rank = Some(new.triage_rank());
    changes.rag_changed_on = Some(on);
    store::insert_history(
        conn,
        &RagHistoryRow {
            id: Uuid::now_v7().to_string(),
            register_entry_id: entry.id.clone(),
            from_rag: Some(current),
            to_rag: new,
            reason: reason.to_string(),
            changed_by: ctx.actor_id.clone(),
            changed_at: ctx.now,
            changed_on: on,
        },
    )?;
    Ok(true)
}

/// A RAG change outside a review (by hand, on admission or discharge): recorded in the history,
/// and the next review pulled forward when the new cadence is shorter, never pushed back.
/// Returns the fields it changed (none when `new` is the current rating).
#[allow(clippy::too_many_arguments)]
pub fn change_rag_outside_review(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    entry: &EntryRow,
    new: Rag,
    reason: &str,
    on: NaiveDate,
    cadence: ReviewCadence,
    changes: &mut EntryChanges,
) -> Result<Vec<&'static str>, ApiError> {
    if !change_rag(conn, ctx, entry, new, reason, on, changes)? {
        return Ok(Vec::new());
    }
    let mut fields = vec!["rag"];
    let due = cadence.after_rag_change(entry.next_review_due, on, new);
    if due != entry.next_review_due {
        changes.next_review_due = Some(due);
        fields.push("next_review_due");
    }
    Ok(fields)
}

/// Writes `changes` if the entry is still at the version read, and audits the fields.
pub fn save(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    entry: &EntryRow,
    changes: &EntryChanges,
    fields: Vec<&str>,
) -> Result<EntryRow, ApiError> {
    store::update_if_version(conn, &entry.id, entry.version, changes, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(&entry.id))
            .about(&entry.person_id)
            .fields(fields),
    )?;
    Ok(store::get(conn, &entry.id)?)
}

/// The entry, if it exists, matches `If-Match` and is still active (closed ones are 409).
fn active_entry(
    conn: &mut AnyConnection,
    id: &str,
    if_match: &IfMatch,
) -> Result<EntryRow, ApiError> {
    let entry = store::get(conn, id)?;
    if_match.check(entry.version)?;
    if entry.status != EntryStatus::Active {
        return Err(ApiError::Conflict(format!(
            "register entry {} is closed",
            entry.reference
        )));
    }
    Ok(entry)
}

pub fn update(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: &str,
    if_match: &IfMatch,
    req: UpdateEntryRequest,
    rules: Rules,
) -> Result<EntryRow, ApiError> {
    let entry = active_entry(conn, id, if_match)?;
    let mut changes = EntryChanges::default();
    let mut fields = Vec::new();
    if let Some(new) = req.rag.filter(|r| *r != entry.rag) {
        let reason = tidy(req.rag_reason)
            .ok_or_else(|| ApiError::validation("rag_reason", "is required when rag changes"))?;
        refuse_unless_blue_while_admitted(conn, &entry.person_id, new)?;
        fields.extend(change_rag_outside_review(
            conn,
            ctx,
            &entry,
            new,
            &reason,
            rules.today,
            rules.cadence,
            &mut changes,
        )?);
    }
    let mut d = Diff::default();
    d.set(
        "risk_summary",
        tidy(req.risk_summary),
        &entry.risk_summary,
        &mut changes.risk_summary,
    );
    // The free texts that may be cleared (`null`, or blank).
    for (field, new, current, slot) in [
        (
            "referral_source",
            req.referral_source,
            &entry.referral_source,
            &mut changes.referral_source,
        ),
        (
            "what_has_been_tried",
            req.what_has_been_tried,
            &entry.what_has_been_tried,
            &mut changes.what_has_been_tried,
        ),
        (
            "what_would_help",
            req.what_would_help,
            &entry.what_would_help,
            &mut changes.what_would_help,
        ),
    ] {
        d.set(field, new.map(tidy), current, slot);
    }
    fields.extend(d.fields);
    if fields.is_empty() {
        return Ok(entry);
    }
    let saved = save(conn, ctx, &entry, &changes, fields)?;
    if changes.rag.is_none() {
        return Ok(saved);
    }
    // Only the rating moves the community C(E)TR clock.
    refresh_cetr_due(conn, &saved.id, &rules.timescales)?;
    Ok(store::get(conn, &saved.id)?)
}

pub fn record_review(
    conn: &mut AnyConnection,
    a: &Actor,
    entry_id: &str,
    req: RecordReviewRequest,
) -> Result<ReviewRow, ApiError> {
    let (ctx, rules) = (&a.audit, Rules::of(a));
    let entry = active_entry(conn, entry_id, &IfMatch::Absent)?;
    if req.reviewed_on < entry.opened_on {
        return Err(ApiError::validation(
            "reviewed_on",
            "must not be before the entry opened",
        ));
    }
    if let Some(last) = entry.last_review_on.filter(|last| req.reviewed_on < *last) {
        return Err(ApiError::validation(
            "reviewed_on",
            format!("must not be before the last review ({last})"),
        ));
    }
    let next_due = req
        .next_review_due
        .unwrap_or_else(|| rules.cadence.next_review(req.reviewed_on, req.rag));
    let mut changes = EntryChanges {
        last_review_on: Some(Some(req.reviewed_on)),
        next_review_due: Some(next_due),
        ..EntryChanges::default()
    };
    let mut fields = vec!["last_review_on", "next_review_due"];
    refuse_unless_blue_while_admitted(conn, &entry.person_id, req.rag)?;
    if change_rag(
        conn,
        ctx,
        &entry,
        req.rag,
        REVIEW_REASON,
        req.reviewed_on,
        &mut changes,
    )? {
        fields.push("rag");
    }
    save(conn, ctx, &entry, &changes, fields)?;
    refresh_cetr_due(conn, &entry.id, &rules.timescales)?;
    let review = ReviewRow {
        id: Uuid::now_v7().to_string(),
        register_entry_id: entry.id.clone(),
        reviewed_on: req.reviewed_on,
        rag: req.rag,
        attendees: serde_json::to_string(
            &req.attendees.iter().map(|a| a.trim()).collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| "[]".into()),
        summary: req.summary.trim().to_string(),
        next_review_due: next_due,
        recorded_by: ctx.actor_id.clone().unwrap_or_default(),
        created_at: ctx.now,
    };
    store::insert_review(conn, &review)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, REVIEW_ENTITY, Some(&review.id))
            .about(&entry.person_id)
            .fields(vec![
                "register_entry_id",
                "reviewed_on",
                "rag",
                "attendees",
                "summary",
                "next_review_due",
            ]),
    )?;
    Ok(review)
}

pub fn close(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: CloseEntryRequest,
) -> Result<EntryRow, ApiError> {
    let (ctx, today) = (&a.audit, a.today);
    let entry = active_entry(conn, id, if_match)?;
    let on = req.closed_on.unwrap_or(today);
    if on < entry.opened_on {
        return Err(ApiError::Validation(vec![FieldError::new(
            "closed_on",
            "must not be before the entry opened",
        )]));
    }
    close_entry(conn, ctx, &entry, req.reason, tidy(req.note), on)
}

/// Closes an active entry (also used when a person dies in hospital).
pub fn close_entry(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    entry: &EntryRow,
    reason: ClosureReason,
    note: Option<String>,
    on: NaiveDate,
) -> Result<EntryRow, ApiError> {
    let changes = EntryChanges {
        status: Some(EntryStatus::Closed),
        closed_on: Some(Some(on)),
        closure_reason: Some(Some(reason)),
        closure_note: Some(note),
        next_cetr_due: Some(None),
        ..EntryChanges::default()
    };
    save(
        conn,
        ctx,
        entry,
        &changes,
        vec!["status", "closed_on", "closure_reason", "closure_note"],
    )
}

/// Views for (entry, person) pairs, with keyworkers loaded in one query.
pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<(EntryRow, PersonRow)>,
    today: NaiveDate,
) -> Result<Vec<EntryView>, ApiError> {
    let keyworker_ids: Vec<String> = rows
        .iter()
        .filter_map(|(_, p)| p.keyworker_id.clone())
        .collect();
    let keyworkers = users::find_many(conn, &keyworker_ids)?;
    let entry_ids: Vec<&str> = rows.iter().map(|(e, _)| e.id.as_str()).collect();
    let mut factors = crate::risk_factors::store::current_codes(conn, &entry_ids)?;
    Ok(rows
        .into_iter()
        .map(|(entry, person)| {
            let keyworker = person
                .keyworker_id
                .as_ref()
                .and_then(|id| keyworkers.get(id))
                .map(UserSummary::from);
            let codes = factors.remove(&entry.id).unwrap_or_default();
            entry_view(entry, &person, keyworker, codes, today)
        })
        .collect())
}

fn entry_view(
    entry: EntryRow,
    person: &PersonRow,
    keyworker: Option<UserSummary>,
    risk_factors: Vec<String>,
    today: NaiveDate,
) -> EntryView {
    EntryView {
        risk_factors,
        what_has_been_tried: entry.what_has_been_tried,
        what_would_help: entry.what_would_help,
        person: PersonBrief::new(person, today),
        rag: entry.rag,
        status: entry.status,
        closure_reason: entry.closure_reason,
        review_overdue: entry.status == EntryStatus::Active
            && is_overdue(entry.next_review_due, today),
        keyworker,
        next_cetr_due: entry.next_cetr_due,
        discharge_points_complete: entry.discharge_points_complete,
        open_alerts: i64::from(entry.open_alerts),
        id: entry.id,
        reference: entry.reference,
        person_id: entry.person_id,
        opened_on: entry.opened_on,
        closed_on: entry.closed_on,
        closure_note: entry.closure_note,
        risk_summary: entry.risk_summary,
        referral_source: entry.referral_source,
        consent_note: entry.consent_note,
        last_review_on: entry.last_review_on,
        next_review_due: entry.next_review_due,
        rag_changed_on: entry.rag_changed_on,
        version: entry.version,
        created_at: entry.created_at.and_utc(),
        updated_at: entry.updated_at.and_utc(),
    }
}

pub fn view(
    conn: &mut AnyConnection,
    entry: EntryRow,
    today: NaiveDate,
) -> Result<EntryView, ApiError> {
    let person = people::get(conn, &entry.person_id)?;
    views(conn, vec![(entry, person)], today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// The entry if it exists and its person is in scope (404 otherwise); the read is audited.
fn visible_entry(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    entity: &str,
) -> Result<EntryRow, ApiError> {
    let entry = store::get(conn, id)?;
    access::ensure_person_visible(conn, &a.scope, &entry.person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, entity, Some(id)).about(&entry.person_id));
    Ok(entry)
}

pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<EntryView, ApiError> {
    let view = read_unaudited(conn, a, id)?;
    a.audit_read(read_audit(&view));
    Ok(view)
}

/// The entry as `read` answers it, not audited: for `Ctx::read_kept`, which audits every
/// answer with [`read_audit`] itself.
pub fn read_unaudited(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
) -> Result<EntryView, ApiError> {
    let entry = store::get(conn, id)?;
    access::ensure_person_visible(conn, &a.scope, &entry.person_id)?;
    view(conn, entry, a.today)
}

/// The audit row of one read of an entry.
pub fn read_audit(view: &EntryView) -> AuditEvent<'_> {
    AuditEvent::new(AuditAction::Read, ENTITY, Some(&view.id)).about(&view.person_id)
}

/// One page of the triage list and the total. The caller audits the read.
pub fn list(
    conn: &mut AnyConnection,
    filter: RegisterFilter,
    sort: Sort,
    page: Page,
    today: NaiveDate,
) -> Result<(Vec<EntryView>, i64), ApiError> {
    let (rows, total) = store::list(conn, &filter, sort, page, today)?;
    Ok((views(conn, rows, today)?, total))
}

pub fn history(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<Vec<RagChange>, ApiError> {
    let _scope = &a.scope;
    visible_entry(conn, a, id, "rag_history")?;
    let rows = store::history(conn, id)?;
    let by: Vec<String> = rows.iter().filter_map(|r| r.changed_by.clone()).collect();
    let people_by = users::find_many(conn, &by)?;
    Ok(rows
        .into_iter()
        .map(|r| RagChange {
            from: r.from_rag,
            to: r.to_rag,
            reason: r.reason,
            changed_by: r
                .changed_by
                .and_then(|id| people_by.get(&id))
                .map(UserSummary::from),
            changed_at: r.changed_at.and_utc(),
            changed_on: r.changed_on,
        })
        .collect())
}

/// Reviews with the actions they agreed, in three queries whatever the count.
pub fn review_views(
    conn: &mut AnyConnection,
    rows: Vec<ReviewRow>,
    today: NaiveDate,
) -> Result<Vec<ReviewView>, ApiError> {
    let by: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let recorders = users::find_many(conn, &by)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut actions = crate::actions::service::by_source(conn, &ids, today)?;
    Ok(rows
        .into_iter()
        .map(|r| ReviewView {
            recorded_by: recorders.get(&r.recorded_by).map(UserSummary::from),
            actions: actions.remove(&r.id).unwrap_or_default(),
            id: r.id,
            register_entry_id: r.register_entry_id,
            reviewed_on: r.reviewed_on,
            rag: r.rag,
            attendees: serde_json::from_str(&r.attendees).unwrap_or_default(),
            summary: r.summary,
            next_review_due: r.next_review_due,
            created_at: r.created_at.and_utc(),
        })
        .collect())
}

pub fn reviews(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<Vec<ReviewView>, ApiError> {
    let _scope = &a.scope;
    visible_entry(conn, a, id, REVIEW_ENTITY)?;
    let rows = store::reviews(conn, id)?;
    review_views(conn, rows, a.today)
}

pub fn review(
    conn: &mut AnyConnection,
    a: &Actor,
    entry_id: &str,
    review_id: &str,
) -> Result<ReviewView, ApiError> {
    let _scope = &a.scope;
    visible_entry(conn, a, entry_id, REVIEW_ENTITY)?;
    let row = store::get_review(conn, entry_id, review_id)?;
    review_views(conn, vec![row], a.today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// Puts a person on the register and answers the entry's view.
pub fn open_view(
    conn: &mut AnyConnection,
    a: &Actor,
    req: OpenEntryRequest,
) -> Result<EntryView, ApiError> {
    let row = open(conn, &a.audit, req, Rules::of(a))?;
    view(conn, row, a.today)
}

/// Changes an entry and answers its view.
pub fn update_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateEntryRequest,
) -> Result<EntryView, ApiError> {
    let row = update(conn, &a.audit, id, if_match, req, Rules::of(a))?;
    view(conn, row, a.today)
}

/// Records a DSR review and answers its view.
pub fn record_review_view(
    conn: &mut AnyConnection,
    a: &Actor,
    entry_id: &str,
    req: RecordReviewRequest,
) -> Result<ReviewView, ApiError> {
    let row = record_review(conn, a, entry_id, req)?;
    review_views(conn, vec![row], a.today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// Closes an entry and answers its view.
pub fn close_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: CloseEntryRequest,
) -> Result<EntryView, ApiError> {
    let row = close(conn, a, id, if_match, req)?;
    view(conn, row, a.today)
}
