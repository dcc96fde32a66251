use uuid::Uuid;

use super::model::{
    CreateReferralRequest, ReferralQuery, ReferralStatus, ReferralView, UpdateReferralRequest,
};
use super::store::{self, ReferralChanges, ReferralRow};
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::alerts::add_working_days;
use crate::domain::referral::format_reference;
use crate::domain::register::add_days;
use crate::domain::{Rag, Role};
use crate::error::{ApiError, FieldError};
use crate::http::{comma_list, tidy, IfMatch, ListResponse, Page};
use crate::people::model::CreatePersonRequest;
use crate::people::store as people;
use crate::register::model::OpenEntryRequest;
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "referral";

/// Coordinators and managers see every referral; anyone else the referrals they made.
pub fn sees_every_referral(role: Role) -> bool {
    matches!(role, Role::Coordinator | Role::Manager)
}

/// Whose referrals the caller sees: `None` for all of them.
fn made_by(a: &Actor) -> Option<&str> {
    (!sees_every_referral(a.user.role)).then_some(a.user.id.as_str())
}

fn visible(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<ReferralRow, ApiError> {
    let row = store::get(conn, id)?;
    match made_by(a) {
        Some(me) if row.recorded_by != me => Err(ApiError::NotFound),
        _ => Ok(row),
    }
}

pub fn create(
    conn: &mut AnyConnection,
    a: &Actor,
    req: CreateReferralRequest,
) -> Result<ReferralView, ApiError> {
    let (person_id, person_details, area) = match (req.person_id, req.person) {
        (Some(id), _) => {
            let id = id.to_string();
            // A keyworker refers only someone they may see (their caseload): anyone else is
            // refused as unseen (404, recorded as a refusal); an id of no one is the body's
            // mistake (422).
            access::ensure_person_visible(conn, &a.scope, &id).map_err(|e| match e {
                ApiError::NotFound => ApiError::validation("person_id", "no such person"),
                other => other,
            })?;
            let person = people::get(conn, &id)?;
            crate::people::merge::refuse_if_merged(&person)?;
            (Some(id), None, person.area)
        }
        (None, Some(person)) => {
            let area = person.area.trim().to_string();
            let json = serde_json::to_string(&person)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("referral details: {e}")))?;
            (None, Some(json), area)
        }
        (None, None) => return Err(ApiError::validation("person", "is required")),
    };
    let number = store::next_reference_number(conn)?;
    let now = a.audit.now;
    let row = ReferralRow {
        id: Uuid::now_v7().to_string(),
        reference_number: number,
        reference: format_reference(number),
        status: ReferralStatus::Received,
        person_id,
        person_details,
        area,
        referrer_name: req.referrer_name.trim().to_string(),
        referrer_organisation: tidy(req.referrer_organisation),
        referrer_contact: tidy(req.referrer_contact),
        reason: req.reason.trim().to_string(),
        received_on: req.received_on,
        first_contact_on: None,
        screened_on: None,
        decided_on: None,
        decision_reason: None,
        referrer_told_on: None,
        register_entry_id: None,
        version: 1,
        recorded_by: a.user.id.clone(),
        decided_by: None,
        created_at: now,
        updated_at: now,
    };
    store::insert(conn, &row)?;
    // About the person once there is one (a referral of someone recorded).
    let event = AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
        .about_all(row.person_id.clone())
        .fields(vec![
            "person",
            "referrer_name",
            "referrer_organisation",
            "referrer_contact",
            "reason",
            "received_on",
        ]);
    audit::record(conn, &a.audit, event)?;
    one_view(conn, a, row)
}

/// Screens, decides, or records a contact on a referral (coordinators). Accepting puts the
/// person on the register in the same transaction: the person is created from the held
/// details (refused as a possible duplicate unless confirmed, or linked with `person_id`),
/// and an entry opened with the given rating (default amber) and risk summary (default the
/// referral's reason).
pub fn update(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateReferralRequest,
) -> Result<ReferralView, ApiError> {
    let current = visible(conn, a, id)?;
    if_match.check(current.version)?;
    let mut changes = ReferralChanges::default();
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    for (field, date) in [
        ("first_contact_on", req.first_contact_on),
        ("referrer_told_on", req.referrer_told_on),
    ] {
        if date.is_some_and(|d| d < current.received_on) {
            errors.push(FieldError::new(field, "must not be before received_on"));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Some(d) = req
        .first_contact_on
        .filter(|d| Some(*d) != current.first_contact_on)
    {
        changes.first_contact_on = Some(Some(d));
        fields.push("first_contact_on");
    }
    if let Some(d) = req
        .referrer_told_on
        .filter(|d| Some(*d) != current.referrer_told_on)
    {
        changes.referrer_told_on = Some(Some(d));
        fields.push("referrer_told_on");
    }
    let mut person_for_audit = current.person_id.clone();
    if let Some(to) = req.status.filter(|s| *s != current.status) {
        if !current.status.may_move_to(to) {
            return Err(ApiError::Conflict(format!(
                "a referral {} cannot become {}",
                current.status.as_str(),
                to.as_str()
            )));
        }
        changes.status = Some(to);
        fields.push("status");
        match to {
            ReferralStatus::Screened => changes.screened_on = Some(Some(a.today)),
            ReferralStatus::Declined => {
                changes.decided_on = Some(Some(a.today));
                changes.decided_by = Some(Some(a.user.id.clone()));
                changes.decision_reason = Some(tidy(req.decision_reason.clone()));
                fields.push("decision_reason");
            }
            ReferralStatus::Accepted => {
                let (person_id, entry_id) = accept(conn, a, &current, &req)?;
                changes.decided_on = Some(Some(a.today));
                changes.decided_by = Some(Some(a.user.id.clone()));
                changes.decision_reason = Some(tidy(req.decision_reason.clone()));
                changes.person_id = Some(Some(person_id.clone()));
                // The details now live on the person record; the referral keeps the link.
                changes.person_details = Some(None);
                changes.register_entry_id = Some(Some(entry_id));
                fields.extend(["person_id", "register_entry_id"]);
                person_for_audit = Some(person_id);
            }
            ReferralStatus::Received => {
                return Err(ApiError::validation(
                    "status",
                    "one of: screened, accepted, declined",
                ))
            }
        }
    } else if req.decision_reason.is_some() {
        return Err(ApiError::validation(
            "decision_reason",
            "only with status accepted or declined",
        ));
    }
    if fields.is_empty() {
        return one_view(conn, a, current);
    }
    store::update_if_version(conn, id, current.version, &changes, a.audit.now)?;
    let event = AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
        .about_all(person_for_audit)
        .fields(fields);
    audit::record(conn, &a.audit, event)?;
    let row = store::get(conn, id)?;
    one_view(conn, a, row)
}

/// The person accepted (linked, or created from the referral's details) and the entry
/// opened for them.
fn accept(
    conn: &mut AnyConnection,
    a: &Actor,
    referral: &ReferralRow,
    req: &UpdateReferralRequest,
) -> Result<(String, String), ApiError> {
    let person_id = match (req.person_id, &referral.person_id, &referral.person_details) {
        (Some(id), _, _) => {
            let id = id.to_string();
            let person = people::get(conn, &id)
                .map_err(|_| ApiError::validation("person_id", "no such person"))?;
            crate::people::merge::refuse_if_merged(&person)?;
            id
        }
        (None, Some(id), _) => id.clone(),
        (None, None, Some(details)) => {
            let mut person: CreatePersonRequest = serde_json::from_str(details).map_err(|e| {
                ApiError::Internal(anyhow::anyhow!("referral {}: {e}", referral.id))
            })?;
            person.confirm_not_duplicate = req.confirm_not_duplicate;
            crate::people::service::create(conn, &a.audit, person)?.id
        }
        (None, None, None) => {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "referral {} has neither a person nor details",
                referral.id
            )))
        }
    };
    let source = match &referral.referrer_organisation {
        Some(org) => format!("{} ({}, {org})", referral.reference, referral.referrer_name),
        None => format!("{} ({})", referral.reference, referral.referrer_name),
    };
    let entry = crate::register::service::open(
        conn,
        &a.audit,
        OpenEntryRequest {
            person_id: Uuid::parse_str(&person_id)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("person id {person_id}: {e}")))?,
            rag: req.rag.unwrap_or(Rag::Amber),
            risk_summary: tidy(req.risk_summary.clone()).unwrap_or_else(|| referral.reason.clone()),
            opened_on: Some(a.today),
            referral_source: Some(source.chars().take(200).collect()),
            consent_note: tidy(req.consent_note.clone()),
            what_has_been_tried: None,
            what_would_help: None,
        },
        crate::register::service::Rules::of(a),
    )?;
    Ok((person_id, entry.id))
}

pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<ReferralView, ApiError> {
    let row = visible(conn, a, id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, ENTITY, Some(id)).about_all(row.person_id.clone()),
    );
    one_view(conn, a, row)
}

/// The referral queue, oldest received first: every referral for coordinators and
/// managers, one's own for anyone else.
pub fn list(
    conn: &mut AnyConnection,
    a: &Actor,
    query: ReferralQuery,
    page: Page,
) -> Result<ListResponse<ReferralView>, ApiError> {
    let mut errors = Vec::new();
    let statuses = comma_list(query.status.as_deref(), "status", &mut errors, |s| {
        ReferralStatus::parse(s).ok_or_else(|| {
            format!("unknown status {s:?}: one of: received, screened, accepted, declined")
        })
    });
    if !errors.is_empty() {
        return Err(ApiError::BadQuery(errors));
    }
    let (rows, total) = store::list(conn, &statuses, made_by(a), page)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "referral_list", None)
            .about_all(rows.iter().filter_map(|r| r.person_id.clone())),
    );
    Ok(ListResponse::new(views(conn, a, rows)?, total, page))
}

fn one_view(
    conn: &mut AnyConnection,
    a: &Actor,
    row: ReferralRow,
) -> Result<ReferralView, ApiError> {
    views(conn, a, vec![row])?.pop().ok_or(ApiError::NotFound)
}

pub fn views(
    conn: &mut AnyConnection,
    a: &Actor,
    rows: Vec<ReferralRow>,
) -> Result<Vec<ReferralView>, ApiError> {
    let ids: Vec<String> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.recorded_by.clone()).chain(r.decided_by.clone()))
        .collect();
    let staff = users::find_many(conn, &ids)?;
    let linked: Vec<String> = rows.iter().filter_map(|r| r.person_id.clone()).collect();
    let persons = people::find_many(conn, &linked)?;
    let t = &a.settings.timescales;
    rows.into_iter()
        .map(|r| {
            let person: Option<CreatePersonRequest> = match &r.person_details {
                Some(json) => Some(serde_json::from_str(json).map_err(|e| {
                    ApiError::Internal(anyhow::anyhow!(
                        "referral {}: details unreadable: {e}",
                        r.id
                    ))
                })?),
                None => None,
            };
            let name = match (&person, r.person_id.as_ref().and_then(|p| persons.get(p))) {
                (_, Some(p)) => format!("{} {}", p.given_name, p.family_name),
                (Some(p), None) => format!("{} {}", p.given_name.trim(), p.family_name.trim()),
                (None, None) => String::new(),
            };
            let undecided = !r.status.decided();
            Ok(ReferralView {
                recorded_by: staff.get(&r.recorded_by).map(UserSummary::from),
                decided_by: r
                    .decided_by
                    .as_ref()
                    .and_then(|d| staff.get(d))
                    .map(UserSummary::from),
                contact_due_on: (undecided && r.first_contact_on.is_none())
                    .then(|| add_working_days(r.received_on, t.referral_contact_working_days)),
                decision_due_on: undecided
                    .then(|| add_days(r.received_on, t.referral_decision_days)),
                created_at: r.created_at.and_utc(),
                updated_at: r.updated_at.and_utc(),
                name,
                person,
                id: r.id,
                reference: r.reference,
                status: r.status,
                person_id: r.person_id,
                area: r.area,
                referrer_name: r.referrer_name,
                referrer_organisation: r.referrer_organisation,
                referrer_contact: r.referrer_contact,
                reason: r.reason,
                received_on: r.received_on,
                first_contact_on: r.first_contact_on,
                screened_on: r.screened_on,
                decided_on: r.decided_on,
                decision_reason: r.decision_reason,
                referrer_told_on: r.referrer_told_on,
                register_entry_id: r.register_entry_id,
                version: r.version,
            })
        })
        .collect()
}
