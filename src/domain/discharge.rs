//! The 12-point discharge plan: template, point statuses and progress.
//!
//! No public national list of the twelve points exists; the default template is drawn from
//! the discharge guidance themes and can be renamed in configuration (the count stays 12).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::register::is_overdue;

pub const POINT_COUNT: usize = 12;

/// Point 12, "Post-discharge follow-up": the one point still worked on after the discharge
/// freezes the plan (the 72-hour follow-up and the next C(E)TR happen in the community).
pub const FOLLOW_UP_POINT: i32 = 12;

/// Whether point `number` may still change once the plan is frozen.
pub fn editable_when_frozen(number: i32) -> bool {
    number == FOLLOW_UP_POINT
}

pub const DEFAULT_POINTS: [&str; POINT_COUNT] = [
    "Person and family views and wishes (plan co-produced)",
    "Planned discharge date agreed",
    "Housing / home identified",
    "Care and support provider identified and commissioned",
    "Funding agreed (including Section 117 aftercare)",
    "Community team and care coordinator named",
    "Crisis, risk and positive behaviour support plan",
    "Medication reviewed (STOMP/STAMP)",
    "Physical health: health check and health action plan",
    "Education, employment and day opportunities (EHCP for under-25s)",
    "Transition plan: visits, staff handover and training",
    "Post-discharge follow-up arranged (72-hour follow-up, next C(E)TR)",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PointStatus {
    NotStarted,
    InProgress,
    Complete,
    NotApplicable,
}

impl PointStatus {
    pub const ALL: [PointStatus; 4] = [
        PointStatus::NotStarted,
        PointStatus::InProgress,
        PointStatus::Complete,
        PointStatus::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PointStatus::NotStarted => "not_started",
            PointStatus::InProgress => "in_progress",
            PointStatus::Complete => "complete",
            PointStatus::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(s: &str) -> Option<PointStatus> {
        PointStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// `complete` and `not_applicable` close a point: nothing more is owed on it.
    pub fn is_closed(self) -> bool {
        matches!(self, PointStatus::Complete | PointStatus::NotApplicable)
    }

    /// The statuses of points still owed, for a query.
    pub fn open() -> Vec<PointStatus> {
        PointStatus::ALL
            .into_iter()
            .filter(|s| !s.is_closed())
            .collect()
    }
}

/// A point is overdue when its target date has passed and it is still open.
pub fn point_overdue(target: Option<NaiveDate>, status: PointStatus, today: NaiveDate) -> bool {
    !status.is_closed() && target.is_some_and(|t| is_overdue(t, today))
}

/// Progress as a whole percentage of the twelve points closed.
pub fn progress_percent(closed: usize) -> u32 {
    ((closed.min(POINT_COUNT) * 100) / POINT_COUNT) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn only_the_follow_up_point_changes_after_the_freeze() {
        let editable: Vec<i32> = (1..=12).filter(|n| editable_when_frozen(*n)).collect();
        assert_eq!(editable, [12]);
        assert!(
            DEFAULT_POINTS[FOLLOW_UP_POINT as usize - 1].starts_with("Post-discharge follow-up")
        );
    }

    #[test]
    fn the_default_template_has_twelve_distinct_points() {
        let mut titles = DEFAULT_POINTS.to_vec();
        titles.sort();
        titles.dedup();
        assert_eq!(titles.len(), POINT_COUNT);
    }

    #[test]
    fn open_points_past_their_target_are_overdue() {
        let today = d("2026-11-25");
        let cases = [
            (Some("2026-11-24"), PointStatus::NotStarted, true),
            (Some("2026-11-24"), PointStatus::InProgress, true),
            (Some("2026-11-25"), PointStatus::InProgress, false),
            (Some("2026-11-24"), PointStatus::Complete, false),
            (Some("2026-11-24"), PointStatus::NotApplicable, false),
            (None, PointStatus::NotStarted, false),
        ];
        for (target, status, overdue) in cases {
            assert_eq!(
                point_overdue(target.map(d), status, today),
                overdue,
                "{target:?} {status:?}"
            );
        }
    }

    #[test]
    fn progress_is_a_share_of_twelve() {
        assert_eq!(progress_percent(0), 0);
        assert_eq!(progress_percent(6), 50);
        assert_eq!(progress_percent(11), 91);
        assert_eq!(progress_percent(12), 100);
    }
}
