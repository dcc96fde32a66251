//! People: create, update, read (audited), search.

use chrono::NaiveDate;
use uuid::Uuid;

use super::duplicates;
use super::model::{
    stored_conditions, CreatePersonRequest, PersonQuery, PersonView, UpdatePersonRequest,
};
use super::store::{self, NewPersonRow, PersonChanges, PersonFilter, PersonRow, Search};
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::db::AnyConnection;
use crate::domain::person::{
    diagnosed, ods_code, postcode_district, Condition, Diagnosis, NhsNumberStatus,
};
use crate::domain::NhsNumber;
use crate::error::ApiError;
use crate::http::{tidy, Diff, IfMatch, ListResponse, Page};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "person";

fn nhs(raw: &str) -> Result<String, ApiError> {
    NhsNumber::parse(raw)
        .map(NhsNumber::into_inner)
        .map_err(|m| ApiError::validation("nhs_number", m))
}

/// Sorted and without repeats, so the stored list is canonical.
fn diagnoses_json(list: &[Diagnosis]) -> String {
    let mut names: Vec<String> = list
        .iter()
        .map(|d| {
            serde_json::to_value(d)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        })
        .collect();
    names.sort();
    names.dedup();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".into())
}

/// In a canonical order (by condition), so the stored list compares equal when unchanged.
fn conditions_json(list: &[Condition]) -> String {
    let mut list = list.to_vec();
    list.sort_by_key(|c| c.condition as u8);
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
}

/// The codes as stored: upper case, postcode districts and ODS codes normalised.
fn code(value: Option<String>, normalise: fn(&str) -> Option<String>) -> Option<String> {
    tidy(value).and_then(|v| normalise(&v))
}

fn ethnic(raw: &str) -> Option<String> {
    Some(raw.trim().to_uppercase())
}

fn duplicate_nhs_number() -> ApiError {
    ApiError::Conflict("a person with this NHS number is already recorded".into())
}

pub fn create(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    req: CreatePersonRequest,
) -> Result<PersonRow, ApiError> {
    // Checked by the request's rules already: a number exactly when it is recorded.
    let status = req.nhs_number_status.unwrap_or_default();
    let nhs_number = req.nhs_number.as_deref().map(nhs).transpose()?;
    if let Some(n) = &nhs_number {
        if store::nhs_number_taken(conn, n)? {
            return Err(duplicate_nhs_number());
        }
    }
    if !req.confirm_not_duplicate {
        let matches = duplicates::find(conn, &req.given_name, &req.family_name, req.date_of_birth)?;
        if !matches.is_empty() {
            return Err(ApiError::PossibleDuplicate(
                matches.iter().map(duplicates::summary).collect(),
            ));
        }
    }
    let (given, family) = (
        req.given_name.trim().to_string(),
        req.family_name.trim().to_string(),
    );
    let id = Uuid::now_v7().to_string();
    let conditions = req.all_conditions();
    store::insert(
        conn,
        &NewPersonRow {
            diagnoses: diagnoses_json(&diagnosed(&conditions)),
            conditions: conditions_json(&conditions),
            ethnic_category: code(req.ethnic_category, ethnic),
            communication_needs: tidy(req.communication_needs),
            reasonable_adjustments: tidy(req.reasonable_adjustments),
            looked_after: req.looked_after,
            postcode_district: code(req.postcode_district, postcode_district),
            responsible_icb: code(req.responsible_icb, ods_code),
            at_objection: req.at_objection,
            merged_into: None,
            merged_at: None,
            merge_reason: None,
            id: id.clone(),
            nhs_number,
            nhs_number_status: status,
            nhs_number_pending_since: (status == NhsNumberStatus::Pending).then(|| ctx.now.date()),
            cyp_keyworker_id: None,
            search_name: store::search_name(&given, &family),
            given_name: given,
            family_name: family,
            date_of_birth: req.date_of_birth,
            gender: tidy(req.gender),
            area: req.area.trim().to_string(),
            local_authority: tidy(req.local_authority),
            gp_practice: tidy(req.gp_practice),
            consent_status: req.consent_status,
            consent_note: tidy(req.consent_note),
            keyworker_id: None,
            version: 1,
            created_at: ctx.now,
            updated_at: ctx.now,
        },
    )?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&id))
            .about(&id)
            .fields(vec![
                "nhs_number",
                "given_name",
                "family_name",
                "date_of_birth",
                "gender",
                "diagnoses",
                "area",
                "local_authority",
                "gp_practice",
                "consent_status",
                "consent_note",
                "conditions",
                "ethnic_category",
                "communication_needs",
                "reasonable_adjustments",
                "looked_after",
                "postcode_district",
                "responsible_icb",
                "at_objection",
            ]),
    )?;
    Ok(store::get(conn, &id)?)
}

/// Keeps what differs from `current`, naming each changed field.
fn diff(
    current: &PersonRow,
    req: UpdatePersonRequest,
) -> Result<(PersonChanges, Vec<&'static str>), ApiError> {
    let mut c = PersonChanges::default();
    let mut d = Diff::default();
    let new_conditions = req.new_conditions();
    let text = |v: String| v.trim().to_string();
    d.set(
        "nhs_number",
        req.nhs_number.map(|n| nhs(&n).map(Some)).transpose()?,
        &current.nhs_number,
        &mut c.nhs_number,
    );
    // A number given records it: a pending one is pending no longer.
    if c.nhs_number.is_some() && current.nhs_number_status == NhsNumberStatus::Pending {
        c.nhs_number_status = Some(NhsNumberStatus::Recorded);
        c.nhs_number_pending_since = Some(None);
        d.fields.push("nhs_number_status");
    }
    d.set(
        "given_name",
        req.given_name.map(text),
        &current.given_name,
        &mut c.given_name,
    );
    d.set(
        "family_name",
        req.family_name.map(text),
        &current.family_name,
        &mut c.family_name,
    );
    if c.given_name.is_some() || c.family_name.is_some() {
        let given = c.given_name.as_deref().unwrap_or(&current.given_name);
        let family = c.family_name.as_deref().unwrap_or(&current.family_name);
        c.search_name = Some(store::search_name(given, family));
    }
    d.set(
        "date_of_birth",
        req.date_of_birth,
        &current.date_of_birth,
        &mut c.date_of_birth,
    );
    d.set(
        "gender",
        req.gender.map(tidy),
        &current.gender,
        &mut c.gender,
    );
    if let Some(list) = new_conditions {
        let stored = stored_conditions(&current.conditions, &current.diagnoses);
        d.set(
            "conditions",
            Some(conditions_json(&list)),
            &conditions_json(&stored),
            &mut c.conditions,
        );
        d.set(
            "diagnoses",
            Some(diagnoses_json(&diagnosed(&list))),
            &current.diagnoses,
            &mut c.diagnoses,
        );
    }
    d.set(
        "ethnic_category",
        req.ethnic_category.map(|v| code(v, ethnic)),
        &current.ethnic_category,
        &mut c.ethnic_category,
    );
    d.set(
        "communication_needs",
        req.communication_needs.map(tidy),
        &current.communication_needs,
        &mut c.communication_needs,
    );
    d.set(
        "reasonable_adjustments",
        req.reasonable_adjustments.map(tidy),
        &current.reasonable_adjustments,
        &mut c.reasonable_adjustments,
    );
    d.set(
        "looked_after",
        req.looked_after,
        &current.looked_after,
        &mut c.looked_after,
    );
    d.set(
        "postcode_district",
        req.postcode_district.map(|v| code(v, postcode_district)),
        &current.postcode_district,
        &mut c.postcode_district,
    );
    d.set(
        "responsible_icb",
        req.responsible_icb.map(|v| code(v, ods_code)),
        &current.responsible_icb,
        &mut c.responsible_icb,
    );
    d.set(
        "at_objection",
        req.at_objection,
        &current.at_objection,
        &mut c.at_objection,
    );
    d.set("area", req.area.map(text), &current.area, &mut c.area);
    d.set(
        "local_authority",
        req.local_authority.map(tidy),
        &current.local_authority,
        &mut c.local_authority,
    );
    d.set(
        "gp_practice",
        req.gp_practice.map(tidy),
        &current.gp_practice,
        &mut c.gp_practice,
    );
    d.set(
        "consent_status",
        req.consent_status,
        &current.consent_status,
        &mut c.consent_status,
    );
    d.set(
        "consent_note",
        req.consent_note.map(tidy),
        &current.consent_note,
        &mut c.consent_note,
    );
    Ok((c, d.fields))
}

pub fn update(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    id: &str,
    if_match: &IfMatch,
    req: UpdatePersonRequest,
) -> Result<PersonRow, ApiError> {
    let current = store::get(conn, id)?;
    super::merge::refuse_if_merged(&current)?;
    if_match.check(current.version)?;
    let (changes, fields) = diff(&current, req)?;
    if fields.is_empty() {
        return Ok(current);
    }
    if let Some(Some(n)) = &changes.nhs_number {
        if store::nhs_number_taken(conn, n)? {
            return Err(duplicate_nhs_number());
        }
    }
    store::update_if_version(conn, id, current.version, &changes, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(id)
            .fields(fields),
    )?;
    Ok(store::get(conn, id)?)
}

/// Views for rows, with keyworkers and active entries loaded in two queries, not per row.
pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<PersonRow>,
    today: NaiveDate,
) -> Result<Vec<PersonView>, ApiError> {
    let keyworker_ids: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.keyworker_id.clone(), r.cyp_keyworker_id.clone()])
        .flatten()
        .collect();
    let keyworkers = users::find_many(conn, &keyworker_ids)?;
    let person_ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut entries = store::active_entries(conn, &person_ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let named = |id: &Option<String>| {
                id.as_ref()
                    .and_then(|id| keyworkers.get(id))
                    .map(UserSummary::from)
            };
            let workers = (named(&row.keyworker_id), named(&row.cyp_keyworker_id));
            let entry = entries.remove(&row.id);
            PersonView::new(row, today, workers, entry)
        })
        .collect())
}

pub fn view(
    conn: &mut AnyConnection,
    row: PersonRow,
    today: NaiveDate,
) -> Result<PersonView, ApiError> {
    views(conn, vec![row], today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// Adds a person and answers their view.
pub fn create_view(
    conn: &mut AnyConnection,
    a: &Actor,
    req: CreatePersonRequest,
) -> Result<PersonView, ApiError> {
    let row = create(conn, &a.audit, req)?;
    view(conn, row, a.today)
}

/// Merges person `id` into `req.into` and answers the survivor's view.
pub fn merge_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    req: super::merge::MergeRequest,
) -> Result<PersonView, ApiError> {
    let row = super::merge::merge(conn, a, id, req)?;
    view(conn, row, a.today)
}

/// Updates a person and answers their view.
pub fn update_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdatePersonRequest,
) -> Result<PersonView, ApiError> {
    let row = update(conn, &a.audit, id, if_match, req)?;
    view(conn, row, a.today)
}

/// Reads one person (404 outside the caller's scope) and audits the read.
pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<PersonView, ApiError> {
    let view = read_unaudited(conn, a, id)?;
    a.audit_read(read_audit(&view));
    Ok(view)
}

/// The person as `read` answers them, not audited: for `Ctx::read_kept`, which audits every
/// answer with [`read_audit`] itself.
pub fn read_unaudited(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
) -> Result<PersonView, ApiError> {
    access::ensure_person_visible(conn, &a.scope, id)?;
    let row = store::get(conn, id)?;
    view(conn, row, a.today)
}

/// The audit row of one read of a person.
pub fn read_audit(view: &PersonView) -> AuditEvent<'_> {
    AuditEvent::new(AuditAction::Read, ENTITY, Some(&view.id)).about(&view.id)
}

/// Searches people in the caller's scope; the search itself is audited as one read.
pub fn search(
    conn: &mut AnyConnection,
    a: &Actor,
    query: PersonQuery,
    page: Page,
) -> Result<ListResponse<PersonView>, ApiError> {
    let filter = PersonFilter {
        search: query.search.as_deref().and_then(Search::parse),
        caseload_of: a.scope.caseload_of().map(String::from),
    };
    let (rows, total) = store::list(conn, &filter, page)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "person_list", None)
            .about_all(rows.iter().map(|r| r.id.clone())),
    );
    Ok(ListResponse::new(views(conn, rows, a.today)?, total, page))
}
