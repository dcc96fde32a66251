//! Reads the dated history the monthly series counts (`domain::monthly::Facts`) for everyone,
//! or for one area. People are read first and every other table is kept to them: one query a
//! table, no joins, so the same rows serve every month of a series.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    admissions, alerts, cetrs, discharge_plans, keyworking_changes, keyworking_episodes,
    oversight_visits, people, rag_history, register_entries, risk_factors,
};
use crate::db::{lower, AnyConnection};
use crate::domain::alerts::AlertKind;
use crate::domain::inpatient::{CetrKind, DischargeDestination, LaepOutcome, Setting};
use crate::domain::inpatient_data::WardType;
use crate::domain::keyworking::KeyworkingStatus;
use crate::domain::monthly::{
    AlertFacts, CetrFacts, EntryFacts, EpisodeFacts, Facts, PersonFacts, StayFacts, VisitFacts,
};
use crate::domain::register::{ClosureReason, Rag};

type Backend = <AnyConnection as diesel::Connection>::Backend;

/// Everything the reports count, for the people of `area` (case-insensitive), or everyone.
pub fn load(conn: &mut AnyConnection, area: Option<&str>) -> QueryResult<Facts> {
    let people = load_people(conn, area)?;
    let mine = |person_id: &String| people.contains_key(person_id);
    let entries = load_entries(conn, &mine)?;
    let stays = load_stays(conn, &mine)?;
    let stay_ids: HashSet<&str> = stays.iter().map(|s| s.id.as_str()).collect();
    let visits = oversight_visits::table
        .select((
            oversight_visits::id,
            oversight_visits::admission_id,
            oversight_visits::visited_on,
        ))
        .load::<(String, String, NaiveDate)>(conn)?
        .into_iter()
        .filter(|(_, stay, _)| stay_ids.contains(stay.as_str()))
        .map(|(id, admission_id, visited_on)| VisitFacts {
            id,
            admission_id,
            visited_on,
        })
        .collect();
    let cetrs = cetrs::table
        .select((
            cetrs::id,
            cetrs::person_id,
            cetrs::admission_id,
            cetrs::kind,
            cetrs::held_on,
            cetrs::laep_outcome,
        ))
        .load::<(
            String,
            String,
            Option<String>,
            CetrKind,
            NaiveDate,
            Option<LaepOutcome>,
        )>(conn)?
        .into_iter()
        .filter(|c| mine(&c.1))
        .map(
            |(id, person_id, admission_id, kind, held_on, laep_outcome)| CetrFacts {
                id,
                person_id,
                admission_id,
                kind,
                held_on,
                laep_outcome,
            },
        )
        .collect();
    let episodes = load_episodes(conn, &mine)?;
    let alerts = alerts::table
        .filter(alerts::person_id.is_not_null())
        .select((
            alerts::id,
            alerts::person_id.assume_not_null(),
            alerts::kind,
            alerts::raised_at,
            alerts::resolved_at,
        ))
        .load::<(
            String,
            String,
            AlertKind,
            NaiveDateTime,
            Option<NaiveDateTime>,
        )>(conn)?
        .into_iter()
        .filter(|a| mine(&a.1))
        .map(|(id, person_id, kind, raised_at, resolved_at)| AlertFacts {
            id,
            person_id,
            kind,
            raised_at,
            resolved_at,
        })
        .collect();
    Ok(Facts {
        people,
        entries,
        stays,
        cetrs,
        visits,
        episodes,
        alerts,
    })
}

fn load_people(
    conn: &mut AnyConnection,
    area: Option<&str>,
) -> QueryResult<HashMap<String, PersonFacts>> {
    let mut query = people::table.into_boxed::<Backend>();
    if let Some(area) = area {
        query = query.filter(lower(people::area).eq(lower(area.to_string())));
    }
    let rows: Vec<(String, String, String, NaiveDate, Option<String>)> = query
        .select((
            people::id,
            people::given_name,
            people::family_name,
            people::date_of_birth,
            people::ethnic_category,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, given, family, date_of_birth, ethnic_category)| {
            let person = PersonFacts {
                id: id.clone(),
                name: format!("{given} {family}"),
                date_of_birth,
                ethnic_category,
            };
            (id, person)
        })
        .collect())
}

type EntryTuple = (
    String,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<ClosureReason>,
    Rag,
);

/// Entries with their ratings in the order recorded and their reasons for risk.
fn load_entries(
    conn: &mut AnyConnection,
    mine: &dyn Fn(&String) -> bool,
) -> QueryResult<Vec<EntryFacts>> {
    let rows: Vec<EntryTuple> = register_entries::table
        .select((
            register_entries::id,
            register_entries::person_id,
            register_entries::reference,
            register_entries::opened_on,
            register_entries::closed_on,
            register_entries::closure_reason,
            register_entries::rag,
        ))
        .load(conn)?;
    let mut ratings: HashMap<String, Vec<(NaiveDate, Rag)>> = HashMap::new();
    let history: Vec<(String, NaiveDate, Rag)> = rag_history::table
        .order((rag_history::changed_at.asc(), rag_history::id.asc()))
        .select((
            rag_history::register_entry_id,
            rag_history::changed_on,
            rag_history::to_rag,
        ))
        .load(conn)?;
    for (entry, on, rag) in history {
        ratings.entry(entry).or_default().push((on, rag));
    }
    let mut factors: HashMap<String, Vec<(String, NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    let noted: Vec<(String, String, NaiveDate, Option<NaiveDate>)> = risk_factors::table
        .select((
            risk_factors::register_entry_id,
            risk_factors::code,
            risk_factors::noted_on,
            risk_factors::ended_on,
        ))
        .load(conn)?;
    for (entry, code, on, ended) in noted {
        factors.entry(entry).or_default().push((code, on, ended));
    }
    Ok(rows
        .into_iter()
        .filter(|r| mine(&r.1))
        .map(
            |(id, person_id, reference, opened_on, closed_on, closure_reason, rag)| {
                // An entry with no history (none is written without one) is read as rated as now
                // since it opened, rather than left out of every count.
                let ratings = ratings
                    .remove(&id)
                    .unwrap_or_else(|| vec![(opened_on, rag)]);
                EntryFacts {
                    risk_factors: factors.remove(&id).unwrap_or_default(),
                    id,
                    person_id,
                    reference,
                    opened_on,
                    closed_on,
                    closure_reason,
                    ratings,
                }
            },
        )
        .collect())
}

type StayTuple = (
    String,
    String,
    Option<String>,
    NaiveDate,
    Option<NaiveDate>,
    Option<DischargeDestination>,
    Setting,
    Option<WardType>,
    Option<NaiveDate>,
);

/// Admissions, each with the day its discharge plan was first recorded.
fn load_stays(
    conn: &mut AnyConnection,
    mine: &dyn Fn(&String) -> bool,
) -> QueryResult<Vec<StayFacts>> {
    let rows: Vec<StayTuple> = admissions::table
        .select((
            admissions::id,
            admissions::person_id,
            admissions::register_entry_id,
            admissions::admitted_on,
            admissions::discharged_on,
            admissions::discharge_destination,
            admissions::setting,
            admissions::ward_type,
            admissions::clinically_ready_on,
        ))
        .load(conn)?;
    let mut planned: HashMap<String, NaiveDate> = HashMap::new();
    let plans: Vec<(String, NaiveDateTime)> = discharge_plans::table
        .select((discharge_plans::admission_id, discharge_plans::created_at))
        .load(conn)?;
    for (stay, at) in plans {
        let day = planned.entry(stay).or_insert(at.date());
        *day = (*day).min(at.date());
    }
    Ok(rows
        .into_iter()
        .filter(|r| mine(&r.1))
        .map(|r| StayFacts {
            plan_recorded_on: planned.get(&r.0).copied(),
            id: r.0,
            person_id: r.1,
            register_entry_id: r.2,
            admitted_on: r.3,
            discharged_on: r.4,
            destination: r.5,
            setting: r.6,
            ward_type: r.7,
            clinically_ready_on: r.8,
        })
        .collect())
}

/// CYP keyworking episodes with their dated moves in the order recorded.
fn load_episodes(
    conn: &mut AnyConnection,
    mine: &dyn Fn(&String) -> bool,
) -> QueryResult<Vec<EpisodeFacts>> {
    let rows: Vec<(String, String, NaiveDate)> = keyworking_episodes::table
        .select((
            keyworking_episodes::id,
            keyworking_episodes::person_id,
            keyworking_episodes::referred_on,
        ))
        .load(conn)?;
    let mut moves: HashMap<String, Vec<(NaiveDate, KeyworkingStatus)>> = HashMap::new();
    let changes: Vec<(String, NaiveDate, KeyworkingStatus)> = keyworking_changes::table
        .order((
            keyworking_changes::changed_at.asc(),
            keyworking_changes::id.asc(),
        ))
        .select((
            keyworking_changes::episode_id,
            keyworking_changes::changed_on,
            keyworking_changes::status,
        ))
        .load(conn)?;
    for (episode, on, status) in changes {
        moves.entry(episode).or_default().push((on, status));
    }
    Ok(rows
        .into_iter()
        .filter(|r| mine(&r.1))
        .map(|(id, person_id, referred_on)| EpisodeFacts {
            moves: moves.remove(&id).unwrap_or_default(),
            id,
            person_id,
            referred_on,
        })
        .collect())
}
