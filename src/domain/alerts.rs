//! Alerts and escalation rules: which obligations are overdue, by how much, and to which
//! level they have escalated. Pure functions; the sweep gathers the facts and applies them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::inpatient::{ActionSource, Timescales};
use super::register::add_days;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The entry's next DSR review date has passed.
    DsrReviewOverdue,
    /// An active entry has had no keyworker for longer than the grace period.
    NoKeyworker,
    /// Red in the community with no community C(E)TR or LAEP since turning red, past 14 days.
    CetrRequired,
    /// An inpatient's post-admission or repeat C(E)TR date has passed.
    CetrOverdue,
    /// A C(E)TR action is past its due date and not done or cancelled.
    CetrActionOverdue,
    /// An open admission has had no discharge plan for longer than 7 days.
    NoDischargePlan,
    /// A discharge plan point is past its target date and not closed.
    DischargePointOverdue,
    /// A discharge plan's next review date has passed.
    DischargePlanReviewOverdue,
    /// An inpatient has not had a commissioner oversight visit within 42/56 days.
    OversightVisitOverdue,
    /// On the register, aged 17 or over (configurable), and no transition plan; it stays
    /// open past the 18th birthday until a plan exists.
    TransitionPlanMissing,
    /// A referral with no first contact after 5 working days (Monday to Friday).
    ReferralContactOverdue,
    /// A referral with no decision (accepted or declined) after 28 days.
    ReferralDecisionOverdue,
    /// A person recorded with the NHS number pending for 14 days.
    NhsNumberMissing,
    /// Discharged to the community (or elsewhere outside hospital) and no follow-up contact
    /// logged within 3 days (the NHS 72-hour follow-up standard).
    PostDischargeFollowUpOverdue,
    /// An action from a DSR review, an oversight visit or a LAEP is past its due date and
    /// not done, declined or cancelled (actions of other C(E)TRs raise `cetr_action_overdue`).
    ActionOverdue,
    /// Aged 25 or under, rated red, amber or blue, and no keyworking referral 5 days after
    /// that rating began (a declined referral counts until the next move into those ratings).
    KeyworkingReferralMissing,
    /// A keyworking episode still open after the person's 26th birthday.
    KeyworkingPast25,
}

impl AlertKind {
    pub const ALL: [AlertKind; 17] = [
        AlertKind::DsrReviewOverdue,
        AlertKind::NoKeyworker,
        AlertKind::CetrRequired,
        AlertKind::CetrOverdue,
        AlertKind::CetrActionOverdue,
        AlertKind::NoDischargePlan,
        AlertKind::DischargePointOverdue,
        AlertKind::DischargePlanReviewOverdue,
        AlertKind::OversightVisitOverdue,
        AlertKind::TransitionPlanMissing,
        AlertKind::ReferralContactOverdue,
        AlertKind::ReferralDecisionOverdue,
        AlertKind::NhsNumberMissing,
        AlertKind::PostDischargeFollowUpOverdue,
        AlertKind::ActionOverdue,
        AlertKind::KeyworkingReferralMissing,
        AlertKind::KeyworkingPast25,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::DsrReviewOverdue => "dsr_review_overdue",
            AlertKind::NoKeyworker => "no_keyworker",
            AlertKind::CetrRequired => "cetr_required",
            AlertKind::CetrOverdue => "cetr_overdue",
            AlertKind::CetrActionOverdue => "cetr_action_overdue",
            AlertKind::NoDischargePlan => "no_discharge_plan",
            AlertKind::DischargePointOverdue => "discharge_point_overdue",
            AlertKind::DischargePlanReviewOverdue => "discharge_plan_review_overdue",
            AlertKind::OversightVisitOverdue => "oversight_visit_overdue",
            AlertKind::TransitionPlanMissing => "transition_plan_missing",
            AlertKind::ReferralContactOverdue => "referral_contact_overdue",
            AlertKind::ReferralDecisionOverdue => "referral_decision_overdue",
            AlertKind::NhsNumberMissing => "nhs_number_missing",
            AlertKind::PostDischargeFollowUpOverdue => "post_discharge_follow_up_overdue",
            AlertKind::ActionOverdue => "action_overdue",
            AlertKind::KeyworkingReferralMissing => "keyworking_referral_missing",
            AlertKind::KeyworkingPast25 => "keyworking_past_25",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Words for an email line (no names or identifiers).
    pub fn describe(self) -> &'static str {
        match self {
            AlertKind::DsrReviewOverdue => "DSR review overdue",
            AlertKind::NoKeyworker => "No named lead worker",
            AlertKind::CetrRequired => "Community C(E)TR or LAEP required (red)",
            AlertKind::CetrOverdue => "Inpatient C(E)TR overdue",
            AlertKind::CetrActionOverdue => "C(E)TR action overdue",
            AlertKind::NoDischargePlan => "No 12-point discharge plan",
            AlertKind::DischargePointOverdue => "Discharge plan point overdue",
            AlertKind::DischargePlanReviewOverdue => "Discharge plan review overdue",
            AlertKind::OversightVisitOverdue => "Commissioner oversight visit overdue",
            AlertKind::TransitionPlanMissing => "No transition plan (moving to adult services)",
            AlertKind::ReferralContactOverdue => "Referral: no first contact yet",
            AlertKind::ReferralDecisionOverdue => "Referral: no decision yet",
            AlertKind::NhsNumberMissing => "NHS number still not recorded",
            AlertKind::PostDischargeFollowUpOverdue => {
                "No follow-up contact within 72 hours of discharge"
            }
            AlertKind::ActionOverdue => "Action overdue (DSR review, oversight visit or LAEP)",
            AlertKind::KeyworkingReferralMissing => "No referral to the CYP keyworking service",
            AlertKind::KeyworkingPast25 => "CYP keyworking still open past the 26th birthday",
        }
    }
}

/// Days overdue at which each level begins (configuration; defaults 1, 7, 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    pub level2_days: i64,
    pub level3_days: i64,
}

impl Default for Levels {
    fn default() -> Self {
        Levels {
            level2_days: 7,
            level3_days: 14,
        }
    }
}

/// The levels of each kind: one set for all, and faster (or slower) ones for the kinds
/// configuration names (the 72-hour follow-up after discharge reaches level 2 after one day).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelTable {
    pub default: Levels,
    pub by_kind: Vec<(AlertKind, Levels)>,
}

impl LevelTable {
    pub fn of(&self, kind: AlertKind) -> Levels {
        self.by_kind
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(self.default, |(_, levels)| *levels)
    }
}

/// How overdue an obligation is today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    pub days: i64,
    pub level: i32,
}

/// `None` while the due date has not passed (due today is not overdue); otherwise the days
/// overdue and the level reached: 1 from day 1, 2 from `level2_days`, 3 from `level3_days`.
pub fn overdue(due_on: NaiveDate, today: NaiveDate, levels: Levels) -> Option<Overdue> {
    let days = (today - due_on).num_days();
    if days < 1 {
        return None;
    }
    let level = if days >= levels.level3_days {
        3
    } else if days >= levels.level2_days {
        2
    } else {
        1
    };
    Some(Overdue { days, level })
}

/// The facts an obligation's due date follows from, one variant per alert kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obligation {
    DsrReview {
        next_review_due: NaiveDate,
    },
    Keyworker {
        opened_on: NaiveDate,
        has_keyworker: bool,
    },
    CommunityCetr {
        red_since: NaiveDate,
        last_community_held_on: Option<NaiveDate>,
        admitted: bool,
    },
    InpatientCetr {
        next_due: NaiveDate,
    },
    /// An action from any meeting; its source names the kind it raises.
    Action {
        due_on: NaiveDate,
        closed: bool,
        source: ActionSource,
    },
    DischargePlan {
        admitted_on: NaiveDate,
        has_plan: bool,
    },
    Point {
        target_date: Option<NaiveDate>,
        closed: bool,
        plan_frozen: bool,
    },
    PlanReview {
        next_review_due: NaiveDate,
        frozen: bool,
    },
    OversightVisit {
        next_visit_due: NaiveDate,
    },
    TransitionPlan {
        /// The day the person reached `transition_plan_from_months` of age.
        needed_from: NaiveDate,
        has_plan: bool,
    },
    ReferralContact {
        received_on: NaiveDate,
        contacted: bool,
    },
    ReferralDecision {
        received_on: NaiveDate,
        decided: bool,
    },
    NhsNumber {
        /// Since when the number has been pending (None: it is recorded).
        pending_since: Option<NaiveDate>,
    },
    /// A discharge to the community or elsewhere outside hospital, owing a follow-up contact
    /// (face to face, phone, video or a meeting) on or after the discharge day.
    PostDischargeFollowUp {
        discharged_on: NaiveDate,
        followed_up: bool,
    },
    /// Aged 25 or under and rated red, amber or blue since `rated_since`.
    KeyworkingReferral {
        rated_since: NaiveDate,
        referred: bool,
    },
    /// A keyworking episode open for someone whose 26th birthday is `turned_26`.
    KeyworkingPast25 {
        turned_26: NaiveDate,
    },
}

impl Obligation {
    pub fn kind(&self) -> AlertKind {
        match self {
            Obligation::DsrReview { .. } => AlertKind::DsrReviewOverdue,
            Obligation::Keyworker { .. } => AlertKind::NoKeyworker,
            Obligation::CommunityCetr { .. } => AlertKind::CetrRequired,
            Obligation::InpatientCetr { .. } => AlertKind::CetrOverdue,
            Obligation::Action {
                source: ActionSource::Cetr,
                ..
            } => AlertKind::CetrActionOverdue,
            Obligation::Action { .. } => AlertKind::ActionOverdue,
            Obligation::DischargePlan { .. } => AlertKind::NoDischargePlan,
            Obligation::Point { .. } => AlertKind::DischargePointOverdue,
            Obligation::PlanReview { .. } => AlertKind::DischargePlanReviewOverdue,
            Obligation::OversightVisit { .. } => AlertKind::OversightVisitOverdue,
            Obligation::TransitionPlan { .. } => AlertKind::TransitionPlanMissing,
            Obligation::ReferralContact { .. } => AlertKind::ReferralContactOverdue,
            Obligation::ReferralDecision { .. } => AlertKind::ReferralDecisionOverdue,
            Obligation::NhsNumber { .. } => AlertKind::NhsNumberMissing,
            Obligation::PostDischargeFollowUp { .. } => AlertKind::PostDischargeFollowUpOverdue,
            Obligation::KeyworkingReferral { .. } => AlertKind::KeyworkingReferralMissing,
            Obligation::KeyworkingPast25 { .. } => AlertKind::KeyworkingPast25,
        }
    }

    /// When the obligation falls due; `None` when nothing is owed.
    pub fn due_on(&self, t: &Timescales) -> Option<NaiveDate> {
        match *self {
            Obligation::DsrReview { next_review_due } => Some(next_review_due),
            Obligation::Keyworker {
                has_keyworker: true,
                ..
            } => None,
            Obligation::Keyworker { opened_on, .. } => Some(add_days(opened_on, t.keyworker_days)),
            // Inpatients are covered by the inpatient C(E)TR clock instead.
            Obligation::CommunityCetr { admitted: true, .. } => None,
            Obligation::CommunityCetr {
                red_since,
                last_community_held_on,
                ..
            } => t.community_cetr_due(red_since, last_community_held_on),
            Obligation::InpatientCetr { next_due } => Some(next_due),
            Obligation::Action { closed: true, .. } => None,
            Obligation::Action { due_on, .. } => Some(due_on),
            Obligation::DischargePlan { has_plan: true, .. } => None,
            Obligation::DischargePlan { admitted_on, .. } => {
                Some(add_days(admitted_on, t.discharge_plan_days))
            }
            Obligation::Point { closed: true, .. }
            | Obligation::Point {
                plan_frozen: true, ..
            } => None,
            Obligation::Point { target_date, .. } => target_date,
            Obligation::PlanReview { frozen: true, .. } => None,
            Obligation::PlanReview {
                next_review_due, ..
            } => Some(next_review_due),
            Obligation::OversightVisit { next_visit_due } => Some(next_visit_due),
            Obligation::TransitionPlan { has_plan: true, .. } => None,
            Obligation::TransitionPlan { needed_from, .. } => Some(needed_from),
            Obligation::ReferralContact {
                contacted: true, ..
            } => None,
            Obligation::ReferralContact { received_on, .. } => Some(add_working_days(
                received_on,
                t.referral_contact_working_days,
            )),
            Obligation::ReferralDecision { decided: true, .. } => None,
            Obligation::ReferralDecision { received_on, .. } => {
                Some(add_days(received_on, t.referral_decision_days))
            }
            Obligation::NhsNumber { pending_since } => {
                pending_since.map(|since| add_days(since, t.nhs_number_pending_days))
            }
            Obligation::PostDischargeFollowUp {
                followed_up: true, ..
            } => None,
            Obligation::PostDischargeFollowUp { discharged_on, .. } => {
                Some(add_days(discharged_on, t.post_discharge_follow_up_days))
            }
            Obligation::KeyworkingReferral { referred: true, .. } => None,
            Obligation::KeyworkingReferral { rated_since, .. } => {
                Some(add_days(rated_since, t.keyworking_referral_days))
            }
            Obligation::KeyworkingPast25 { turned_26 } => Some(turned_26),
        }
    }

    /// The due date and how overdue it is today, if it is, at its kind's levels.
    pub fn evaluate(
        &self,
        today: NaiveDate,
        levels: &LevelTable,
        t: &Timescales,
    ) -> Option<(NaiveDate, Overdue)> {
        let due = self.due_on(t)?;
        overdue(due, today, levels.of(self.kind())).map(|o| (due, o))
    }
}

/// `days` working days (Monday to Friday) after `from`: a referral received on a Friday
/// with 5 working days to first contact is due the next Friday. Bank holidays are not
/// known to `dsr`, so they count as working days (the alert can come a day early, never late).
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    use chrono::{Datelike, Weekday};
    let mut date = from;
    let mut left = days;
    // Bounded: at most 7 calendar days for every 5 working days, plus a weekend.
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_skip_weekends() {
        // (from, working days, due): 2026-12-04 is a Friday.
        let cases = [
            ("2026-12-04", 5, "2026-12-11"),
            ("2026-12-05", 5, "2026-12-11"),
            ("2026-12-06", 5, "2026-12-11"),
            ("2026-12-07", 5, "2026-12-14"),
            ("2026-12-07", 1, "2026-12-08"),
            ("2026-12-04", 1, "2026-12-07"),
            ("2026-12-07", 0, "2026-12-07"),
            ("2026-12-01", 10, "2026-12-15"),
        ];
        for (from, n, due) in cases {
            assert_eq!(add_working_days(d(from), n), d(due), "{from} + {n}");
        }
    }

    #[test]
    fn the_follow_up_after_discharge_escalates_at_its_own_levels() {
        let t = Timescales::default();
        let levels = LevelTable {
            default: Levels::default(),
            by_kind: vec![(
                AlertKind::PostDischargeFollowUpOverdue,
                Levels {
                    level2_days: 1,
                    level3_days: 2,
                },
            )],
        };
        let discharged_on = d("2026-12-01");
        let owed = Obligation::PostDischargeFollowUp {
            discharged_on,
            followed_up: false,
        };
        // (today, overdue level): due on the 4th (72 hours), level 2 from the first day late.
        let cases = [
            ("2026-12-03", None),
            ("2026-12-04", None),
            ("2026-12-05", Some(2)),
            ("2026-12-06", Some(3)),
            ("2026-12-20", Some(3)),
        ];
        for (today, level) in cases {
            let got = owed.evaluate(d(today), &levels, &t).map(|(_, o)| o.level);
            assert_eq!(got, level, "{today}");
        }
        let done = Obligation::PostDischargeFollowUp {
            discharged_on,
            followed_up: true,
        };
        assert_eq!(done.evaluate(d("2026-12-20"), &levels, &t), None);
        // Other kinds keep the default levels.
        assert_eq!(levels.of(AlertKind::DsrReviewOverdue), Levels::default());
    }

    #[test]
    fn referral_clocks() {
        let t = Timescales::default();
        let received_on = d("2026-12-04");
        let contact = Obligation::ReferralContact {
            received_on,
            contacted: false,
        };
        assert_eq!(contact.due_on(&t), Some(d("2026-12-11")));
        let done = Obligation::ReferralContact {
            received_on,
            contacted: true,
        };
        assert_eq!(done.due_on(&t), None);
        let decision = Obligation::ReferralDecision {
            received_on,
            decided: false,
        };
        assert_eq!(decision.due_on(&t), Some(d("2027-01-01")));
        assert_eq!(
            decision.evaluate(d("2027-01-02"), &LevelTable::default(), &t),
            Some((d("2027-01-01"), Overdue { days: 1, level: 1 }))
        );
    }

    #[test]
    fn a_pending_nhs_number_is_due_after_14_days() {
        let t = Timescales::default();
        let pending = Obligation::NhsNumber {
            pending_since: Some(d("2026-12-01")),
        };
        assert_eq!(pending.due_on(&t), Some(d("2026-12-15")));
        assert_eq!(
            pending.evaluate(d("2026-12-15"), &LevelTable::default(), &t),
            None
        );
        assert!(pending
            .evaluate(d("2026-12-16"), &LevelTable::default(), &t)
            .is_some());
        let recorded = Obligation::NhsNumber {
            pending_since: None,
        };
        assert_eq!(recorded.due_on(&t), None);
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn overdue_days_and_levels_at_every_boundary() {
        let today = d("2026-11-25");
        let levels = Levels::default();
        let cases = [
            ("2026-11-26", None),
            ("2026-11-25", None),
            ("2026-11-24", Some((1, 1))),
            ("2026-11-19", Some((6, 1))),
            ("2026-11-18", Some((7, 2))),
            ("2026-11-12", Some((13, 2))),
            ("2026-11-11", Some((14, 3))),
            ("2025-11-25", Some((365, 3))),
        ];
        for (due, expected) in cases {
            let got = overdue(d(due), today, levels).map(|o| (o.days, o.level));
            assert_eq!(got, expected, "due {due}");
        }
    }

    #[test]
    fn levels_are_configurable() {
        let levels = Levels {
            level2_days: 3,
            level3_days: 5,
        };
        let today = d("2026-03-01");
        // 2028 is not involved; across the end of February in a common year
        assert_eq!(
            overdue(d("2026-02-26"), today, levels).map(|o| o.level),
            Some(2)
        );
        assert_eq!(
            overdue(d("2026-02-24"), today, levels).map(|o| o.level),
            Some(3)
        );
    }

    #[test]
    fn each_kind_falls_due_by_its_own_rule() {
        let t = Timescales::default();
        let levels = Levels::default();
        let today = d("2026-11-25");
        // (obligation, expected kind, expected (days overdue, level) or None)
        type Case = (Obligation, AlertKind, Option<(i64, i32)>);
        let cases: Vec<Case> = vec![
            (
                Obligation::DsrReview {
                    next_review_due: d("2026-11-15"),
                },
                AlertKind::DsrReviewOverdue,
                Some((10, 2)),
            ),
            (
                Obligation::DsrReview {
                    next_review_due: d("2026-11-25"),
                },
                AlertKind::DsrReviewOverdue,
                None,
            ),
            // opened 2026-11-19: keyworker due 11-24, one day late
            (
                Obligation::Keyworker {
                    opened_on: d("2026-11-19"),
                    has_keyworker: false,
                },
                AlertKind::NoKeyworker,
                Some((1, 1)),
            ),
            (
                Obligation::Keyworker {
                    opened_on: d("2026-11-20"),
                    has_keyworker: false,
                },
                AlertKind::NoKeyworker,
                None,
            ),
            (
                Obligation::Keyworker {
                    opened_on: d("2026-01-01"),
                    has_keyworker: true,
                },
                AlertKind::NoKeyworker,
                None,
            ),
            // red since 2026-11-04: C(E)TR due 11-18, 7 days late
            (
                Obligation::CommunityCetr {
                    red_since: d("2026-11-04"),
                    last_community_held_on: None,
                    admitted: false,
                },
                AlertKind::CetrRequired,
                Some((7, 2)),
            ),
            (
                Obligation::CommunityCetr {
                    red_since: d("2026-11-04"),
                    last_community_held_on: Some(d("2026-11-10")),
                    admitted: false,
                },
                AlertKind::CetrRequired,
                None,
            ),
            (
                Obligation::CommunityCetr {
                    red_since: d("2026-11-04"),
                    last_community_held_on: Some(d("2026-11-01")),
                    admitted: false,
                },
                AlertKind::CetrRequired,
                Some((7, 2)),
            ),
            (
                Obligation::CommunityCetr {
                    red_since: d("2026-11-04"),
                    last_community_held_on: None,
                    admitted: true,
                },
                AlertKind::CetrRequired,
                None,
            ),
            (
                Obligation::InpatientCetr {
                    next_due: d("2026-11-11"),
                },
                AlertKind::CetrOverdue,
                Some((14, 3)),
            ),
            // rated red, amber or blue on 11-18: a keyworking referral due 11-23
            (
                Obligation::KeyworkingReferral {
                    rated_since: d("2026-11-18"),
                    referred: false,
                },
                AlertKind::KeyworkingReferralMissing,
                Some((2, 1)),
            ),
            (
                Obligation::KeyworkingReferral {
                    rated_since: d("2026-11-01"),
                    referred: true,
                },
                AlertKind::KeyworkingReferralMissing,
                None,
            ),
            (
                Obligation::KeyworkingPast25 {
                    turned_26: d("2026-11-10"),
                },
                AlertKind::KeyworkingPast25,
                Some((15, 3)),
            ),
            (
                Obligation::KeyworkingPast25 {
                    turned_26: d("2026-11-25"),
                },
                AlertKind::KeyworkingPast25,
                None,
            ),
            (
                Obligation::Action {
                    due_on: d("2026-11-24"),
                    closed: false,
                    source: ActionSource::Cetr,
                },
                AlertKind::CetrActionOverdue,
                Some((1, 1)),
            ),
            (
                Obligation::Action {
                    due_on: d("2026-11-24"),
                    closed: false,
                    source: ActionSource::DsrReview,
                },
                AlertKind::ActionOverdue,
                Some((1, 1)),
            ),
            (
                Obligation::Action {
                    due_on: d("2026-11-24"),
                    closed: false,
                    source: ActionSource::Laep,
                },
                AlertKind::ActionOverdue,
                Some((1, 1)),
            ),
            (
                Obligation::Action {
                    due_on: d("2026-11-01"),
                    closed: true,
                    source: ActionSource::Visit,
                },
                AlertKind::ActionOverdue,
                None,
            ),
            // admitted 2026-11-17: plan due 11-24
            (
                Obligation::DischargePlan {
                    admitted_on: d("2026-11-17"),
                    has_plan: false,
                },
                AlertKind::NoDischargePlan,
                Some((1, 1)),
            ),
            (
                Obligation::DischargePlan {
                    admitted_on: d("2026-11-18"),
                    has_plan: false,
                },
                AlertKind::NoDischargePlan,
                None,
            ),
            (
                Obligation::DischargePlan {
                    admitted_on: d("2026-01-01"),
                    has_plan: true,
                },
                AlertKind::NoDischargePlan,
                None,
            ),
            (
                Obligation::Point {
                    target_date: Some(d("2026-11-20")),
                    closed: false,
                    plan_frozen: false,
                },
                AlertKind::DischargePointOverdue,
                Some((5, 1)),
            ),
            (
                Obligation::Point {
                    target_date: None,
                    closed: false,
                    plan_frozen: false,
                },
                AlertKind::DischargePointOverdue,
                None,
            ),
            (
                Obligation::Point {
                    target_date: Some(d("2026-11-20")),
                    closed: true,
                    plan_frozen: false,
                },
                AlertKind::DischargePointOverdue,
                None,
            ),
            (
                Obligation::Point {
                    target_date: Some(d("2026-11-20")),
                    closed: false,
                    plan_frozen: true,
                },
                AlertKind::DischargePointOverdue,
                None,
            ),
            (
                Obligation::PlanReview {
                    next_review_due: d("2026-11-18"),
                    frozen: false,
                },
                AlertKind::DischargePlanReviewOverdue,
                Some((7, 2)),
            ),
            (
                Obligation::PlanReview {
                    next_review_due: d("2026-11-18"),
                    frozen: true,
                },
                AlertKind::DischargePlanReviewOverdue,
                None,
            ),
            (
                Obligation::OversightVisit {
                    next_visit_due: d("2026-11-12"),
                },
                AlertKind::OversightVisitOverdue,
                Some((13, 2)),
            ),
        ];
        for (obligation, kind, expected) in cases {
            assert_eq!(obligation.kind(), kind);
            let got = obligation
                .evaluate(
                    today,
                    &LevelTable {
                        default: levels,
                        by_kind: Vec::new(),
                    },
                    &t,
                )
                .map(|(_, o)| (o.days, o.level));
            assert_eq!(got, expected, "{obligation:?}");
        }
    }

    #[test]
    fn every_kind_round_trips() {
        for kind in AlertKind::ALL {
            assert_eq!(AlertKind::parse(kind.as_str()), Some(kind));
            assert!(!kind.describe().is_empty());
        }
    }
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 3] = [
        AlertStatus::Open,
        AlertStatus::Acknowledged,
        AlertStatus::Resolved,
    ];
    /// Open and acknowledged alerts both still need someone to act.
    pub const OPEN: [AlertStatus; 2] = [AlertStatus::Open, AlertStatus::Acknowledged];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Acknowledged => "acknowledged",
            AlertStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<AlertStatus> {
        AlertStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Where an email in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationStatus {
    /// Waiting for its first or next attempt.
    Queued,
    Sent,
    /// Given up after the last attempt.
    Failed,
}

impl NotificationStatus {
    pub const ALL: [NotificationStatus; 3] = [
        NotificationStatus::Queued,
        NotificationStatus::Sent,
        NotificationStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationStatus::Queued => "queued",
            NotificationStatus::Sent => "sent",
            NotificationStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationStatus> {
        NotificationStatus::ALL
            .into_iter()
            .find(|n| n.as_str() == s)
    }
}
