//! Report rules: readmissions within 90 days of a discharge, whether inpatient C(E)TRs and
//! oversight visits were held on time, who was on the register before an admission.

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

/// Whether a discharge starts the 90 days in which a new admission is a readmission: a
/// transfer to another hospital is not a discharge from inpatient care, and a death ends it.
pub fn discharge_counts_for_readmission(destination: Option<DischargeDestination>) -> bool {
    destination != Some(DischargeDestination::OtherHospital)
        && destination != Some(DischargeDestination::Died)
}

/// Whether an admission on `admitted_on` falls within 90 days of a discharge on `discharged_on`.
pub fn within_readmission_days(discharged_on: NaiveDate, admitted_on: NaiveDate) -> bool {
    (0..=READMISSION_DAYS).contains(&(admitted_on - discharged_on).num_days())
}

/// Admissions in `(from, to]` that began within 90 days of the same person's discharge.
/// A transfer to another hospital is not a discharge from inpatient care, so it does not
/// start the 90 days.
pub fn readmissions(admissions: &[AdmissionFacts], from: NaiveDate, to: NaiveDate) -> i64 {
    admissions
        .iter()
        .filter(|a| a.admitted_on > from && a.admitted_on <= to)
        .filter(|a| {
            admissions.iter().any(|prior| {
                // Not the admission itself: a stay discharged the day it began is no return.
                !std::ptr::eq(prior, *a)
                    && prior.person_id == a.person_id
                    && discharge_counts_for_readmission(prior.destination)
                    && prior
                        .discharged_on
                        .is_some_and(|d| within_readmission_days(d, a.admitted_on))
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

/// For each commissioner oversight visit of one stay (visit dates in order), whether it was
/// made by its due date: 42 or 56 days after the admission or the visit before.
pub fn visits_on_time(stay: Stay, visited: &[NaiveDate], t: &Timescales) -> Vec<bool> {
    let mut previous = None;
    visited
        .iter()
        .map(|&v| {
            let due = t.next_oversight_visit(stay, previous);
            previous = Some(v);
            v <= due
        })
        .collect()
}

/// Whether the person was on the register before an admission: an entry opened before the
/// day they were admitted and not closed by then (an admission of someone not on the
/// register opens their entry that day).
pub fn on_register_before(
    admitted_on: NaiveDate,
    entries: &[(NaiveDate, Option<NaiveDate>)],
) -> bool {
    entries
        .iter()
        .any(|(opened, closed)| *opened < admitted_on && closed.is_none_or(|c| c >= admitted_on))
}

/// The median of whole days, as a decimal (the mean of the middle two for an even count);
/// none of nothing.
pub fn median_days(mut days: Vec<i64>) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let mid = days.len() / 2;
    Some(match days.len() % 2 {
        1 => days[mid] as f64,
        _ => (days[mid - 1] + days[mid]) as f64 / 2.0,
    })
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
            adm("d", "2026-06-01", Some("2026-06-01"), Some(Community)), // itself: does not
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
    fn visits_are_on_time_against_their_own_deadline() {
        let t = Timescales::default();
        let adult = Stay {
            admitted_on: d("2026-01-01"),
            date_of_birth: d("1990-01-01"),
            setting: Setting::NonSecure,
        };
        // due 02-26 (56 days), then 56 days after 02-26 = 04-23 (held 04-24: late)
        let held = [d("2026-02-26"), d("2026-04-24")];
        assert_eq!(visits_on_time(adult, &held, &t), vec![true, false]);
        let child = Stay {
            date_of_birth: d("2010-01-01"),
            ..adult
        };
        // 42 days for under-18s: due 02-12
        assert_eq!(visits_on_time(child, &[d("2026-02-13")], &t), vec![false]);
    }

    #[test]
    fn medians_of_days() {
        assert_eq!(median_days(vec![]), None);
        assert_eq!(median_days(vec![9, 1, 5]), Some(5.0));
        assert_eq!(median_days(vec![10, 1, 4, 30]), Some(7.0));
        assert_eq!(median_days(vec![1, 2]), Some(1.5));
    }

    #[test]
    fn on_the_register_before_means_an_entry_open_the_day_before() {
        type Entries<'a> = &'a [(NaiveDate, Option<NaiveDate>)];
        let admitted = d("2026-11-10");
        let table: [(Entries, bool); 5] = [
            (&[], false),
            // the admission opened the entry that day
            (&[(d("2026-11-10"), None)], false),
            (&[(d("2026-10-01"), None)], true),
            // closed before the admission
            (&[(d("2025-01-01"), Some(d("2025-06-01")))], false),
            (
                &[
                    (d("2025-01-01"), Some(d("2025-06-01"))),
                    (d("2026-11-09"), None),
                ],
                true,
            ),
        ];
        for (entries, before) in table {
            assert_eq!(on_register_before(admitted, entries), before, "{entries:?}");
        }
    }

    #[test]
    fn percentages_round_to_one_place() {
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(3, 3), Some(100.0));
        assert_eq!(percent(0, 0), None);
    }
}
