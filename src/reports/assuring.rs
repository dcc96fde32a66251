//! The inpatient return in the shape of Assuring Transformation: one row per person in
//! hospital on a date, in the column order of `domain.md`. A person who objected to the
//! return (`at_objection`) stays in it (they are still counted) with their identifiers blank.
//! The official return's item names differ by version: `docs/assuring-transformation.md`
//! keeps the mapping.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::export::CsvExport;
use crate::admissions::store::AdmissionRow;
use crate::audit::{self, AuditAction, AuditEvent};
use crate::auth::actor::Actor;
use crate::db::schema::{admissions, cetrs, discharge_plans, oversight_visits, register_entries};
use crate::db::AnyConnection;
use crate::domain::inpatient::{CetrKind, Stay, Timescales};
use crate::domain::inpatient_data::{out_of_area, DelayReason};
use crate::domain::reports::on_register_before;
use crate::error::{ApiError, FieldError};
use crate::people::store::{self as people, PersonRow};

/// The columns, in the order of `domain.md` (*Assuring Transformation-shaped return*).
pub const COLUMNS: [&str; 21] = [
    "nhs_number",
    "date_of_birth",
    "gender",
    "ethnic_category",
    "responsible_icb",
    "provider_ods",
    "hospital_ods",
    "ward_type",
    "admitted_on",
    "legal_status",
    "admission_reason",
    "on_register_before_admission",
    "advocacy",
    "lts_started_on",
    "last_cetr_on",
    "next_cetr_due",
    "last_oversight_visit_on",
    "clinically_ready_on",
    "delay_reasons",
    "out_of_area",
    "planned_discharge_date",
];

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssuringQuery {
    /// The day the return describes (default today; not in the future).
    #[param(format = Date)]
    pub as_of: Option<String>,
}

impl AssuringQuery {
    pub fn as_of(&self, today: NaiveDate) -> Result<NaiveDate, ApiError> {
        let bad = |message: &str| ApiError::BadQuery(vec![FieldError::new("as_of", message)]);
        match self.as_of.as_deref() {
            None => Ok(today),
            Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) if d > today => Err(bad("must not be in the future")),
                Ok(d) => Ok(d),
                Err(_) => Err(bad("must be a date, YYYY-MM-DD")),
            },
        }
    }
}

/// What the return says of one stay, beyond the admission and the person themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StayFacts {
    pub on_register_before_admission: bool,
    pub last_cetr_on: Option<NaiveDate>,
    pub next_cetr_due: Option<NaiveDate>,
    pub last_oversight_visit_on: Option<NaiveDate>,
    pub planned_discharge_date: Option<NaiveDate>,
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn code<T: Copy>(value: Option<T>, as_str: fn(T) -> &'static str) -> String {
    value.map(as_str).unwrap_or_default().to_string()
}

/// When the long-term segregation the person is in on `as_of` began: none if it had not
/// begun by then or had already ended.
fn in_segregation_since(
    started: Option<NaiveDate>,
    ended: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Option<NaiveDate> {
    let over = ended.is_some_and(|end| end <= as_of);
    started.filter(|start| *start <= as_of && !over)
}

/// One row, in `COLUMNS` order, as at `as_of`: a readiness for discharge or a segregation
/// recorded from a later day had not begun then, so the return for that day leaves it out.
pub fn row(a: &AdmissionRow, p: &PersonRow, f: &StayFacts, as_of: NaiveDate) -> Vec<String> {
    // Objected: still counted, identifiers left blank.
    let (nhs_number, date_of_birth) = match p.at_objection {
        true => (String::new(), String::new()),
        false => (
            p.nhs_number.clone().unwrap_or_default(),
            p.date_of_birth.to_string(),
        ),
    };
    let ready_on = a.clinically_ready_on.filter(|d| *d <= as_of);
    let delays: Vec<DelayReason> = match ready_on {
        Some(_) => serde_json::from_str(&a.delay_reasons).unwrap_or_default(),
        None => Vec::new(),
    };
    let delays: Vec<&str> = delays.iter().map(|d| d.as_str()).collect();
    vec![
        nhs_number,
        date_of_birth,
        p.gender.clone().unwrap_or_default(),
        p.ethnic_category.clone().unwrap_or_default(),
        p.responsible_icb.clone().unwrap_or_default(),
        a.provider_ods.clone().unwrap_or_default(),
        a.hospital_ods.clone().unwrap_or_default(),
        code(a.ward_type, |w| w.as_str()),
        a.admitted_on.to_string(),
        code(a.legal_status_code, |l| l.as_str()),
        code(a.admission_reason, |r| r.as_str()),
        f.on_register_before_admission.to_string(),
        code(a.advocacy, |v| v.as_str()),
        date(in_segregation_since(
            a.lts_started_on,
            a.lts_ended_on,
            as_of,
        )),
        date(f.last_cetr_on),
        date(f.next_cetr_due),
        date(f.last_oversight_visit_on),
        date(ready_on),
        delays.join(";"),
        out_of_area(a.hospital_icb.as_deref(), p.responsible_icb.as_deref())
            .map(|o| o.to_string())
            .unwrap_or_default(),
        date(f.planned_discharge_date),
    ]
}

/// The admissions open on `as_of`, oldest first.
fn open_on(conn: &mut AnyConnection, as_of: NaiveDate) -> QueryResult<Vec<AdmissionRow>> {
    admissions::table
        .filter(admissions::admitted_on.le(as_of))
        .filter(
            admissions::discharged_on
                .is_null()
                .or(admissions::discharged_on.gt(as_of)),
        )
        .order((admissions::admitted_on.asc(), admissions::id.asc()))
        .select(AdmissionRow::as_select())
        .load(conn)
}

/// The latest date per admission of these rows.
fn latest(rows: Vec<(String, NaiveDate)>) -> HashMap<String, NaiveDate> {
    let mut by: HashMap<String, NaiveDate> = HashMap::new();
    for (id, d) in rows {
        let slot = by.entry(id).or_insert(d);
        *slot = (*slot).max(d);
    }
    by
}

/// The facts of each stay as at `as_of`, a few queries for all of them.
fn facts(
    conn: &mut AnyConnection,
    stays: &[AdmissionRow],
    persons: &HashMap<String, PersonRow>,
    as_of: NaiveDate,
    t: &Timescales,
) -> QueryResult<HashMap<String, StayFacts>> {
    let ids: Vec<String> = stays.iter().map(|s| s.id.clone()).collect();
    let person_ids: Vec<String> = stays.iter().map(|s| s.person_id.clone()).collect();
    let (mut held, mut visited, mut planned, mut entries) =
        (Vec::new(), Vec::new(), HashMap::new(), HashMap::new());
    for chunk in ids.chunks(500) {
        held.extend(
            cetrs::table
                .filter(cetrs::admission_id.eq_any(chunk))
                .filter(cetrs::kind.eq_any(CetrKind::inpatient_kinds()))
                .filter(cetrs::held_on.le(as_of))
                .select((cetrs::admission_id.assume_not_null(), cetrs::held_on))
                .load::<(String, NaiveDate)>(conn)?,
        );
        visited.extend(
            oversight_visits::table
                .filter(oversight_visits::admission_id.eq_any(chunk))
                .filter(oversight_visits::visited_on.le(as_of))
                .select((oversight_visits::admission_id, oversight_visits::visited_on))
                .load::<(String, NaiveDate)>(conn)?,
        );
        planned.extend(
            discharge_plans::table
                .filter(discharge_plans::admission_id.eq_any(chunk))
                .select((
                    discharge_plans::admission_id,
                    discharge_plans::planned_discharge_date,
                ))
                .load::<(String, Option<NaiveDate>)>(conn)?,
        );
    }
    for chunk in person_ids.chunks(500) {
        let rows: Vec<(String, NaiveDate, Option<NaiveDate>)> = register_entries::table
            .filter(register_entries::person_id.eq_any(chunk))
            .select((
                register_entries::person_id,
                register_entries::opened_on,
                register_entries::closed_on,
            ))
            .load(conn)?;
        for (person, opened, closed) in rows {
            entries
                .entry(person)
                .or_insert_with(Vec::new)
                .push((opened, closed));
        }
    }
    let (held, visited) = (latest(held), latest(visited));
    Ok(stays
        .iter()
        .map(|s| {
            let last_cetr_on = held.get(&s.id).copied();
            let next_cetr_due = persons.get(&s.person_id).map(|p| {
                let stay = Stay {
                    admitted_on: s.admitted_on,
                    date_of_birth: p.date_of_birth,
                    setting: s.setting,
                };
                t.next_inpatient_cetr(stay, last_cetr_on)
            });
            let facts = StayFacts {
                on_register_before_admission: entries
                    .get(&s.person_id)
                    .is_some_and(|e| on_register_before(s.admitted_on, e)),
                last_cetr_on,
                next_cetr_due,
                last_oversight_visit_on: visited.get(&s.id).copied(),
                planned_discharge_date: planned.get(&s.id).copied().flatten(),
            };
            (s.id.clone(), facts)
        })
        .collect())
}

/// The return as CSV, audited as an export of every person in it.
pub fn assuring_csv(
    conn: &mut AnyConnection,
    a: &Actor,
    as_of: NaiveDate,
) -> Result<Vec<u8>, ApiError> {
    let stays = open_on(conn, as_of)?;
    let person_ids: Vec<String> = stays.iter().map(|s| s.person_id.clone()).collect();
    let persons = people::find_many(conn, &person_ids)?;
    let facts = facts(conn, &stays, &persons, as_of, &a.settings.timescales)?;
    let mut csv = CsvExport::with_header(&COLUMNS).map_err(ApiError::internal)?;
    for stay in &stays {
        let (Some(person), Some(f)) = (persons.get(&stay.person_id), facts.get(&stay.id)) else {
            continue;
        };
        csv.push(row(stay, person, f, as_of))
            .map_err(ApiError::internal)?;
    }
    audit::record(
        conn,
        &a.audit,
        AuditEvent::new(AuditAction::Export, "assuring_transformation", None).about_all(person_ids),
    )?;
    csv.finish()
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn segregation_is_in_the_return_from_its_start_until_its_end() {
        let (start, end) = (Some(d("2026-07-01")), Some(d("2026-08-01")));
        for (as_of, started, ended, want) in [
            ("2026-06-30", start, None, None),
            ("2026-07-01", start, None, start),
            ("2026-07-31", start, end, start),
            ("2026-08-01", start, end, None),
            ("2026-09-01", None, None, None),
        ] {
            assert_eq!(
                in_segregation_since(started, ended, d(as_of)),
                want,
                "{as_of}"
            );
        }
    }

    #[test]
    fn the_query_reads_the_day_and_refuses_the_future() {
        let today = d("2026-12-04");
        let q = |s: Option<&str>| AssuringQuery {
            as_of: s.map(String::from),
        };
        assert_eq!(q(None).as_of(today).unwrap(), today);
        assert_eq!(q(Some("2026-11-30")).as_of(today).unwrap(), d("2026-11-30"));
        assert!(q(Some("2026-12-05")).as_of(today).is_err());
        assert!(q(Some("30/11/2026")).as_of(today).is_err());
    }
}
