//! Plain words for pages: dates as "14 March 2026", NHS numbers as "999 000 0018", enum
//! values and roles as people say them. Pure functions, shared by every template.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;

use crate::domain::alerts::{AlertKind, AlertStatus};
use crate::domain::discharge::PointStatus;
use crate::domain::inpatient::{
    ActionSource, ActionStatus, CetrKind, DischargeDestination, LaepOutcome, PanelRole, Setting,
};
use crate::domain::inpatient_data::{
    AdmissionReason, Advocacy, DelayReason, LegalStatusCode, WardType,
};
use crate::domain::keyworking::KeyworkingStatus;
use crate::domain::person::{
    AgeGroup, ConditionStatus, ConsentStatus, ContactKind, Diagnosis, InvolvementRole,
};
use crate::domain::register::{ClosureReason, EntryStatus};
use crate::domain::{Rag, Role};

pub fn date(d: &NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

pub fn opt_date(d: &Option<NaiveDate>) -> String {
    d.as_ref().map(date).unwrap_or_else(|| "Not set".into())
}

/// A moment as the reader's clock in England shows it: "14 March 2026 at 2:05pm".
pub fn moment(t: &DateTime<Utc>) -> String {
    t.with_timezone(&London)
        .format("%-d %B %Y at %-I:%M%P")
        .to_string()
}

/// `9990000018` → `999 000 0018`; anything else as stored.
pub fn nhs_number(n: &str) -> String {
    if n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit()) {
        format!("{} {} {}", &n[..3], &n[3..6], &n[6..])
    } else {
        n.to_string()
    }
}

pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// "overdue by 10 days" from the due date and today; `None` when not past.
pub fn overdue_by(due: &NaiveDate, today: NaiveDate) -> Option<String> {
    let late = (today - *due).num_days();
    (late > 0).then(|| format!("overdue by {}", days(late)))
}

/// Words (and the design system's tag colour) for each value shown in a tag or a cell.
pub trait Words {
    fn words(&self) -> &'static str;
}

impl Words for Rag {
    fn words(&self) -> &'static str {
        match self {
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
            Rag::Blue => "Blue",
        }
    }
}

/// The tag class of a rating; the tag always carries the word too (never colour alone).
pub fn rag_class(rag: &Rag) -> &'static str {
    match rag {
        Rag::Red => "nhsuk-tag--red",
        Rag::Amber => "nhsuk-tag--orange",
        Rag::Green => "nhsuk-tag--green",
        Rag::Blue => "nhsuk-tag--blue",
    }
}

impl Words for Role {
    fn words(&self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Coordinator => "Coordinator",
            Role::Keyworker => "Keyworker",
            Role::Clinician => "Clinician",
            Role::Manager => "Manager",
        }
    }
}

impl Words for AgeGroup {
    fn words(&self) -> &'static str {
        match self {
            AgeGroup::Child => "Child (under 18)",
            AgeGroup::YoungPerson => "Young adult (18 to 25)",
            AgeGroup::Adult => "Adult (26 and over)",
        }
    }
}

impl Words for Diagnosis {
    fn words(&self) -> &'static str {
        match self {
            Diagnosis::LearningDisability => "Learning disability",
            Diagnosis::Autism => "Autism",
        }
    }
}

impl Words for ConsentStatus {
    fn words(&self) -> &'static str {
        match self {
            ConsentStatus::Given => "Consent given",
            ConsentStatus::BestInterests => "Best interests decision",
            ConsentStatus::Parental => "Parental consent",
            ConsentStatus::Declined => "Consent declined",
            ConsentStatus::NotRecorded => "Not recorded",
        }
    }
}

impl Words for ConditionStatus {
    fn words(&self) -> &'static str {
        match self {
            ConditionStatus::Diagnosed => "diagnosed",
            ConditionStatus::Suspected => "suspected, not yet assessed",
            ConditionStatus::AwaitingAssessment => "awaiting assessment",
        }
    }
}

impl Words for InvolvementRole {
    fn words(&self) -> &'static str {
        match self {
            InvolvementRole::CareCoordinator => "Care coordinator",
            InvolvementRole::SocialWorker => "Social worker",
            InvolvementRole::ResponsibleClinician => "Responsible clinician",
            InvolvementRole::Camhs => "CAMHS",
            InvolvementRole::Senco => "SENCo",
            InvolvementRole::Advocate => "Advocate",
            InvolvementRole::Gp => "GP",
            InvolvementRole::Other => "Other",
        }
    }
}

impl Words for ContactKind {
    fn words(&self) -> &'static str {
        match self {
            ContactKind::FaceToFace => "Face to face",
            ContactKind::Phone => "Phone",
            ContactKind::Video => "Video call",
            ContactKind::Meeting => "Meeting",
            ContactKind::Message => "Message",
            ContactKind::Other => "Other",
        }
    }
}

impl Words for Setting {
    fn words(&self) -> &'static str {
        match self {
            Setting::NonSecure => "Non-secure",
            Setting::LowSecure => "Low secure",
            Setting::MediumSecure => "Medium secure",
            Setting::HighSecure => "High secure",
            Setting::CypInpatient => "Children and young people's inpatient",
        }
    }
}

impl Words for DischargeDestination {
    fn words(&self) -> &'static str {
        match self {
            DischargeDestination::Community => "Community",
            DischargeDestination::OtherHospital => "Another hospital",
            DischargeDestination::Died => "Died",
            DischargeDestination::Other => "Other",
        }
    }
}

impl Words for CetrKind {
    fn words(&self) -> &'static str {
        match self {
            CetrKind::Community => "Community C(E)TR",
            CetrKind::Laep => "Local area emergency protocol (LAEP)",
            CetrKind::PostAdmission => "Post-admission C(E)TR",
            CetrKind::Inpatient => "Inpatient C(E)TR",
            CetrKind::Independent => "Independent C(E)TR",
        }
    }
}

impl Words for LaepOutcome {
    fn words(&self) -> &'static str {
        match self {
            LaepOutcome::AdmissionAvoided => "Admission avoided",
            LaepOutcome::Admitted => "Admitted to hospital",
            LaepOutcome::CommunityCetrArranged => "Community C(E)TR arranged",
            LaepOutcome::Other => "Other",
        }
    }
}

impl Words for PanelRole {
    fn words(&self) -> &'static str {
        match self {
            PanelRole::Chair => "Chair",
            PanelRole::ClinicalExpert => "Clinical expert",
            PanelRole::ExpertByExperience => "Expert by experience",
            PanelRole::Commissioner => "Commissioner",
            PanelRole::Other => "Other",
        }
    }
}

impl Words for KeyworkingStatus {
    fn words(&self) -> &'static str {
        match self {
            KeyworkingStatus::Referred => "Referred",
            KeyworkingStatus::Accepted => "Accepted",
            KeyworkingStatus::Declined => "Declined",
            KeyworkingStatus::Allocated => "Allocated",
            KeyworkingStatus::Closed => "Closed",
        }
    }
}

impl Words for ActionSource {
    fn words(&self) -> &'static str {
        match self {
            ActionSource::Cetr => "C(E)TR",
            ActionSource::Laep => "LAEP",
            ActionSource::DsrReview => "DSR review",
            ActionSource::Visit => "Oversight visit",
        }
    }
}

impl Words for ActionStatus {
    fn words(&self) -> &'static str {
        match self {
            ActionStatus::Open => "Open",
            ActionStatus::InProgress => "In progress",
            ActionStatus::Done => "Done",
            ActionStatus::Declined => "Declined",
            ActionStatus::Cancelled => "Cancelled",
        }
    }
}

impl Words for PointStatus {
    fn words(&self) -> &'static str {
        match self {
            PointStatus::NotStarted => "Not started",
            PointStatus::InProgress => "In progress",
            PointStatus::Complete => "Complete",
            PointStatus::NotApplicable => "Not applicable",
        }
    }
}

impl Words for AlertKind {
    fn words(&self) -> &'static str {
        self.describe()
    }
}

impl Words for AlertStatus {
    fn words(&self) -> &'static str {
        match self {
            AlertStatus::Open => "Open",
            AlertStatus::Acknowledged => "Acknowledged",
            AlertStatus::Resolved => "Resolved",
        }
    }
}

impl Words for EntryStatus {
    fn words(&self) -> &'static str {
        match self {
            EntryStatus::Active => "On the register",
            EntryStatus::Closed => "Closed",
        }
    }
}

impl Words for ClosureReason {
    fn words(&self) -> &'static str {
        match self {
            ClosureReason::NoLongerAtRisk => "No longer at risk",
            ClosureReason::MovedOutOfArea => "Moved out of area",
            ClosureReason::AdmittedElsewhere => "Admitted elsewhere",
            ClosureReason::Died => "Died",
            ClosureReason::DeclinedConsent => "Declined consent",
            ClosureReason::Other => "Other",
        }
    }
}

impl Words for WardType {
    fn words(&self) -> &'static str {
        match self {
            WardType::AssessmentTreatment => "Assessment and treatment",
            WardType::Rehabilitation => "Rehabilitation",
            WardType::LowSecure => "Low secure",
            WardType::MediumSecure => "Medium secure",
            WardType::HighSecure => "High secure",
            WardType::CamhsGeneral => "CAMHS general adolescent",
            WardType::CamhsSecure => "CAMHS secure",
            WardType::Other => "Other",
        }
    }
}

impl Words for LegalStatusCode {
    fn words(&self) -> &'static str {
        match self {
            LegalStatusCode::Informal => "Informal",
            LegalStatusCode::S2 => "Section 2",
            LegalStatusCode::S3 => "Section 3",
            LegalStatusCode::S35 => "Section 35",
            LegalStatusCode::S36 => "Section 36",
            LegalStatusCode::S37 => "Section 37",
            LegalStatusCode::S37With41 => "Section 37/41",
            LegalStatusCode::S38 => "Section 38",
            LegalStatusCode::S45A => "Section 45A",
            LegalStatusCode::S47With49 => "Section 47/49",
            LegalStatusCode::S48With49 => "Section 48/49",
            LegalStatusCode::CtoRecall => "Recalled from a community treatment order",
            LegalStatusCode::S135Or136 => "Section 135 or 136",
            LegalStatusCode::Other => "Other",
        }
    }
}

impl Words for AdmissionReason {
    fn words(&self) -> &'static str {
        match self {
            AdmissionReason::MentalHealthDeterioration => "Mental health deteriorated",
            AdmissionReason::BehaviourThatChallenges => "Behaviour that challenges",
            AdmissionReason::RiskToSelf => "Risk to self",
            AdmissionReason::RiskToOthers => "Risk to others",
            AdmissionReason::Forensic => "Forensic (through the courts or prison)",
            AdmissionReason::PlacementBreakdown => "Placement broke down",
            AdmissionReason::Assessment => "Assessment",
            AdmissionReason::Other => "Other",
        }
    }
}

impl Words for Advocacy {
    fn words(&self) -> &'static str {
        match self {
            Advocacy::Imha => "Independent mental health advocate (IMHA)",
            Advocacy::Imca => "Independent mental capacity advocate (IMCA)",
            Advocacy::NonInstructed => "Non-instructed advocacy",
            Advocacy::Family => "Family or friend",
            Advocacy::None => "None",
        }
    }
}

impl Words for DelayReason {
    fn words(&self) -> &'static str {
        match self {
            DelayReason::Housing => "Housing",
            DelayReason::ProviderNotFound => "No care provider found",
            DelayReason::Funding => "Funding",
            DelayReason::LegalOrMoj => "Legal or Ministry of Justice",
            DelayReason::PersonOrFamilyChoice => "The person's or family's choice",
            DelayReason::Workforce => "Workforce",
            DelayReason::Other => "Other",
        }
    }
}

/// The formatting every template calls as `self.date(..)` and the like: a page implements
/// `today` and gets the rest.
/// An NHS number as a page shows it: spaced, or "Pending" while it is not known.
pub trait NhsShown {
    fn shown(&self) -> String;
}

impl NhsShown for str {
    fn shown(&self) -> String {
        nhs_number(self)
    }
}

impl NhsShown for String {
    fn shown(&self) -> String {
        nhs_number(self)
    }
}

impl NhsShown for Option<String> {
    fn shown(&self) -> String {
        match self {
            Some(n) => nhs_number(n),
            None => "Pending".into(),
        }
    }
}

pub trait Fmt {
    fn today(&self) -> NaiveDate;

    fn date(&self, d: &NaiveDate) -> String {
        date(d)
    }
    fn opt_date(&self, d: &Option<NaiveDate>) -> String {
        opt_date(d)
    }
    fn moment(&self, t: &DateTime<Utc>) -> String {
        moment(t)
    }
    fn nhs<N: NhsShown + ?Sized>(&self, n: &N) -> String {
        n.shown()
    }
    fn rag_class(&self, rag: &Rag) -> &'static str {
        rag_class(rag)
    }
    fn overdue(&self, due: &NaiveDate) -> Option<String> {
        overdue_by(due, self.today())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_numbers_and_lateness_in_words() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
        assert_eq!(date(&d), "14 March 2026");
        assert_eq!(opt_date(&None), "Not set");
        for (raw, shown) in [
            ("9990000018", "999 000 0018"),
            ("999000001", "999000001"),
            ("99900000AB", "99900000AB"),
        ] {
            assert_eq!(nhs_number(raw), shown);
        }
        let today = NaiveDate::from_ymd_opt(2026, 3, 24).unwrap();
        assert_eq!(overdue_by(&d, today).as_deref(), Some("overdue by 10 days"));
        assert_eq!(overdue_by(&today, today), None);
        assert_eq!(
            overdue_by(&(today - chrono::Duration::days(1)), today).as_deref(),
            Some("overdue by 1 day")
        );
        let summer = "2026-07-01T13:05:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(moment(&summer), "1 July 2026 at 2:05pm");
    }

    #[test]
    fn every_rating_has_a_word_and_a_colour() {
        for (rag, word, class) in [
            (Rag::Red, "Red", "nhsuk-tag--red"),
            (Rag::Amber, "Amber", "nhsuk-tag--orange"),
            (Rag::Green, "Green", "nhsuk-tag--green"),
            (Rag::Blue, "Blue", "nhsuk-tag--blue"),
        ] {
            assert_eq!((rag.words(), rag_class(&rag)), (word, class));
        }
        assert_eq!(
            AlertKind::OversightVisitOverdue.words(),
            "Commissioner oversight visit overdue"
        );
    }
}
