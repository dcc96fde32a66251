//! Pure domain types and rules. No I/O, no actix, no diesel: everything here is unit-tested.

pub mod alerts;
pub mod discharge;
pub mod inpatient;
pub mod inpatient_data;
pub mod keyworking;
pub mod monthly;
pub mod nhs_number;
pub mod person;
pub mod referral;
pub mod register;
pub mod reports;
pub mod role;
pub mod session;
pub mod username;

pub use nhs_number::NhsNumber;
pub use register::{Rag, ReviewCadence};
pub use role::Role;
pub use username::Username;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;

/// The one source of "now", passed in so rules and tests agree on the date.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Today's date where the care teams work: due dates are evaluated in Europe/London.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&London).date_naive()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    struct Fixed(DateTime<Utc>);
    impl Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            self.0
        }
    }

    #[test]
    fn today_is_the_london_date_not_the_utc_date() {
        // 23:30 UTC on 1 July is 00:30 BST on 2 July.
        let summer = Fixed(Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).unwrap());
        assert_eq!(summer.today(), NaiveDate::from_ymd_opt(2026, 7, 2).unwrap());
        // In winter London is on UTC.
        let winter = Fixed(Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap());
        assert_eq!(
            winter.today(),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
    }
}
