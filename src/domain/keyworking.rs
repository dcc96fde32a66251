//! The keyworking service for children and young people (0–25), kept apart from the named
//! lead worker: an episode is `referred`, then `accepted` or `declined` (with a reason),
//! `allocated` to a CYP keyworker (who then sees the person as part of their caseload), and
//! `closed`. The linked-process rule: someone aged 25 or under rated red, amber or blue needs a
//! referral within 5 days of that rating beginning.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Rag;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyworkingStatus {
    Referred,
    Accepted,
    Declined,
    Allocated,
    Closed,
}

impl KeyworkingStatus {
    pub const ALL: [KeyworkingStatus; 5] = [
        KeyworkingStatus::Referred,
        KeyworkingStatus::Accepted,
        KeyworkingStatus::Declined,
        KeyworkingStatus::Allocated,
        KeyworkingStatus::Closed,
    ];

    /// Still running: the person has (or is waiting for) a CYP keyworker.
    pub const OPEN: [KeyworkingStatus; 3] = [
        KeyworkingStatus::Referred,
        KeyworkingStatus::Accepted,
        KeyworkingStatus::Allocated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyworkingStatus::Referred => "referred",
            KeyworkingStatus::Accepted => "accepted",
            KeyworkingStatus::Declined => "declined",
            KeyworkingStatus::Allocated => "allocated",
            KeyworkingStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<KeyworkingStatus> {
        KeyworkingStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        KeyworkingStatus::OPEN.contains(&self)
    }

    /// Whether an episode in this state may move to `to`. An allocated episode may be
    /// allocated again (to another CYP keyworker); declined and closed are final (a new
    /// referral starts a new episode).
    pub fn may_move_to(self, to: KeyworkingStatus) -> bool {
        use KeyworkingStatus::*;
        matches!(
            (self, to),
            (Referred, Accepted | Declined | Closed)
                | (Accepted, Declined | Allocated | Closed)
                | (Allocated, Allocated | Closed)
        )
    }

    /// Where it may go from here, for the error that refuses another move.
    pub fn next(self) -> Vec<KeyworkingStatus> {
        KeyworkingStatus::ALL
            .into_iter()
            .filter(|to| self.may_move_to(*to))
            .collect()
    }
}

/// The ratings that need a keyworking referral for people aged 25 or under.
pub fn needs_referral(rag: Rag) -> bool {
    matches!(rag, Rag::Red | Rag::Amber | Rag::Blue)
}

/// Whether the person's episodes satisfy the referral rule for a rating that began on
/// `since`: an open episode always does; a declined (or closed) one only if it was referred
/// since the person last moved into red, amber or blue.
pub fn referral_made(since: NaiveDate, episodes: &[(KeyworkingStatus, NaiveDate)]) -> bool {
    episodes
        .iter()
        .any(|(status, referred_on)| status.is_open() || *referred_on >= since)
}

/// The 26th birthday: an episode still open after it raises `keyworking_past_25`.
pub fn past_25_from(date_of_birth: NaiveDate) -> Option<NaiveDate> {
    date_of_birth.checked_add_months(Months::new(12 * 26))
}

#[cfg(test)]
mod tests {
    use super::KeyworkingStatus::*;
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_episode_moves_referred_accepted_allocated_closed_or_is_declined() {
        let table = [
            (Referred, Accepted, true),
            (Referred, Declined, true),
            (Referred, Allocated, false),
            (Referred, Closed, true),
            (Accepted, Allocated, true),
            (Accepted, Declined, true),
            (Accepted, Referred, false),
            (Allocated, Allocated, true),
            (Allocated, Closed, true),
            (Allocated, Declined, false),
            (Declined, Accepted, false),
            (Closed, Allocated, false),
        ];
        for (from, to, allowed) in table {
            assert_eq!(from.may_move_to(to), allowed, "{from:?} -> {to:?}");
        }
        assert_eq!(Referred.next(), [Accepted, Declined, Closed]);
        assert!(Declined.next().is_empty() && Closed.next().is_empty());
    }

    #[test]
    fn a_referral_satisfies_the_rule_while_open_or_when_made_since_the_rating_began() {
        let since = d("2026-11-20");
        let table: [(&[(KeyworkingStatus, NaiveDate)], bool); 6] = [
            (&[], false),
            (&[(Allocated, d("2025-01-01"))], true),
            (&[(Referred, d("2026-11-22"))], true),
            (&[(Declined, d("2026-11-21"))], true),
            // declined before the person moved into red, amber or blue again
            (&[(Declined, d("2026-11-19"))], false),
            (
                &[(Closed, d("2024-05-01")), (Declined, d("2026-10-01"))],
                false,
            ),
        ];
        for (episodes, made) in table {
            assert_eq!(referral_made(since, episodes), made, "{episodes:?}");
        }
    }

    #[test]
    fn the_ratings_that_need_a_referral_and_the_26th_birthday() {
        assert!(
            needs_referral(Rag::Red) && needs_referral(Rag::Amber) && needs_referral(Rag::Blue)
        );
        assert!(!needs_referral(Rag::Green));
        assert_eq!(past_25_from(d("2000-02-29")), Some(d("2026-02-28")));
        assert_eq!(past_25_from(d("2001-06-15")), Some(d("2027-06-15")));
    }
}
