use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{people, register_entries};
use crate::db::AnyConnection;
use crate::domain::person::{ConsentStatus, NhsNumberStatus};
use crate::domain::register::EntryStatus;
use crate::http::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = people)]
pub struct PersonRow {
    pub id: String,
    /// None while `nhs_number_status` is pending.
    pub nhs_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub search_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: Option<String>,
    pub diagnoses: String,
    pub area: String,
    pub local_authority: Option<String>,
    pub gp_practice: Option<String>,
    pub consent_status: ConsentStatus,
    pub consent_note: Option<String>,
    pub keyworker_id: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub ethnic_category: Option<String>,
    pub conditions: String,
    pub communication_needs: Option<String>,
    pub reasonable_adjustments: Option<String>,
    pub looked_after: bool,
    pub postcode_district: Option<String>,
    pub responsible_icb: Option<String>,
    pub at_objection: bool,
    /// Merged into this person (a read-only tombstone since `merged_at`).
    pub merged_into: Option<String>,
    pub merged_at: Option<NaiveDateTime>,
    pub merge_reason: Option<String>,
    pub nhs_number_status: NhsNumberStatus,
    pub nhs_number_pending_since: Option<NaiveDate>,
    /// The CYP keyworker an open keyworking episode is allocated to (kept by the keyworking
    /// service; they see the person as part of their caseload).
    pub cyp_keyworker_id: Option<String>,
}

/// A new person's row is the row itself: every column is written on insert.
pub type NewPersonRow = PersonRow;

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = people)]
pub struct PersonChanges {
    /// Recording a pending number sets it and its status together.
    pub nhs_number: Option<Option<String>>,
    pub nhs_number_status: Option<NhsNumberStatus>,
    pub nhs_number_pending_since: Option<Option<NaiveDate>>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub search_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Option<String>>,
    pub diagnoses: Option<String>,
    pub area: Option<String>,
    pub local_authority: Option<Option<String>>,
    pub gp_practice: Option<Option<String>>,
    pub consent_status: Option<ConsentStatus>,
    pub consent_note: Option<Option<String>>,
    pub ethnic_category: Option<Option<String>>,
    pub conditions: Option<String>,
    pub communication_needs: Option<Option<String>>,
    pub reasonable_adjustments: Option<Option<String>>,
    pub looked_after: Option<bool>,
    pub postcode_district: Option<Option<String>>,
    pub responsible_icb: Option<Option<String>>,
    pub at_objection: Option<bool>,
}

/// Lower-case "given family|family given", so either order of a name matches.
pub fn search_name(given: &str, family: &str) -> String {
    format!("{given} {family}|{family} {given}").to_lowercase()
}

/// What a `search` parameter looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// A register reference, `DSR-000123` (any case, leading zeros optional): that entry
    /// (in a list of people, its person). The reference is what every email and letter quotes.
    Reference(i64),
    /// Something about the person.
    Person(SearchTerm),
}

impl Search {
    pub fn parse(raw: &str) -> Option<Search> {
        match parse_reference(raw.trim()) {
            Some(number) => Some(Search::Reference(number)),
            None => SearchTerm::parse(raw).map(Search::Person),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// Digits (spaces ignored): the start of an NHS number.
    NhsPrefix(String),
    /// Anything else: part of a name, lower-cased, LIKE wildcards escaped.
    Name(String),
}

impl SearchTerm {
    pub fn parse(raw: &str) -> Option<SearchTerm> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        let digits: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            return Some(SearchTerm::NhsPrefix(digits));
        }
        let escaped = trimmed
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        Some(SearchTerm::Name(escaped))
    }
}

/// `DSR-000123` → 123.
fn parse_reference(term: &str) -> Option<i64> {
    let (prefix, digits) = term.split_at_checked(4)?;
    if !prefix.eq_ignore_ascii_case("dsr-") || digits.is_empty() || digits.len() > 12 {
        return None;
    }
    digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse().ok())
        .flatten()
}

type Backend = <AnyConnection as diesel::Connection>::Backend;

/// The search as a SQL condition on `people`, usable in any query that includes it. A
/// pending NHS number (NULL) matches no prefix: `NULL LIKE …` is not true.
pub fn search_condition<QS>(
    term: &SearchTerm,
) -> Box<dyn BoxableExpression<QS, Backend, SqlType = diesel::sql_types::Bool>>
where
    diesel::dsl::AssumeNotNull<people::nhs_number>: SelectableExpression<QS>,
    people::search_name: SelectableExpression<QS>,
{
    match term {
        SearchTerm::NhsPrefix(digits) => Box::new(
            people::nhs_number
                .assume_not_null()
                .like(format!("{digits}%")),
        ),
        SearchTerm::Name(name) => {
            Box::new(people::search_name.like(format!("%{name}%")).escape('\\'))
        }
    }
}

pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<PersonRow> {
    people::table
        .find(id)
        .select(PersonRow::as_select())
        .first(conn)
}

pub fn find_many(
    conn: &mut AnyConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, PersonRow>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(people::table
        .filter(people::id.eq_any(ids))
        .select(PersonRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect())
}

pub fn find_by_nhs_number(
    conn: &mut AnyConnection,
    nhs_number: &str,
) -> QueryResult<Option<PersonRow>> {
    people::table
        .filter(people::nhs_number.eq(nhs_number))
        .select(PersonRow::as_select())
        .first(conn)
        .optional()
}

pub fn nhs_number_taken(conn: &mut AnyConnection, nhs_number: &str) -> QueryResult<bool> {
    let count: i64 = people::table
        .filter(people::nhs_number.eq(nhs_number))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

pub fn insert(conn: &mut AnyConnection, row: &NewPersonRow) -> QueryResult<()> {
    diesel::insert_into(people::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

crate::db::versioned::versioned_update!(update_if_version, people, PersonChanges);

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub search: Option<Search>,
    /// Keyworkers see only their own caseload.
    pub caseload_of: Option<String>,
}

fn filtered(filter: &PersonFilter) -> people::BoxedQuery<'_, Backend> {
    // A merged record is a tombstone: found by id, never in lists or searches.
    let mut query = people::table
        .filter(people::merged_into.is_null())
        .into_boxed();
    match &filter.search {
        Some(Search::Person(term)) => query = query.filter(search_condition::<people::table>(term)),
        Some(Search::Reference(number)) => {
            query = query.filter(
                people::id.eq_any(
                    register_entries::table
                        .filter(register_entries::reference_number.eq(*number))
                        .select(register_entries::person_id),
                ),
            )
        }
        None => {}
    }
    if let Some(kw) = &filter.caseload_of {
        query = query.filter(crate::auth::access::on_caseload_of(kw));
    }
    query
}

pub fn list(
    conn: &mut AnyConnection,
    filter: &PersonFilter,
    page: Page,
) -> QueryResult<(Vec<PersonRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((
            people::family_name.asc(),
            people::given_name.asc(),
            people::id.asc(),
        ))
        .limit(page.limit)
        .offset(page.offset)
        .select(PersonRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Active register entry ids and next C(E)TR dates for these people, in one query.
pub fn active_entries(
    conn: &mut AnyConnection,
    person_ids: &[String],
) -> QueryResult<HashMap<String, (String, Option<NaiveDate>)>> {
    if person_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(register_entries::table
        .filter(register_entries::person_id.eq_any(person_ids))
        .filter(register_entries::status.eq(EntryStatus::Active))
        .select((
            register_entries::person_id,
            register_entries::id,
            register_entries::next_cetr_due,
        ))
        .load::<(String, String, Option<NaiveDate>)>(conn)?
        .into_iter()
        .map(|(person, entry, due)| (person, (entry, due)))
        .collect())
}

/// Records the current keyworker on the person (a change to the person: version + 1).
pub fn set_keyworker(
    conn: &mut AnyConnection,
    person_id: &str,
    keyworker_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(people::table.find(person_id))
        .set((
            people::keyworker_id.eq(keyworker_id),
            people::version.eq(people::version + 1),
            people::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_are_nhs_prefixes_or_escaped_names() {
        assert_eq!(SearchTerm::parse("  "), None);
        assert_eq!(
            SearchTerm::parse("943 476"),
            Some(SearchTerm::NhsPrefix("943476".into()))
        );
        assert_eq!(
            SearchTerm::parse("Smith"),
            Some(SearchTerm::Name("smith".into()))
        );
        assert_eq!(
            SearchTerm::parse("50%_off\\"),
            Some(SearchTerm::Name("50\\%\\_off\\\\".into()))
        );
        assert_eq!(search_name("Jane", "Smith"), "jane smith|smith jane");
    }

    #[test]
    fn register_references_are_their_number() {
        for (term, expected) in [
            ("DSR-000123", Some(Search::Reference(123))),
            (" dsr-37 ", Some(Search::Reference(37))),
            (
                "DSR-",
                Some(Search::Person(SearchTerm::Name("dsr-".into()))),
            ),
            (
                "DSR-12a",
                Some(Search::Person(SearchTerm::Name("dsr-12a".into()))),
            ),
            (
                "DSR-1234567890123",
                Some(Search::Person(SearchTerm::Name("dsr-1234567890123".into()))),
            ),
            (
                "ABC-000123",
                Some(Search::Person(SearchTerm::Name("abc-000123".into()))),
            ),
            (
                "943 476",
                Some(Search::Person(SearchTerm::NhsPrefix("943476".into()))),
            ),
        ] {
            assert_eq!(Search::parse(term), expected, "{term}");
        }
    }
}
