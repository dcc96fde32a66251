//! Text from outside, made safe to store and show: CRLF (and a lone CR) becomes LF, then
//! other C0 and C1 control characters, DEL and the bidirectional overrides and isolates
//! that can make text read differently from what it says are refused. Tab and LF are kept
//! only in long free text (notes, summaries); a name, an address or a search has none.
//! Applied to every string in a JSON body (`ValidJson`) and every query value (`Query`).

use std::borrow::Cow;

use serde_json::Value;

use crate::error::FieldError;

/// Fields (by JSON key) that hold paragraphs of free text, where tab and LF are allowed.
const LONG_TEXT: &[&str] = &[
    "summary",
    "risk_summary",
    "rag_reason",
    "note",
    "notes",
    "description",
    "completion_note",
    "consent_note",
    "closure_note",
    "outcome",
    "acknowledge_note",
    "reason",
    "concerns",
    "justification",
    "what_has_been_tried",
    "what_would_help",
    "decision_reason",
];

pub fn is_long_text(key: &str) -> bool {
    LONG_TEXT.contains(&key)
}

/// What is wrong with a character, if anything.
fn refused(c: char, long: bool) -> Option<&'static str> {
    match c {
        '\t' | '\n' if long => None,
        '\t' | '\n' => Some("must be on one line (no tabs or line breaks)"),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            Some("must not contain bidirectional override characters")
        }
        c if c.is_control() => Some("must not contain control characters"),
        _ => None,
    }
}

/// The text with line endings made LF, or why it is refused.
pub fn clean(text: &str, long: bool) -> Result<Cow<'_, str>, &'static str> {
    let text = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    match text.chars().find_map(|c| refused(c, long)) {
        Some(why) => Err(why),
        None => Ok(text),
    }
}

/// Cleans every string in `value` in place, naming each refused one by its path
/// (`panel[1].name`); a string's kind is decided by the nearest object key above it.
pub fn clean_json(value: &mut Value, errors: &mut Vec<FieldError>) {
    walk(value, "", false, errors);
}

fn walk(value: &mut Value, path: &str, long: bool, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(s) => match clean(s, long) {
            Ok(Cow::Owned(cleaned)) => *s = cleaned,
            Ok(Cow::Borrowed(_)) => {}
            Err(why) => errors.push(FieldError::new(path, why)),
        },
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{path}[{i}]"), long, errors);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(item, &child, is_long_text(key), errors);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn line_endings_are_normalised_and_controls_refused_by_kind_of_text() {
        let cases: [(&str, bool, Result<&str, &str>); 11] = [
            ("Ada Lovelace", false, Ok("Ada Lovelace")),
            ("line one\r\nline two", true, Ok("line one\nline two")),
            ("old mac\rending", true, Ok("old mac\nending")),
            ("tab\tin notes", true, Ok("tab\tin notes")),
            (
                "Ada\r\nInjected: header",
                false,
                Err("must be on one line (no tabs or line breaks)"),
            ),
            (
                "tab\tin a name",
                false,
                Err("must be on one line (no tabs or line breaks)"),
            ),
            (
                "nul\u{0}byte",
                true,
                Err("must not contain control characters"),
            ),
            (
                "delete\u{7f}",
                true,
                Err("must not contain control characters"),
            ),
            (
                "c1\u{85}next line",
                true,
                Err("must not contain control characters"),
            ),
            (
                "evil\u{202E}txt.exe",
                false,
                Err("must not contain bidirectional override characters"),
            ),
            (
                "isolate\u{2066}x",
                true,
                Err("must not contain bidirectional override characters"),
            ),
        ];
        for (text, long, expected) in cases {
            assert_eq!(
                clean(text, long).as_deref().map_err(|e| *e),
                expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn every_string_of_a_body_is_cleaned_and_named_by_its_path() {
        let mut body = json!({
            "given_name": "Ada\u{0}",
            "risk_summary": "one\r\ntwo",
            "panel": [{"name": "ok"}, {"name": "bad\nname"}],
            "diagnoses": ["autism\u{202E}"],
        });
        let mut errors = Vec::new();
        clean_json(&mut body, &mut errors);
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["diagnoses[0]", "given_name", "panel[1].name"]);
        assert_eq!(body["risk_summary"], "one\ntwo");
    }
}
