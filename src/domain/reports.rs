//! Report rules: readmissions within 90 days of a discharge, and whether inpatient C(E)TRs
//! were held on time.

use chrono::NaiveDate;

use super::inpatient::{DischargeDestination, Stay, Timescales};

/// One admission as the readmission count sees it.
#[derive(Debug, Clone)]
pub struct AdmissionFacts {
    pub person_id: String,
    pub admitted_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub destination: Option<DischargeDestination>,
}

pub const READMISSION_DAYS: i64 = 90;

/// Admissions in `(from, to]` that began within 90 days of the same person's discharge.
/// A transfer to another hospital is not a discharge from inpatient care, so it does not
/// start the 90 days.
pub fn readmissions(admissions: &[AdmissionFacts], from: NaiveDate, to: NaiveDate) -> i64 {
    admissions
        .iter()
        .filter(|a| a.admitted_on > from && a.admitted_on <= to)
        .filter(|a| {
            admissions.iter().any(|prior| {
                prior.person_id == a.person_id
                    && prior.destination != Some(DischargeDestination::OtherHospital)
                    && prior.destination != Some(DischargeDestination::Died)
                    && prior.discharged_on.is_some_and(|d| {
                        let gap = (a.admitted_on - d).num_days();
                        (0..=READMISSION_DAYS).contains(&gap)
                    })
            })
        })
        .count() as i64
}

/// For each inpatient C(E)TR of one stay (held dates in order), whether it was held by its
/// due date: the first against the post-admission deadline, each later one against the
/// repeat deadline from the one before.
pub fn cetrs_on_time(stay: Stay, held: &[NaiveDate], t: &Timescales) -> Vec<bool> {
    let mut previous = None;
    held.iter()
        .map(|&h| {
            let due = t.next_inpatient_cetr(stay, previous);
            previous = Some(h);
            h <= due
        })
        .collect()
}

/// A percentage to one decimal place; none when there is nothing to count.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 * 1000.0 / whole as f64).round()) / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inpatient::Setting;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn adm(
        p: &str,
        admitted: &str,
        discharged: Option<&str>,
        dest: Option<DischargeDestination>,
    ) -> AdmissionFacts {
        AdmissionFacts {
            person_id: p.into(),
            admitted_on: d(admitted),
            discharged_on: discharged.map(d),
            destination: dest,
        }
    }

    #[test]
    fn readmissions_count_returns_within_90_days_of_a_discharge() {
        use DischargeDestination::*;
        let list = vec![
            adm("a", "2026-01-01", Some("2026-03-01"), Some(Community)),
            adm("a", "2026-05-30", None, None), // 90 days after discharge: counts
            adm("b", "2026-01-01", Some("2026-03-01"), Some(Community)),
            adm("b", "2026-05-31", None, None), // 91 days: does not
            adm("c", "2026-01-01", Some("2026-02-01"), Some(OtherHospital)),
            adm("c", "2026-02-01", Some("2026-04-01"), Some(Other)), // transfer: not a readmission
            adm("c", "2026-04-20", None, None), // 19 days after a discharge: counts
        ];
        assert_eq!(readmissions(&list, d("2025-12-31"), d("2026-12-31")), 2);
        assert_eq!(
            readmissions(&list, d("2026-05-30"), d("2026-12-31")),
            0,
            "window excludes its start"
        );
    }

    #[test]
    fn cetrs_are_on_time_against_their_own_deadline() {
        let t = Timescales::default();
        let stay = Stay {
            admitted_on: d("2026-01-01"),
            date_of_birth: d("1990-01-01"),
            setting: Setting::NonSecure,
        };
        // due 01-29 (held 01-29: on time), then 182 days from 01-29 = 07-30 (held 08-10: late),
        // then 182 days from 08-10 = 02-08 (held 2027-01-05: on time)
        let held = [d("2026-01-29"), d("2026-08-10"), d("2027-01-05")];
        assert_eq!(cetrs_on_time(stay, &held, &t), vec![true, false, true]);
        assert_eq!(cetrs_on_time(stay, &[d("2026-01-30")], &t), vec![false]);
    }

    #[test]
    fn percentages_round_to_one_place() {
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(3, 3), Some(100.0));
        assert_eq!(percent(0, 0), None);
    }
}
