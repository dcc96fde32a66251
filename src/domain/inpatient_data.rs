//! The inpatient items the Assuring Transformation return asks of every admission (its codes
//! in `domain.md`, *Inpatient data*): where the person is (provider, hospital, the hospital's
//! ICB, ward type: ODS codes as `person::ods_code` reads them), why and under what legal
//! status, advocacy, long-term segregation, and when they were clinically ready for discharge
//! with what delays it. Out of area is derived.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An enum of codes: each variant with its code, `as_str`, `parse` and `ALL`.
macro_rules! codes {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:tt),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

codes!(
    /// The kind of ward the person is on.
    WardType {
        AssessmentTreatment => "assessment_treatment",
        Rehabilitation => "rehabilitation",
        LowSecure => "low_secure",
        MediumSecure => "medium_secure",
        HighSecure => "high_secure",
        CamhsGeneral => "camhs_general",
        CamhsSecure => "camhs_secure",
        Other => "other",
    }
);

codes!(
    /// The legal status as a code (beside the free-text `legal_status`).
    LegalStatusCode {
        Informal => "informal",
        S2 => "s2",
        S3 => "s3",
        S35 => "s35",
        S36 => "s36",
        S37 => "s37",
        S37With41 => "s37_41",
        S38 => "s38",
        S45A => "s45a",
        S47With49 => "s47_49",
        S48With49 => "s48_49",
        CtoRecall => "cto_recall",
        S135Or136 => "s135_136",
        Other => "other",
    }
);

codes!(
    /// Why the person was admitted.
    AdmissionReason {
        MentalHealthDeterioration => "mental_health_deterioration",
        BehaviourThatChallenges => "behaviour_that_challenges",
        RiskToSelf => "risk_to_self",
        RiskToOthers => "risk_to_others",
        Forensic => "forensic",
        PlacementBreakdown => "placement_breakdown",
        Assessment => "assessment",
        Other => "other",
    }
);

codes!(
    /// The advocacy the person has.
    Advocacy {
        Imha => "imha",
        Imca => "imca",
        NonInstructed => "non_instructed",
        Family => "family",
        None => "none",
    }
);

codes!(
    /// What delays the discharge of someone clinically ready for it.
    DelayReason {
        Housing => "housing",
        ProviderNotFound => "provider_not_found",
        Funding => "funding",
        LegalOrMoj => "legal_or_moj",
        PersonOrFamilyChoice => "person_or_family_choice",
        Workforce => "workforce",
        Other => "other",
    }
);

/// Out of area: the hospital is in another ICB than the one responsible for the person.
/// Unknown (`None`) unless both are recorded.
pub fn out_of_area(hospital_icb: Option<&str>, responsible_icb: Option<&str>) -> Option<bool> {
    match (hospital_icb, responsible_icb) {
        (Some(h), Some(r)) => Some(!h.eq_ignore_ascii_case(r)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_and_write_as_domain_md_spells_them() {
        assert_eq!(LegalStatusCode::S37With41.as_str(), "s37_41");
        assert_eq!(LegalStatusCode::parse("s45a"), Some(LegalStatusCode::S45A));
        assert_eq!(LegalStatusCode::ALL.len(), 14);
        assert_eq!(WardType::ALL.len(), 8);
        assert_eq!(AdmissionReason::ALL.len(), 8);
        assert_eq!(Advocacy::ALL.len(), 5);
        assert_eq!(DelayReason::ALL.len(), 7);
        assert_eq!(
            serde_json::to_string(&LegalStatusCode::S135Or136).unwrap(),
            "\"s135_136\""
        );
        assert_eq!(Advocacy::parse("nobody"), None);
    }

    #[test]
    fn the_openapi_schema_lists_the_codes_not_the_variant_names() {
        use utoipa::PartialSchema;
        let ward = serde_json::to_string(&WardType::schema()).unwrap();
        assert!(ward.contains("\"assessment_treatment\""), "{ward}");
        let legal = serde_json::to_string(&LegalStatusCode::schema()).unwrap();
        assert!(
            legal.contains("\"s37_41\"") && !legal.contains("S37With41"),
            "{legal}"
        );
    }

    #[test]
    fn out_of_area_needs_both_icbs() {
        assert_eq!(out_of_area(Some("QHM"), Some("qhm")), Some(false));
        assert_eq!(out_of_area(Some("QHM"), Some("QWE")), Some(true));
        assert_eq!(out_of_area(None, Some("QWE")), None);
        assert_eq!(out_of_area(Some("QHM"), None), None);
    }
}
