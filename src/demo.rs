//! `dsr demo-data`: a deterministic synthetic register for demonstrations and benchmarks.
//!
//! Rows are built with the same domain rules the services use (NHS number check digits,
//! review cadences, inpatient timescales, the discharge template) and written with multi-row
//! INSERTs, one transaction per batch of people: 100,000 people with two million contacts
//! load in minutes. Per-row service calls would take hours and fill the audit log with
//! activity nobody did; one audit row records the load instead.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::actions::store::ActionRow;
use crate::admissions::store::{AdmissionRow, VisitRow};
use crate::audit::{self, AuditAction, AuditCtx, AuditEvent};
use crate::cetrs::store::CetrRow;
use crate::config::Settings;
use crate::contacts::store::ContactRow;
use crate::db::schema::{
    admissions, cetr_actions, cetrs, contacts, discharge_plans, discharge_points, dsr_reviews,
    keyworker_assignments, keyworking_changes, keyworking_episodes, oversight_visits, people,
    rag_history, register_entries, sequences, transition_plans, users,
};
use crate::db::{write_transaction, AnyConnection};
use crate::discharge::store::{PlanRow, PointRow};
use crate::domain::discharge::PointStatus;
use crate::domain::inpatient::{ActionSource, ActionStatus, CetrKind, Setting, Stay};
use crate::domain::inpatient_data::{AdmissionReason, Advocacy, LegalStatusCode, WardType};
use crate::domain::keyworking::{needs_referral, KeyworkingStatus};
use crate::domain::person::{ConsentStatus, ContactKind, NhsNumberStatus};
use crate::domain::register::{add_days, format_reference, EntryStatus};
use crate::domain::{NhsNumber, Rag, Role};
use crate::error::ApiError;
use crate::keyworkers::store::AssignmentRow;
use crate::keyworking::store::{ChangeRow, EpisodeRow};
use crate::people::store::{search_name, NewPersonRow};
use crate::register::store::{EntryRow, RagHistoryRow, ReviewRow};
use crate::transitions::store::PlanRow as TransitionRow;
use crate::users::store::NewUserRow;

pub const DEMO_PASSWORD: &str = "demo-password-123";
const CONTACTS_PER_PERSON: usize = 20;
const BATCH: usize = 500;

const GIVEN: [&str; 16] = [
    "Sam", "Alex", "Jordan", "Priya", "Chris", "Amira", "Leo", "Maya", "Noah", "Zara", "Owen",
    "Ivy", "Ravi", "Erin", "Kai", "Lucy",
];
const FAMILY: [&str; 16] = [
    "Taylor", "Morgan", "Shah", "Evans", "Khan", "Jones", "Patel", "Brown", "Wilson", "Ahmed",
    "Clarke", "Hughes", "Ali", "Wright", "Green", "Hall",
];
const AREAS: [&str; 6] = ["North", "South", "East", "West", "Central", "Coast"];
const CONTACT_KINDS: [ContactKind; 6] = ContactKind::ALL;

#[derive(Debug, Default, serde::Serialize)]
pub struct DemoReport {
    pub people: usize,
    pub keyworkers: usize,
    pub contacts: usize,
    pub admissions: usize,
    pub cetrs: usize,
    pub actions: usize,
    pub discharge_plans: usize,
    pub seconds: f64,
    /// One user of each role to sign in as (there are more of each but admin).
    pub users: Vec<DemoUser>,
}

/// Someone to sign in as.
#[derive(Debug, serde::Serialize)]
pub struct DemoUser {
    pub role: Role,
    pub username: String,
    /// The demo password, or `None` for an admin that was already there (its own password).
    pub password: Option<&'static str>,
}

/// The i-th valid synthetic NHS number (999 range).
pub fn synthetic_nhs_number(i: usize) -> impl Iterator<Item = String> {
    (i as u64..).filter_map(|n| {
        NhsNumber::parse(&format!("999{:06}{}", n / 10, n % 10))
            .ok()
            .map(NhsNumber::into_inner)
    })
}

fn days(rng: &mut StdRng, lo: i64, hi: i64) -> i64 {
    rng.gen_range(lo..hi)
}

struct Staff {
    keyworkers: Vec<String>,
    clinicians: Vec<String>,
    coordinator: String,
}

fn staff(conn: &mut AnyConnection, people: usize, now: NaiveDateTime) -> Result<Staff, ApiError> {
    let hash = crate::auth::password::hash(DEMO_PASSWORD).map_err(ApiError::internal)?;
    let n_kw = people.div_ceil(25).max(1);
    // A team's managers, not one per ten keyworkers: level 3 emails every manager, and a
    // register of any size is overseen by a handful of them.
    let n_mgr = n_kw.div_ceil(50).clamp(2, 12);
    let mut rows = Vec::new();
    let mut make = |prefix: &str,
                    n: usize,
                    role: Role,
                    manager: &dyn Fn(usize) -> Option<String>|
     -> Vec<String> {
        (0..n)
            .map(|i| {
                let id = Uuid::now_v7().to_string();
                let username = format!("demo-{prefix}-{:05}", i + 1);
                rows.push(NewUserRow {
                    id: id.clone(),
                    email: format!("{username}@nhs.net"),
                    display_name: format!("Demo {role} {}", i + 1),
                    username,
                    role,
                    manager_id: manager(i),
                    password_hash: hash.clone(),
                    active: true,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                });
                id
            })
            .collect()
    };
    let managers = make("manager", n_mgr, Role::Manager, &|_| None);
    let by_manager = |i: usize| Some(managers[i % managers.len()].clone());
    let keyworkers = make("kw", n_kw, Role::Keyworker, &by_manager);
    let clinicians = make(
        "clinician",
        (people / 1000).max(2),
        Role::Clinician,
        &by_manager,
    );
    let coordinators = make(
        "coordinator",
        (people / 2000).max(2),
        Role::Coordinator,
        &by_manager,
    );
    for chunk in rows.chunks(BATCH) {
        crate::insert_batch!(conn, users::table, chunk)?;
    }
    Ok(Staff {
        keyworkers,
        clinicians,
        coordinator: coordinators[0].clone(),
    })
}

/// An admin (the one already there, else `demo-admin`) and the first demo user of each
/// other role, so a demonstration can sign in as anyone.
fn sign_ins(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<Vec<DemoUser>, ApiError> {
    let existing: Option<String> = users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::active.eq(true))
        .order(users::created_at.asc())
        .select(users::username)
        .first(conn)
        .optional()?;
    let admin = match existing {
        Some(username) => DemoUser {
            role: Role::Admin,
            username,
            password: None,
        },
        None => {
            let username = "demo-admin".to_string();
            let row = NewUserRow {
                id: Uuid::now_v7().to_string(),
                email: format!("{username}@nhs.net"),
                display_name: "Demo admin".into(),
                username: username.clone(),
                role: Role::Admin,
                manager_id: None,
                password_hash: crate::auth::password::hash(DEMO_PASSWORD)
                    .map_err(ApiError::internal)?,
                active: true,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            diesel::insert_into(users::table)
                .values(&row)
                .execute(conn)?;
            DemoUser {
                role: Role::Admin,
                username,
                password: Some(DEMO_PASSWORD),
            }
        }
    };
    let mut list = vec![admin];
    for (role, prefix) in [
        (Role::Coordinator, "coordinator"),
        (Role::Manager, "manager"),
        (Role::Clinician, "clinician"),
        (Role::Keyworker, "kw"),
    ] {
        list.push(DemoUser {
            role,
            username: format!("demo-{prefix}-00001"),
            password: Some(DEMO_PASSWORD),
        });
    }
    Ok(list)
}

#[derive(Default)]
struct Batch {
    people: Vec<NewPersonRow>,
    entries: Vec<EntryRow>,
    history: Vec<RagHistoryRow>,
    reviews: Vec<ReviewRow>,
    assignments: Vec<AssignmentRow>,
    contacts: Vec<ContactRow>,
    admissions: Vec<AdmissionRow>,
    visits: Vec<VisitRow>,
    cetrs: Vec<CetrRow>,
    actions: Vec<ActionRow>,
    plans: Vec<PlanRow>,
    points: Vec<PointRow>,
    transitions: Vec<TransitionRow>,
    episodes: Vec<EpisodeRow>,
    referral_moves: Vec<ChangeRow>,
}

impl Batch {
    fn write(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        macro_rules! put {
            ($table:expr, $rows:expr) => {
                for chunk in $rows.chunks(BATCH) {
                    crate::insert_batch!(conn, $table, chunk)?;
                }
            };
        }
        put!(people::table, self.people);
        put!(register_entries::table, self.entries);
        put!(rag_history::table, self.history);
        put!(dsr_reviews::table, self.reviews);
        put!(keyworker_assignments::table, self.assignments);
        put!(contacts::table, self.contacts);
        put!(admissions::table, self.admissions);
        put!(oversight_visits::table, self.visits);
        put!(cetrs::table, self.cetrs);
        put!(cetr_actions::table, self.actions);
        put!(discharge_plans::table, self.plans);
        put!(discharge_points::table, self.points);
        put!(transition_plans::table, self.transitions);
        put!(keyworking_episodes::table, self.episodes);
        put!(keyworking_changes::table, self.referral_moves);
        Ok(())
    }
}

struct Ctx<'a> {
    settings: &'a Settings,
    staff: &'a Staff,
    today: NaiveDate,
    now: NaiveDateTime,
}

/// Builds one person and everything about them; about 5% of their obligations are overdue.
/// The ward type a synthetic stay in this setting has.
fn ward_type_of(setting: Setting) -> WardType {
    match setting {
        Setting::NonSecure => WardType::AssessmentTreatment,
        Setting::LowSecure => WardType::LowSecure,
        Setting::MediumSecure => WardType::MediumSecure,
        Setting::HighSecure => WardType::HighSecure,
        Setting::CypInpatient => WardType::CamhsGeneral,
    }
}

fn person(
    i: usize,
    nhs: String,
    rng: &mut StdRng,
    c: &Ctx<'_>,
    b: &mut Batch,
    report: &mut DemoReport,
) {
    let (today, now) = (c.today, c.now);
    let ago = |d: i64| today - Duration::days(d);
    let person_id = Uuid::now_v7().to_string();
    let given = GIVEN[rng.gen_range(0..GIVEN.len())];
    let family = FAMILY[rng.gen_range(0..FAMILY.len())];
    let age_years = match rng.gen_range(0..10) {
        0..=2 => rng.gen_range(6..18),
        3..=5 => rng.gen_range(18..26),
        _ => rng.gen_range(26..70),
    };
    let dob = ago(age_years * 365 + days(rng, 0, 365));
    let keyworker = c.staff.keyworkers[i % c.staff.keyworkers.len()].clone();
    let clinician = c.staff.clinicians[i % c.staff.clinicians.len()].clone();
    let overdue = rng.gen_bool(0.05);
    let rag = match rng.gen_range(0..10) {
        0 => Rag::Red,
        1 | 2 => Rag::Amber,
        3 => Rag::Blue,
        _ => Rag::Green,
    };
    let cadence = c.settings.register.review_cadence_days;
    let opened_on = ago(days(rng, 60, 900));
    // Overdue: the review that should have followed the last one has not happened (the last
    // review stays a cadence before the missed date, as the register itself would have it).
    let last_review = if overdue {
        ago(days(rng, 1, 30) + i64::from(cadence.days(rag)))
    } else {
        ago(days(rng, 0, i64::from(cadence.days(rag))))
    };
    let next_review_due = cadence.next_review(last_review, rag);
    let diagnoses = match i % 3 {
        0 => r#"["autism"]"#,
        1 => r#"["learning_disability"]"#,
        _ => r#"["autism","learning_disability"]"#,
    };
    b.people.push(NewPersonRow {
        id: person_id.clone(),
        nhs_number: Some(nhs),
        nhs_number_status: NhsNumberStatus::Recorded,
        nhs_number_pending_since: None,
        cyp_keyworker_id: None,
        given_name: given.into(),
        family_name: family.into(),
        search_name: search_name(given, family),
        date_of_birth: dob,
        gender: None,
        diagnoses: diagnoses.into(),
        area: AREAS[i % AREAS.len()].into(),
        local_authority: Some(format!("{} Council", AREAS[i % AREAS.len()])),
        gp_practice: None,
        consent_status: if i.is_multiple_of(7) {
            ConsentStatus::BestInterests
        } else {
            ConsentStatus::Given
        },
        consent_note: None,
        keyworker_id: Some(keyworker.clone()),
        version: 1,
        created_at: now,
        updated_at: now,
        ethnic_category: Some(["A", "B", "C", "D", "H", "J", "M", "N", "S", "Z"][i % 10].into()),
        conditions: "[]".into(),
        communication_needs: None,
        reasonable_adjustments: None,
        looked_after: false,
        postcode_district: None,
        responsible_icb: None,
        at_objection: false,
        merged_into: None,
        merged_at: None,
        merge_reason: None,
    });
    // Young people past the transition age have their plan, but for the ~5% whose work is
    // overdue (no extra random draw: the same seed keeps giving the same register).
    if (17..26).contains(&age_years) && !overdue {
        b.transitions.push(TransitionRow {
            person_id: person_id.clone(),
            adult_team: format!("Adult community team, {}", AREAS[i % AREAS.len()]),
            education_status: "EHCP in place".into(),
            planned_handover_on: today + Duration::days(90),
            notes: None,
            version: 1,
            updated_by: keyworker.clone(),
            created_at: now,
            updated_at: now,
        });
    }
    b.assignments.push(AssignmentRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.clone(),
        user_id: keyworker.clone(),
        from_on: opened_on,
        to_on: None,
        note: None,
        assigned_by: c.staff.coordinator.clone(),
        ended_by: None,
        created_at: now,
    });
    let entry_id = Uuid::now_v7().to_string();
    let number = i as i64 + 1;
    let rag_changed_on = ago(days(rng, 1, 40)).max(opened_on);
    // Children and young people rated red, amber or blue were referred to CYP keyworking when
    // that rating began, but for the overdue few (no extra random draw, as above).
    if age_years <= 25 && needs_referral(rag) && !overdue {
        let episode = EpisodeRow {
            id: Uuid::now_v7().to_string(),
            person_id: person_id.clone(),
            status: KeyworkingStatus::Referred,
            referred_on: rag_changed_on,
            status_on: rag_changed_on,
            keyworker_id: None,
            reason: None,
            note: None,
            recorded_by: c.staff.coordinator.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        b.referral_moves.push(ChangeRow {
            id: Uuid::now_v7().to_string(),
            episode_id: episode.id.clone(),
            status: KeyworkingStatus::Referred,
            changed_on: rag_changed_on,
            keyworker_id: None,
            reason: None,
            changed_by: c.staff.coordinator.clone(),
            changed_at: now,
        });
        b.episodes.push(episode);
    }
    let mut entry = EntryRow {
        id: entry_id.clone(),
        reference: format_reference(number),
        reference_number: number,
        person_id: person_id.clone(),
        status: EntryStatus::Active,
        rag,
        rag_rank: rag.triage_rank(),
        rag_changed_on,
        opened_on,
        closed_on: None,
        closure_reason: None,
        closure_note: None,
        risk_summary: "Synthetic demonstration record".into(),
        referral_source: Some("Community team".into()),
        consent_note: None,
        last_review_on: Some(last_review),
        next_review_due,
        version: 1,
        created_at: now,
        updated_at: now,
        next_cetr_due: None,
        discharge_points_complete: None,
        open_alerts: 0,
        what_has_been_tried: None,
        what_would_help: None,
    };
    b.history.push(RagHistoryRow {
        id: Uuid::now_v7().to_string(),
        register_entry_id: entry_id.clone(),
        from_rag: None,
        to_rag: rag,
        reason: "opened".into(),
        changed_by: Some(c.staff.coordinator.clone()),
        changed_at: now,
        changed_on: opened_on,
    });
    for k in 0..2 {
        let reviewed_on = last_review - Duration::days(k * i64::from(cadence.days(rag)));
        b.reviews.push(ReviewRow {
            id: Uuid::now_v7().to_string(),
            register_entry_id: entry_id.clone(),
            reviewed_on,
            rag,
            attendees: r#"["Coordinator","Keyworker"]"#.into(),
            summary: "Synthetic review".into(),
            next_review_due: cadence.next_review(reviewed_on, rag),
            recorded_by: c.staff.coordinator.clone(),
            created_at: now,
        });
    }
    for k in 0..CONTACTS_PER_PERSON {
        b.contacts.push(ContactRow {
            id: Uuid::now_v7().to_string(),
            person_id: person_id.clone(),
            occurred_at: now - Duration::hours(rng.gen_range(1..24 * 365)),
            kind: CONTACT_KINDS[(i + k) % CONTACT_KINDS.len()],
            summary: "Synthetic contact".into(),
            with_whom: None,
            corrects_id: None,
            recorded_by: keyworker.clone(),
            created_at: now,
        });
    }
    report.contacts += CONTACTS_PER_PERSON;
    let t = c.settings.timescales;
    if rag == Rag::Red {
        // A community C(E)TR has been held since turning red, except for the overdue few.
        let held = rag_changed_on + Duration::days(days(rng, 0, 10));
        if !overdue && held <= today {
            b.cetrs.push(cetr_row(
                &person_id,
                None,
                CetrKind::Community,
                held,
                &clinician,
                now,
            ));
            report.cetrs += 1;
        } else {
            entry.next_cetr_due = t.community_cetr_due(rag_changed_on, None);
        }
    }
    if rag == Rag::Blue {
        let admission_id = Uuid::now_v7().to_string();
        let admitted_on = ago(days(rng, 30, 500));
        let setting = Setting::ALL[i % Setting::ALL.len()];
        let stay = Stay {
            admitted_on,
            date_of_birth: dob,
            setting,
        };
        let held_on = if overdue {
            admitted_on + Duration::days(5)
        } else {
            ago(days(rng, 1, 80)).max(admitted_on)
        };
        let next_cetr = t.next_inpatient_cetr(stay, Some(held_on));
        let visited_on = if overdue {
            admitted_on
        } else {
            ago(days(rng, 1, 40)).max(admitted_on)
        };
        let mut cetr = cetr_row(
            &person_id,
            Some(admission_id.clone()),
            CetrKind::PostAdmission,
            held_on,
            &clinician,
            now,
        );
        cetr.next_due = Some(next_cetr);
        let cetr_id = cetr.id.clone();
        b.cetrs.push(cetr);
        report.cetrs += 1;
        b.admissions.push(AdmissionRow {
            id: admission_id.clone(),
            person_id: person_id.clone(),
            register_entry_id: Some(entry_id.clone()),
            admitted_on,
            hospital: "Demo Hospital".into(),
            setting,
            legal_status: Some("Section 3".into()),
            discharged_on: None,
            discharge_destination: None,
            next_cetr_due: Some(next_cetr),
            next_visit_due: Some(t.next_oversight_visit(stay, Some(visited_on))),
            recorded_by: c.staff.coordinator.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
            provider_ods: Some("RXM".into()),
            hospital_ods: Some("RXM01".into()),
            hospital_icb: Some("QWO".into()),
            ward_type: Some(ward_type_of(setting)),
            legal_status_code: Some(LegalStatusCode::S3),
            admission_reason: Some(AdmissionReason::MentalHealthDeterioration),
            advocacy: Some(Advocacy::Imha),
            lts_started_on: None,
            lts_ended_on: None,
            clinically_ready_on: None,
            delay_reasons: "[]".into(),
        });
        report.admissions += 1;
        b.visits.push(VisitRow {
            id: Uuid::now_v7().to_string(),
            admission_id: admission_id.clone(),
            visited_on,
            visitor: "Case manager".into(),
            notes: None,
            concerns: None,
            recorded_by: c.staff.coordinator.clone(),
            created_at: now,
        });
        entry.next_cetr_due = Some(next_cetr);
        for k in 0..3 {
            let due_on = if overdue && k == 0 {
                ago(3)
            } else {
                today + Duration::days(days(rng, 5, 90))
            };
            b.actions.push(ActionRow {
                id: Uuid::now_v7().to_string(),
                cetr_id: Some(cetr_id.clone()),
                source: ActionSource::Cetr,
                source_id: cetr_id.clone(),
                justification: None,
                person_id: person_id.clone(),
                description: "Synthetic recommendation".into(),
                owner_id: Some(if k == 0 {
                    keyworker.clone()
                } else {
                    clinician.clone()
                }),
                due_on: due_on.max(held_on),
                status: ActionStatus::Open,
                completed_on: None,
                completion_note: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
            report.actions += 1;
        }
        let plan_id = Uuid::now_v7().to_string();
        let complete = rng.gen_range(0..12);
        let cycle = i64::from(c.settings.discharge.review_cycle_days);
        let plan_last_review = if overdue {
            ago(cycle + 2)
        } else {
            ago(days(rng, 0, cycle))
        };
        b.plans.push(PlanRow {
            id: plan_id.clone(),
            admission_id,
            person_id: person_id.clone(),
            planned_discharge_date: Some(today + Duration::days(days(rng, 30, 200))),
            review_cycle_days: c.settings.discharge.review_cycle_days as i32,
            last_review_on: Some(plan_last_review),
            next_review_due: plan_last_review + Duration::days(cycle),
            complete_count: complete as i32,
            closed_count: complete as i32,
            frozen_on: None,
            created_by: c.staff.coordinator.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        });
        for (n, title) in c.settings.discharge.points.iter().enumerate() {
            let done = n < complete;
            b.points.push(PointRow {
                id: Uuid::now_v7().to_string(),
                plan_id: plan_id.clone(),
                number: n as i32 + 1,
                title: title.clone(),
                status: if done {
                    PointStatus::Complete
                } else {
                    PointStatus::InProgress
                },
                owner_id: Some(if n % 2 == 0 {
                    keyworker.clone()
                } else {
                    clinician.clone()
                }),
                target_date: Some(add_days(today, 10 + n as u32 * 7)),
                notes: None,
                completed_on: done.then_some(today),
                updated_at: now,
            });
        }
        entry.discharge_points_complete = Some(complete as i32);
        report.discharge_plans += 1;
    }
    b.entries.push(entry);
}

fn cetr_row(
    person_id: &str,
    admission_id: Option<String>,
    kind: CetrKind,
    held_on: NaiveDate,
    by: &str,
    now: NaiveDateTime,
) -> CetrRow {
    CetrRow {
        id: Uuid::now_v7().to_string(),
        person_id: person_id.into(),
        admission_id,
        kind,
        held_on,
        panel: r#"[{"name":"Chair","role":"chair"},{"name":"Clinical expert","role":"clinical_expert"},{"name":"Expert by experience","role":"expert_by_experience"}]"#.into(),
        summary: "Synthetic C(E)TR".into(),
        outcome: None,
        agencies: if kind == CetrKind::Laep {
            r#"["Community learning disability team","Social care"]"#.into()
        } else {
            "[]".into()
        },
        laep_outcome: None,
        next_due: None,
        recorded_by: by.into(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Loads `people` synthetic people into an empty register.
pub fn generate(
    conn: &mut AnyConnection,
    settings: &Settings,
    people_count: usize,
    seed: u64,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<DemoReport, ApiError> {
    let started = std::time::Instant::now();
    let existing: i64 = people::table.count().get_result(conn)?;
    if existing > 0 {
        return Err(ApiError::Conflict(format!(
            "the database already holds {existing} people; demo data needs an empty register"
        )));
    }
    let mut report = DemoReport {
        people: people_count,
        ..DemoReport::default()
    };
    let staff = write_transaction(conn, |c| staff(c, people_count, now))?;
    report.keyworkers = staff.keyworkers.len();
    report.users = write_transaction(conn, |c| sign_ins(c, now))?;
    let ctx = Ctx {
        settings,
        staff: &staff,
        today,
        now,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut numbers = synthetic_nhs_number(0);
    let mut done = 0;
    while done < people_count {
        let n = BATCH.min(people_count - done);
        let mut batch = Batch::default();
        for i in done..done + n {
            let nhs = numbers
                .next()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("out of NHS numbers")))?;
            person(i, nhs, &mut rng, &ctx, &mut batch, &mut report);
        }
        write_transaction(conn, |c| batch.write(c))?;
        done += n;
        if done % 10_000 == 0 || done == people_count {
            tracing::info!(
                people = done,
                elapsed_s = started.elapsed().as_secs(),
                "demo data"
            );
        }
    }
    write_transaction(conn, |c| -> Result<(), ApiError> {
        diesel::update(sequences::table.find("register_reference"))
            .set(sequences::value.eq(people_count as i64))
            .execute(c)?;
        let ctx = AuditCtx {
            now,
            ..AuditCtx::default()
        };
        audit::record(
            c,
            &ctx,
            AuditEvent::new(AuditAction::Create, "demo_data", None).fields(vec!["people"]),
        )?;
        Ok(())
    })?;
    // Fresh statistics and the visibility map that index-only scans need, after a bulk load
    // (doubled the PostgreSQL triage list's throughput). Not on SQLite: there ANALYZE made
    // the contact-writing path pick a plan that took a second per request (seen in
    // bench/run, not yet explained), while its default plans use the right indexes.
    if let AnyConnection::Postgresql(c) = conn {
        diesel::connection::SimpleConnection::batch_execute(c, "VACUUM ANALYZE")?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
