//! Two records for one person are a safety risk (half the history in each, two keyworkers),
//! and the usual cause is the same person typed in twice with the name spelt a little
//! differently. A new person with the same date of birth as someone recorded, and a name
//! that is nearly the same (Jaro-Winkler at least 0.9 on the normalised full name) or the same
//! surname with the same first initial, is a possible duplicate: refused unless the request
//! confirms it is someone else (twins are the classic false match).

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::store::PersonRow;
use crate::db::schema::people;
use crate::db::AnyConnection;

/// How close two normalised full names must be (`domain.md`).
pub const SIMILAR: f64 = 0.9;

/// Lower case, letters and single spaces only: "O'Brien-Smith " → "obriensmith".
fn normalise(name: &str) -> String {
    name.to_lowercase()
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphabetic()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether two people's names are close enough to be one person's.
pub fn similar(given_a: &str, family_a: &str, given_b: &str, family_b: &str) -> bool {
    let (ga, fa, gb, fb) = (
        normalise(given_a),
        normalise(family_a),
        normalise(given_b),
        normalise(family_b),
    );
    let initial = |g: &str| g.chars().next();
    let same_surname_and_initial = !fa.is_empty() && fa == fb && initial(&ga) == initial(&gb);
    same_surname_and_initial
        || strsim::jaro_winkler(&format!("{ga} {fa}"), &format!("{gb} {fb}")) >= SIMILAR
}

/// The people already recorded who may be this one: same date of birth, similar name.
pub fn find(
    conn: &mut AnyConnection,
    given: &str,
    family: &str,
    date_of_birth: NaiveDate,
) -> QueryResult<Vec<PersonRow>> {
    let born_that_day: Vec<PersonRow> = people::table
        .filter(people::date_of_birth.eq(date_of_birth))
        .filter(people::merged_into.is_null())
        .select(PersonRow::as_select())
        .load(conn)?;
    Ok(born_that_day
        .into_iter()
        .filter(|p| similar(given, family, &p.given_name, &p.family_name))
        .collect())
}

/// What the possible-duplicate problem shows of each match.
pub fn summary(row: &PersonRow) -> Value {
    json!({
        "id": row.id,
        "nhs_number": row.nhs_number,
        "given_name": row.given_name,
        "family_name": row.family_name,
        "date_of_birth": row.date_of_birth,
        "area": row.area,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_names_are_matched_and_different_people_are_not() {
        for (a, b, same) in [
            (("Sam", "Taylor"), ("Sam", "Taylor"), true),
            (("Samuel", "Taylor"), ("Sam", "Taylor"), true),
            (("Jon", "Smith"), ("John", "Smith"), true),
            (("Priya", "Shah"), ("Pryia", "Shah"), true),
            (("Mohammed", "Khan"), ("Mohammad", "Khan"), true),
            (("Siobhan", "O'Brien"), ("Siobhan", "OBrien"), true),
            (("Katie", "Jones"), ("Catherine", "Jones"), false),
            (("Sam", "Taylor"), ("Alex", "Morgan"), false),
            (("Amira", "Ali"), ("Zara", "Ali"), false),
        ] {
            assert_eq!(similar(a.0, a.1, b.0, b.1), same, "{a:?} ~ {b:?}");
        }
    }
}
