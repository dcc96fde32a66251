//! The register's rules: RAG ratings, review cadences and due dates, closure reasons.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    /// Immediate risk of admission.
    Red,
    /// Risk of admission without urgent intervention.
    Amber,
    /// Risks currently managed in the community.
    Green,
    /// Currently an inpatient.
    Blue,
}

impl Rag {
    pub const ALL: [Rag; 4] = [Rag::Red, Rag::Amber, Rag::Green, Rag::Blue];

    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Red => "red",
            Rag::Amber => "amber",
            Rag::Green => "green",
            Rag::Blue => "blue",
        }
    }

    pub fn parse(s: &str) -> Option<Rag> {
        Rag::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Triage order for `sort=rag`: red, blue, amber, green (most urgent first).
    pub fn triage_rank(self) -> i32 {
        match self {
            Rag::Red => 0,
            Rag::Blue => 1,
            Rag::Amber => 2,
            Rag::Green => 3,
        }
    }
}

/// Days between DSR reviews for each rating (configuration; no national frequency exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewCadence {
    pub red: u32,
    pub amber: u32,
    pub green: u32,
    pub blue: u32,
}

impl Default for ReviewCadence {
    fn default() -> Self {
        ReviewCadence {
            red: 7,
            amber: 28,
            green: 90,
            blue: 28,
        }
    }
}

impl ReviewCadence {
    pub fn days(&self, rag: Rag) -> u32 {
        match rag {
            Rag::Red => self.red,
            Rag::Amber => self.amber,
            Rag::Green => self.green,
            Rag::Blue => self.blue,
        }
    }

    /// The next review after a review (or the opening) on `from` at `rag`.
    pub fn next_review(&self, from: NaiveDate, rag: Rag) -> NaiveDate {
        add_days(from, self.days(rag))
    }

    /// A RAG change outside a review pulls the next review forward when the new cadence is
    /// shorter, and never pushes it back: `min(current, changed_on + cadence[new])`.
    pub fn after_rag_change(
        &self,
        current_due: NaiveDate,
        changed_on: NaiveDate,
        new: Rag,
    ) -> NaiveDate {
        current_due.min(self.next_review(changed_on, new))
    }
}

pub fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Overdue means the due date has passed: due today is not yet overdue.
pub fn is_overdue(due: NaiveDate, today: NaiveDate) -> bool {
    due < today
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Active,
    Closed,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 2] = [EntryStatus::Active, EntryStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Active => "active",
            EntryStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<EntryStatus> {
        EntryStatus::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    NoLongerAtRisk,
    MovedOutOfArea,
    AdmittedElsewhere,
    Died,
    DeclinedConsent,
    Other,
}

impl ClosureReason {
    pub const ALL: [ClosureReason; 6] = [
        ClosureReason::NoLongerAtRisk,
        ClosureReason::MovedOutOfArea,
        ClosureReason::AdmittedElsewhere,
        ClosureReason::Died,
        ClosureReason::DeclinedConsent,
        ClosureReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClosureReason::NoLongerAtRisk => "no_longer_at_risk",
            ClosureReason::MovedOutOfArea => "moved_out_of_area",
            ClosureReason::AdmittedElsewhere => "admitted_elsewhere",
            ClosureReason::Died => "died",
            ClosureReason::DeclinedConsent => "declined_consent",
            ClosureReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ClosureReason> {
        ClosureReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// `DSR-000123`: the short reference people say on the phone.
pub fn format_reference(n: i64) -> String {
    format!("DSR-{n:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn next_review_follows_the_cadence_for_each_rating() {
        let c = ReviewCadence::default();
        let cases = [
            (Rag::Red, "2026-11-25", "2026-12-02"),
            (Rag::Amber, "2026-11-25", "2026-12-23"),
            (Rag::Green, "2026-11-25", "2027-02-23"),
            (Rag::Blue, "2026-11-25", "2026-12-23"),
            (Rag::Red, "2028-02-25", "2028-03-03"),
            (Rag::Amber, "2028-02-01", "2028-02-29"),
        ];
        for (rag, from, due) in cases {
            assert_eq!(c.next_review(d(from), rag), d(due), "{rag:?} from {from}");
        }
    }

    #[test]
    fn a_rag_change_pulls_the_review_forward_never_back() {
        let c = ReviewCadence::default();
        let cases = [
            // green due in 60 days turns red today: due in 7
            ("2027-01-24", "2026-11-25", Rag::Red, "2026-12-02"),
            // red due in 3 days turns green: stays in 3
            ("2026-11-28", "2026-11-25", Rag::Green, "2026-11-28"),
            // amber due in 10 days turns blue (28): stays
            ("2026-12-05", "2026-11-25", Rag::Blue, "2026-12-05"),
            // already overdue stays overdue
            ("2026-11-01", "2026-11-25", Rag::Red, "2026-11-01"),
        ];
        for (current, changed_on, new, expected) in cases {
            assert_eq!(
                c.after_rag_change(d(current), d(changed_on), new),
                d(expected)
            );
        }
    }

    #[test]
    fn due_today_is_not_overdue() {
        assert!(!is_overdue(d("2026-11-25"), d("2026-11-25")));
        assert!(is_overdue(d("2026-11-24"), d("2026-11-25")));
        assert!(!is_overdue(d("2026-11-26"), d("2026-11-25")));
    }

    #[test]
    fn triage_order_is_red_blue_amber_green() {
        let mut rags = Rag::ALL.to_vec();
        rags.sort_by_key(|r| r.triage_rank());
        assert_eq!(rags, vec![Rag::Red, Rag::Blue, Rag::Amber, Rag::Green]);
        for r in Rag::ALL {
            assert_eq!(Rag::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(format_reference(123), "DSR-000123");
        assert_eq!(format_reference(1234567), "DSR-1234567");
    }
}
