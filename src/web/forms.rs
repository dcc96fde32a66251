//! Form errors as the design system shows them: one list for the error summary (each
//! linking to its field) and the same words beside each field.

use crate::error::{ApiError, FieldError};

#[derive(Clone)]
pub struct FormError {
    /// The field's id on the page.
    pub id: String,
    /// Where the error summary's link goes: the field, or a date's day box.
    pub target: String,
    pub text: String,
}

#[derive(Default, Clone)]
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
            target: id.into(),
            text: text.into(),
        });
    }

    /// The summary links of date fields go to their day box (the design system's rule).
    pub fn dates_at_day(mut self, dates: &[&str]) -> FormErrors {
        for e in &mut self.items {
            if dates.contains(&e.id.as_str()) {
                e.target = format!("{}-day", e.id);
            }
        }
        self
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
                .or_else(|| labels.iter().find(|(id, _)| nested_in(&e.field, id)))
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

/// `panel[2].name` is about `panel`: a list's errors go on the list's field.
fn nested_in(field: &str, parent: &str) -> bool {
    field
        .strip_prefix(parent)
        .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
}

/// What three date boxes hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateInput {
    Blank,
    Date(chrono::NaiveDate),
    NotADate,
}

/// A date as the design system asks for it: day, month and year in three boxes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DateParts {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl DateParts {
    pub fn of(date: chrono::NaiveDate) -> DateParts {
        use chrono::Datelike;
        DateParts {
            day: date.day().to_string(),
            month: date.month().to_string(),
            year: date.year().to_string(),
        }
    }

    pub fn new(day: &str, month: &str, year: &str) -> DateParts {
        DateParts {
            day: day.trim().into(),
            month: month.trim().into(),
            year: year.trim().into(),
        }
    }

    pub fn date(&self) -> DateInput {
        if self.day.is_empty() && self.month.is_empty() && self.year.is_empty() {
            return DateInput::Blank;
        }
        let real = || {
            let year = self.year.parse::<i32>().ok()?;
            (1900..=2200).contains(&year).then_some(())?;
            chrono::NaiveDate::from_ymd_opt(year, self.month.parse().ok()?, self.day.parse().ok()?)
        };
        real().map_or(DateInput::NotADate, DateInput::Date)
    }

    /// Puts the date into `fields` as the API's `YYYY-MM-DD`, or says why not. A blank
    /// date is left out (the API says whether it was required).
    pub fn put(
        &self,
        fields: &mut serde_json::Map<String, serde_json::Value>,
        errors: &mut FormErrors,
        id: &str,
        label: &str,
    ) {
        match self.date() {
            DateInput::Date(date) => {
                fields.insert(id.into(), date.to_string().into());
            }
            DateInput::Blank => {}
            DateInput::NotADate => {
                errors.add(id, format!("{label} must be a real date, like 27 3 2026"));
            }
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
        + utoipa::ToSchema,
{
    let body = serde_json::Value::Object(fields).to_string();
    crate::http::json::parse_body(Some(now), body.as_bytes())
}

/// A choice the form must carry (radios): the value chosen; when none was, `message` on the
/// field and `stand_in` in the body, so the API still checks everything else (see `request`).
pub fn put_choice(
    fields: &mut serde_json::Map<String, serde_json::Value>,
    found: &mut FormErrors,
    id: &str,
    chosen: &str,
    stand_in: &str,
    message: &str,
) {
    if chosen.is_empty() {
        found.add(id, message);
    }
    let value = if chosen.is_empty() { stand_in } else { chosen };
    fields.insert(id.into(), value.into());
}

/// The API's request from a form's fields, or every problem in words: the page's own (`found`,
/// for what it checks before the API can: dates, choices not made) and the API's, one per
/// field, date errors linking to their day box. The request is refused whenever `found` has
/// anything; the fields should then carry stand-ins where they are wrong, so that the API
/// checks all the rest in the same answer.
pub fn request<T>(
    now: crate::http::json::Now,
    fields: serde_json::Map<String, serde_json::Value>,
    found: FormErrors,
    labels: &[(&str, &str)],
    dates: &[&str],
) -> Result<T, Result<FormErrors, ApiError>>
where
    T: serde::de::DeserializeOwned
        + validator::Validate
        + crate::http::DateRules
        + utoipa::ToSchema,
{
    match parse::<T>(now, fields) {
        Ok(body) if found.is_empty() => Ok(body),
        Ok(_) => Err(Ok(found.dates_at_day(dates))),
        Err(ApiError::Validation(api)) => {
            let mut all = found;
            for e in FormErrors::from_api(&api, labels).items {
                if all.get(&e.id).is_none() {
                    all.items.push(e);
                }
            }
            Err(Ok(all.dates_at_day(dates)))
        }
        Err(other) => Err(Err(other)),
    }
}

/// What became of a form that changes a versioned record.
pub enum Sent {
    Done,
    /// Someone else changed the record since the form was filled (412): nothing was written.
    Stale,
    Refused(FormErrors),
}

/// A versioned form sent and not done, as it is shown again: 412 with the record as it is
/// now (`stale`), or 422 with what was sent and every problem.
pub struct Again<F> {
    pub status: actix_web::http::StatusCode,
    pub errors: FormErrors,
    pub form: F,
    pub stale: bool,
}

impl Sent {
    /// `None` when done; otherwise the form to show again: `sent` when refused (its date
    /// errors linking to their day box), `current()` when someone else changed the record.
    pub fn again<F>(
        self,
        sent: F,
        current: impl FnOnce() -> F,
        dates: &[&str],
    ) -> Option<Again<F>> {
        use actix_web::http::StatusCode;
        match self {
            Sent::Done => None,
            Sent::Stale => Some(Again {
                status: StatusCode::PRECONDITION_FAILED,
                errors: FormErrors::default(),
                form: current(),
                stale: true,
            }),
            Sent::Refused(errors) => Some(Again {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors: errors.dates_at_day(dates),
                form: sent,
                stale: false,
            }),
        }
    }
}

/// A versioned write's answer as its form shows it; `conflict` names the field a 409 is
/// about (`None`: a 409 is the error page's).
pub fn outcome<T>(
    result: Result<T, ApiError>,
    labels: &[(&str, &str)],
    conflict: Option<&str>,
) -> Result<Sent, ApiError> {
    match result {
        Ok(_) => Ok(Sent::Done),
        Err(ApiError::PreconditionFailed { .. }) => Ok(Sent::Stale),
        Err(ApiError::Validation(errors)) => {
            Ok(Sent::Refused(FormErrors::from_api(&errors, labels)))
        }
        Err(ApiError::PossibleDuplicate(matches)) => {
            let who: Vec<String> = matches
                .iter()
                .map(|m| {
                    format!(
                        "{} {}, born {}, NHS number {}",
                        m["given_name"].as_str().unwrap_or_default(),
                        m["family_name"].as_str().unwrap_or_default(),
                        m["date_of_birth"].as_str().unwrap_or_default(),
                        m["nhs_number"].as_str().unwrap_or("pending")
                    )
                })
                .collect();
            Ok(Sent::Refused(FormErrors::one(
                "confirm_not_duplicate",
                format!(
                    "This may be someone already recorded: {}. Check their record; if this is a \
                     different person, tick \"This is a different person\" and add them",
                    who.join("; ")
                ),
            )))
        }
        Err(ApiError::Conflict(message)) => match conflict {
            Some(field) => Ok(Sent::Refused(FormErrors::one(field, message))),
            None => Err(ApiError::Conflict(message)),
        },
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_from_three_boxes() {
        let d = |day: &str, month: &str, year: &str| DateParts::new(day, month, year).date();
        let march = chrono::NaiveDate::from_ymd_opt(2026, 3, 27).unwrap();
        assert_eq!(d("27", "3", "2026"), DateInput::Date(march));
        assert_eq!(d(" 27 ", "03", "2026"), DateInput::Date(march));
        assert_eq!(d("", "", ""), DateInput::Blank);
        for (day, month, year) in [
            ("31", "2", "2026"),
            ("1", "13", "2026"),
            ("x", "1", "2026"),
            ("1", "1", "26"),
            ("1", "", "2026"),
        ] {
            assert_eq!(
                d(day, month, year),
                DateInput::NotADate,
                "{day}/{month}/{year}"
            );
        }
        assert_eq!(DateParts::of(march), DateParts::new("27", "3", "2026"));
        let mut fields = serde_json::Map::new();
        let mut errors = FormErrors::default();
        DateParts::new("27", "3", "2026").put(&mut fields, &mut errors, "held_on", "Date");
        DateParts::new("30", "2", "2026").put(&mut fields, &mut errors, "bad", "Date of review");
        assert_eq!(fields["held_on"], "2026-03-27");
        assert_eq!(
            errors.get("bad"),
            Some("Date of review must be a real date, like 27 3 2026")
        );
        let errors = errors.dates_at_day(&["bad"]);
        assert_eq!(errors.items[0].target, "bad-day");
    }

    #[test]
    fn api_errors_become_sentences_on_their_fields() {
        let errors = FormErrors::from_api(
            &[
                FieldError::new("new_password", "must be at least 12 characters"),
                FieldError::new("elsewhere", "is wrong"),
                FieldError::new("new_password[1].x", "is nested"),
                FieldError::new("new_passwords", "is another field"),
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
        let on = |id: &str| -> Vec<&str> {
            errors
                .items
                .iter()
                .filter(|e| e.id == id)
                .map(|e| e.text.as_str())
                .collect()
        };
        assert_eq!(
            on("current_password"),
            [
                "Current password is wrong",
                "Current password is another field"
            ]
        );
        assert_eq!(
            on("new_password"),
            [
                "New password must be at least 12 characters",
                "New password is nested"
            ]
        );
        assert!(FormErrors::default().is_empty());
    }
}
