//! Where a referral stands and which way it may move: received, then screened, then
//! accepted (the person goes on the register) or declined (with a reason). A decision is
//! final; a mistaken one is put right on the register itself, not by reopening the referral.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Received,
    Screened,
    Accepted,
    Declined,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 4] = [
        ReferralStatus::Received,
        ReferralStatus::Screened,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
    ];

    /// Waiting for a decision: the referral clocks run.
    pub const UNDECIDED: [ReferralStatus; 2] = [ReferralStatus::Received, ReferralStatus::Screened];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Received => "received",
            ReferralStatus::Screened => "screened",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<ReferralStatus> {
        ReferralStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReferralStatus::Received => "Received",
            ReferralStatus::Screened => "Screened",
            ReferralStatus::Accepted => "Accepted",
            ReferralStatus::Declined => "Declined",
        }
    }

    pub fn decided(self) -> bool {
        matches!(self, ReferralStatus::Accepted | ReferralStatus::Declined)
    }

    /// Whether a referral in this state may move to `to`.
    pub fn may_move_to(self, to: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, to),
            (Received, Screened) | (Received | Screened, Accepted | Declined)
        )
    }
}

/// `REF-000123`: short enough for an email subject, unique, never reused.
pub fn format_reference(n: i64) -> String {
    format!("REF-{n:06}")
}

#[cfg(test)]
mod tests {
    use super::ReferralStatus::*;
    use super::*;

    #[test]
    fn the_moves_a_referral_may_make() {
        // (from, to, allowed)
        let cases = [
            (Received, Received, false),
            (Received, Screened, true),
            (Received, Accepted, true),
            (Received, Declined, true),
            (Screened, Received, false),
            (Screened, Screened, false),
            (Screened, Accepted, true),
            (Screened, Declined, true),
            (Accepted, Declined, false),
            (Accepted, Screened, false),
            (Declined, Accepted, false),
            (Declined, Received, false),
        ];
        for (from, to, allowed) in cases {
            assert_eq!(from.may_move_to(to), allowed, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn references_are_six_digits_at_least() {
        assert_eq!(format_reference(123), "REF-000123");
        assert_eq!(format_reference(1_234_567), "REF-1234567");
    }
}
