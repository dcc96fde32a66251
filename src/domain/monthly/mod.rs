//! The monthly series and its drill-down (`domain.md`, *Reports, new in round 2*): every figure
//! is computed from dated history as at one day (a month's end, or today for the current
//! month), never from today's state, so last spring's figures stay what they were. Each count
//! is made by naming the things it counts, so a figure and the list behind it cannot disagree.

pub mod measures;

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime};

use super::alerts::AlertKind;
use super::inpatient::{CetrKind, DischargeDestination, LaepOutcome, Setting};
use super::inpatient_data::WardType;
use super::keyworking::KeyworkingStatus;
use super::register::{ClosureReason, Rag};

/// A person as the reports see them.
#[derive(Debug, Clone)]
pub struct PersonFacts {
    pub id: String,
    pub name: String,
    pub date_of_birth: NaiveDate,
    pub ethnic_category: Option<String>,
}

/// A register entry with its dated ratings and reasons for risk.
#[derive(Debug, Clone)]
pub struct EntryFacts {
    pub id: String,
    pub person_id: String,
    pub reference: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    /// Every rating with the day it took effect, in the order recorded (the opening rating
    /// first): a review dated back counts from its date, but never undoes one recorded after it.
    pub ratings: Vec<(NaiveDate, Rag)>,
    /// (code, noted on, ended on).
    pub risk_factors: Vec<(String, NaiveDate, Option<NaiveDate>)>,
}

impl EntryFacts {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.opened_on <= day && self.closed_on.is_none_or(|c| c > day)
    }

    /// The rating on `day` and the day it took effect: the last recorded of those dated by
    /// then (as the summary report reads the history).
    pub fn rating_on(&self, day: NaiveDate) -> Option<(NaiveDate, Rag)> {
        self.ratings
            .iter()
            .rev()
            .find(|(on, _)| *on <= day)
            .copied()
    }
}

/// An admission (a stay in hospital).
#[derive(Debug, Clone)]
pub struct StayFacts {
    pub id: String,
    pub person_id: String,
    pub register_entry_id: Option<String>,
    pub admitted_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub destination: Option<DischargeDestination>,
    pub setting: Setting,
    pub ward_type: Option<WardType>,
    pub clinically_ready_on: Option<NaiveDate>,
    /// The day its discharge plan was first recorded.
    pub plan_recorded_on: Option<NaiveDate>,
}

impl StayFacts {
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.admitted_on <= day && self.discharged_on.is_none_or(|d| d > day)
    }
}

#[derive(Debug, Clone)]
pub struct CetrFacts {
    pub id: String,
    pub person_id: String,
    pub admission_id: Option<String>,
    pub kind: CetrKind,
    pub held_on: NaiveDate,
    pub laep_outcome: Option<LaepOutcome>,
}

#[derive(Debug, Clone)]
pub struct VisitFacts {
    pub id: String,
    pub admission_id: String,
    pub visited_on: NaiveDate,
}

/// A CYP keyworking episode with its dated moves, oldest first.
#[derive(Debug, Clone)]
pub struct EpisodeFacts {
    pub id: String,
    pub person_id: String,
    pub referred_on: NaiveDate,
    pub moves: Vec<(NaiveDate, KeyworkingStatus)>,
}

impl EpisodeFacts {
    /// The episode's status at the end of `day` (none before its referral).
    pub fn status_on(&self, day: NaiveDate) -> Option<KeyworkingStatus> {
        if self.referred_on > day {
            return None;
        }
        let moved = self.moves.iter().rev().find(|(on, _)| *on <= day);
        Some(moved.map_or(KeyworkingStatus::Referred, |(_, s)| *s))
    }
}

#[derive(Debug, Clone)]
pub struct AlertFacts {
    pub id: String,
    pub person_id: String,
    pub kind: AlertKind,
    pub raised_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
}

impl AlertFacts {
    /// Open at the end of `day`.
    pub fn open_at_end_of(&self, day: NaiveDate) -> bool {
        let end = day
            .succ_opt()
            .unwrap_or(day)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        self.raised_at < end && self.resolved_at.is_none_or(|r| r >= end)
    }
}

/// Everything the reports count, for the people in scope.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub people: HashMap<String, PersonFacts>,
    pub entries: Vec<EntryFacts>,
    pub stays: Vec<StayFacts>,
    pub cetrs: Vec<CetrFacts>,
    pub visits: Vec<VisitFacts>,
    pub episodes: Vec<EpisodeFacts>,
    pub alerts: Vec<AlertFacts>,
}

impl Facts {
    /// Each person's entries, for finding the reference to show beside many items at once.
    pub fn entries_by_person(&self) -> HashMap<&str, Vec<&EntryFacts>> {
        let mut by: HashMap<&str, Vec<&EntryFacts>> = HashMap::new();
        for e in &self.entries {
            by.entry(e.person_id.as_str()).or_default().push(e);
        }
        by
    }
}

/// The register reference to show beside a person on `day`, of their entries: the one active
/// that day, else the latest opened by then, else any.
pub fn reference_on<'a>(entries: &[&'a EntryFacts], day: NaiveDate) -> Option<&'a str> {
    entries
        .iter()
        .find(|e| e.active_on(day))
        .or_else(|| {
            entries
                .iter()
                .filter(|e| e.opened_on <= day)
                .max_by_key(|e| e.opened_on)
        })
        .or_else(|| entries.iter().max_by_key(|e| e.opened_on))
        .map(|e| e.reference.as_str())
}

/// The days a set of figures describes: flows (admissions, C(E)TRs held…) count from `start`
/// to `as_of`; states (the register, inpatients…) are as at the end of `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub as_of: NaiveDate,
}

impl Period {
    /// A calendar month as at its last day, or as at `today` while it is the current month.
    /// None for a month that has not begun.
    pub fn month(first: NaiveDate, today: NaiveDate) -> Option<Period> {
        let start = first.with_day(1)?;
        if start > today {
            return None;
        }
        let end = start.checked_add_months(Months::new(1))?.pred_opt()?;
        Some(Period {
            start,
            as_of: end.min(today),
        })
    }

    /// The summary report's window: the 12 months (365 days) to `as_of`.
    pub fn year_to(as_of: NaiveDate) -> Period {
        Period {
            start: as_of
                .checked_sub_days(Days::new(364))
                .unwrap_or(NaiveDate::MIN),
            as_of,
        }
    }

    pub fn holds(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.as_of
    }
}

/// Reads `YYYY-MM` as the month's first day.
pub fn parse_month(raw: &str) -> Option<NaiveDate> {
    let (year, month) = raw.trim().split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

/// The first days of the months from `from` to `to`, both included.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut months = Vec::new();
    let mut m = from;
    while m <= to {
        months.push(m);
        match m.checked_add_months(Months::new(1)) {
            Some(next) => m = next,
            None => break,
        }
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_is_as_at_its_end_or_today() {
        let today = d("2026-12-04");
        let table = [
            ("2026-06-01", Some(("2026-06-01", "2026-06-30"))),
            ("2026-02-01", Some(("2026-02-01", "2026-02-28"))),
            ("2024-02-01", Some(("2024-02-01", "2024-02-29"))),
            ("2026-12-01", Some(("2026-12-01", "2026-12-04"))),
            ("2027-01-01", None),
        ];
        for (first, want) in table {
            let want = want.map(|(s, e)| Period {
                start: d(s),
                as_of: d(e),
            });
            assert_eq!(Period::month(d(first), today), want, "{first}");
        }
        assert_eq!(Period::year_to(d("2026-12-04")).start, d("2025-12-05"));
    }

    #[test]
    fn months_are_read_as_yyyy_mm() {
        assert_eq!(parse_month("2026-06"), Some(d("2026-06-01")));
        for bad in [
            "2026-13",
            "2026-6",
            "26-06",
            "2026/06",
            "june",
            "2026-06-01",
            "",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        let months = months_between(d("2025-11-01"), d("2026-02-01"));
        assert_eq!(months.len(), 4);
        assert_eq!(months[3], d("2026-02-01"));
    }

    #[test]
    fn ratings_statuses_and_alerts_are_read_as_at_a_day() {
        let entry = EntryFacts {
            id: "e".into(),
            person_id: "p".into(),
            reference: "DSR-000001".into(),
            opened_on: d("2026-06-10"),
            closed_on: Some(d("2026-08-05")),
            closure_reason: None,
            ratings: vec![(d("2026-06-10"), Rag::Amber), (d("2026-07-01"), Rag::Red)],
            risk_factors: vec![],
        };
        assert_eq!(entry.rating_on(d("2026-06-09")), None);
        assert_eq!(
            entry.rating_on(d("2026-06-30")),
            Some((d("2026-06-10"), Rag::Amber))
        );
        assert_eq!(
            entry.rating_on(d("2026-07-01")),
            Some((d("2026-07-01"), Rag::Red))
        );
        let mut backdated = entry.clone();
        backdated.ratings.push((d("2026-06-20"), Rag::Green));
        assert_eq!(
            backdated.rating_on(d("2026-07-05")),
            Some((d("2026-06-20"), Rag::Green)),
            "a review recorded later and dated back is the rating from its date on"
        );
        assert_eq!(
            backdated.rating_on(d("2026-06-15")),
            Some((d("2026-06-10"), Rag::Amber))
        );
        assert!(!entry.active_on(d("2026-06-09")));
        assert!(entry.active_on(d("2026-08-04")));
        assert!(!entry.active_on(d("2026-08-05")), "closed that day");

        let episode = EpisodeFacts {
            id: "k".into(),
            person_id: "p".into(),
            referred_on: d("2026-06-12"),
            moves: vec![(d("2026-06-20"), KeyworkingStatus::Accepted)],
        };
        assert_eq!(episode.status_on(d("2026-06-11")), None);
        assert_eq!(
            episode.status_on(d("2026-06-19")),
            Some(KeyworkingStatus::Referred)
        );
        assert_eq!(
            episode.status_on(d("2026-06-20")),
            Some(KeyworkingStatus::Accepted)
        );

        let at = |s: &str| d(s).and_hms_opt(9, 0, 0).unwrap();
        let alert = AlertFacts {
            id: "a".into(),
            person_id: "p".into(),
            kind: AlertKind::DsrReviewOverdue,
            raised_at: at("2026-07-01"),
            resolved_at: Some(at("2026-07-03")),
        };
        assert!(!alert.open_at_end_of(d("2026-06-30")));
        assert!(alert.open_at_end_of(d("2026-07-01")));
        assert!(alert.open_at_end_of(d("2026-07-02")));
        assert!(!alert.open_at_end_of(d("2026-07-03")));
    }
}
