//! The measures of the monthly series: what each counts, and the counting. `catalogue` lists
//! them in the order the CSV and XLSX columns take; `figures` computes every one for a
//! period and, for the one a drill-down asks about, keeps the things it counted.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Facts, Period, StayFacts};
use crate::domain::alerts::AlertKind;
use crate::domain::inpatient::{CetrKind, DischargeDestination, LaepOutcome, Stay, Timescales};
use crate::domain::inpatient_data::WardType;
use crate::domain::keyworking::KeyworkingStatus;
use crate::domain::person::{age_on, is_under_18, AgeGroup, ETHNIC_CATEGORIES};
use crate::domain::register::{ClosureReason, Rag};
use crate::domain::reports::{
    cetrs_on_time, discharge_counts_for_readmission, median_days, on_register_before, percent,
    visits_on_time, within_readmission_days, READMISSION_DAYS,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// A whole number of counted things, each listed by the drill-down (a valid `measure`).
    Count,
    /// A median, percentage or rate; null when undefined.
    Decimal,
}

impl MeasureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Count => "count",
            MeasureKind::Decimal => "decimal",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub name: String,
    pub kind: MeasureKind,
    pub about: String,
    /// The heading it stands under on the reports page.
    pub group: &'static str,
}

/// The headings of the reports page, in order, each with the name prefixes it gathers.
pub const GROUPS: [(&str, &[&str]); 9] = [
    ("The register", &["register_"]),
    ("Entries opened and closed", &["entries_", "closures_"]),
    ("Admissions and discharges", &["admissions", "discharges"]),
    (
        "Inpatients",
        &["inpatients", "median_length", "delayed_", "discharge_plan"],
    ),
    (
        "C(E)TRs, oversight visits and LAEPs",
        &["cetr", "oversight_", "laeps_", "red_with_"],
    ),
    ("Children and young people", &["cyp_"]),
    ("Readmissions", &["readmission"]),
    ("Overdue work", &["overdue_"]),
    ("Reasons for risk", &["risk_factor_"]),
];

/// The heading a measure stands under: the first whose prefixes its name begins with.
pub fn group_of(name: &str) -> &'static str {
    GROUPS
        .iter()
        .find(|(_, prefixes)| prefixes.iter().any(|p| name.starts_with(p)))
        .map_or("Other", |(heading, _)| heading)
}

/// What a counted thing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    Entry,
    Admission,
    Discharge,
    Cetr,
    Visit,
    Episode,
    Alert,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Entry => "entry",
            ItemKind::Admission => "admission",
            ItemKind::Discharge => "discharge",
            ItemKind::Cetr => "cetr",
            ItemKind::Visit => "visit",
            ItemKind::Episode => "keyworking_episode",
            ItemKind::Alert => "alert",
        }
    }
}

/// One counted thing: what, which, whose, and the day that put it in the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item<'a> {
    pub kind: ItemKind,
    pub id: &'a str,
    pub person_id: &'a str,
    pub on: NaiveDate,
}

impl<'a> Item<'a> {
    pub fn new(kind: ItemKind, id: &'a str, person_id: &'a str, on: NaiveDate) -> Item<'a> {
        Item {
            kind,
            id,
            person_id,
            on,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Count(i64),
    Decimal(Option<f64>),
}

/// Every measure's value for one period, in catalogue order, and the items of the one asked for.
#[derive(Debug, Clone)]
pub struct Figures<'a> {
    pub values: Vec<(String, Value)>,
    pub items: Vec<Item<'a>>,
}

impl Figures<'_> {
    pub fn get(&self, name: &str) -> Option<Value> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    pub fn count(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(Value::Count(n)) => Some(n),
            _ => None,
        }
    }
}

fn measure(name: String, kind: MeasureKind, about: String) -> Measure {
    Measure {
        group: group_of(&name),
        name,
        kind,
        about,
    }
}

fn count(name: impl Into<String>, about: impl Into<String>) -> Measure {
    measure(name.into(), MeasureKind::Count, about.into())
}

fn decimal(name: impl Into<String>, about: impl Into<String>) -> Measure {
    measure(name.into(), MeasureKind::Decimal, about.into())
}

/// Every measure, in column order. `risk_codes` are the configured reasons for risk.
pub fn catalogue(risk_codes: &[String]) -> Vec<Measure> {
    let mut m = vec![count(
        "register_total",
        "Register entries active at the end of the day",
    )];
    for rag in Rag::ALL {
        m.push(count(
            format!("register_{}", rag.as_str()),
            format!("Active entries rated {} that day", rag.as_str()),
        ));
    }
    for (group, ages) in [
        (AgeGroup::Child, "0 to 17"),
        (AgeGroup::YoungPerson, "18 to 25"),
        (AgeGroup::Adult, "26 or over"),
    ] {
        m.push(count(
            format!("register_{}", group.as_str()),
            format!("Active entries of people aged {ages} that day"),
        ));
    }
    for code in ETHNIC_CATEGORIES {
        m.push(count(
            format!("register_ethnic_{code}"),
            format!("Active entries of people of ethnic category {code}"),
        ));
    }
    m.push(count(
        "register_ethnic_not_recorded",
        "Active entries of people with no ethnic category recorded",
    ));
    m.push(count("entries_opened", "Entries opened in the period"));
    m.push(count("entries_closed", "Entries closed in the period"));
    for reason in ClosureReason::ALL {
        m.push(count(
            format!("closures_{}", reason.as_str()),
            format!("Entries closed in the period as {}", reason.as_str()),
        ));
    }
    m.push(count("admissions", "Admissions that began in the period"));
    m.push(count(
        "admissions_known_to_register",
        "Admissions in the period of people on the register before the day of admission",
    ));
    m.push(decimal(
        "admissions_known_to_register_percent",
        "admissions_known_to_register as a percentage of admissions",
    ));
    m.push(count("discharges", "Discharges in the period"));
    for dest in DischargeDestination::ALL {
        m.push(count(
            format!("discharges_{}", dest.as_str()),
            format!("Discharges in the period to {}", dest.as_str()),
        ));
    }
    m.push(count("inpatients", "Admissions open at the end of the day"));
    m.push(count("inpatients_under_18", "Inpatients under 18 that day"));
    m.push(count(
        "inpatients_18_and_over",
        "Inpatients aged 18 or over that day",
    ));
    for ward in WardType::ALL {
        m.push(count(
            format!("inpatients_{}", ward.as_str()),
            format!("Inpatients on a ward of type {}", ward.as_str()),
        ));
    }
    m.push(count(
        "inpatients_ward_type_not_recorded",
        "Inpatients with no ward type recorded",
    ));
    m.push(decimal(
        "median_length_of_stay_days",
        "Median days in hospital so far of the inpatients that day",
    ));
    m.push(count(
        "delayed_discharges",
        "Inpatients clinically ready for discharge on or before that day",
    ));
    m.push(count(
        "inpatients_with_discharge_plan",
        "Inpatients whose discharge plan was recorded by that day",
    ));
    m.push(decimal(
        "discharge_plan_percent",
        "inpatients_with_discharge_plan as a percentage of inpatients",
    ));
    m.push(count(
        "cetrs_held",
        "Inpatient C(E)TRs (post-admission, inpatient, independent) held in the period",
    ));
    m.push(count(
        "cetrs_on_time",
        "Of cetrs_held, those held by their due date",
    ));
    m.push(decimal(
        "cetr_on_time_percent",
        "cetrs_on_time as a percentage of cetrs_held",
    ));
    m.push(count(
        "oversight_visits_held",
        "Commissioner oversight visits made in the period",
    ));
    m.push(count(
        "oversight_visits_on_time",
        "Of oversight_visits_held, those made by their due date (42 days under 18, 56 adults)",
    ));
    m.push(decimal(
        "oversight_visit_on_time_percent",
        "oversight_visits_on_time as a percentage of oversight_visits_held",
    ));
    m.push(count(
        "red_with_cetr_or_laep_in_14_days",
        "Entries red that day whose community C(E)TR or LAEP was held within 14 days of turning red",
    ));
    m.push(count("laeps_held", "LAEPs held in the period"));
    for outcome in LaepOutcome::ALL {
        m.push(count(
            format!("laeps_{}", outcome.as_str()),
            format!("LAEPs held in the period with outcome {}", outcome.as_str()),
        ));
    }
    m.push(count(
        "laeps_outcome_not_recorded",
        "LAEPs held in the period with no outcome recorded",
    ));
    m.push(count(
        "cyp_red_amber_blue",
        "Active entries rated red, amber or blue of people aged 25 or under that day",
    ));
    m.push(count(
        "cyp_keyworker_allocated",
        "Keyworking episodes allocated that day, of the people in cyp_red_amber_blue",
    ));
    m.push(count(
        "readmissions_90_days",
        "Admissions in the period within 90 days of the same person's discharge",
    ));
    m.push(count(
        "readmission_cohort_discharges",
        "Discharges 90 days before the period (transfers and deaths left out)",
    ));
    m.push(count(
        "readmission_cohort_readmitted",
        "Of readmission_cohort_discharges, those followed by an admission within 90 days",
    ));
    m.push(decimal(
        "readmission_rate_percent",
        "readmission_cohort_readmitted as a percentage of readmission_cohort_discharges",
    ));
    for kind in AlertKind::ALL {
        m.push(count(
            format!("overdue_{}", kind.as_str()),
            format!(
                "Alerts of kind {} open at the end of the day",
                kind.as_str()
            ),
        ));
    }
    for code in risk_codes {
        m.push(count(
            format!("risk_factor_{code}"),
            format!("Active entries with the reason for risk {code} current that day"),
        ));
    }
    m
}

/// Counts into the catalogue's slots; keeps the items of the measure wanted.
struct Tally<'a> {
    names: Vec<String>,
    index: HashMap<String, usize>,
    values: Vec<Value>,
    want: Option<usize>,
    items: Vec<Item<'a>>,
}

impl<'a> Tally<'a> {
    fn new(catalogue: &[Measure], want: Option<&str>) -> Tally<'a> {
        let index: HashMap<String, usize> = catalogue
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        Tally {
            want: want.and_then(|w| index.get(w).copied()),
            names: catalogue.iter().map(|m| m.name.clone()).collect(),
            values: catalogue
                .iter()
                .map(|m| match m.kind {
                    MeasureKind::Count => Value::Count(0),
                    MeasureKind::Decimal => Value::Decimal(None),
                })
                .collect(),
            index,
            items: Vec::new(),
        }
    }

    /// Counts `item` under `name` (a name outside the catalogue, such as a reason for risk no
    /// longer configured, is not a measure and counts nowhere).
    fn add(&mut self, name: &str, item: Item<'a>) {
        let Some(&i) = self.index.get(name) else {
            return;
        };
        if let Value::Count(n) = &mut self.values[i] {
            *n += 1;
        }
        if self.want == Some(i) {
            self.items.push(item);
        }
    }

    fn get(&self, name: &str) -> i64 {
        match self.index.get(name).map(|&i| self.values[i]) {
            Some(Value::Count(n)) => n,
            _ => 0,
        }
    }

    fn set(&mut self, name: &str, value: Option<f64>) {
        if let Some(&i) = self.index.get(name) {
            self.values[i] = Value::Decimal(value);
        }
    }

    fn finish(self) -> Figures<'a> {
        Figures {
            values: self.names.into_iter().zip(self.values).collect(),
            items: self.items,
        }
    }
}

fn stay_of(s: &StayFacts, date_of_birth: NaiveDate) -> Stay {
    Stay {
        admitted_on: s.admitted_on,
        date_of_birth,
        setting: s.setting,
    }
}

/// Every measure for `period`, from the facts' history as at `period.as_of`; the items of
/// `want` (a count measure's name) kept for its drill-down.
pub fn figures<'a>(
    facts: &'a Facts,
    period: Period,
    t: &Timescales,
    risk_codes: &[String],
    want: Option<&str>,
) -> Figures<'a> {
    let mut tally = Tally::new(&catalogue(risk_codes), want);
    register(facts, period, t, &mut tally);
    flows(facts, period, &mut tally);
    inpatients(facts, period, &mut tally);
    meetings(facts, period, t, &mut tally);
    keyworking(facts, period, &mut tally);
    readmissions(facts, period, &mut tally);
    for alert in facts
        .alerts
        .iter()
        .filter(|a| a.open_at_end_of(period.as_of))
    {
        let item = Item::new(
            ItemKind::Alert,
            &alert.id,
            &alert.person_id,
            alert.raised_at.date(),
        );
        tally.add(&format!("overdue_{}", alert.kind.as_str()), item);
    }
    let (a, b) = (
        tally.get("admissions_known_to_register"),
        tally.get("admissions"),
    );
    tally.set("admissions_known_to_register_percent", percent(a, b));
    let (a, b) = (tally.get("cetrs_on_time"), tally.get("cetrs_held"));
    tally.set("cetr_on_time_percent", percent(a, b));
    let (a, b) = (
        tally.get("oversight_visits_on_time"),
        tally.get("oversight_visits_held"),
    );
    tally.set("oversight_visit_on_time_percent", percent(a, b));
    let (a, b) = (
        tally.get("inpatients_with_discharge_plan"),
        tally.get("inpatients"),
    );
    tally.set("discharge_plan_percent", percent(a, b));
    let (a, b) = (
        tally.get("readmission_cohort_readmitted"),
        tally.get("readmission_cohort_discharges"),
    );
    tally.set("readmission_rate_percent", percent(a, b));
    tally.finish()
}

/// The register as at the day: ratings, age groups, ethnic categories, reasons for risk, the
/// children and young people rated red, amber or blue, and red entries with a timely C(E)TR.
fn register<'a>(facts: &'a Facts, p: Period, t: &Timescales, tally: &mut Tally<'a>) {
    let day = p.as_of;
    let mut community: HashMap<&str, Vec<NaiveDate>> = HashMap::new();
    for c in facts.cetrs.iter().filter(|c| c.kind.is_community()) {
        community.entry(&c.person_id).or_default().push(c.held_on);
    }
    for e in facts.entries.iter().filter(|e| e.active_on(day)) {
        let (Some(person), Some((since, rag))) = (facts.people.get(&e.person_id), e.rating_on(day))
        else {
            continue;
        };
        let item = Item::new(ItemKind::Entry, &e.id, &e.person_id, e.opened_on);
        tally.add("register_total", item);
        tally.add(&format!("register_{}", rag.as_str()), item);
        let age = age_on(person.date_of_birth, day);
        tally.add(
            &format!("register_{}", AgeGroup::of_age(age).as_str()),
            item,
        );
        let ethnic = person
            .ethnic_category
            .as_deref()
            .filter(|c| ETHNIC_CATEGORIES.contains(c))
            .unwrap_or("not_recorded");
        tally.add(&format!("register_ethnic_{ethnic}"), item);
        for (code, noted, ended) in &e.risk_factors {
            if *noted <= day && ended.is_none_or(|end| end > day) {
                tally.add(&format!("risk_factor_{code}"), item);
            }
        }
        if age <= 25 && rag != Rag::Green {
            tally.add("cyp_red_amber_blue", item);
        }
        if rag == Rag::Red {
            let deadline = t.community_cetr_due(since, None).unwrap_or(since).min(day);
            let timely = community
                .get(e.person_id.as_str())
                .is_some_and(|held| held.iter().any(|h| *h >= since && *h <= deadline));
            if timely {
                tally.add("red_with_cetr_or_laep_in_14_days", item);
            }
        }
    }
}

/// Entries opened and closed, admissions begun, discharges, in the period.
fn flows<'a>(facts: &'a Facts, p: Period, tally: &mut Tally<'a>) {
    for e in &facts.entries {
        if p.holds(e.opened_on) {
            let on = e.opened_on;
            let item = Item::new(ItemKind::Entry, &e.id, &e.person_id, on);
            tally.add("entries_opened", item);
        }
        if let Some(closed) = e.closed_on.filter(|c| p.holds(*c)) {
            let item = Item::new(ItemKind::Entry, &e.id, &e.person_id, closed);
            tally.add("entries_closed", item);
            if let Some(reason) = e.closure_reason {
                tally.add(&format!("closures_{}", reason.as_str()), item);
            }
        }
    }
    let mut entries_of: HashMap<&str, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    for e in &facts.entries {
        entries_of
            .entry(&e.person_id)
            .or_default()
            .push((e.opened_on, e.closed_on));
    }
    for s in &facts.stays {
        if p.holds(s.admitted_on) {
            let on = s.admitted_on;
            let item = Item::new(ItemKind::Admission, &s.id, &s.person_id, on);
            tally.add("admissions", item);
            let known = entries_of
                .get(s.person_id.as_str())
                .is_some_and(|e| on_register_before(s.admitted_on, e));
            if known {
                tally.add("admissions_known_to_register", item);
            }
        }
        if let Some(out) = s.discharged_on.filter(|d| p.holds(*d)) {
            let item = Item::new(ItemKind::Discharge, &s.id, &s.person_id, out);
            tally.add("discharges", item);
            if let Some(dest) = s.destination {
                tally.add(&format!("discharges_{}", dest.as_str()), item);
            }
        }
    }
}

/// The inpatients at the end of the day: by age, ward type, length of stay, delay and plan.
fn inpatients<'a>(facts: &'a Facts, p: Period, tally: &mut Tally<'a>) {
    let day = p.as_of;
    let mut days = Vec::new();
    for s in facts.stays.iter().filter(|s| s.open_on(day)) {
        let Some(person) = facts.people.get(&s.person_id) else {
            continue;
        };
        let on = s.admitted_on;
        let item = Item::new(ItemKind::Admission, &s.id, &s.person_id, on);
        tally.add("inpatients", item);
        match is_under_18(person.date_of_birth, day) {
            true => tally.add("inpatients_under_18", item),
            false => tally.add("inpatients_18_and_over", item),
        }
        let ward = s
            .ward_type
            .map_or("ward_type_not_recorded", WardType::as_str);
        tally.add(&format!("inpatients_{ward}"), item);
        if s.clinically_ready_on.is_some_and(|r| r <= day) {
            tally.add("delayed_discharges", item);
        }
        if s.plan_recorded_on.is_some_and(|r| r <= day) {
            tally.add("inpatients_with_discharge_plan", item);
        }
        days.push((day - s.admitted_on).num_days());
    }
    tally.set("median_length_of_stay_days", median_days(days));
}

/// C(E)TRs and oversight visits held in the period, each against its own deadline; LAEPs.
fn meetings<'a>(facts: &'a Facts, p: Period, t: &Timescales, tally: &mut Tally<'a>) {
    let mut cetrs_of: HashMap<&str, Vec<(NaiveDate, &str)>> = HashMap::new();
    for c in facts.cetrs.iter().filter(|c| c.kind.is_inpatient()) {
        if let Some(stay) = &c.admission_id {
            cetrs_of.entry(stay).or_default().push((c.held_on, &c.id));
        }
    }
    let mut visits_of: HashMap<&str, Vec<(NaiveDate, &str)>> = HashMap::new();
    for v in &facts.visits {
        visits_of
            .entry(&v.admission_id)
            .or_default()
            .push((v.visited_on, &v.id));
    }
    for s in &facts.stays {
        let Some(person) = facts.people.get(&s.person_id) else {
            continue;
        };
        let stay = stay_of(s, person.date_of_birth);
        if let Some(held) = cetrs_of.remove(s.id.as_str()) {
            let timely = |dates: &[NaiveDate]| cetrs_on_time(stay, dates, t);
            let whose = (ItemKind::Cetr, s.person_id.as_str());
            count_meetings(
                held,
                timely,
                whose,
                ["cetrs_held", "cetrs_on_time"],
                p,
                tally,
            );
        }
        if let Some(made) = visits_of.remove(s.id.as_str()) {
            let timely = |dates: &[NaiveDate]| visits_on_time(stay, dates, t);
            let whose = (ItemKind::Visit, s.person_id.as_str());
            let names = ["oversight_visits_held", "oversight_visits_on_time"];
            count_meetings(made, timely, whose, names, p, tally);
        }
    }
    for c in &facts.cetrs {
        if c.kind != CetrKind::Laep
            || !p.holds(c.held_on)
            || !facts.people.contains_key(&c.person_id)
        {
            continue;
        }
        let item = Item::new(ItemKind::Cetr, &c.id, &c.person_id, c.held_on);
        tally.add("laeps_held", item);
        let outcome = c
            .laep_outcome
            .map_or("outcome_not_recorded", LaepOutcome::as_str);
        tally.add(&format!("laeps_{outcome}"), item);
    }
}

/// One stay's meetings of one sort (its C(E)TRs, or its visits) as (day, id), each judged
/// against the deadline the one before it set: those in the period count under `names[0]`,
/// the timely ones also under `names[1]`.
fn count_meetings<'a>(
    mut held: Vec<(NaiveDate, &'a str)>,
    on_time: impl Fn(&[NaiveDate]) -> Vec<bool>,
    (kind, person_id): (ItemKind, &'a str),
    names: [&str; 2],
    p: Period,
    tally: &mut Tally<'a>,
) {
    held.sort_unstable();
    let dates: Vec<NaiveDate> = held.iter().map(|(on, _)| *on).collect();
    for ((on, id), ok) in held.into_iter().zip(on_time(&dates)) {
        if p.holds(on) {
            let item = Item {
                kind,
                id,
                person_id,
                on,
            };
            tally.add(names[0], item);
            if ok {
                tally.add(names[1], item);
            }
        }
    }
}

/// Keyworking episodes allocated at the end of the day, of the children and young people
/// rated red, amber or blue.
fn keyworking<'a>(facts: &'a Facts, p: Period, tally: &mut Tally<'a>) {
    let day = p.as_of;
    let young_at_risk: std::collections::HashSet<&str> = facts
        .entries
        .iter()
        .filter(|e| e.active_on(day))
        .filter(|e| e.rating_on(day).is_some_and(|(_, r)| r != Rag::Green))
        .filter(|e| {
            facts
                .people
                .get(&e.person_id)
                .is_some_and(|p| age_on(p.date_of_birth, day) <= 25)
        })
        .map(|e| e.person_id.as_str())
        .collect();
    for k in &facts.episodes {
        if young_at_risk.contains(k.person_id.as_str())
            && k.status_on(day) == Some(KeyworkingStatus::Allocated)
        {
            let item = Item::new(ItemKind::Episode, &k.id, &k.person_id, k.referred_on);
            tally.add("cyp_keyworker_allocated", item);
        }
    }
}

/// Readmissions in the period, and the rate among the discharges of 90 days before it.
fn readmissions<'a>(facts: &'a Facts, p: Period, tally: &mut Tally<'a>) {
    let mut stays_of: HashMap<&str, Vec<&StayFacts>> = HashMap::new();
    for s in &facts.stays {
        stays_of.entry(&s.person_id).or_default().push(s);
    }
    let back = chrono::Days::new(READMISSION_DAYS as u64);
    let cohort = Period {
        start: p.start.checked_sub_days(back).unwrap_or(NaiveDate::MIN),
        as_of: p.as_of.checked_sub_days(back).unwrap_or(NaiveDate::MIN),
    };
    for s in &facts.stays {
        let theirs = &stays_of[s.person_id.as_str()];
        if p.holds(s.admitted_on) {
            let readmitted = theirs.iter().any(|prior| {
                prior.id != s.id
                    && discharge_counts_for_readmission(prior.destination)
                    && prior
                        .discharged_on
                        .is_some_and(|d| within_readmission_days(d, s.admitted_on))
            });
            if readmitted {
                let on = s.admitted_on;
                let item = Item::new(ItemKind::Admission, &s.id, &s.person_id, on);
                tally.add("readmissions_90_days", item);
            }
        }
        let Some(out) = s.discharged_on.filter(|d| cohort.holds(*d)) else {
            continue;
        };
        if !discharge_counts_for_readmission(s.destination) {
            continue;
        }
        let item = Item::new(ItemKind::Discharge, &s.id, &s.person_id, out);
        tally.add("readmission_cohort_discharges", item);
        let back_in = theirs
            .iter()
            .any(|next| next.id != s.id && within_readmission_days(out, next.admitted_on));
        if back_in {
            tally.add("readmission_cohort_readmitted", item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inpatient::Setting;
    use crate::domain::monthly::{CetrFacts, EntryFacts, PersonFacts};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_catalogue_names_every_measure_of_domain_md_once() {
        let names: Vec<String> = catalogue(&["self_harm".into()])
            .into_iter()
            .map(|m| m.name)
            .collect();
        let unique: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "no name twice");
        for binding in [
            "register_total",
            "register_red",
            "register_amber",
            "register_green",
            "register_blue",
            "register_child",
            "register_young_person",
            "register_adult",
            "entries_opened",
            "entries_closed",
            "closures_died",
            "admissions",
            "discharges",
            "discharges_community",
            "inpatients",
            "inpatients_under_18",
            "inpatients_18_and_over",
            "inpatients_low_secure",
            "median_length_of_stay_days",
            "delayed_discharges",
            "cetr_on_time_percent",
            "oversight_visit_on_time_percent",
            "discharge_plan_percent",
            "cyp_red_amber_blue",
            "cyp_keyworker_allocated",
            "red_with_cetr_or_laep_in_14_days",
            "laeps_held",
            "laeps_admission_avoided",
            "readmissions_90_days",
            "readmission_rate_percent",
            "admissions_known_to_register",
            "admissions_known_to_register_percent",
            "register_ethnic_A",
            "register_ethnic_99",
            "risk_factor_self_harm",
        ] {
            assert!(names.iter().any(|n| n == binding), "{binding}");
        }
        // Every measure has its heading, and the headings come in the page's order.
        let all = catalogue(&["self_harm".into()]);
        assert!(
            all.iter().all(|m| m.group != "Other"),
            "each under a heading"
        );
        let order: Vec<usize> = all
            .iter()
            .map(|m| GROUPS.iter().position(|(g, _)| *g == m.group).unwrap())
            .collect();
        assert!(
            order.windows(2).all(|w| w[0] <= w[1]),
            "column order keeps headings together"
        );
        for (name, heading) in [
            ("register_ethnic_A", "The register"),
            (
                "admissions_known_to_register_percent",
                "Admissions and discharges",
            ),
            ("discharge_plan_percent", "Inpatients"),
            ("inpatients_with_discharge_plan", "Inpatients"),
            (
                "cetr_on_time_percent",
                "C(E)TRs, oversight visits and LAEPs",
            ),
            ("readmission_rate_percent", "Readmissions"),
            ("risk_factor_self_harm", "Reasons for risk"),
        ] {
            assert_eq!(group_of(name), heading, "{name}");
        }
        // Decimals are exactly the medians, percentages and rates.
        for m in catalogue(&[]) {
            let decimal = m.name.starts_with("median_") || m.name.ends_with("_percent");
            assert_eq!(m.kind == MeasureKind::Decimal, decimal, "{}", m.name);
        }
    }

    fn red_entry(since: &str, cetr_on: Option<&str>) -> Facts {
        let mut facts = Facts::default();
        facts.people.insert(
            "p".into(),
            PersonFacts {
                id: "p".into(),
                name: "P".into(),
                date_of_birth: d("1990-01-01"),
                ethnic_category: None,
            },
        );
        facts.entries.push(EntryFacts {
            id: "e".into(),
            person_id: "p".into(),
            reference: "DSR-000001".into(),
            opened_on: d(since),
            closed_on: None,
            closure_reason: None,
            ratings: vec![(d(since), Rag::Red)],
            risk_factors: vec![("self_harm".into(), d(since), Some(d("2026-06-20")))],
        });
        if let Some(on) = cetr_on {
            facts.cetrs.push(CetrFacts {
                id: "c".into(),
                person_id: "p".into(),
                admission_id: None,
                kind: CetrKind::Community,
                held_on: d(on),
                laep_outcome: None,
            });
        }
        facts
    }

    #[test]
    fn a_red_entry_counts_as_timely_with_a_community_cetr_within_14_days() {
        let t = Timescales::default();
        let june = Period::month(d("2026-06-01"), d("2026-12-04")).unwrap();
        let codes = ["self_harm".to_string()];
        for (cetr, timely) in [
            (None, 0),
            (Some("2026-06-15"), 1),
            (Some("2026-06-16"), 0),
            (Some("2026-05-31"), 0),
        ] {
            let facts = red_entry("2026-06-01", cetr);
            let f = figures(
                &facts,
                june,
                &t,
                &codes,
                Some("red_with_cetr_or_laep_in_14_days"),
            );
            assert_eq!(
                f.count("red_with_cetr_or_laep_in_14_days"),
                Some(timely),
                "{cetr:?}"
            );
            assert_eq!(f.items.len() as i64, timely);
            assert_eq!(f.count("risk_factor_self_harm"), Some(0), "ended 20 June");
        }
        // A reason for risk no longer configured is in no count.
        let facts = red_entry("2026-06-01", None);
        let f = figures(&facts, june, &t, &[], None);
        assert!(f.get("risk_factor_self_harm").is_none());
    }

    #[test]
    fn length_of_stay_and_readmission_follow_the_stays() {
        let t = Timescales::default();
        let mut facts = red_entry("2026-01-01", None);
        let stay =
            |id: &str, admitted: &str, out: Option<(&str, DischargeDestination)>| StayFacts {
                id: id.into(),
                person_id: "p".into(),
                register_entry_id: Some("e".into()),
                admitted_on: d(admitted),
                discharged_on: out.map(|(o, _)| d(o)),
                destination: out.map(|(_, dest)| dest),
                setting: Setting::NonSecure,
                ward_type: None,
                clinically_ready_on: None,
                plan_recorded_on: None,
            };
        facts.stays = vec![
            stay(
                "a",
                "2026-02-01",
                Some(("2026-03-02", DischargeDestination::Community)),
            ),
            // 91 days after: not a readmission.
            stay(
                "b",
                "2026-06-01",
                Some(("2026-06-10", DischargeDestination::OtherHospital)),
            ),
            // A transfer starts no 90 days.
            stay("c", "2026-06-10", None),
        ];
        let june = Period::month(d("2026-06-01"), d("2026-12-04")).unwrap();
        let f = figures(&facts, june, &t, &[], None);
        assert_eq!(f.count("readmissions_90_days"), Some(0));
        assert_eq!(f.count("inpatients"), Some(1));
        assert_eq!(
            f.get("median_length_of_stay_days"),
            Some(Value::Decimal(Some(20.0)))
        );
        assert_eq!(f.count("admissions_known_to_register"), Some(2));
        assert_eq!(f.count("discharges_other_hospital"), Some(1));
        facts.stays[1].admitted_on = d("2026-05-31");
        let f = figures(&facts, june, &t, &[], None);
        assert_eq!(
            f.count("admissions"),
            Some(1),
            "only the transfer's admission in June"
        );
        let may = Period::month(d("2026-05-01"), d("2026-12-04")).unwrap();
        let f = figures(&facts, may, &t, &[], None);
        assert_eq!(
            f.count("readmissions_90_days"),
            Some(1),
            "90 days after is within"
        );
    }
}
