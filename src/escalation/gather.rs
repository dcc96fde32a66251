//! Obligations that are overdue today, found through indexed due-date columns so the cost
//! grows with what is due, not with the size of the register.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use diesel::prelude::*;

use super::plan::Candidate;
use crate::db::schema::{
    admissions, cetr_actions, cetrs, contacts, discharge_plans, discharge_points,
    keyworking_episodes, people, register_entries, transition_plans,
};
use crate::db::types::skip_unreadable;
use crate::db::AnyConnection;
use crate::domain::alerts::{LevelTable, Obligation};
use crate::domain::discharge::PointStatus;
use crate::domain::inpatient::Timescales;
use crate::domain::inpatient::{ActionSource, ActionStatus, CetrKind, DischargeDestination};
use crate::domain::keyworking::{past_25_from, referral_made, KeyworkingStatus};
use crate::domain::person::{ContactKind, NhsNumberStatus};
use crate::domain::register::EntryStatus;
use crate::domain::Rag;

/// An obligation and what it is about.
#[derive(Debug, Clone)]
pub struct Found {
    pub obligation: Obligation,
    pub subject_type: &'static str,
    pub subject_id: String,
    /// None for a referral whose person is not recorded yet.
    pub person_id: Option<String>,
    /// The owner of an action or point: the first choice for the responsible person.
    pub owner_id: Option<String>,
}

fn found(
    obligation: Obligation,
    subject_type: &'static str,
    subject_id: String,
    person_id: String,
) -> Found {
    Found {
        obligation,
        subject_type,
        subject_id,
        person_id: Some(person_id),
        owner_id: None,
    }
}

fn before(today: NaiveDate, days: u32) -> NaiveDate {
    today
        .checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

pub fn gather(
    conn: &mut AnyConnection,
    today: NaiveDate,
    t: &Timescales,
) -> QueryResult<Vec<Found>> {
    let mut out = Vec::new();

    let reviews: Vec<(String, String, NaiveDate)> = register_entries::table
        .filter(register_entries::status.eq(EntryStatus::Active))
        .filter(register_entries::next_review_due.lt(today))
        .select((
            register_entries::id,
            register_entries::person_id,
            register_entries::next_review_due,
        ))
        .load(conn)?;
    out.extend(reviews.into_iter().map(|(id, person, due)| {
        found(
            Obligation::DsrReview {
                next_review_due: due,
            },
            "register_entry",
            id,
            person,
        )
    }));

    // People without a keyworker first (an index on keyworker_id), then their entries by
    // person. As one join, SQLite walked every active entry opened before the cut-off (95,000
    // at 100,000 people, 350 ms) to find the few without a keyworker.
    let no_keyworker: Vec<String> = people::table
        .filter(people::keyworker_id.is_null())
        .select(people::id)
        .load(conn)?;
    let opened_before = before(today, t.keyworker_days);
    let unassigned = active_entries_of(conn, &no_keyworker)?
        .into_iter()
        .filter(|e| e.opened_on < opened_before);
    out.extend(unassigned.map(
        |ActiveEntry {
             id,
             person_id: person,
             opened_on,
         }| {
            found(
                Obligation::Keyworker {
                    opened_on,
                    has_keyworker: false,
                },
                "register_entry",
                id,
                person,
            )
        },
    ));

    let red: Vec<(String, String, NaiveDate)> = register_entries::table
        .filter(register_entries::status.eq(EntryStatus::Active))
        .filter(register_entries::rag.eq(Rag::Red))
        .filter(register_entries::next_cetr_due.lt(today))
        .select((
            register_entries::id,
            register_entries::person_id,
            register_entries::rag_changed_on,
        ))
        .load(conn)?;
    if !red.is_empty() {
        let persons: Vec<String> = red.iter().map(|(_, p, _)| p.clone()).collect();
        let mut last_held: HashMap<String, NaiveDate> = HashMap::new();
        let mut admitted: HashSet<String> = HashSet::new();
        for chunk in persons.chunks(500) {
            let held: Vec<(String, Option<NaiveDate>)> = cetrs::table
                .filter(cetrs::person_id.eq_any(chunk))
                .filter(cetrs::kind.eq_any(CetrKind::community_kinds()))
                .group_by(cetrs::person_id)
                .select((cetrs::person_id, diesel::dsl::max(cetrs::held_on)))
                .load(conn)?;
            last_held.extend(held.into_iter().filter_map(|(p, d)| d.map(|d| (p, d))));
            // Open admissions are kept in Rust: with `discharged_on IS NULL` in the query SQLite
            // chose the index on that column over the person index.
            let stays: Vec<(String, Option<NaiveDate>)> = admissions::table
                .filter(admissions::person_id.eq_any(chunk))
                .select((admissions::person_id, admissions::discharged_on))
                .load(conn)?;
            admitted.extend(
                stays
                    .into_iter()
                    .filter(|(_, d)| d.is_none())
                    .map(|(p, _)| p),
            );
        }
        out.extend(red.into_iter().map(|(id, person, red_since)| {
            let obligation = Obligation::CommunityCetr {
                red_since,
                last_community_held_on: last_held.get(&person).copied(),
                admitted: admitted.contains(&person),
            };
            found(obligation, "register_entry", id, person)
        }));
    }

    let inpatient: Vec<(String, String, Option<NaiveDate>)> = admissions::table
        .filter(admissions::discharged_on.is_null())
        .filter(admissions::next_cetr_due.lt(today))
        .select((
            admissions::id,
            admissions::person_id,
            admissions::next_cetr_due,
        ))
        .load(conn)?;
    out.extend(inpatient.into_iter().filter_map(|(id, person, due)| {
        due.map(|next_due| {
            found(
                Obligation::InpatientCetr { next_due },
                "admission",
                id,
                person,
            )
        })
    }));

    let visits: Vec<(String, String, Option<NaiveDate>)> = admissions::table
        .filter(admissions::discharged_on.is_null())
        .filter(admissions::next_visit_due.lt(today))
        .select((
            admissions::id,
            admissions::person_id,
            admissions::next_visit_due,
        ))
        .load(conn)?;
    out.extend(visits.into_iter().filter_map(|(id, person, due)| {
        due.map(|next_visit_due| {
            found(
                Obligation::OversightVisit { next_visit_due },
                "admission",
                id,
                person,
            )
        })
    }));

    let planless: Vec<(String, String, NaiveDate)> = admissions::table
        .filter(admissions::discharged_on.is_null())
        .filter(admissions::admitted_on.lt(before(today, t.discharge_plan_days)))
        .select((
            admissions::id,
            admissions::person_id,
            admissions::admitted_on,
        ))
        .load(conn)?;
    if !planless.is_empty() {
        let ids: Vec<String> = planless.iter().map(|(id, _, _)| id.clone()).collect();
        let mut with_plan: HashSet<String> = HashSet::new();
        for chunk in ids.chunks(500) {
            with_plan.extend(
                discharge_plans::table
                    .filter(discharge_plans::admission_id.eq_any(chunk))
                    .select(discharge_plans::admission_id)
                    .load::<String>(conn)?,
            );
        }
        out.extend(planless.into_iter().map(|(id, person, admitted_on)| {
            let has_plan = with_plan.contains(&id);
            found(
                Obligation::DischargePlan {
                    admitted_on,
                    has_plan,
                },
                "admission",
                id,
                person,
            )
        }));
    }

    type ActionFacts = (String, String, NaiveDate, Option<String>, ActionSource);
    let actions: Vec<ActionFacts> = cetr_actions::table
        .filter(cetr_actions::status.eq_any(ActionStatus::open()))
        .filter(cetr_actions::due_on.lt(today))
        .select((
            cetr_actions::id,
            cetr_actions::person_id,
            cetr_actions::due_on,
            cetr_actions::owner_id,
            cetr_actions::source,
        ))
        .load(conn)?;
    out.extend(
        actions
            .into_iter()
            .map(|(id, person, due_on, owner, source)| Found {
                owner_id: owner,
                ..found(
                    Obligation::Action {
                        due_on,
                        closed: false,
                        source,
                    },
                    "cetr_action",
                    id,
                    person,
                )
            }),
    );

    let points: Vec<(String, String, Option<NaiveDate>, Option<String>)> = discharge_points::table
        .inner_join(discharge_plans::table)
        .filter(discharge_points::status.eq_any(PointStatus::open()))
        .filter(discharge_points::target_date.lt(today))
        .filter(discharge_plans::frozen_on.is_null())
        .select((
            discharge_points::id,
            discharge_plans::person_id,
            discharge_points::target_date,
            discharge_points::owner_id,
        ))
        .load(conn)?;
    out.extend(
        points
            .into_iter()
            .map(|(id, person, target_date, owner)| Found {
                owner_id: owner,
                ..found(
                    Obligation::Point {
                        target_date,
                        closed: false,
                        plan_frozen: false,
                    },
                    "discharge_point",
                    id,
                    person,
                )
            }),
    );

    let plan_reviews: Vec<(String, String, NaiveDate)> = discharge_plans::table
        .filter(discharge_plans::frozen_on.is_null())
        .filter(discharge_plans::next_review_due.lt(today))
        .select((
            discharge_plans::id,
            discharge_plans::person_id,
            discharge_plans::next_review_due,
        ))
        .load(conn)?;
    out.extend(plan_reviews.into_iter().map(|(id, person, due)| {
        found(
            Obligation::PlanReview {
                next_review_due: due,
                frozen: false,
            },
            "discharge_plan",
            id,
            person,
        )
    }));
    out.extend(transitions(conn, today, t)?);
    out.extend(referrals(conn)?);
    out.extend(pending_nhs_numbers(conn)?);
    out.extend(follow_ups_after_discharge(conn, today, t)?);
    out.extend(keyworking_referrals(conn, today, t)?);
    out.extend(keyworking_past_25(conn, today)?);
    Ok(out)
}

/// People whose NHS number is still pending (not merged away): few, through the status.
fn pending_nhs_numbers(conn: &mut AnyConnection) -> QueryResult<Vec<Found>> {
    let rows: Vec<(String, Option<NaiveDate>)> = people::table
        .filter(people::nhs_number_status.eq(NhsNumberStatus::Pending))
        .filter(people::merged_into.is_null())
        .select((people::id, people::nhs_number_pending_since))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, pending_since)| {
            found(
                Obligation::NhsNumber { pending_since },
                "person",
                id.clone(),
                id,
            )
        })
        .collect())
}

/// The kinds of contact that count as following someone up after discharge.
pub const FOLLOW_UP_KINDS: [ContactKind; 4] = [
    ContactKind::FaceToFace,
    ContactKind::Phone,
    ContactKind::Video,
    ContactKind::Meeting,
];

/// Discharges to the community (or elsewhere outside hospital) in the last year whose
/// follow-up is past due and not yet logged: a contact of a follow-up kind on or after the
/// discharge day. A person back in hospital owes none. Discharges are read through
/// `admissions_open_idx` (by discharge date), then the contacts of just those people.
fn follow_ups_after_discharge(
    conn: &mut AnyConnection,
    today: NaiveDate,
    t: &Timescales,
) -> QueryResult<Vec<Found>> {
    let rows: Vec<(String, String, Option<NaiveDate>)> = admissions::table
        .filter(admissions::discharged_on.ge(before(today, 365)))
        .filter(admissions::discharged_on.lt(before(today, t.post_discharge_follow_up_days)))
        .filter(admissions::discharge_destination.eq_any([
            Some(DischargeDestination::Community),
            Some(DischargeDestination::Other),
        ]))
        .select((
            admissions::id,
            admissions::person_id,
            admissions::discharged_on,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut persons: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    persons.sort();
    persons.dedup();
    let mut in_hospital: HashSet<String> = HashSet::new();
    let mut last_contact: HashMap<String, NaiveDate> = HashMap::new();
    for chunk in persons.chunks(500) {
        let open: Vec<String> = admissions::table
            .filter(admissions::person_id.eq_any(chunk))
            .filter(admissions::discharged_on.is_null())
            .select(admissions::person_id)
            .load(conn)?;
        in_hospital.extend(open);
        let seen: Vec<(String, Option<chrono::NaiveDateTime>)> = contacts::table
            .filter(contacts::person_id.eq_any(chunk))
            .filter(contacts::kind.eq_any(FOLLOW_UP_KINDS))
            .group_by(contacts::person_id)
            .select((contacts::person_id, diesel::dsl::max(contacts::occurred_at)))
            .load(conn)?;
        last_contact.extend(seen.into_iter().filter_map(|(p, at)| Some((p, at?.date()))));
    }
    Ok(rows
        .into_iter()
        .filter(|(_, person, _)| !in_hospital.contains(person))
        .filter_map(|(id, person, discharged_on)| {
            let discharged_on = discharged_on?;
            let followed_up = last_contact
                .get(&person)
                .is_some_and(|last| *last >= discharged_on);
            Some(found(
                Obligation::PostDischargeFollowUp {
                    discharged_on,
                    followed_up,
                },
                "admission",
                id,
                person,
            ))
        })
        .collect())
}

/// Undecided referrals: a first contact and a decision owed. Few at a time (a queue worked
/// weekly), so they are all read; the obligation decides whether each is overdue.
fn referrals(conn: &mut AnyConnection) -> QueryResult<Vec<Found>> {
    let rows = crate::referrals::store::undecided(conn)?;
    Ok(rows
        .into_iter()
        .flat_map(|r| {
            let about = |obligation| Found {
                obligation,
                subject_type: "referral",
                subject_id: r.id.clone(),
                person_id: r.person_id.clone(),
                owner_id: None,
            };
            [
                about(Obligation::ReferralContact {
                    received_on: r.received_on,
                    contacted: r.first_contact_on.is_some(),
                }),
                about(Obligation::ReferralDecision {
                    received_on: r.received_on,
                    decided: false,
                }),
            ]
        })
        .collect())
}

/// Young people on the register past the transition age with no transition plan, in one
/// query that returns only those without one (a left join on the plans), so its cost follows
/// the few owing a plan, not the many young people. Only up to their 26th birthday:
/// children's and young people's services end at 25, so an older adult on the register has
/// moved to adult services already and owes no plan.
fn transitions(
    conn: &mut AnyConnection,
    today: NaiveDate,
    t: &Timescales,
) -> QueryResult<Vec<Found>> {
    let months = chrono::Months::new(t.transition_plan_from_months);
    let reached_by = today.checked_sub_months(months).unwrap_or(NaiveDate::MIN);
    let past_25 = crate::domain::person::latest_birth_date_for_age(today, 26);
    let rows: Vec<(String, String, String, NaiveDate)> = register_entries::table
        .inner_join(people::table.left_join(transition_plans::table))
        .filter(people::date_of_birth.lt(reached_by))
        .filter(people::date_of_birth.gt(past_25))
        .filter(transition_plans::person_id.nullable().is_null())
        .select((
            register_entries::id,
            register_entries::person_id,
            register_entries::status,
            people::date_of_birth,
        ))
        .load(conn)?;
    // The status is read here, not in SQL (see `active_entries_of`).
    Ok(rows
        .into_iter()
        .filter(|(id, _, status, _)| match EntryStatus::parse(status) {
            Some(status) => status == EntryStatus::Active,
            None => {
                skip_unreadable("register_entries.status", id, status);
                false
            }
        })
        .filter_map(|(id, person, _, born)| {
            let needed_from = born.checked_add_months(months)?;
            Some(found(
                Obligation::TransitionPlan {
                    needed_from,
                    has_plan: false,
                },
                "register_entry",
                id,
                person,
            ))
        })
        .collect())
}

/// Children and young people (25 or under) on the register rated red, amber or blue for
/// longer than the referral timescale, whose episodes do not satisfy the rule
/// (`domain::keyworking::referral_made`): an open episode, or one referred since that rating
/// began (the entry's latest rating change, or its opening). People with an open episode are
/// left out in SQL: at 100,000 people that is most of the 21,000 young people rated red,
/// amber or blue, and reading their episodes cost the warm sweep 300 ms on SQLite. The
/// covering indexes of migration 000028 keep the scan off the tables (35 ms).
fn keyworking_referrals(
    conn: &mut AnyConnection,
    today: NaiveDate,
    t: &Timescales,
) -> QueryResult<Vec<Found>> {
    let aged_26 = crate::domain::person::latest_birth_date_for_age(today, 26);
    // NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN (subquery) as a subplan per row (18 s
    // at 100,000 people) where NOT EXISTS is an anti-join; SQLite probes the open-episode index.
    let open_episode = diesel::dsl::exists(
        keyworking_episodes::table
            .filter(keyworking_episodes::person_id.eq(register_entries::person_id))
            .filter(keyworking_episodes::status.eq_any(KeyworkingStatus::OPEN)),
    );
    let rows: Vec<(String, String, String, NaiveDate, NaiveDate)> = register_entries::table
        .inner_join(people::table)
        .filter(register_entries::rag.eq_any([Rag::Red, Rag::Amber, Rag::Blue]))
        .filter(register_entries::rag_changed_on.lt(before(today, t.keyworking_referral_days)))
        .filter(people::date_of_birth.gt(aged_26))
        .filter(diesel::dsl::not(open_episode))
        .select((
            register_entries::id,
            register_entries::person_id,
            register_entries::status,
            register_entries::rag_changed_on,
            register_entries::opened_on,
        ))
        .load(conn)?;
    // The status is read here, not in SQL (see `active_entries_of`).
    let rated: Vec<(String, String, NaiveDate)> = rows
        .into_iter()
        .filter(|(id, _, status, _, _)| match EntryStatus::parse(status) {
            Some(status) => status == EntryStatus::Active,
            None => {
                skip_unreadable("register_entries.status", id, status);
                false
            }
        })
        .map(|(id, person, _, changed, opened)| (id, person, changed.max(opened)))
        .collect();
    // Their episodes, all ended: a referral since the rating began still meets the rule.
    let persons: Vec<String> = rated.iter().map(|(_, p, _)| p.clone()).collect();
    let mut referred: HashMap<String, Vec<(KeyworkingStatus, NaiveDate)>> = HashMap::new();
    for chunk in persons.chunks(500) {
        let rows: Vec<(String, KeyworkingStatus, NaiveDate)> = keyworking_episodes::table
            .filter(keyworking_episodes::person_id.eq_any(chunk))
            .select((
                keyworking_episodes::person_id,
                keyworking_episodes::status,
                keyworking_episodes::referred_on,
            ))
            .load(conn)?;
        for (person, status, referred_on) in rows {
            referred
                .entry(person)
                .or_default()
                .push((status, referred_on));
        }
    }
    Ok(rated
        .into_iter()
        .filter(|(_, person, since)| {
            !referral_made(*since, referred.get(person).map_or(&[], Vec::as_slice))
        })
        .map(|(id, person, rated_since)| {
            let obligation = Obligation::KeyworkingReferral {
                rated_since,
                referred: false,
            };
            found(obligation, "register_entry", id, person)
        })
        .collect())
}

/// Keyworking episodes still open for people aged 26 or more; the CYP keyworker is the
/// responsible person. The people first (their open episodes' ids probe a covering index of
/// migration 000028), then their episodes: as one join SQLite walked every person born
/// before the cut-off instead (70 ms against 12).
fn keyworking_past_25(conn: &mut AnyConnection, today: NaiveDate) -> QueryResult<Vec<Found>> {
    let aged_26 = crate::domain::person::latest_birth_date_for_age(today, 26);
    let open_episodes = keyworking_episodes::table
        .filter(keyworking_episodes::status.eq_any(KeyworkingStatus::OPEN))
        .select(keyworking_episodes::person_id);
    let past: Vec<(String, NaiveDate)> = people::table
        .filter(people::date_of_birth.le(aged_26))
        .filter(people::id.eq_any(open_episodes))
        .select((people::id, people::date_of_birth))
        .load(conn)?;
    let born: HashMap<String, NaiveDate> = past.into_iter().collect();
    let ids: Vec<String> = born.keys().cloned().collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String, Option<String>)> = keyworking_episodes::table
            .filter(keyworking_episodes::person_id.eq_any(chunk))
            .filter(keyworking_episodes::status.eq_any(KeyworkingStatus::OPEN))
            .select((
                keyworking_episodes::id,
                keyworking_episodes::person_id,
                keyworking_episodes::keyworker_id,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().filter_map(|(id, person, keyworker)| {
            let turned_26 = past_25_from(*born.get(&person)?)?;
            Some(Found {
                owner_id: keyworker,
                ..found(
                    Obligation::KeyworkingPast25 { turned_26 },
                    "keyworking",
                    id,
                    person,
                )
            })
        }));
    }
    Ok(out)
}

pub struct ActiveEntry {
    pub id: String,
    pub person_id: String,
    pub opened_on: NaiveDate,
}

/// The active register entries of these people, 500 people a query. The status is checked
/// here, not in SQL: given `status = ?` SQLite scanned the (status, …) index, all 95,000
/// active entries, instead of looking each person up (45 ms a query against 1 ms).
fn active_entries_of(
    conn: &mut AnyConnection,
    persons: &[String],
) -> QueryResult<Vec<ActiveEntry>> {
    let mut out = Vec::new();
    for chunk in persons.chunks(500) {
        let rows: Vec<(String, String, String, NaiveDate)> = register_entries::table
            .filter(register_entries::person_id.eq_any(chunk))
            .select((
                register_entries::id,
                register_entries::person_id,
                register_entries::status,
                register_entries::opened_on,
            ))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .filter_map(|(id, person_id, status, opened_on)| {
                    match EntryStatus::parse(&status) {
                        Some(EntryStatus::Active) => Some(ActiveEntry {
                            id,
                            person_id,
                            opened_on,
                        }),
                        Some(EntryStatus::Closed) => None,
                        None => {
                            skip_unreadable("register_entries.status", &id, &status);
                            None
                        }
                    }
                }),
        );
    }
    Ok(out)
}

/// Evaluates each obligation with the domain rules and attaches the person's current
/// keyworker and active register entry (two queries for all of them).
pub fn candidates(
    conn: &mut AnyConnection,
    found: Vec<Found>,
    today: NaiveDate,
    levels: &LevelTable,
    t: &Timescales,
) -> QueryResult<Vec<Candidate>> {
    let mut persons: Vec<String> = found.iter().filter_map(|f| f.person_id.clone()).collect();
    persons.sort();
    persons.dedup();
    let mut keyworkers: HashMap<String, String> = HashMap::new();
    for chunk in persons.chunks(500) {
        let kws: Vec<(String, Option<String>)> = people::table
            .filter(people::id.eq_any(chunk))
            .select((people::id, people::keyworker_id))
            .load(conn)?;
        keyworkers.extend(kws.into_iter().filter_map(|(p, k)| k.map(|k| (p, k))));
    }
    let entries: HashMap<String, String> = active_entries_of(conn, &persons)?
        .into_iter()
        .map(|e| (e.person_id, e.id))
        .collect();
    Ok(found
        .into_iter()
        .filter_map(|f| {
            let (due_on, overdue) = f.obligation.evaluate(today, levels, t)?;
            // A referral is the Transforming Care Team's to decide, never a named worker's:
            // with no keyworker its alerts go to every coordinator.
            let person = f
                .person_id
                .as_ref()
                .filter(|_| f.subject_type != "referral");
            let keyworker = person.and_then(|p| keyworkers.get(p)).cloned();
            Some(Candidate {
                kind: f.obligation.kind(),
                subject_type: f.subject_type,
                entry_id: person.and_then(|p| entries.get(p)).cloned(),
                owner: f.owner_id,
                keyworker,
                subject_id: f.subject_id,
                person_id: f.person_id,
                due_on,
                overdue,
            })
        })
        .collect())
}
