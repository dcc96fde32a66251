//! Form errors as the design system shows them: one list for the error summary (each
//! linking to its field) and the same words beside each field.

use crate::error::{ApiError, FieldError};

pub struct FormError {
    /// The field's id on the page.
    pub id: String,
    pub text: String,
}

#[derive(Default)]
pub struct FormErrors {
    pub items: Vec<FormError>,
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn add(&mut self, id: &str, text: impl Into<String>) {
        self.items.push(FormError {
            id: id.into(),
            text: text.into(),
        });
    }

    pub fn one(id: &str, text: impl Into<String>) -> FormErrors {
        let mut errors = FormErrors::default();
        errors.add(id, text);
        errors
    }

    pub fn get(&self, id: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.text.as_str())
    }

    /// The API's field errors in words: "New password must be at least 12 characters".
    /// `labels` names each field the form shows; an error about any other field goes on
    /// the first.
    pub fn from_api(errors: &[FieldError], labels: &[(&str, &str)]) -> FormErrors {
        let mut out = FormErrors::default();
        for e in errors {
            let (id, label) = labels
                .iter()
                .find(|(id, _)| *id == e.field)
                .or(labels.first())
                .copied()
                .unwrap_or(("", ""));
            out.add(id, format!("{label} {}", e.message));
        }
        out
    }

    /// A 422's errors in words, or the error itself for anything else.
    pub fn from_validation(err: ApiError, labels: &[(&str, &str)]) -> Result<FormErrors, ApiError> {
        match err {
            ApiError::Validation(errors) => Ok(FormErrors::from_api(&errors, labels)),
            other => Err(other),
        }
    }
}

/// A form's fields checked exactly as the API checks its JSON body (same types, rules and
/// messages), so a page can never accept what the API would refuse.
pub fn parse<T>(
    now: crate::http::json::Now,
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<T, ApiError>
where
    T: serde::de::DeserializeOwned
        + validator::Validate
        + crate::http::DateRules
        + utoipa::PartialSchema,
{
    let body = serde_json::Value::Object(fields).to_string();
    crate::http::json::parse_body(Some(now), body.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_become_sentences_on_their_fields() {
        let errors = FormErrors::from_api(
            &[
                FieldError::new("new_password", "must be at least 12 characters"),
                FieldError::new("elsewhere", "is wrong"),
            ],
            &[
                ("current_password", "Current password"),
                ("new_password", "New password"),
            ],
        );
        assert_eq!(
            errors.get("new_password"),
            Some("New password must be at least 12 characters")
        );
        assert_eq!(
            errors.get("current_password"),
            Some("Current password is wrong")
        );
        assert!(FormErrors::default().is_empty());
    }
}
