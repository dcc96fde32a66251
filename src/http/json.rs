//! Checking a JSON request body (the `ValidJson` extractor in `extract.rs` calls this).
//!
//! serde stops at the first error, but a client fixing a form wants every bad field at once.
//! So the body is checked in three passes, each adding to one list of field errors:
//! 1. against the type's OpenAPI schema: unknown and missing fields;
//! 2. serde, repeated with each mistyped field removed, so every mistyped field is named;
//! 3. `validator` rules on the parsed value (lengths, formats, ranges).

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, FieldError};

/// Rules on a request body that need today's date (no future dates for things that
/// happened, plausible dates of birth). Checked at the edge with the other field rules, so
/// one 422 names every bad field.
pub trait DateRules {
    fn check_dates(&self, _today: NaiveDate) -> Vec<FieldError> {
        Vec::new()
    }

    /// The same for instants (`occurred_at`), against the current time.
    fn check_instants(&self, _now: DateTime<Utc>) -> Vec<FieldError> {
        Vec::new()
    }

    /// Rules across fields that no single field's validator can see (a C(E)TR panel must
    /// suit its kind).
    fn check_fields(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// Today's date (Europe/London) and the current instant, from the service's clock.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub today: NaiveDate,
    pub instant: DateTime<Utc>,
}

/// The configured body limit, stored as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Parses and validates a request body, naming every bad field. Date rules are checked
/// when `now` is known.
pub fn parse_body<T>(now: Option<Now>, body: &[u8]) -> Result<T, ApiError>
where
    T: DeserializeOwned + Validate + DateRules + ToSchema,
{
    let mut value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the request body is not valid JSON: {e}")))?;
    let mut text_errors = Vec::new();
    super::text::clean_json(&mut value, &mut text_errors);
    let Value::Object(mut map) = value else {
        return Err(ApiError::validation("body", "must be a JSON object"));
    };
    let mut errors = check_shape::<T>(&mut map);
    errors.extend(text_errors);
    let schema = T::schema();
    let properties = match &schema {
        RefOr::T(Schema::Object(object)) => Some(&object.properties),
        _ => None,
    };
    // The schemas a field refers to (an enum's values), looked up only for a bad value.
    let resolve = |name: &str| {
        let mut all = Vec::new();
        T::schemas(&mut all);
        all.into_iter().find(|(n, _)| n == name).map(|(_, s)| s)
    };
    let parsed = deserialize_collecting(map, properties, &resolve, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let Some(parsed) = parsed else {
        // Unreachable in practice: a failed parse always records an error.
        return Err(ApiError::validation(
            "body",
            "does not match the expected shape",
        ));
    };
    let parsed: T = parsed;
    let mut errors: Vec<FieldError> = Vec::new();
    if let Err(validation) = parsed.validate() {
        flatten_validation("", &validation, &mut errors);
    }
    for e in parsed.check_fields() {
        if !errors.iter().any(|x| x.field == e.field) {
            errors.push(e);
        }
    }
    if let Some(now) = now {
        let mut dated = parsed.check_dates(now.today);
        dated.extend(parsed.check_instants(now.instant));
        for e in dated {
            if !errors.iter().any(|x| x.field == e.field) {
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        Err(ApiError::Validation(errors))
    }
}

/// Unknown fields are reported and removed; missing required ones are reported.
fn check_shape<T: PartialSchema>(map: &mut Map<String, Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let RefOr::T(Schema::Object(object)) = T::schema() else {
        return errors;
    };
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !object.properties.contains_key(k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        map.remove(&key);
        errors.push(FieldError::new(key, "unknown field"));
    }
    for required in &object.required {
        if !map.contains_key(required) {
            errors.push(FieldError::new(required.clone(), "is required"));
        }
    }
    errors
}

/// Deserializes, and on each type error records it, removes the offending top-level field and
/// tries again, so one request names every mistyped field.
fn deserialize_collecting<T: DeserializeOwned>(
    mut map: Map<String, Value>,
    properties: Option<&std::collections::BTreeMap<String, RefOr<Schema>>>,
    resolve: &dyn Fn(&str) -> Option<RefOr<Schema>>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    // Fields removed after a type error; when serde then calls them missing, that is
    // already reported under the field's own path.
    let mut removed: Vec<String> = Vec::new();
    // Each round removes one field, so this ends; the bound is a guard, not a limit in practice.
    for _ in 0..=map.len() + 1 {
        let attempt: Result<T, _> = serde_path_to_error::deserialize(Value::Object(map.clone()));
        let err = match attempt {
            Ok(value) => return Some(value),
            Err(err) => err,
        };
        let path = err.path().to_string();
        let message = err.inner().to_string();
        let (field, message) = if let Some(missing) = missing_field_name(&message) {
            let field = if path == "." {
                missing.to_string()
            } else {
                format!("{path}.{missing}")
            };
            (field, "is required".to_string())
        } else if let Some(unknown) = unknown_field_name(&message) {
            // serde_path_to_error's path already ends with the unknown key.
            let field = if path == "." {
                unknown.to_string()
            } else {
                path.clone()
            };
            (field, "unknown field".to_string())
        } else {
            // A top-level field's schema says what it expects; a nested one is read from
            // the message alone.
            let schema = properties.and_then(|p| p.get(path.as_str()));
            let words = super::words::in_words(&message, &path, schema, resolve);
            (path.clone(), words)
        };
        let is_unknown = message == "unknown field";
        if removed.contains(&field) {
            return None;
        }
        if !errors.iter().any(|e| e.field == field) {
            errors.push(FieldError::new(field.clone(), message));
        }
        // A nested unknown key can be removed on its own, so its siblings are still checked.
        if is_unknown && remove_nested(&mut map, &field) {
            continue;
        }
        let top = top_level_key(&field).to_string();
        removed.push(top.clone());
        if top.is_empty() || map.remove(&top).is_none() {
            // A required field is missing at the top level: nothing more can be learnt.
            return None;
        }
    }
    None
}

fn missing_field_name(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

fn unknown_field_name(message: &str) -> Option<&str> {
    message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
}

/// Removes the key at `path` (`a[1].b`) from nested objects; false when it cannot be found.
fn remove_nested(map: &mut Map<String, Value>, path: &str) -> bool {
    let Some((parent, key)) = path.rsplit_once('.') else {
        return false;
    };
    let mut current: Option<&mut Value> = None;
    for segment in parent.split('.') {
        let (name, indexes) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        let mut next = match current.take() {
            None => map.get_mut(name),
            Some(value) => value.get_mut(name),
        };
        for index in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
            next = index.parse::<usize>().ok().and_then(|i| next?.get_mut(i));
        }
        match next {
            Some(value) => current = Some(value),
            None => return false,
        }
    }
    current
        .and_then(Value::as_object_mut)
        .is_some_and(|object| object.remove(key).is_some())
}

fn top_level_key(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

fn flatten_validation(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("is invalid ({})", e.code));
                    out.push(FieldError::new(path.clone(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten_validation(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten_validation(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use utoipa::ToSchema;

    #[derive(Debug, Deserialize, Validate, ToSchema)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[validate(length(min = 3, message = "must be at least 3 characters"))]
        name: String,
        count: u32,
        #[allow(dead_code)]
        flag: Option<bool>,
        #[validate(nested)]
        #[serde(default)]
        items: Vec<Item>,
        when: Option<NaiveDate>,
    }

    impl DateRules for Sample {
        fn check_dates(&self, today: NaiveDate) -> Vec<FieldError> {
            match self.when {
                Some(when) if when > today => {
                    vec![FieldError::new("when", "must not be in the future")]
                }
                _ => Vec::new(),
            }
        }
    }

    #[derive(Debug, Deserialize, Validate, ToSchema)]
    #[serde(deny_unknown_fields)]
    struct Item {
        #[validate(length(max = 2, message = "must be at most 2 characters"))]
        code: String,
    }

    fn fields(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_body_parses() {
        let s: Sample =
            parse_body(None, br#"{"name":"abc","count":2,"items":[{"code":"x"}]}"#).unwrap();
        assert_eq!(s.name, "abc");
        assert_eq!(s.count, 2);
        assert_eq!(s.items.len(), 1);
    }

    #[test]
    fn not_json_is_a_bad_request() {
        let err = parse_body::<Sample>(None, b"{name: nope").unwrap_err();
        assert!(matches!(err, ApiError::BadRequest(_)));
    }

    #[test]
    fn a_non_object_is_unprocessable() {
        assert_eq!(
            fields(parse_body::<Sample>(None, b"[1,2]").unwrap_err()),
            vec!["body"]
        );
    }

    #[test]
    fn every_missing_unknown_and_mistyped_field_is_named_at_once() {
        let err =
            parse_body::<Sample>(None, br#"{"flag":"yes","colour":"red","items":7}"#).unwrap_err();
        let mut got = fields(err);
        got.sort();
        assert_eq!(got, vec!["colour", "count", "flag", "items", "name"]);
    }

    #[test]
    fn null_for_a_required_field_is_a_type_error() {
        let err = parse_body::<Sample>(None, br#"{"name":null,"count":1}"#).unwrap_err();
        assert_eq!(fields(err), vec!["name"]);
    }

    #[test]
    fn nested_errors_carry_their_path() {
        let err = parse_body::<Sample>(
            None,
            br#"{"name":"abc","count":1,"items":[{"code":"ok"},{"cod":"x"}]}"#,
        )
        .unwrap_err();
        let mut got = fields(err);
        got.sort();
        assert_eq!(got, vec!["items[1].cod", "items[1].code"]);
        let err = parse_body::<Sample>(
            None,
            br#"{"name":"ab","count":1,"items":[{"code":"long"}]}"#,
        )
        .unwrap_err();
        assert_eq!(fields(err), vec!["items[0].code", "name"]);
    }

    #[test]
    fn date_rules_join_the_other_errors() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).map(|today| Now {
            today,
            instant: today.and_hms_opt(12, 0, 0).unwrap().and_utc(),
        });
        let err = parse_body::<Sample>(today, br#"{"name":"ab","count":1,"when":"2026-11-26"}"#)
            .unwrap_err();
        assert_eq!(fields(err), vec!["name", "when"]);
        let ok = parse_body::<Sample>(today, br#"{"name":"abc","count":1,"when":"2026-11-25"}"#);
        assert!(ok.is_ok());
    }

    #[test]
    fn top_level_key_stops_at_dots_and_brackets() {
        assert_eq!(top_level_key("panel[1].role"), "panel");
        assert_eq!(top_level_key("a.b"), "a");
        assert_eq!(top_level_key("name"), "name");
    }
}
