//! Inpatient care: settings, C(E)TR kinds and panels, and the policy's timescales.
//!
//! Sources: NHS England C(E)TR policy (2017, kept in the 2021 update) for post-admission and
//! repeat C(E)TRs; "monitoring the quality of inpatient care" for commissioner oversight
//! visits; the DSR policy (2023) for community C(E)TRs while red. Every number is
//! configuration (`[timescales]`); these are the defaults.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::person::is_under_18;
use super::register::add_days;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    NonSecure,
    LowSecure,
    MediumSecure,
    HighSecure,
    CypInpatient,
}

impl Setting {
    pub const ALL: [Setting; 5] = [
        Setting::NonSecure,
        Setting::LowSecure,
        Setting::MediumSecure,
        Setting::HighSecure,
        Setting::CypInpatient,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Setting::NonSecure => "non_secure",
            Setting::LowSecure => "low_secure",
            Setting::MediumSecure => "medium_secure",
            Setting::HighSecure => "high_secure",
            Setting::CypInpatient => "cyp_inpatient",
        }
    }

    pub fn parse(s: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Low, medium and high secure settings have the 12-monthly repeat C(E)TR.
    pub fn is_secure(self) -> bool {
        matches!(
            self,
            Setting::LowSecure | Setting::MediumSecure | Setting::HighSecure
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DischargeDestination {
    Community,
    OtherHospital,
    Died,
    Other,
}

impl DischargeDestination {
    pub const ALL: [DischargeDestination; 4] = [
        DischargeDestination::Community,
        DischargeDestination::OtherHospital,
        DischargeDestination::Died,
        DischargeDestination::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DischargeDestination::Community => "community",
            DischargeDestination::OtherHospital => "other_hospital",
            DischargeDestination::Died => "died",
            DischargeDestination::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<DischargeDestination> {
        DischargeDestination::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CetrKind {
    Community,
    /// Local area emergency protocol.
    Laep,
    PostAdmission,
    Inpatient,
    Independent,
}

impl CetrKind {
    pub const ALL: [CetrKind; 5] = [
        CetrKind::Community,
        CetrKind::Laep,
        CetrKind::PostAdmission,
        CetrKind::Inpatient,
        CetrKind::Independent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CetrKind::Community => "community",
            CetrKind::Laep => "laep",
            CetrKind::PostAdmission => "post_admission",
            CetrKind::Inpatient => "inpatient",
            CetrKind::Independent => "independent",
        }
    }

    pub fn parse(s: &str) -> Option<CetrKind> {
        CetrKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Held about someone in hospital: these set the inpatient C(E)TR clock.
    pub fn is_inpatient(self) -> bool {
        matches!(
            self,
            CetrKind::PostAdmission | CetrKind::Inpatient | CetrKind::Independent
        )
    }

    /// What a red rating in the community calls for.
    pub fn is_community(self) -> bool {
        matches!(self, CetrKind::Community | CetrKind::Laep)
    }

    /// The kinds that set the inpatient clock, for a query.
    pub fn inpatient_kinds() -> Vec<CetrKind> {
        CetrKind::ALL
            .into_iter()
            .filter(|k| k.is_inpatient())
            .collect()
    }

    /// The kinds that answer a red rating in the community, for a query.
    pub fn community_kinds() -> Vec<CetrKind> {
        CetrKind::ALL
            .into_iter()
            .filter(|k| k.is_community())
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PanelRole {
    Chair,
    ClinicalExpert,
    ExpertByExperience,
    Commissioner,
    Other,
}

impl PanelRole {
    pub const ALL: [PanelRole; 5] = [
        PanelRole::Chair,
        PanelRole::ClinicalExpert,
        PanelRole::ExpertByExperience,
        PanelRole::Commissioner,
        PanelRole::Other,
    ];

    pub fn parse(s: &str) -> Option<PanelRole> {
        PanelRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PanelRole::Chair => "chair",
            PanelRole::ClinicalExpert => "clinical_expert",
            PanelRole::ExpertByExperience => "expert_by_experience",
            PanelRole::Commissioner => "commissioner",
            PanelRole::Other => "other",
        }
    }
}

/// The roles a panel of this kind lacks. Every kind but a LAEP needs a chair, a clinical
/// expert and an expert by experience (C(E)TR panel role descriptors).
pub fn missing_panel_roles(kind: CetrKind, roles: &[PanelRole]) -> Vec<PanelRole> {
    if kind == CetrKind::Laep {
        return Vec::new();
    }
    [
        PanelRole::Chair,
        PanelRole::ClinicalExpert,
        PanelRole::ExpertByExperience,
    ]
    .into_iter()
    .filter(|required| !roles.contains(required))
    .collect()
}

/// Every timescale, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timescales {
    pub post_admission_cetr_days: u32,
    pub post_admission_cetr_days_under_18: u32,
    pub repeat_cetr_days_non_secure: u32,
    pub repeat_cetr_days_secure: u32,
    pub repeat_cetr_days_under_18: u32,
    pub community_cetr_days: u32,
    pub oversight_visit_days: u32,
    pub oversight_visit_days_under_18: u32,
    pub discharge_plan_days: u32,
    pub keyworker_days: u32,
    /// From this age, in months (204: 17 years 0 months), a person on the register needs a
    /// transition plan for their move to adult services.
    pub transition_plan_from_months: u32,
    /// Working days (Monday to Friday) from a referral's receipt to the first contact.
    pub referral_contact_working_days: u32,
    /// Days from a referral's receipt to its decision (accepted or declined).
    pub referral_decision_days: u32,
    /// Days a person's NHS number may stay pending before `nhs_number_missing`.
    pub nhs_number_pending_days: u32,
    /// Days after a discharge to the community by which a follow-up contact is due (the
    /// 72-hour standard).
    pub post_discharge_follow_up_days: u32,
    /// Days after someone aged 25 or under is rated red, amber or blue by which a referral to
    /// the keyworking service is due.
    pub keyworking_referral_days: u32,
}

impl Default for Timescales {
    fn default() -> Self {
        Timescales {
            post_admission_cetr_days: 28,
            post_admission_cetr_days_under_18: 14,
            repeat_cetr_days_non_secure: 182,
            repeat_cetr_days_secure: 365,
            repeat_cetr_days_under_18: 91,
            community_cetr_days: 14,
            oversight_visit_days: 56,
            oversight_visit_days_under_18: 42,
            discharge_plan_days: 7,
            keyworker_days: 5,
            transition_plan_from_months: 204,
            referral_contact_working_days: 5,
            referral_decision_days: 28,
            nhs_number_pending_days: 14,
            post_discharge_follow_up_days: 3,
            keyworking_referral_days: 5,
        }
    }
}

/// The facts of an admission the timescales depend on.
#[derive(Debug, Clone, Copy)]
pub struct Stay {
    pub admitted_on: NaiveDate,
    pub date_of_birth: NaiveDate,
    pub setting: Setting,
}

impl Stay {
    /// "Under-18" in inpatient timescales means under 18 on the admission date.
    pub fn under_18(&self) -> bool {
        is_under_18(self.date_of_birth, self.admitted_on)
    }
}

impl Timescales {
    /// The next inpatient C(E)TR: the post-admission one within 28 days of admission (14 for
    /// under-18s); after one has been held, every 91 days (under-18s), 365 (secure settings)
    /// or 182 (non-secure), counted from the last one's `held_on`.
    pub fn next_inpatient_cetr(&self, stay: Stay, last_held_on: Option<NaiveDate>) -> NaiveDate {
        match last_held_on {
            None if stay.under_18() => {
                add_days(stay.admitted_on, self.post_admission_cetr_days_under_18)
            }
            None => add_days(stay.admitted_on, self.post_admission_cetr_days),
            Some(held) if stay.under_18() => add_days(held, self.repeat_cetr_days_under_18),
            Some(held) if stay.setting.is_secure() => add_days(held, self.repeat_cetr_days_secure),
            Some(held) => add_days(held, self.repeat_cetr_days_non_secure),
        }
    }

    /// The next commissioner oversight visit: 42 days (under-18s) or 56 (adults) after the
    /// admission or the last visit.
    pub fn next_oversight_visit(
        &self,
        stay: Stay,
        last_visited_on: Option<NaiveDate>,
    ) -> NaiveDate {
        let from = last_visited_on.unwrap_or(stay.admitted_on);
        if stay.under_18() {
            add_days(from, self.oversight_visit_days_under_18)
        } else {
            add_days(from, self.oversight_visit_days)
        }
    }

    /// While red in the community, a community C(E)TR or LAEP is due within 14 days of
    /// turning red; none is due once one has been held since.
    pub fn community_cetr_due(
        &self,
        red_since: NaiveDate,
        last_community_held_on: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        match last_community_held_on {
            Some(held) if held >= red_since => None,
            _ => Some(add_days(red_since, self.community_cetr_days)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stay(admitted: &str, dob: &str, setting: Setting) -> Stay {
        Stay {
            admitted_on: d(admitted),
            date_of_birth: d(dob),
            setting,
        }
    }

    #[test]
    fn inpatient_cetr_due_dates() {
        let t = Timescales::default();
        let cases = [
            // adult, first: 28 days after admission
            (
                stay("2026-01-10", "1990-05-01", Setting::NonSecure),
                None,
                "2026-02-07",
            ),
            // 17 on the admission date, first: 14 days
            (
                stay("2026-01-10", "2008-01-11", Setting::CypInpatient),
                None,
                "2026-01-24",
            ),
            // 18 exactly on the admission date is an adult
            (
                stay("2026-01-10", "2008-01-10", Setting::NonSecure),
                None,
                "2026-02-07",
            ),
            // turns 18 during the stay: still under-18 timescales (age on admission)
            (
                stay("2026-01-10", "2008-01-11", Setting::CypInpatient),
                Some("2026-06-01"),
                "2026-08-31",
            ),
            // adult non-secure repeat: 182 days after the last
            (
                stay("2026-01-10", "1990-05-01", Setting::NonSecure),
                Some("2026-02-01"),
                "2026-08-02",
            ),
            // adult secure repeat: 365 days, across a leap day
            (
                stay("2027-06-01", "1990-05-01", Setting::MediumSecure),
                Some("2027-07-01"),
                "2028-06-30",
            ),
            (
                stay("2026-01-10", "1990-05-01", Setting::LowSecure),
                Some("2026-02-01"),
                "2027-02-01",
            ),
            (
                stay("2026-01-10", "1990-05-01", Setting::HighSecure),
                Some("2026-02-01"),
                "2027-02-01",
            ),
            // under-18 repeat: 91 days even in a secure setting
            (
                stay("2026-01-10", "2010-03-03", Setting::MediumSecure),
                Some("2026-02-01"),
                "2026-05-03",
            ),
            // leap year: 28 days from 2028-02-10 is 2028-03-09
            (
                stay("2028-02-10", "1990-05-01", Setting::NonSecure),
                None,
                "2028-03-09",
            ),
        ];
        for (stay, last, due) in cases {
            assert_eq!(
                t.next_inpatient_cetr(stay, last.map(d)),
                d(due),
                "{stay:?} last {last:?}"
            );
        }
    }

    #[test]
    fn a_leap_day_birthday_turns_18_on_1_march() {
        let t = Timescales::default();
        let before = stay("2026-02-28", "2008-02-29", Setting::NonSecure);
        assert!(before.under_18());
        assert_eq!(t.next_inpatient_cetr(before, None), d("2026-03-14"));
        let on = stay("2026-03-01", "2008-02-29", Setting::NonSecure);
        assert!(!on.under_18());
        assert_eq!(t.next_inpatient_cetr(on, None), d("2026-03-29"));
    }

    #[test]
    fn oversight_visits_every_42_or_56_days() {
        let t = Timescales::default();
        let adult = stay("2026-01-10", "1990-05-01", Setting::NonSecure);
        let child = stay("2026-01-10", "2012-05-01", Setting::CypInpatient);
        assert_eq!(t.next_oversight_visit(adult, None), d("2026-03-07"));
        assert_eq!(t.next_oversight_visit(child, None), d("2026-02-21"));
        assert_eq!(
            t.next_oversight_visit(adult, Some(d("2026-02-01"))),
            d("2026-03-29")
        );
        assert_eq!(
            t.next_oversight_visit(child, Some(d("2026-02-01"))),
            d("2026-03-15")
        );
    }

    #[test]
    fn community_cetr_due_while_red_until_one_is_held() {
        let t = Timescales::default();
        assert_eq!(
            t.community_cetr_due(d("2026-11-01"), None),
            Some(d("2026-11-15"))
        );
        assert_eq!(
            t.community_cetr_due(d("2026-11-01"), Some(d("2026-10-20"))),
            Some(d("2026-11-15"))
        );
        assert_eq!(
            t.community_cetr_due(d("2026-11-01"), Some(d("2026-11-01"))),
            None
        );
        assert_eq!(
            t.community_cetr_due(d("2026-11-01"), Some(d("2026-11-09"))),
            None
        );
    }

    #[test]
    fn panels_need_chair_clinical_expert_and_expert_by_experience_except_laep() {
        use PanelRole::*;
        let full = [Chair, ClinicalExpert, ExpertByExperience, Commissioner];
        for kind in CetrKind::ALL {
            assert!(missing_panel_roles(kind, &full).is_empty(), "{kind:?}");
        }
        assert_eq!(
            missing_panel_roles(CetrKind::Inpatient, &[Chair, Commissioner]),
            vec![ClinicalExpert, ExpertByExperience]
        );
        assert_eq!(
            missing_panel_roles(CetrKind::Community, &[]),
            vec![Chair, ClinicalExpert, ExpertByExperience]
        );
        assert!(missing_panel_roles(CetrKind::Laep, &[]).is_empty());
    }

    #[test]
    fn secure_settings() {
        assert!(!Setting::NonSecure.is_secure());
        assert!(!Setting::CypInpatient.is_secure());
        assert!(Setting::LowSecure.is_secure());
        assert!(Setting::MediumSecure.is_secure());
        assert!(Setting::HighSecure.is_secure());
    }
}

/// What came of a Local Area Emergency Protocol meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LaepOutcome {
    AdmissionAvoided,
    Admitted,
    CommunityCetrArranged,
    Other,
}

impl LaepOutcome {
    pub const ALL: [LaepOutcome; 4] = [
        LaepOutcome::AdmissionAvoided,
        LaepOutcome::Admitted,
        LaepOutcome::CommunityCetrArranged,
        LaepOutcome::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LaepOutcome::AdmissionAvoided => "admission_avoided",
            LaepOutcome::Admitted => "admitted",
            LaepOutcome::CommunityCetrArranged => "community_cetr_arranged",
            LaepOutcome::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<LaepOutcome> {
        LaepOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Where an action stands. `declined`: a recommendation the responsible clinician does not
/// take, with their justification (Building the Right Support 1c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    Declined,
    Cancelled,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 5] = [
        ActionStatus::Open,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Declined,
        ActionStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Declined => "declined",
            ActionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Done, declined and cancelled actions are never overdue.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ActionStatus::Done | ActionStatus::Declined | ActionStatus::Cancelled
        )
    }

    /// The statuses of actions still owed, for a query.
    pub fn open() -> Vec<ActionStatus> {
        ActionStatus::ALL
            .into_iter()
            .filter(|s| !s.is_closed())
            .collect()
    }
}

/// The meeting an action came from. Actions of a C(E)TR of kind `laep` come from a `laep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionSource {
    Cetr,
    Laep,
    DsrReview,
    Visit,
}

impl ActionSource {
    pub const ALL: [ActionSource; 4] = [
        ActionSource::Cetr,
        ActionSource::Laep,
        ActionSource::DsrReview,
        ActionSource::Visit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionSource::Cetr => "cetr",
            ActionSource::Laep => "laep",
            ActionSource::DsrReview => "dsr_review",
            ActionSource::Visit => "visit",
        }
    }

    pub fn parse(s: &str) -> Option<ActionSource> {
        ActionSource::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The source of a C(E)TR's actions.
    pub fn of_cetr(kind: CetrKind) -> ActionSource {
        if kind == CetrKind::Laep {
            ActionSource::Laep
        } else {
            ActionSource::Cetr
        }
    }
}
