//! Checking every row with the API's own rules, then writing them in one transaction: people
//! by NHS number (created or updated), their register entry (opened, or its rating changed),
//! and their keyworker.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

use super::caps::{CapError, ImportCaps};
use super::parse::{self, ReadError, Row, Sheet, DATE_FIELDS};
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::auth::actor::Actor;
use crate::db::{write_transaction, AnyConnection};
use crate::domain::NhsNumber;
use crate::error::{ApiError, FieldError};
use crate::http::json::parse_body;
use crate::http::Now;
use crate::keyworkers::model::AssignKeyworkerRequest;
use crate::people::model::{CreatePersonRequest, UpdatePersonRequest};
use crate::people::{service as people, store as people_store};
use crate::register::model::{OpenEntryRequest, UpdateEntryRequest};
use crate::register::service::{self as register, Rules};
use crate::register::store::{self as entries, EntryChanges};
use crate::users::store as users;

pub const IMPORT_REASON: &str = "spreadsheet import";

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RowError {
    /// The spreadsheet row (the header is row 1).
    pub row: usize,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// Data rows read (blank rows are passed over).
    pub rows: usize,
    pub valid_rows: usize,
    pub rejected_rows: usize,
    pub people_created: usize,
    pub people_updated: usize,
    pub entries_opened: usize,
    pub entries_updated: usize,
    pub keyworkers_assigned: usize,
    /// Valid rows that changed nothing (already imported).
    pub unchanged: usize,
    /// Rejected rows' fields and reasons: the first `imports.max_reported_errors` (100).
    pub errors: Vec<RowError>,
    /// How many errors there were in all (`errors` may list fewer).
    pub errors_total: usize,
    /// Columns that match no field and were not read.
    pub ignored_columns: Vec<String>,
    /// Rows whose new register entry is already overdue for a DSR review (its first review
    /// fell due a cadence after it opened, or after the last review the sheet gives): they
    /// will raise alerts at the next sweep.
    pub arrive_overdue: Vec<OverdueRow>,
    pub dry_run: bool,
    /// Whether anything was written.
    pub written: bool,
}

/// A row that goes on the register already overdue for review.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct OverdueRow {
    /// The spreadsheet row (the header is row 1).
    pub row: usize,
    pub next_review_due: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub caps: ImportCaps,
}

struct ValidRow {
    /// The spreadsheet row.
    number: usize,
    person: CreatePersonRequest,
    entry: OpenEntryRequest,
    keyworker_id: Option<String>,
    last_review_on: Option<NaiveDate>,
}

fn cell(row: &Row, field: &str) -> Option<String> {
    row.cells.get(field).cloned()
}

/// The row as the API's JSON bodies, with spreadsheet spellings normalised.
fn bodies(row: &Row, errors: &mut Vec<FieldError>) -> (Value, Value) {
    let mut person = Map::new();
    let mut entry = Map::new();
    let text = |f: &str| cell(row, f).map(Value::String).unwrap_or(Value::Null);
    for f in [
        "nhs_number",
        "given_name",
        "family_name",
        "gender",
        "area",
        "local_authority",
        "gp_practice",
        "consent_note",
        "ethnic_category",
        "responsible_icb",
        "communication_needs",
        "reasonable_adjustments",
    ] {
        person.insert(f.into(), text(f));
    }
    if let Some(raw) = cell(row, "postcode_district") {
        person.insert("postcode_district".into(), parse::district_of(&raw).into());
    }
    if let Some(raw) = cell(row, "confirm_not_duplicate") {
        match parse::yes_no(&raw) {
            Some(flag) => {
                person.insert("confirm_not_duplicate".into(), flag.into());
            }
            None => errors.push(FieldError::new(
                "confirm_not_duplicate",
                format!("{raw:?} is not yes or no"),
            )),
        }
    }
    if let Some(raw) = cell(row, "looked_after") {
        match parse::yes_no(&raw) {
            Some(flag) => {
                person.insert("looked_after".into(), flag.into());
            }
            None => errors.push(FieldError::new(
                "looked_after",
                format!("{raw:?} is not yes or no"),
            )),
        }
    }
    for f in DATE_FIELDS {
        let value = match cell(row, f) {
            None => Value::Null,
            Some(raw) => match parse::parse_date(&raw) {
                Some(d) => Value::String(d.to_string()),
                None => {
                    errors.push(FieldError::new(
                        f,
                        format!("{raw:?} is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
                    ));
                    Value::Null
                }
            },
        };
        match f {
            "date_of_birth" => {
                person.insert(f.into(), value);
            }
            "opened_on" => {
                entry.insert(f.into(), value);
            }
            _ => {}
        }
    }
    person.insert(
        "diagnoses".into(),
        cell(row, "diagnoses")
            .map(|d| json!(parse::diagnoses(&d)))
            .unwrap_or(Value::Null),
    );
    person.insert(
        "consent_status".into(),
        cell(row, "consent_status")
            .map(|c| Value::String(parse::enum_value(&c)))
            .unwrap_or(Value::Null),
    );
    entry.insert("person_id".into(), json!(uuid::Uuid::nil()));
    entry.insert(
        "rag".into(),
        cell(row, "rag")
            .map(|r| Value::String(parse::enum_value(&r)))
            .unwrap_or(Value::Null),
    );
    for f in ["risk_summary", "referral_source", "consent_note"] {
        entry.insert(f.into(), text(f));
    }
    // Optional fields left empty are absent, not null, exactly as an API client sends them.
    person.retain(|k, v| {
        !v.is_null()
            || [
                "nhs_number",
                "given_name",
                "family_name",
                "date_of_birth",
                "diagnoses",
                "area",
                "consent_status",
            ]
            .contains(&k.as_str())
    });
    entry.retain(|k, v| !v.is_null() || ["rag", "risk_summary"].contains(&k.as_str()));
    (Value::Object(person), Value::Object(entry))
}

fn validated<T>(body: &Value, now: Now, errors: &mut Vec<FieldError>) -> Option<T>
where
    T: serde::de::DeserializeOwned
        + validator::Validate
        + crate::http::DateRules
        + utoipa::ToSchema,
{
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    match parse_body::<T>(Some(now), &bytes) {
        Ok(value) => Some(value),
        Err(ApiError::Validation(found)) => {
            errors.extend(found);
            None
        }
        Err(other) => {
            errors.push(FieldError::new("row", other.to_string()));
            None
        }
    }
}

/// Checks one row; `keyworkers` maps usernames of active keyworkers to ids.
fn check_row(
    row: &Row,
    now: Now,
    keyworkers: &HashMap<String, String>,
) -> Result<ValidRow, Vec<FieldError>> {
    let mut errors = Vec::new();
    let (person_body, entry_body) = bodies(row, &mut errors);
    let person: Option<CreatePersonRequest> = validated(&person_body, now, &mut errors);
    let mut entry: Option<OpenEntryRequest> = validated(&entry_body, now, &mut errors);
    let last_review_on = cell(row, "last_review_on").and_then(|r| parse::parse_date(&r));
    // Without a "date added", someone reviewed on the register was on it by that review.
    if let Some(e) = entry.as_mut().filter(|e| e.opened_on.is_none()) {
        e.opened_on = last_review_on.filter(|d| *d <= now.today);
    }
    if let (Some(p), Some(e)) = (&person, &entry) {
        let opened = e.opened_on.unwrap_or(now.today);
        if opened < p.date_of_birth {
            errors.push(FieldError::new(
                "opened_on",
                "must not be before the date of birth",
            ));
        }
        if !p.consent_status.permits_register()
            && p.consent_note.is_none()
            && e.consent_note.is_none()
        {
            errors.push(FieldError::new(
                "consent_note",
                "is required: consent is not given, best-interests or parental",
            ));
        }
        if let Some(last) = last_review_on {
            if last > now.today || last < opened {
                errors.push(FieldError::new(
                    "last_review_on",
                    "must be between the opening date and today",
                ));
            }
        }
    }
    let keyworker_id = match cell(row, "keyworker") {
        None => None,
        Some(name) => match keyworkers.get(&name.trim().to_lowercase()) {
            Some(id) => Some(id.clone()),
            None => {
                errors.push(FieldError::new(
                    "keyworker",
                    format!("{name:?} is not the username of an active keyworker or clinician"),
                ));
                None
            }
        },
    };
    // One message per field: a date that did not parse is not also reported as missing.
    let mut seen = Vec::new();
    errors.retain(|e| {
        let first = !seen.contains(&e.field);
        seen.push(e.field.clone());
        first
    });
    match (person, entry) {
        (Some(person), Some(entry)) if errors.is_empty() => Ok(ValidRow {
            number: row.number,
            person,
            entry,
            keyworker_id,
            last_review_on,
        }),
        _ => Err(errors),
    }
}

/// A row rating someone in hospital anything but blue: the row's error, naming the admission
/// (the rating moves only through discharge).
fn held_blue(conn: &mut AnyConnection, row: &ValidRow) -> Result<Option<FieldError>, ApiError> {
    let Ok(nhs) = NhsNumber::parse(row.person.nhs_number.as_deref().unwrap_or_default()) else {
        return Ok(None);
    };
    let Some(person) = people_store::find_by_nhs_number(conn, nhs.as_str())? else {
        return Ok(None);
    };
    let person_id = person.merged_into.unwrap_or(person.id);
    Ok(
        register::held_blue(conn, &person_id, row.entry.rag)?
            .map(|why| FieldError::new("rag", why)),
    )
}

/// A new person (an NHS number not yet recorded) who looks like someone recorded: the row's
/// error, unless the sheet says they are someone else.
fn look_alike(
    conn: &mut AnyConnection,
    person: &CreatePersonRequest,
) -> Result<Option<FieldError>, ApiError> {
    if person.confirm_not_duplicate {
        return Ok(None);
    }
    let nhs = NhsNumber::parse(person.nhs_number.as_deref().unwrap_or_default())
        .map_err(|m| ApiError::validation("nhs_number", m))?;
    if people_store::find_by_nhs_number(conn, nhs.as_str())?.is_some() {
        return Ok(None);
    }
    let found = crate::people::duplicates::find(
        conn,
        &person.given_name,
        &person.family_name,
        person.date_of_birth,
    )?;
    Ok(found.first().map(|p| {
        FieldError::new(
            "confirm_not_duplicate",
            format!(
                "may be {} {} (born {}, NHS number {}), already recorded: if this is a different \
                 person, add a column confirm_not_duplicate with yes",
                p.given_name,
                p.family_name,
                p.date_of_birth,
                p.nhs_number.as_deref().unwrap_or("pending")
            ),
        )
    }))
}

/// A look-alike of a row earlier in the same sheet (a different NHS number, the same date of
/// birth, a similar name), unless this row says it is someone else.
fn twin_in_sheet(earlier: &[(usize, ValidRow)], row: &ValidRow) -> Option<FieldError> {
    let p = &row.person;
    if p.confirm_not_duplicate {
        return None;
    }
    earlier
        .iter()
        .find(|(_, e)| {
            let q = &e.person;
            q.nhs_number != p.nhs_number
                && q.date_of_birth == p.date_of_birth
                && crate::people::duplicates::similar(
                    &p.given_name,
                    &p.family_name,
                    &q.given_name,
                    &q.family_name,
                )
        })
        .map(|(number, _)| {
            FieldError::new(
                "confirm_not_duplicate",
                format!(
                    "may be the person on row {number}: if this is a different person, add a \
                     column confirm_not_duplicate with yes"
                ),
            )
        })
}

/// Usernames of the active users who may be named lead workers, with their ids.
fn active_keyworkers(conn: &mut AnyConnection) -> Result<HashMap<String, String>, ApiError> {
    let mut found = HashMap::new();
    for role in crate::keyworkers::service::NAMED_WORKER_ROLES {
        let (list, _) = users::list(
            conn,
            &users::UserFilter {
                role: Some(role),
                active: Some(true),
            },
            crate::http::Page {
                limit: 100_000,
                offset: 0,
            },
        )?;
        found.extend(list.into_iter().map(|u| (u.username, u.id)));
    }
    Ok(found)
}

fn validate(
    conn: &mut AnyConnection,
    sheet: &Sheet,
    now: Now,
    max_errors: usize,
    report: &mut ImportReport,
) -> Result<Vec<ValidRow>, ApiError> {
    let keyworkers = active_keyworkers(conn)?;
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    let mut valid = Vec::new();
    for row in &sheet.rows {
        let mut errors = match check_row(row, now, &keyworkers) {
            Ok(v) => match look_alike(conn, &v.person)?
                .or(held_blue(conn, &v)?)
                .or_else(|| twin_in_sheet(&valid, &v))
            {
                None => {
                    valid.push((row.number, v));
                    Vec::new()
                }
                Some(error) => vec![error],
            },
            Err(errors) => errors,
        };
        if let Some(nhs) = cell(row, "nhs_number").and_then(|n| NhsNumber::parse(&n).ok()) {
            match first_row_of.get(nhs.as_str()) {
                Some(first) => {
                    errors.push(FieldError::new(
                        "nhs_number",
                        format!("the same NHS number is on row {first}"),
                    ));
                    valid.retain(|(n, _)| *n != row.number);
                }
                None => {
                    first_row_of.insert(nhs.into_inner(), row.number);
                }
            }
        }
        report.errors_total += errors.len();
        let room = max_errors.saturating_sub(report.errors.len());
        report
            .errors
            .extend(errors.into_iter().take(room).map(|e| RowError {
                row: row.number,
                field: e.field,
                message: e.message,
            }));
    }
    report.rows = sheet.rows.len();
    report.valid_rows = valid.len();
    report.rejected_rows = report.rows - valid.len();
    Ok(valid.into_iter().map(|(_, v)| v).collect())
}

fn patch_from(person: &CreatePersonRequest, columns: &[&str]) -> UpdatePersonRequest {
    let has = |c: &str| columns.contains(&c);
    UpdatePersonRequest {
        nhs_number: None,
        given_name: has("given_name").then(|| person.given_name.clone()),
        family_name: has("family_name").then(|| person.family_name.clone()),
        date_of_birth: has("date_of_birth").then_some(person.date_of_birth),
        gender: has("gender").then(|| person.gender.clone()),
        diagnoses: has("diagnoses").then(|| person.diagnoses.clone()),
        area: has("area").then(|| person.area.clone()),
        local_authority: has("local_authority").then(|| person.local_authority.clone()),
        gp_practice: has("gp_practice").then(|| person.gp_practice.clone()),
        consent_status: has("consent_status").then_some(person.consent_status),
        consent_note: has("consent_note").then(|| person.consent_note.clone()),
        conditions: None,
        ethnic_category: has("ethnic_category").then(|| person.ethnic_category.clone()),
        communication_needs: has("communication_needs").then(|| person.communication_needs.clone()),
        reasonable_adjustments: has("reasonable_adjustments")
            .then(|| person.reasonable_adjustments.clone()),
        looked_after: has("looked_after").then_some(person.looked_after),
        postcode_district: has("postcode_district").then(|| person.postcode_district.clone()),
        responsible_icb: has("responsible_icb").then(|| person.responsible_icb.clone()),
        at_objection: has("at_objection").then_some(person.at_objection),
    }
}

/// Writes one valid row; returns whether it changed anything.
fn write_row(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    row: ValidRow,
    columns: &[&str],
    rules: Rules,
    report: &mut ImportReport,
) -> Result<bool, ApiError> {
    let nhs = NhsNumber::parse(row.person.nhs_number.as_deref().unwrap_or_default())
        .map_err(|m| ApiError::validation("nhs_number", m))?;
    let mut changed = false;
    // A merged record's NHS number means its survivor.
    let recorded = match people_store::find_by_nhs_number(conn, nhs.as_str())? {
        Some(p) => match &p.merged_into {
            Some(into) => Some(people_store::get(conn, into)?),
            None => Some(p),
        },
        None => None,
    };
    let person = match recorded {
        None => {
            report.people_created += 1;
            changed = true;
            people::create(conn, ctx, row.person)?
        }
        Some(existing) => {
            let updated = people::update(
                conn,
                ctx,
                &existing.id,
                &crate::http::IfMatch::Absent,
                patch_from(&row.person, columns),
            )?;
            if updated.version != existing.version {
                report.people_updated += 1;
                changed = true;
            }
            updated
        }
    };
    let rag = row.entry.rag;
    match entries::active_for_person(conn, &person.id)? {
        None => {
            let request = OpenEntryRequest {
                person_id: uuid::Uuid::parse_str(&person.id).map_err(ApiError::internal)?,
                ..row.entry
            };
            let entry = register::open(conn, ctx, request, rules)?;
            let due = row.last_review_on.map_or(entry.next_review_due, |last| {
                rules.cadence.next_review(last, rag)
            });
            if due < rules.today {
                report.arrive_overdue.push(OverdueRow {
                    row: row.number,
                    next_review_due: due,
                    reason: overdue_reason(row.last_review_on, entry.opened_on, due),
                });
            }
            if let Some(last) = row.last_review_on {
                let changes = EntryChanges {
                    last_review_on: Some(Some(last)),
                    next_review_due: Some(rules.cadence.next_review(last, rag)),
                    ..EntryChanges::default()
                };
                register::save(
                    conn,
                    ctx,
                    &entry,
                    &changes,
                    vec!["last_review_on", "next_review_due"],
                )?;
            }
            report.entries_opened += 1;
            changed = true;
        }
        Some(entry) if Some(entry.rag) != Some(rag) && columns.contains(&"rag") => {
            let request = UpdateEntryRequest {
                rag: Some(rag),
                rag_reason: Some(IMPORT_REASON.into()),
                ..UpdateEntryRequest::default()
            };
            register::update(
                conn,
                ctx,
                &entry.id,
                &crate::http::IfMatch::Absent,
                request,
                rules,
            )?;
            report.entries_updated += 1;
            changed = true;
        }
        Some(_) => {}
    }
    if let Some(kw) = row
        .keyworker_id
        .filter(|kw| person.keyworker_id.as_deref() != Some(kw.as_str()))
    {
        let request = AssignKeyworkerRequest {
            user_id: uuid::Uuid::parse_str(&kw).map_err(ApiError::internal)?,
            note: Some(IMPORT_REASON.into()),
        };
        crate::keyworkers::service::assign(conn, ctx, &person.id, request, rules.today)?;
        report.keyworkers_assigned += 1;
        changed = true;
    }
    Ok(changed)
}

fn overdue_reason(
    last_review_on: Option<NaiveDate>,
    opened_on: NaiveDate,
    due: NaiveDate,
) -> String {
    match last_review_on {
        Some(last) => format!("last reviewed {last}: the next review was due {due}"),
        None => format!(
            "no last review date: the first review was due {due}, a review cycle after it was \
             added on {opened_on}; add a last_review_on column to carry reviews over"
        ),
    }
}

enum Abort {
    DryRun,
    Failed(ApiError),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Abort {
        Abort::Failed(e.into())
    }
}

impl From<ApiError> for Abort {
    fn from(e: ApiError) -> Abort {
        Abort::Failed(e)
    }
}

/// A file refused before its rows are read: 413 past a size cap, 422 past a count cap
/// (naming `file`), 400 when it is not a spreadsheet at all.
fn read_error(e: ReadError) -> ApiError {
    match e {
        ReadError::Caps(CapError::TooLarge(m)) => ApiError::PayloadTooLarge(m),
        ReadError::Caps(CapError::TooMany(m)) => ApiError::validation("file", m),
        other => ApiError::validation("file", other.to_string()),
    }
}

/// A sheet that was read but holds nothing to import says so, rather than "0 rows, done".
fn check_sheet(sheet: &Sheet) -> Result<(), ApiError> {
    if sheet.columns.is_empty() {
        let found = if sheet.ignored_columns.is_empty() {
            "none".to_string()
        } else {
            sheet.ignored_columns.join(", ")
        };
        return Err(ApiError::validation(
            "file",
            format!(
                "the file has no column this service reads (found: {found}); name the columns \
                 as in the import table of the README, e.g. \"NHS number\", \"First name\", \
                 \"Surname\", \"Date of birth\", \"RAG rating\""
            ),
        ));
    }
    if sheet.rows.is_empty() {
        return Err(ApiError::validation(
            "file",
            "the file has a header row but no data rows: nothing to import",
        ));
    }
    Ok(())
}

/// Reads, checks and (unless any row fails and `skip_invalid` is off, or it is a dry run)
/// writes the file in one transaction. A dry run writes and rolls back, so its counts are
/// exactly what a real run would do.
pub fn run(
    conn: &mut AnyConnection,
    ctx: &AuditCtx,
    bytes: &[u8],
    options: ImportOptions,
    rules: Rules,
    now: Now,
) -> Result<ImportReport, ApiError> {
    let sheet = parse::read(bytes, &options.caps).map_err(read_error)?;
    check_sheet(&sheet)?;
    let mut report = ImportReport {
        dry_run: options.dry_run,
        ignored_columns: sheet.ignored_columns.clone(),
        ..ImportReport::default()
    };
    let valid = validate(
        conn,
        &sheet,
        now,
        options.caps.max_reported_errors,
        &mut report,
    )?;
    if report.rejected_rows > 0 && !options.skip_invalid {
        return Ok(report);
    }
    let mut counts = report.clone();
    let outcome = write_transaction(conn, |c| {
        for row in valid {
            if !write_row(c, ctx, row, &sheet.columns, rules, &mut counts)? {
                counts.unchanged += 1;
            }
        }
        audit::record(
            c,
            ctx,
            AuditEvent::new(AuditAction::Create, "import", None).fields(vec!["rows"]),
        )?;
        if options.dry_run {
            Err(Abort::DryRun)
        } else {
            Ok(())
        }
    });
    match outcome {
        Ok(()) => Ok(ImportReport {
            written: true,
            ..counts
        }),
        Err(Abort::DryRun) => Ok(ImportReport {
            written: false,
            ..counts
        }),
        Err(Abort::Failed(e)) => Err(e),
    }
}

/// Runs an import as the signed-in user, under today's rules.
pub fn run_for(
    conn: &mut AnyConnection,
    a: &Actor,
    bytes: &[u8],
    options: ImportOptions,
) -> Result<ImportReport, ApiError> {
    let now = Now {
        today: a.today,
        instant: a.audit.now.and_utc(),
    };
    run(conn, &a.audit, bytes, options, Rules::of(a), now)
}
