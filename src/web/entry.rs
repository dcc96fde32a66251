//! **Change** why someone is at risk, what has been tried, what would help and who referred
//! them, on an active register entry
//! (coordinators): the same service call as `PATCH /api/v1/register/{id}` (without a rating
//! change, which has its own form and reason), at the version the form was filled.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageResult;
use super::forms::{self, FormErrors, Sent};
use super::respond::{html, see_other};
use super::review::{about, About};
use super::session::Page;
use crate::auth::Permission;
use crate::error::ApiError;
use crate::http::{IfMatch, Now};
use crate::register::model::UpdateEntryRequest;
use crate::register::service as register;

const LABELS: &[(&str, &str)] = &[
    ("risk_summary", "Why they are at risk"),
    ("referral_source", "Referred by"),
    ("what_has_been_tried", "What has been tried"),
    ("what_would_help", "What would help"),
];

#[derive(Debug, Default, Deserialize)]
pub struct EntryChangeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    pub risk_summary: String,
    #[serde(default)]
    pub referral_source: String,
    #[serde(default)]
    pub what_has_been_tried: String,
    #[serde(default)]
    pub what_would_help: String,
    #[serde(default)]
    pub version: i32,
}

impl EntryChangeForm {
    fn of(about: &About) -> EntryChangeForm {
        EntryChangeForm {
            risk_summary: about.entry.risk_summary.clone(),
            referral_source: about.entry.referral_source.clone().unwrap_or_default(),
            what_has_been_tried: about.entry.what_has_been_tried.clone().unwrap_or_default(),
            what_would_help: about.entry.what_would_help.clone().unwrap_or_default(),
            version: about.entry.version,
            ..EntryChangeForm::default()
        }
    }

    fn request(&self, now: Now) -> Result<UpdateEntryRequest, Result<FormErrors, ApiError>> {
        let mut fields = serde_json::Map::new();
        fields.insert("risk_summary".into(), self.risk_summary.clone().into());
        // An optional text left blank clears it.
        for (name, value) in [
            ("referral_source", &self.referral_source),
            ("what_has_been_tried", &self.what_has_been_tried),
            ("what_would_help", &self.what_would_help),
        ] {
            let value = value.trim();
            fields.insert(
                name.into(),
                if value.is_empty() {
                    serde_json::Value::Null
                } else {
                    value.into()
                },
            );
        }
        forms::request(now, fields, FormErrors::default(), LABELS, &[])
    }
}

#[derive(Template)]
#[template(path = "entry_change_form.html")]
struct EntryChangePage {
    chrome: super::chrome::Chrome,
    about: About,
    errors: FormErrors,
    form: EntryChangeForm,
    stale: bool,
}

#[get("/people/{id}/entry")]
pub async fn entry_change_form(page: Page, id: web::Path<String>) -> PageResult {
    page.require(Permission::RegisterWrite)?;
    let about = about(&page, &id).await?;
    let view = EntryChangePage {
        chrome: page.chrome("/register"),
        form: EntryChangeForm::of(&about),
        about,
        errors: FormErrors::default(),
        stale: false,
    };
    Ok(html(StatusCode::OK, view.render()))
}

#[post("/people/{id}/entry")]
pub async fn change_entry(
    page: Page,
    id: web::Path<String>,
    form: web::Form<EntryChangeForm>,
) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::RegisterWrite)?;
    let form = form.into_inner();
    let about = about(&page, &id).await?;
    let sent = match form.request(page.now()) {
        Ok(body) => {
            let (entry, tag) = (
                about.entry.id.clone(),
                IfMatch::Tags(vec![Some(form.version)]),
            );
            let written = page
                .write(move |c, a| register::update_view(c, a, &entry, &tag, body))
                .await;
            forms::outcome(written, LABELS, None)?
        }
        Err(errors) => Sent::Refused(errors?),
    };
    let Some(again) = sent.again(form, || EntryChangeForm::of(&about), &[]) else {
        return Ok(see_other(&format!("/people/{id}?done=entry_saved")));
    };
    let view = EntryChangePage {
        chrome: page.chrome("/register"),
        about,
        errors: again.errors,
        form: again.form,
        stale: again.stale,
    };
    Ok(html(again.status, view.render()))
}
