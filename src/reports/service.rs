//! The summary report, as of any date: register counts by rating, age group and area, open
//! alerts by kind, inpatients, readmissions within 90 days, and C(E)TRs held on time.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::{AuditAction, AuditEvent};
use crate::auth::actor::Actor;
use crate::config::RiskFactorSetting;
use crate::db::schema::{
    admissions, alerts, cetrs, people, rag_history, register_entries, risk_factors,
};
use crate::db::{lower, AnyConnection};
use crate::domain::alerts::{overdue, AlertKind, LevelTable};
use crate::domain::inpatient::{CetrKind, LaepOutcome};
use crate::domain::inpatient::{DischargeDestination, Setting, Stay, Timescales};
use crate::domain::person::{age_on, AgeGroup};
use crate::domain::reports::{
    cetrs_on_time, percent, readmissions, AdmissionFacts, READMISSION_DAYS,
};
use crate::domain::Rag;
use crate::error::{ApiError, FieldError};

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct RagCounts {
    pub red: i64,
    pub amber: i64,
    pub green: i64,
    pub blue: i64,
    pub total: i64,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct AgeGroupCounts {
    pub child: i64,
    pub young_person: i64,
    pub adult: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    pub as_of: NaiveDate,
    pub area: Option<String>,
    /// Active entries on `as_of` by their rating that day.
    pub register: RagCounts,
    pub by_age_group: AgeGroupCounts,
    pub by_area: BTreeMap<String, i64>,
    /// Alerts open at the end of `as_of`, by kind (every kind listed).
    pub overdue: BTreeMap<String, i64>,
    /// The same alerts by the escalation level their days overdue reach on `as_of`
    /// (`"1"`, `"2"`, `"3"`, every level listed).
    pub overdue_by_level: BTreeMap<String, i64>,
    /// Admissions open on `as_of`.
    pub inpatients: i64,
    /// Admissions in the 12 months to `as_of` that began within 90 days of a discharge.
    pub readmissions_90_days: i64,
    /// Inpatient C(E)TRs held in the 12 months to `as_of` by their due date, as a percentage
    /// (null when none were held).
    pub cetr_on_time_percent: Option<f64>,
    pub cetrs_held_12_months: i64,
    pub cetrs_on_time_12_months: i64,
    /// Entries active on `as_of` with each reason for risk current that day, by code (every
    /// configured code listed).
    pub risk_factors: BTreeMap<String, i64>,
    /// LAEPs (C(E)TRs of kind `laep`) held in the 12 months to `as_of`.
    pub laeps_12_months: i64,
    /// The same LAEPs by outcome (every outcome listed, and `not_recorded`).
    pub laep_outcomes: BTreeMap<String, i64>,
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

fn year_before(date: NaiveDate) -> NaiveDate {
    date.checked_sub_days(Days::new(365))
        .unwrap_or(NaiveDate::MIN)
}

/// Entries active on `as_of` with each reason for risk current that day (noted by then and
/// not yet ended), by code.
fn risk_factors_on(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    area: Option<&str>,
) -> QueryResult<Vec<(String, i64)>> {
    let mut query = risk_factors::table
        .inner_join(register_entries::table.inner_join(people::table))
        .filter(register_entries::opened_on.le(as_of))
        .filter(
            register_entries::closed_on
                .is_null()
                .or(register_entries::closed_on.gt(as_of)),
        )
        .filter(risk_factors::noted_on.le(as_of))
        .filter(
            risk_factors::ended_on
                .is_null()
                .or(risk_factors::ended_on.gt(as_of)),
        )
        .into_boxed::<Backend>();
    if let Some(area) = area {
        query = query.filter(lower(people::area).eq(lower(area.to_string())));
    }
    // One row per current factor (a code is current at most once per entry), counted here:
    // a few thousand rows at most, and no GROUP BY through the boxed join.
    let codes: Vec<String> = query.select(risk_factors::code).load(conn)?;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for code in codes {
        *counts.entry(code).or_insert(0) += 1;
    }
    Ok(counts.into_iter().collect())
}

/// LAEPs held in the 12 months to `as_of` (of people in `area`), by outcome.
fn laeps_held(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    area: Option<&str>,
) -> QueryResult<BTreeMap<String, i64>> {
    let mut query = cetrs::table
        .inner_join(people::table.on(people::id.eq(cetrs::person_id)))
        .filter(cetrs::kind.eq(CetrKind::Laep))
        .filter(cetrs::held_on.le(as_of))
        .filter(cetrs::held_on.gt(year_before(as_of)))
        .into_boxed::<Backend>();
    if let Some(area) = area {
        query = query.filter(lower(people::area).eq(lower(area.to_string())));
    }
    let outcomes: Vec<Option<LaepOutcome>> = query.select(cetrs::laep_outcome).load(conn)?;
    let mut counts: BTreeMap<String, i64> = LaepOutcome::ALL
        .iter()
        .map(|o| o.as_str())
        .chain(["not_recorded"])
        .map(|o| (o.to_string(), 0))
        .collect();
    for outcome in outcomes {
        let key = outcome.map_or("not_recorded", LaepOutcome::as_str);
        *counts.entry(key.to_string()).or_insert(0) += 1;
    }
    Ok(counts)
}

/// Entries active on `as_of` with each one's rating that day.
fn register_on(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    area: Option<&str>,
) -> QueryResult<Vec<(Rag, NaiveDate, String)>> {
    let mut query = register_entries::table
        .inner_join(people::table)
        .filter(register_entries::opened_on.le(as_of))
        .filter(
            register_entries::closed_on
                .is_null()
                .or(register_entries::closed_on.gt(as_of)),
        )
        .into_boxed::<Backend>();
    if let Some(area) = area {
        query = query.filter(lower(people::area).eq(lower(area.to_string())));
    }
    let rows: Vec<(String, Rag, NaiveDate, NaiveDate, String)> = query
        .select((
            register_entries::id,
            register_entries::rag,
            register_entries::rag_changed_on,
            people::date_of_birth,
            people::area,
        ))
        .load(conn)?;
    // Ratings that changed after `as_of` are read back from the history.
    let changed_since: Vec<String> = rows
        .iter()
        .filter(|r| r.2 > as_of)
        .map(|r| r.0.clone())
        .collect();
    let mut earlier: HashMap<String, (NaiveDateTime, Rag)> = HashMap::new();
    for chunk in changed_since.chunks(500) {
        let history: Vec<(String, Rag, NaiveDateTime)> = rag_history::table
            .filter(rag_history::register_entry_id.eq_any(chunk))
            .filter(rag_history::changed_on.le(as_of))
            .select((
                rag_history::register_entry_id,
                rag_history::to_rag,
                rag_history::changed_at,
            ))
            .load(conn)?;
        for (entry, rag, at) in history {
            let keep = earlier.get(&entry).is_none_or(|(t, _)| at > *t);
            if keep {
                earlier.insert(entry, (at, rag));
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, rag, changed_on, dob, area)| {
            let rag = if changed_on > as_of {
                earlier.get(&id).map(|(_, r)| *r).unwrap_or(rag)
            } else {
                rag
            };
            (rag, dob, area)
        })
        .collect())
}

/// The alerts open at the end of `as_of`, counted by kind and by level.
struct OpenAlerts {
    by_kind: BTreeMap<String, i64>,
    by_level: BTreeMap<String, i64>,
}

fn overdue_on(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    area: Option<&str>,
    levels: &LevelTable,
) -> QueryResult<OpenAlerts> {
    let end_of_day = as_of
        .succ_opt()
        .unwrap_or(as_of)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let mut query = alerts::table
        .inner_join(people::table)
        .filter(alerts::raised_at.lt(end_of_day))
        .filter(
            alerts::resolved_at
                .is_null()
                .or(alerts::resolved_at.ge(end_of_day)),
        )
        .into_boxed::<Backend>();
    if let Some(area) = area {
        query = query.filter(lower(people::area).eq(lower(area.to_string())));
    }
    let open: Vec<(AlertKind, NaiveDate)> =
        query.select((alerts::kind, alerts::due_on)).load(conn)?;
    let mut by_kind: BTreeMap<String, i64> = AlertKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), 0))
        .collect();
    let mut by_level: BTreeMap<String, i64> = (1..=3).map(|level| (level.to_string(), 0)).collect();
    for (kind, due_on) in open {
        *by_kind.entry(kind.as_str().to_string()).or_insert(0) += 1;
        // An alert raised on its first day overdue is level 1 even if `as_of` is its due date.
        let level = overdue(due_on, as_of, levels.of(kind)).map_or(1, |o| o.level);
        *by_level.entry(level.to_string()).or_insert(0) += 1;
    }
    Ok(OpenAlerts { by_kind, by_level })
}

type AdmissionTuple = (
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<DischargeDestination>,
    Setting,
    NaiveDate,
);

/// Admissions that matter for the 12 months to `as_of` (with the 90 days before, for
/// readmissions), with the person's date of birth.
fn admissions_around(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    area: Option<&str>,
) -> QueryResult<Vec<AdmissionTuple>> {
    let horizon = year_before(as_of)
        .checked_sub_days(Days::new(READMISSION_DAYS as u64))
        .unwrap_or(NaiveDate::MIN);
    let mut query = admissions::table
        .inner_join(people::table)
        .filter(admissions::admitted_on.le(as_of))
        .filter(
            admissions::discharged_on
                .is_null()
                .or(admissions::discharged_on.ge(horizon)),
        )
        .into_boxed::<Backend>();
    if let Some(area) = area {
        query = query.filter(lower(people::area).eq(lower(area.to_string())));
    }
    query
        .select((
            admissions::id,
            admissions::person_id,
            admissions::admitted_on,
            admissions::discharged_on,
            admissions::discharge_destination,
            admissions::setting,
            people::date_of_birth,
        ))
        .load(conn)
}

pub fn summary(
    conn: &mut AnyConnection,
    as_of: NaiveDate,
    area: Option<&str>,
    timescales: &Timescales,
    levels: &LevelTable,
    risk_codes: &[RiskFactorSetting],
) -> Result<Summary, ApiError> {
    let mut risk_factors: BTreeMap<String, i64> =
        risk_codes.iter().map(|f| (f.code.clone(), 0)).collect();
    risk_factors.extend(risk_factors_on(conn, as_of, area)?);
    let laep_outcomes = laeps_held(conn, as_of, area)?;
    let mut register = RagCounts::default();
    let mut by_age_group = AgeGroupCounts::default();
    let mut by_area: BTreeMap<String, i64> = BTreeMap::new();
    for (rag, dob, person_area) in register_on(conn, as_of, area)? {
        match rag {
            Rag::Red => register.red += 1,
            Rag::Amber => register.amber += 1,
            Rag::Green => register.green += 1,
            Rag::Blue => register.blue += 1,
        }
        register.total += 1;
        match AgeGroup::of_age(age_on(dob, as_of)) {
            AgeGroup::Child => by_age_group.child += 1,
            AgeGroup::YoungPerson => by_age_group.young_person += 1,
            AgeGroup::Adult => by_age_group.adult += 1,
        }
        *by_area.entry(person_area).or_insert(0) += 1;
    }
    let open_alerts = overdue_on(conn, as_of, area, levels)?;

    let around = admissions_around(conn, as_of, area)?;
    let inpatients = around
        .iter()
        .filter(|a| a.3.is_none_or(|d| d > as_of))
        .count() as i64;
    let facts: Vec<AdmissionFacts> = around
        .iter()
        .map(|a| AdmissionFacts {
            person_id: a.1.clone(),
            admitted_on: a.2,
            discharged_on: a.3.filter(|d| *d <= as_of),
            destination: a.4,
        })
        .collect();
    let readmissions_90_days = readmissions(&facts, year_before(as_of), as_of);

    let admission_ids: Vec<String> = around.iter().map(|a| a.0.clone()).collect();
    let mut held: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for chunk in admission_ids.chunks(500) {
        let rows: Vec<(Option<String>, NaiveDate)> = cetrs::table
            .filter(cetrs::admission_id.eq_any(chunk))
            .filter(cetrs::kind.eq_any(CetrKind::inpatient_kinds()))
            .filter(cetrs::held_on.le(as_of))
            .order(cetrs::held_on.asc())
            .select((cetrs::admission_id, cetrs::held_on))
            .load(conn)?;
        for (admission, date) in rows {
            if let Some(a) = admission {
                held.entry(a).or_default().push(date);
            }
        }
    }
    let (mut total, mut on_time) = (0, 0);
    for a in &around {
        let Some(dates) = held.get(&a.0) else {
            continue;
        };
        let stay = Stay {
            admitted_on: a.2,
            date_of_birth: a.6,
            setting: a.5,
        };
        for (date, ok) in dates.iter().zip(cetrs_on_time(stay, dates, timescales)) {
            if *date > year_before(as_of) {
                total += 1;
                on_time += i64::from(ok);
            }
        }
    }
    Ok(Summary {
        as_of,
        area: area.map(String::from),
        register,
        by_age_group,
        by_area,
        overdue: open_alerts.by_kind,
        overdue_by_level: open_alerts.by_level,
        inpatients,
        readmissions_90_days,
        cetr_on_time_percent: percent(on_time, total),
        cetrs_held_12_months: total,
        cetrs_on_time_12_months: on_time,
        risk_factors,
        laeps_12_months: laep_outcomes.values().sum(),
        laep_outcomes,
    })
}

/// The summary report as the signed-in user asked for it (the read is audited).
pub fn summary_for(
    conn: &mut AnyConnection,
    a: &Actor,
    query: SummaryQuery,
) -> Result<Summary, ApiError> {
    let as_of = match query.as_of.as_deref() {
        None => a.today,
        Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            ApiError::BadQuery(vec![FieldError::new("as_of", "must be a date, YYYY-MM-DD")])
        })?,
    };
    let area = query.area.filter(|a| !a.trim().is_empty());
    let report = summary(
        conn,
        as_of,
        area.as_deref(),
        &a.settings.timescales,
        &a.settings.escalation.levels(),
        &a.settings.register.risk_factors,
    )?;
    a.audit_read(AuditEvent::new(AuditAction::Read, "report_summary", None));
    Ok(report)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// Only people in this area.
    pub area: Option<String>,
    /// The date the report describes (default today).
    #[param(format = Date)]
    pub as_of: Option<String>,
}
