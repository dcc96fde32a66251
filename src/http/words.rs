//! serde's and chrono's error messages in words a person can act on.
//!
//! "input contains invalid characters", "premature end of input" and "unknown variant
//! `purple`, expected one of `red`, …" are true but say nothing about what to send. Each bad
//! value's message here says what is expected instead ("use YYYY-MM-DD", "one of: red,
//! amber, green, blue"), from the field's schema where it is known and from the message's own
//! wording otherwise (query parameters, nested fields).

use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::RefOr;

/// What a field expects, as far as its schema or its error message tells.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Date,
    Instant,
    Id,
    WholeNumber { non_negative: bool },
    Number,
    Boolean,
    Text,
    List,
    Object,
    OneOf(Vec<String>),
}

impl Expected {
    fn say(&self) -> String {
        match self {
            Expected::Date => "must be a date: use YYYY-MM-DD, e.g. 2026-12-03".into(),
            Expected::Instant => {
                "must be a date and time: use RFC 3339 in UTC, e.g. 2026-12-03T09:30:00Z".into()
            }
            Expected::Id => {
                "must be an id: a UUID such as 0192f1a0-7c3e-7d4b-9a51-3c2f0e8b6d17".into()
            }
            Expected::WholeNumber { non_negative: true } => {
                "must be a whole number, 0 or more".into()
            }
            Expected::WholeNumber {
                non_negative: false,
            } => "must be a whole number".into(),
            Expected::Number => "must be a number".into(),
            Expected::Boolean => "must be true or false".into(),
            Expected::Text => "must be text (a JSON string)".into(),
            Expected::List => "must be a list (a JSON array)".into(),
            Expected::Object => "must be an object (a JSON object)".into(),
            Expected::OneOf(values) => format!("must be one of: {}", values.join(", ")),
        }
    }
}

/// Finds a referenced schema (`Rag`) by name.
pub type Resolve<'a> = &'a dyn Fn(&str) -> Option<RefOr<Schema>>;

/// No referenced schemas known (query parameters).
pub fn unresolved(_: &str) -> Option<RefOr<Schema>> {
    None
}

/// The message for a value of `field` that did not deserialize with `message`; `schema` is
/// the field's schema when known, and `resolve` finds the schemas it refers to.
pub fn in_words(
    message: &str,
    field: &str,
    schema: Option<&RefOr<Schema>>,
    resolve: Resolve<'_>,
) -> String {
    let expected = variants(message)
        .map(Expected::OneOf)
        .or_else(|| schema.and_then(|s| from_schema(s, resolve, 0)))
        .or_else(|| from_message(message, field));
    match expected {
        Some(expected) => expected.say(),
        None => message.to_string(),
    }
}

/// The values listed by serde's "unknown variant `x`, expected one of `a`, `b`" (or
/// "expected `a` or `b`", or "expected `a`").
fn variants(message: &str) -> Option<Vec<String>> {
    let rest = message.strip_prefix("unknown variant `")?;
    let (_, expected) = rest.split_once("expected ")?;
    let values: Vec<String> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect();
    (!values.is_empty()).then_some(values)
}

fn from_schema(schema: &RefOr<Schema>, resolve: Resolve<'_>, depth: u8) -> Option<Expected> {
    // A reference is followed a few levels at most: schemas may refer to themselves.
    let inner = |s: &RefOr<Schema>| {
        (depth < 4)
            .then(|| from_schema(s, resolve, depth + 1))
            .flatten()
    };
    match schema {
        RefOr::Ref(r) => {
            let name = r.ref_location.rsplit('/').next()?;
            inner(&resolve(name)?)
        }
        RefOr::T(Schema::OneOf(one_of)) => one_of.items.iter().find_map(inner),
        RefOr::T(Schema::AllOf(all_of)) => all_of.items.iter().find_map(inner),
        RefOr::T(Schema::Array(_)) => Some(Expected::List),
        RefOr::T(Schema::Object(object)) => {
            if let Some(values) = &object.enum_values {
                let names: Vec<String> = values
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                if !names.is_empty() {
                    return Some(Expected::OneOf(names));
                }
            }
            match &object.format {
                Some(SchemaFormat::KnownFormat(KnownFormat::Date)) => return Some(Expected::Date),
                Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)) => {
                    return Some(Expected::Instant)
                }
                Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)) => return Some(Expected::Id),
                _ => {}
            }
            let types: Vec<&Type> = match &object.schema_type {
                SchemaType::Type(t) => vec![t],
                SchemaType::Array(list) => list.iter().filter(|t| **t != Type::Null).collect(),
                SchemaType::AnyValue => vec![],
            };
            match types.first()? {
                Type::Integer => Some(Expected::WholeNumber {
                    non_negative: false,
                }),
                Type::Number => Some(Expected::Number),
                Type::Boolean => Some(Expected::Boolean),
                Type::String => Some(Expected::Text),
                Type::Array => Some(Expected::List),
                Type::Object => Some(Expected::Object),
                Type::Null => None,
            }
        }
        RefOr::T(_) => None,
    }
}

/// chrono's parse errors, which say neither "date" nor what shape one takes.
const CHRONO: [&str; 7] = [
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "input is out of range",
    "input is not enough for unique date and time",
    "no possible date and time matching input",
    "bad or unsupported format string",
];

fn from_message(message: &str, field: &str) -> Option<Expected> {
    let expected = message.rsplit_once("expected ").map(|(_, e)| e.trim());
    let dated = |instant: bool| {
        if instant {
            Expected::Instant
        } else {
            Expected::Date
        }
    };
    if CHRONO.iter().any(|c| message.contains(c)) {
        return Some(dated(field.ends_with("_at")));
    }
    if message.contains("UUID") {
        return Some(Expected::Id);
    }
    // Query values are text parsed with `FromStr`, whose errors name no type.
    if [
        "invalid digit found in string",
        "cannot parse integer from empty string",
        "number too large to fit in target type",
        "number too small to fit in target type",
    ]
    .contains(&message)
    {
        return Some(Expected::WholeNumber {
            non_negative: false,
        });
    }
    if message == "invalid float literal" {
        return Some(Expected::Number);
    }
    if message.contains("was not `true` or `false`") {
        return Some(Expected::Boolean);
    }
    let expected = expected?;
    Some(match expected {
        e if e.contains("date and time") => Expected::Instant,
        e if e.contains("date") => Expected::Date,
        "u8" | "u16" | "u32" | "u64" | "usize" => Expected::WholeNumber { non_negative: true },
        "i8" | "i16" | "i32" | "i64" | "isize" => Expected::WholeNumber {
            non_negative: false,
        },
        "f32" | "f64" => Expected::Number,
        "a boolean" => Expected::Boolean,
        "a string" | "a borrowed string" => Expected::Text,
        "a sequence" => Expected::List,
        e if e.starts_with("struct ") || e == "a map" => Expected::Object,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::schema::ObjectBuilder;

    fn object(t: Type, format: Option<KnownFormat>) -> RefOr<Schema> {
        let mut b = ObjectBuilder::new().schema_type(t);
        if let Some(f) = format {
            b = b.format(Some(SchemaFormat::KnownFormat(f)));
        }
        RefOr::T(Schema::Object(b.build()))
    }

    #[test]
    fn messages_say_what_to_send() {
        let date = object(Type::String, Some(KnownFormat::Date));
        let instant = object(Type::String, Some(KnownFormat::DateTime));
        let id = object(Type::String, Some(KnownFormat::Uuid));
        let count = object(Type::Integer, None);
        let cases: Vec<(&str, &str, Option<&RefOr<Schema>>, &str)> = vec![
            ("input contains invalid characters", "admitted_on", Some(&date), "use YYYY-MM-DD"),
            ("premature end of input", "held_on", None, "use YYYY-MM-DD"),
            ("input is out of range", "date_of_birth", None, "use YYYY-MM-DD"),
            ("premature end of input", "occurred_at", Some(&instant), "RFC 3339"),
            ("trailing input", "occurred_at", None, "RFC 3339"),
            (
                "invalid type: integer `5`, expected a formatted date string",
                "due_on",
                None,
                "use YYYY-MM-DD",
            ),
            (
                "unknown variant `purple`, expected one of `red`, `amber`, `green`, `blue`",
                "rag",
                None,
                "must be one of: red, amber, green, blue",
            ),
            (
                "unknown variant `x`, expected `file` or `smtp`",
                "transport",
                None,
                "must be one of: file, smtp",
            ),
            (
                "UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `z` at 1",
                "owner_id",
                Some(&id),
                "must be an id: a UUID",
            ),
            ("UUID parsing failed: invalid length", "user_id", None, "a UUID"),
            ("invalid value: integer `-5`, expected u32", "limit", None, "0 or more"),
            ("invalid type: string \"abc\", expected i64", "count", Some(&count), "whole number"),
            ("invalid type: string \"yes\", expected a boolean", "flag", None, "true or false"),
            ("invalid type: integer `5`, expected a string", "name", None, "must be text"),
            ("invalid type: integer `7`, expected a sequence", "items", None, "must be a list"),
            ("invalid type: integer `7`, expected struct Item", "item", None, "an object"),
            ("invalid digit found in string", "offset", None, "whole number"),
            ("provided string was not `true` or `false`", "overdue", None, "true or false"),
        ];
        for (message, field, schema, want) in cases {
            let got = in_words(message, field, schema, &unresolved);
            assert!(
                got.contains(want),
                "{message} ({field}) → {got:?}, wanted {want:?}"
            );
        }
        assert_eq!(
            in_words("something else entirely", "x", None, &unresolved),
            "something else entirely",
            "a message already in words is kept"
        );
    }

    #[test]
    fn a_referenced_enum_lists_its_values() {
        let rag = RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["red", "amber"]))
                .build(),
        ));
        let resolve = |name: &str| (name == "Rag").then(|| rag.clone());
        let reference = RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Rag"));
        assert_eq!(
            in_words(
                "invalid type: integer `7`, expected string or map",
                "rag",
                Some(&reference),
                &resolve
            ),
            "must be one of: red, amber"
        );
    }

    #[test]
    fn the_schema_decides_date_against_instant() {
        let instant = object(Type::String, Some(KnownFormat::DateTime));
        assert!(in_words(
            "input contains invalid characters",
            "when",
            Some(&instant),
            &unresolved
        )
        .contains("RFC 3339"));
        let nullable_date = RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .build(),
        ));
        assert!(in_words(
            "invalid type: integer `1`, expected a formatted date string",
            "d",
            Some(&nullable_date),
            &unresolved
        )
        .contains("YYYY-MM-DD"));
    }
}
