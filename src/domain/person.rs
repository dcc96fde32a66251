//! Facts about a person that follow from their record: age, reporting group, eligibility.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Reporting groups: `child` under 18, `young_person` 18 to 25, `adult` over 25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    Child,
    YoungPerson,
    Adult,
}

impl AgeGroup {
    pub fn of_age(age: u32) -> AgeGroup {
        match age {
            0..=17 => AgeGroup::Child,
            18..=25 => AgeGroup::YoungPerson,
            _ => AgeGroup::Adult,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgeGroup::Child => "child",
            AgeGroup::YoungPerson => "young_person",
            AgeGroup::Adult => "adult",
        }
    }

    pub fn parse(s: &str) -> Option<AgeGroup> {
        match s {
            "child" => Some(AgeGroup::Child),
            "young_person" => Some(AgeGroup::YoungPerson),
            "adult" => Some(AgeGroup::Adult),
            _ => None,
        }
    }
}

/// Age in whole years on `on`. Someone born on 29 February becomes a year older on
/// 1 March in years without one (as in UK law).
pub fn age_on(date_of_birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - date_of_birth.year();
    if (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// The latest date of birth of someone who is at least `years` old on `on`, so an age
/// filter becomes an indexed date-of-birth range. Agrees with `age_on` (tested below).
pub fn latest_birth_date_for_age(on: NaiveDate, years: u32) -> NaiveDate {
    on.checked_sub_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MIN)
}

/// Children and young people up to 25 are eligible for the keyworking service.
pub fn keyworker_eligible(age: u32) -> bool {
    age <= 25
}

/// Under-18 exactly (policy timescales), not the `child` reporting group by another name.
pub fn is_under_18(date_of_birth: NaiveDate, on: NaiveDate) -> bool {
    age_on(date_of_birth, on) < 18
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Diagnosis {
    LearningDisability,
    Autism,
}

/// Consent to be on the register, as recorded on the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Given,
    /// Lacks capacity; a best-interests decision is recorded.
    BestInterests,
    /// Someone with parental responsibility consented.
    Parental,
    Declined,
    NotRecorded,
}

impl ConsentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentStatus::Given => "given",
            ConsentStatus::BestInterests => "best_interests",
            ConsentStatus::Parental => "parental",
            ConsentStatus::Declined => "declined",
            ConsentStatus::NotRecorded => "not_recorded",
        }
    }

    pub fn parse(s: &str) -> Option<ConsentStatus> {
        [
            ConsentStatus::Given,
            ConsentStatus::BestInterests,
            ConsentStatus::Parental,
            ConsentStatus::Declined,
            ConsentStatus::NotRecorded,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    /// The register needs consent in one of these forms, or a recorded reason.
    pub fn permits_register(self) -> bool {
        matches!(
            self,
            ConsentStatus::Given | ConsentStatus::BestInterests | ConsentStatus::Parental
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn age_turns_on_the_birthday_exactly() {
        let cases = [
            ("2008-11-25", "2026-11-24", 17),
            ("2008-11-25", "2026-11-25", 18),
            ("2000-11-25", "2026-11-25", 26),
            ("2000-11-26", "2026-11-25", 25),
            ("2008-02-29", "2026-02-28", 17),
            ("2008-02-29", "2026-03-01", 18),
            ("2008-02-29", "2028-02-29", 20),
            ("2026-11-25", "2026-11-25", 0),
        ];
        for (dob, on, age) in cases {
            assert_eq!(age_on(d(dob), d(on)), age, "{dob} on {on}");
        }
    }

    #[test]
    fn age_groups_and_eligibility_at_their_boundaries() {
        let cases = [
            (17, AgeGroup::Child, true),
            (18, AgeGroup::YoungPerson, true),
            (25, AgeGroup::YoungPerson, true),
            (26, AgeGroup::Adult, false),
        ];
        for (age, group, eligible) in cases {
            assert_eq!(AgeGroup::of_age(age), group, "{age}");
            assert_eq!(keyworker_eligible(age), eligible, "{age}");
        }
        assert!(is_under_18(d("2008-11-26"), d("2026-11-25")));
        assert!(!is_under_18(d("2008-11-25"), d("2026-11-25")));
    }

    #[test]
    fn the_birth_date_bound_agrees_with_age_on_every_day_around_leap_days() {
        let mut on = d("2027-12-01");
        while on < d("2029-04-01") {
            for years in [18, 26] {
                let bound = latest_birth_date_for_age(on, years);
                assert!(age_on(bound, on) >= years, "{on} {years}");
                let next = bound.succ_opt().unwrap();
                assert!(age_on(next, on) < years, "{on} {years} {next}");
            }
            on = on.succ_opt().unwrap();
        }
    }

    #[test]
    fn only_three_consent_forms_permit_the_register() {
        for (s, ok) in [
            ("given", true),
            ("best_interests", true),
            ("parental", true),
            ("declined", false),
            ("not_recorded", false),
        ] {
            assert_eq!(
                ConsentStatus::parse(s).unwrap().permits_register(),
                ok,
                "{s}"
            );
        }
    }
}

/// How a keyworker was in touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    FaceToFace,
    Phone,
    Video,
    Meeting,
    Message,
    Other,
}

impl ContactKind {
    pub const ALL: [ContactKind; 6] = [
        ContactKind::FaceToFace,
        ContactKind::Phone,
        ContactKind::Video,
        ContactKind::Meeting,
        ContactKind::Message,
        ContactKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::FaceToFace => "face_to_face",
            ContactKind::Phone => "phone",
            ContactKind::Video => "video",
            ContactKind::Meeting => "meeting",
            ContactKind::Message => "message",
            ContactKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ContactKind> {
        ContactKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether the person's NHS number is known. `dsr` does no PDS trace, so a number is only
/// ever "recorded" (checked for its Modulus 11 digit and uniqueness), never "verified".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NhsNumberStatus {
    #[default]
    Recorded,
    /// Not known yet (a referral, a child not yet traced): the number is null, and
    /// `nhs_number_missing` follows after 14 days.
    Pending,
}

impl NhsNumberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NhsNumberStatus::Recorded => "recorded",
            NhsNumberStatus::Pending => "pending",
        }
    }

    pub fn parse(s: &str) -> Option<NhsNumberStatus> {
        [NhsNumberStatus::Recorded, NhsNumberStatus::Pending]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The role of another professional involved with a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvolvementRole {
    CareCoordinator,
    SocialWorker,
    ResponsibleClinician,
    Camhs,
    Senco,
    Advocate,
    Gp,
    Other,
}

impl InvolvementRole {
    pub const ALL: [InvolvementRole; 8] = [
        InvolvementRole::CareCoordinator,
        InvolvementRole::SocialWorker,
        InvolvementRole::ResponsibleClinician,
        InvolvementRole::Camhs,
        InvolvementRole::Senco,
        InvolvementRole::Advocate,
        InvolvementRole::Gp,
        InvolvementRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvolvementRole::CareCoordinator => "care_coordinator",
            InvolvementRole::SocialWorker => "social_worker",
            InvolvementRole::ResponsibleClinician => "responsible_clinician",
            InvolvementRole::Camhs => "camhs",
            InvolvementRole::Senco => "senco",
            InvolvementRole::Advocate => "advocate",
            InvolvementRole::Gp => "gp",
            InvolvementRole::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<InvolvementRole> {
        InvolvementRole::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a condition stands: people are supported "even before a diagnosis has been
/// received" (NHS England), so a suspected or awaited diagnosis counts for the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionStatus {
    Diagnosed,
    Suspected,
    AwaitingAssessment,
}

/// A condition and where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub condition: Diagnosis,
    pub status: ConditionStatus,
}

/// The diagnosed conditions of `conditions`: what `diagnoses` has always meant.
pub fn diagnosed(conditions: &[Condition]) -> Vec<Diagnosis> {
    conditions
        .iter()
        .filter(|c| c.status == ConditionStatus::Diagnosed)
        .map(|c| c.condition)
        .collect()
}

/// The NHS Data Dictionary's ethnic category codes: A to H, J to N, P, R, S; Z (not
/// stated) and 99 (not known).
pub const ETHNIC_CATEGORIES: [&str; 18] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99",
];

/// A postcode's outward part, as people write it: `ls1`, ` SW1A ` → `LS1`, `SW1A`.
pub fn postcode_district(raw: &str) -> Option<String> {
    let d = raw.trim().to_uppercase();
    let b = d.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let rest = &b[letters..];
    let ok = (1..=2).contains(&letters)
        && (1..=2).contains(&rest.len())
        && rest[0].is_ascii_digit()
        && rest.iter().all(|c| c.is_ascii_alphanumeric());
    ok.then_some(d)
}

/// An ODS code (an ICB's, a provider's, a hospital's): 3 to 6 letters and digits.
pub fn ods_code(raw: &str) -> Option<String> {
    let code = raw.trim().to_uppercase();
    ((3..=6).contains(&code.len()) && code.bytes().all(|c| c.is_ascii_alphanumeric()))
        .then_some(code)
}

#[cfg(test)]
mod round_two_tests {
    use super::*;

    #[test]
    fn postcode_districts_and_ods_codes() {
        for (raw, want) in [
            ("ls1", Some("LS1")),
            (" SW1A ", Some("SW1A")),
            ("B33", Some("B33")),
            ("M1", Some("M1")),
            ("LS1 4AP", None),
            ("1LS", None),
            ("ABC1", None),
            ("", None),
        ] {
            assert_eq!(postcode_district(raw).as_deref(), want, "{raw:?}");
        }
        for (raw, want) in [
            ("qwo", Some("QWO")),
            ("15F", Some("15F")),
            ("AB", None),
            ("A-B-C", None),
        ] {
            assert_eq!(ods_code(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn diagnoses_are_the_diagnosed_conditions() {
        let list = [
            Condition {
                condition: Diagnosis::Autism,
                status: ConditionStatus::Suspected,
            },
            Condition {
                condition: Diagnosis::LearningDisability,
                status: ConditionStatus::Diagnosed,
            },
        ];
        assert_eq!(diagnosed(&list), vec![Diagnosis::LearningDisability]);
        assert!(diagnosed(&list[..1]).is_empty());
    }
}
