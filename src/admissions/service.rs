//! Admission turns the person's entry blue (opening one if needed); discharge follows the
//! destination: community or other → red, another hospital → stays blue, died → closed.
//! Due dates for C(E)TRs and oversight visits are kept on the admission.

use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{
    AdmissionView, CreateAdmissionRequest, CreateVisitRequest, InpatientPatch,
    UpdateAdmissionRequest, VisitView,
};
use super::store::{self, AdmissionChanges, AdmissionRow, VisitRow};
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::auth::access;
use crate::auth::actor::Actor;
use crate::cetrs::store as cetrs;
use crate::db::AnyConnection;
use crate::domain::inpatient::{DischargeDestination, Stay};
use crate::domain::inpatient_data::{
    out_of_area, AdmissionReason, Advocacy, DelayReason, LegalStatusCode, WardType,
};
use crate::domain::person::ods_code;
use crate::domain::register::ClosureReason;
use crate::domain::Rag;
use crate::error::{ApiError, FieldError};
use crate::http::{tidy, IfMatch};
use crate::people::store::{self as people, PersonRow};
use crate::register::service::{self as register, Rules};
use crate::register::store::{self as entries, EntryChanges, EntryRow};
use crate::users::model::UserSummary;
use crate::users::store as users;

pub const ENTITY: &str = "admission";
pub const VISIT_ENTITY: &str = "oversight_visit";
pub const ADMITTED_REASON: &str = "admitted";
pub const DISCHARGED_REASON: &str = "discharged";

fn stay(admission: &AdmissionRow, person: &PersonRow) -> Stay {
    Stay {
        admitted_on: admission.admitted_on,
        date_of_birth: person.date_of_birth,
        setting: admission.setting,
    }
}

/// Moves the entry to `rag` with a system reason.
fn move_entry(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    entry: &EntryRow,
    rag: Rag,
    reason: &str,
    on: chrono::NaiveDate,
    rules: Rules,
) -> Result<(), ApiError> {
    let mut changes = EntryChanges::default();
    let fields = register::change_rag_outside_review(
        conn,
        ctx,
        entry,
        rag,
        reason,
        on,
        rules.cadence,
        &mut changes,
    )?;
    if !fields.is_empty() {
        register::save(conn, ctx, entry, &changes, fields)?;
    }
    Ok(())
}

pub fn admit(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateAdmissionRequest,
) -> Result<AdmissionRow, ApiError> {
    let (ctx, rules) = (&a.audit, Rules::of(a));
    let person = people::get(conn, person_id)?;
    crate::people::merge::refuse_if_merged(&person)?;
    if req.admitted_on < person.date_of_birth {
        return Err(ApiError::validation(
            "admitted_on",
            "must not be before the date of birth",
        ));
    }
    if store::open_for_person(conn, person_id)?.is_some() {
        return Err(ApiError::Conflict(
            "this person already has an open admission; discharge it first".into(),
        ));
    }
    // Inpatients are overseen whatever their register consent: no consent check here.
    let entry_id = match entries::active_for_person(conn, person_id)? {
        Some(entry) => {
            move_entry(
                conn,
                ctx,
                &entry,
                Rag::Blue,
                ADMITTED_REASON,
                req.admitted_on,
                rules,
            )?;
            entry.id
        }
        None => {
            let row = register::new_entry(
                conn,
                ctx,
                person_id,
                Rag::Blue,
                req.admitted_on,
                rules.cadence,
            )?;
            let row = EntryRow {
                risk_summary: "Admitted to a mental health hospital".into(),
                ..row
            };
            register::insert_with_history(conn, ctx, &row, ADMITTED_REASON)?;
            row.id
        }
    };
    let inpatient = InpatientItems::default().patched(&req.inpatient());
    inpatient.check(req.admitted_on)?;
    let mut row = AdmissionRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.to_string(),
        register_entry_id: Some(entry_id.clone()),
        admitted_on: req.admitted_on,
        hospital: req.hospital.trim().to_string(),
        setting: req.setting,
        legal_status: req
            .legal_status
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty()),
        discharged_on: None,
        discharge_destination: None,
        next_cetr_due: None,
        next_visit_due: None,
        recorded_by: ctx.actor_id.clone().unwrap_or_default(),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        provider_ods: None,
        hospital_ods: None,
        hospital_icb: None,
        ward_type: None,
        legal_status_code: None,
        admission_reason: None,
        advocacy: None,
        lts_started_on: None,
        lts_ended_on: None,
        clinically_ready_on: None,
        delay_reasons: "[]".into(),
    };
    inpatient.into_row(&mut row);
    let stay = stay(&row, &person);
    row.next_cetr_due = Some(rules.timescales.next_inpatient_cetr(stay, None));
    row.next_visit_due = Some(rules.timescales.next_oversight_visit(stay, None));
    store::insert(conn, &row)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, ENTITY, Some(&row.id))
            .about(&row.person_id)
            .fields(vec![
                "person_id",
                "admitted_on",
                "hospital",
                "setting",
                "legal_status",
            ]),
    )?;
    register::refresh_cetr_due(conn, &entry_id, &rules.timescales)?;
    Ok(row)
}

/// Recomputes the admission's C(E)TR clock from the C(E)TRs held during it (also used after
/// a C(E)TR is recorded or changed). Returns the new date.
pub fn refresh_cetr_clock(
    conn: &mut AnyConnection,
    admission: &AdmissionRow,
    rules: Rules,
) -> Result<Option<chrono::NaiveDate>, ApiError> {
    if admission.discharged_on.is_some() {
        return Ok(None);
    }
    let person = people::get(conn, &admission.person_id)?;
    let last = cetrs::last_inpatient_held_on(conn, &admission.id)?;
    let due = rules
        .timescales
        .next_inpatient_cetr(stay(admission, &person), last);
    store::set_next_cetr_due(conn, &admission.id, Some(due))?;
    register::refresh_cetr_due_for_person(conn, &admission.person_id, &rules.timescales)?;
    Ok(Some(due))
}

/// An admission's inpatient items as they will stand.
#[derive(Debug, Clone, Default, PartialEq)]
struct InpatientItems {
    provider_ods: Option<String>,
    hospital_ods: Option<String>,
    hospital_icb: Option<String>,
    ward_type: Option<WardType>,
    legal_status_code: Option<LegalStatusCode>,
    admission_reason: Option<AdmissionReason>,
    advocacy: Option<Advocacy>,
    lts_started_on: Option<NaiveDate>,
    lts_ended_on: Option<NaiveDate>,
    clinically_ready_on: Option<NaiveDate>,
    delay_reasons: Vec<DelayReason>,
}

impl InpatientItems {
    fn of(row: &AdmissionRow) -> InpatientItems {
        InpatientItems {
            provider_ods: row.provider_ods.clone(),
            hospital_ods: row.hospital_ods.clone(),
            hospital_icb: row.hospital_icb.clone(),
            ward_type: row.ward_type,
            legal_status_code: row.legal_status_code,
            admission_reason: row.admission_reason,
            advocacy: row.advocacy,
            lts_started_on: row.lts_started_on,
            lts_ended_on: row.lts_ended_on,
            clinically_ready_on: row.clinically_ready_on,
            delay_reasons: delay_reasons_of(&row.delay_reasons),
        }
    }

    /// These items with the request's applied (ODS codes as stored: upper case).
    fn patched(&self, p: &InpatientPatch) -> InpatientItems {
        let code = |v: &Option<Option<String>>, now: &Option<String>| match v {
            Some(v) => tidy(v.clone()).and_then(|c| ods_code(&c)),
            None => now.clone(),
        };
        InpatientItems {
            provider_ods: code(&p.provider_ods, &self.provider_ods),
            hospital_ods: code(&p.hospital_ods, &self.hospital_ods),
            hospital_icb: code(&p.hospital_icb, &self.hospital_icb),
            ward_type: p.ward_type.unwrap_or(self.ward_type),
            legal_status_code: p.legal_status_code.unwrap_or(self.legal_status_code),
            admission_reason: p.admission_reason.unwrap_or(self.admission_reason),
            advocacy: p.advocacy.unwrap_or(self.advocacy),
            lts_started_on: p.lts_started_on.unwrap_or(self.lts_started_on),
            lts_ended_on: p.lts_ended_on.unwrap_or(self.lts_ended_on),
            clinically_ready_on: p.clinically_ready_on.unwrap_or(self.clinically_ready_on),
            delay_reasons: p
                .delay_reasons
                .clone()
                .unwrap_or(self.delay_reasons.clone()),
        }
    }

    /// The rules between the items and the stay: segregation and readiness within it, an end
    /// after a start, and delay reasons only for someone clinically ready.
    fn check(&self, admitted_on: NaiveDate) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        for (field, date) in [
            ("lts_started_on", self.lts_started_on),
            ("clinically_ready_on", self.clinically_ready_on),
        ] {
            if date.is_some_and(|d| d < admitted_on) {
                errors.push(FieldError::new(field, "must not be before the admission"));
            }
        }
        match (self.lts_started_on, self.lts_ended_on) {
            (None, Some(_)) => errors.push(FieldError::new(
                "lts_ended_on",
                "needs lts_started_on: long-term segregation must have begun to end",
            )),
            (Some(start), Some(end)) if end < start => errors.push(FieldError::new(
                "lts_ended_on",
                "must not be before lts_started_on",
            )),
            _ => {}
        }
        if !self.delay_reasons.is_empty() && self.clinically_ready_on.is_none() {
            errors.push(FieldError::new(
                "delay_reasons",
                "only for someone clinically ready for discharge: give clinically_ready_on",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// What changes from `now`, and the names of the fields that do.
    fn changes(
        &self,
        now: &InpatientItems,
        c: &mut AdmissionChanges,
        fields: &mut Vec<&'static str>,
    ) {
        macro_rules! each {
            ($($field:ident),+) => {$(
                if self.$field != now.$field {
                    c.$field = Some(self.$field.clone());
                    fields.push(stringify!($field));
                }
            )+};
        }
        each!(
            provider_ods,
            hospital_ods,
            hospital_icb,
            ward_type,
            legal_status_code,
            admission_reason,
            advocacy,
            lts_started_on,
            lts_ended_on,
            clinically_ready_on
        );
        if self.delay_reasons != now.delay_reasons {
            c.delay_reasons = Some(delay_reasons_json(&self.delay_reasons));
            fields.push("delay_reasons");
        }
    }

    fn into_row(self, row: &mut AdmissionRow) {
        row.provider_ods = self.provider_ods;
        row.hospital_ods = self.hospital_ods;
        row.hospital_icb = self.hospital_icb;
        row.ward_type = self.ward_type;
        row.legal_status_code = self.legal_status_code;
        row.admission_reason = self.admission_reason;
        row.advocacy = self.advocacy;
        row.lts_started_on = self.lts_started_on;
        row.lts_ended_on = self.lts_ended_on;
        row.clinically_ready_on = self.clinically_ready_on;
        row.delay_reasons = delay_reasons_json(&self.delay_reasons);
    }
}

fn delay_reasons_of(stored: &str) -> Vec<DelayReason> {
    serde_json::from_str(stored).unwrap_or_default()
}

fn delay_reasons_json(reasons: &[DelayReason]) -> String {
    serde_json::to_string(reasons).unwrap_or_else(|_| "[]".into())
}

pub fn update(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateAdmissionRequest,
) -> Result<AdmissionRow, ApiError> {
    let (ctx, rules) = (&a.audit, Rules::of(a));
    let admission = store::get(conn, id)?;
    if_match.check(admission.version)?;
    if admission.discharged_on.is_some() {
        return Err(ApiError::Conflict(
            "this admission has been discharged and can no longer change".into(),
        ));
    }
    let mut changes = AdmissionChanges::default();
    let mut fields = Vec::new();
    let now = InpatientItems::of(&admission);
    let items = now.patched(&req.inpatient());
    items.check(admission.admitted_on)?;
    items.changes(&now, &mut changes, &mut fields);
    if let Some(v) = req
        .hospital
        .map(|h| h.trim().to_string())
        .filter(|h| *h != admission.hospital)
    {
        changes.hospital = Some(v);
        fields.push("hospital");
    }
    let setting_changed = req.setting.filter(|s| *s != admission.setting);
    if let Some(v) = setting_changed {
        changes.setting = Some(v);
        fields.push("setting");
    }
    if let Some(v) = req
        .legal_status
        .map(tidy)
        .filter(|l| *l != admission.legal_status)
    {
        changes.legal_status = Some(v);
        fields.push("legal_status");
    }
    let discharge = match req.discharged_on {
        Some(on) if on < admission.admitted_on => {
            return Err(ApiError::validation(
                "discharged_on",
                "must not be before admitted_on",
            ));
        }
        Some(on) => {
            let destination = req
                .discharge_destination
                .unwrap_or(DischargeDestination::Community);
            changes.discharged_on = Some(Some(on));
            changes.discharge_destination = Some(Some(destination));
            changes.next_cetr_due = Some(None);
            changes.next_visit_due = Some(None);
            fields.extend(["discharged_on", "discharge_destination"]);
            Some((on, destination))
        }
        None => None,
    };
    if fields.is_empty() {
        return Ok(admission);
    }
    store::update_if_version(conn, id, admission.version, &changes, ctx.now)?;
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Update, ENTITY, Some(id))
            .about(&admission.person_id)
            .fields(fields),
    )?;
    let updated = store::get(conn, id)?;
    match discharge {
        Some((on, destination)) => follow_discharge(conn, ctx, &updated, on, destination, rules)?,
        None if setting_changed.is_some() => {
            refresh_cetr_clock(conn, &updated, rules)?;
        }
        None => {}
    }
    Ok(store::get(conn, id)?)
}

/// The register entry follows the discharge destination.
fn follow_discharge(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    admission: &AdmissionRow,
    on: chrono::NaiveDate,
    destination: DischargeDestination,
    rules: Rules,
) -> Result<(), ApiError> {
    crate::discharge::service::freeze_for_admission(conn, ctx, &admission.id, on)?;
    let Some(entry) = entries::active_for_person(conn, &admission.person_id)? else {
        return Ok(());
    };
    match destination {
        // Close watch after discharge is common local practice: red, with a system reason.
        DischargeDestination::Community | DischargeDestination::Other => {
            move_entry(conn, ctx, &entry, Rag::Red, DISCHARGED_REASON, on, rules)?;
        }
        // A transfer: still an inpatient; the new admission is recorded separately.
        DischargeDestination::OtherHospital => {}
        DischargeDestination::Died => {
            register::close_entry(conn, ctx, &entry, ClosureReason::Died, None, on)?;
        }
    }
    register::refresh_cetr_due(conn, &entry.id, &rules.timescales)
}

pub fn record_visit(
    conn: &mut AnyConnection,
    a: &Actor,
    admission_id: &str,
    req: CreateVisitRequest,
) -> Result<VisitRow, ApiError> {
    let (ctx, rules) = (&a.audit, Rules::of(a));
    let admission = store::get(conn, admission_id)?;
    if req.visited_on < admission.admitted_on {
        return Err(ApiError::validation(
            "visited_on",
            "must not be before the admission",
        ));
    }
    if admission.discharged_on.is_some_and(|d| req.visited_on > d) {
        return Err(ApiError::validation(
            "visited_on",
            "must not be after the discharge",
        ));
    }
    let row = VisitRow {
        id: Uuid::now_v7().to_string(),
        admission_id: admission_id.to_string(),
        visited_on: req.visited_on,
        visitor: req.visitor.trim().to_string(),
        notes: tidy(req.notes),
        concerns: tidy(req.concerns),
        recorded_by: ctx.actor_id.clone().unwrap_or_default(),
        created_at: ctx.now,
    };
    store::insert_visit(conn, &row)?;
    if admission.discharged_on.is_none() {
        let person = people::get(conn, &admission.person_id)?;
        let last = store::last_visit_on(conn, admission_id)?;
        let due = rules
            .timescales
            .next_oversight_visit(stay(&admission, &person), last);
        store::set_next_visit_due(conn, admission_id, Some(due))?;
    }
    audit::record(
        conn,
        ctx,
        AuditEvent::new(AuditAction::Create, VISIT_ENTITY, Some(&row.id))
            .about(&admission.person_id)
            .fields(vec![
                "admission_id",
                "visited_on",
                "visitor",
                "notes",
                "concerns",
            ]),
    )?;
    Ok(row)
}

pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<AdmissionRow>,
) -> Result<Vec<AdmissionView>, ApiError> {
    let person_ids: Vec<String> = rows.iter().map(|r| r.person_id.clone()).collect();
    let persons = people::find_many(conn, &person_ids)?;
    let recorder_ids: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let recorders = users::find_many(conn, &recorder_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let under_18 = persons
                .get(&r.person_id)
                .map(|p| stay(&r, p).under_18())
                .unwrap_or(false);
            let responsible = persons
                .get(&r.person_id)
                .and_then(|p| p.responsible_icb.as_deref());
            AdmissionView {
                out_of_area: out_of_area(r.hospital_icb.as_deref(), responsible),
                delay_reasons: delay_reasons_of(&r.delay_reasons),
                provider_ods: r.provider_ods,
                hospital_ods: r.hospital_ods,
                hospital_icb: r.hospital_icb,
                ward_type: r.ward_type,
                legal_status_code: r.legal_status_code,
                admission_reason: r.admission_reason,
                advocacy: r.advocacy,
                lts_started_on: r.lts_started_on,
                lts_ended_on: r.lts_ended_on,
                clinically_ready_on: r.clinically_ready_on,
                setting: r.setting,
                discharge_destination: r.discharge_destination,
                recorded_by: recorders.get(&r.recorded_by).map(UserSummary::from),
                under_18_on_admission: under_18,
                id: r.id,
                person_id: r.person_id,
                register_entry_id: r.register_entry_id,
                admitted_on: r.admitted_on,
                hospital: r.hospital,
                legal_status: r.legal_status,
                discharged_on: r.discharged_on,
                next_cetr_due: r.next_cetr_due,
                next_visit_due: r.next_visit_due,
                version: r.version,
                created_at: r.created_at.and_utc(),
                updated_at: r.updated_at.and_utc(),
            }
        })
        .collect())
}

pub fn view(conn: &mut AnyConnection, row: AdmissionRow) -> Result<AdmissionView, ApiError> {
    views(conn, vec![row])?.pop().ok_or(ApiError::NotFound)
}

/// The admission if its person is in scope (404 otherwise); the read is audited.
pub fn visible(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    entity: &str,
) -> Result<AdmissionRow, ApiError> {
    let scope = &a.scope;
    let admission = store::get(conn, id)?;
    access::ensure_person_visible(conn, scope, &admission.person_id)?;
    a.audit_read(AuditEvent::new(AuditAction::Read, entity, Some(id)).about(&admission.person_id));
    Ok(admission)
}

pub fn for_person(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
) -> Result<Vec<AdmissionView>, ApiError> {
    let scope = &a.scope;
    access::ensure_person_visible(conn, scope, person_id)?;
    a.audit_read(
        AuditEvent::new(AuditAction::Read, "admission_list", Some(person_id)).about(person_id),
    );
    let rows = store::for_person(conn, person_id)?;
    views(conn, rows)
}

/// Visits with the actions they agreed, in three queries whatever the count.
pub fn visit_views(
    conn: &mut AnyConnection,
    rows: Vec<VisitRow>,
    today: chrono::NaiveDate,
) -> Result<Vec<VisitView>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.recorded_by.clone()).collect();
    let recorders = users::find_many(conn, &ids)?;
    let visit_ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut actions = crate::actions::service::by_source(conn, &visit_ids, today)?;
    Ok(rows
        .into_iter()
        .map(|r| VisitView {
            recorded_by: recorders.get(&r.recorded_by).map(UserSummary::from),
            actions: actions.remove(&r.id).unwrap_or_default(),
            id: r.id,
            admission_id: r.admission_id,
            visited_on: r.visited_on,
            visitor: r.visitor,
            notes: r.notes,
            concerns: r.concerns,
            created_at: r.created_at.and_utc(),
        })
        .collect())
}

/// Records an admission and answers its view.
pub fn admit_view(
    conn: &mut AnyConnection,
    a: &Actor,
    person_id: &str,
    req: CreateAdmissionRequest,
) -> Result<AdmissionView, ApiError> {
    let row = admit(conn, a, person_id, req)?;
    view(conn, row)
}

/// Reads one admission (audited).
pub fn read(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<AdmissionView, ApiError> {
    let row = visible(conn, a, id, ENTITY)?;
    view(conn, row)
}

/// Discharges or corrects an admission and answers its view.
pub fn update_view(
    conn: &mut AnyConnection,
    a: &Actor,
    id: &str,
    if_match: &IfMatch,
    req: UpdateAdmissionRequest,
) -> Result<AdmissionView, ApiError> {
    let row = update(conn, a, id, if_match, req)?;
    view(conn, row)
}

/// Records an oversight visit and answers its view.
pub fn record_visit_view(
    conn: &mut AnyConnection,
    a: &Actor,
    admission_id: &str,
    req: CreateVisitRequest,
) -> Result<VisitView, ApiError> {
    let row = record_visit(conn, a, admission_id, req)?;
    visit_views(conn, vec![row], a.today)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// An admission's oversight visits, newest first (the read is audited).
pub fn visits(conn: &mut AnyConnection, a: &Actor, id: &str) -> Result<Vec<VisitView>, ApiError> {
    let admission = visible(conn, a, id, VISIT_ENTITY)?;
    let rows = store::visits(conn, &admission.id)?;
    visit_views(conn, rows, a.today)
}
