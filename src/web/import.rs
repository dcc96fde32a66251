//! **Import a spreadsheet** (coordinators): upload a CSV or XLSX, see what it would do (a dry
//! run listing each rejected row and field), then confirm. The same checks, caps and service
//! call as `POST /api/v1/imports`: the preview is its `dry_run`, the confirmation the real run
//! of the very bytes that were checked (held in `imports::pending` meanwhile).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use super::error::{PageError, PageResult};
use super::forms::FormErrors;
use super::respond::{html, see_other};
use super::session::{nonce, Page};
use crate::auth::Permission;
use crate::error::ApiError;
use crate::imports::pending::Checked;
use crate::imports::service::{self as imports, ImportOptions, ImportReport};

/// The upload form as sent.
#[derive(Default)]
struct Upload {
    csrf_token: String,
    filename: String,
    file: Vec<u8>,
}

/// Reads the multipart form, refusing more than `limit` bytes in all (the API's body cap).
async fn read_upload(mut form: Multipart, limit: usize) -> Result<Upload, ApiError> {
    let unreadable = |e: actix_multipart::MultipartError| {
        ApiError::BadRequest(format!("the form could not be read: {e}"))
    };
    let mut upload = Upload::default();
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            upload.filename = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default()
                .to_string();
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            total += chunk.len();
            if total > limit {
                return Err(ApiError::body_too_large(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => upload.csrf_token = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => upload.file = bytes,
            _ => {}
        }
    }
    Ok(upload)
}

/// `10 MB`, `512 KB`: a size as people read it.
fn size(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", (bytes / 1024).max(1))
    }
}

/// Why a file was refused before its rows were checked, in words on the file field.
fn refusal(err: ApiError, limit: usize) -> Result<FormErrors, ApiError> {
    let text = match err {
        ApiError::PayloadTooLarge(_) => format!("The file must be smaller than {}", size(limit)),
        ApiError::Validation(errors) => errors
            .first()
            .map(|e| match e.message.strip_prefix("the file") {
                Some(rest) => format!("The file{rest}"),
                None => format!("The file: {}", e.message),
            })
            .unwrap_or_else(|| "The file could not be read".into()),
        ApiError::BadRequest(message) => {
            format!("The file must be a CSV or an Excel (XLSX) spreadsheet: {message}")
        }
        ApiError::Conflict(message) => format!("Wait: {message}"),
        other => return Err(other),
    };
    Ok(FormErrors::one("file", text))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: super::chrome::Chrome,
    errors: FormErrors,
    /// The dry run's report, and the token its confirmation must carry.
    preview: Option<(ImportReport, String)>,
    filename: String,
    /// After an import (post/redirect/get): what it wrote.
    done: Option<Done>,
}

impl ImportPage {
    fn would_write(&self) -> bool {
        self.preview.as_ref().is_some_and(|(r, _)| r.valid_rows > 0)
    }
}

/// What an import wrote, as the redirect after it carries it.
pub struct Done {
    pub created: usize,
    pub updated: usize,
    pub opened: usize,
    pub skipped: usize,
}

/// `?imported=true&created=…`: the redirect after an import.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    imported: bool,
    #[serde(default)]
    created: usize,
    #[serde(default)]
    updated: usize,
    #[serde(default)]
    opened: usize,
    #[serde(default)]
    skipped: usize,
}

fn show(shown: ImportPage, status: StatusCode) -> PageResult {
    Ok(html(status, shown.render()))
}

fn blank(page: &Page) -> ImportPage {
    ImportPage {
        chrome: page.chrome("/register"),
        errors: FormErrors::default(),
        preview: None,
        filename: String::new(),
        done: None,
    }
}

#[get("/register/import")]
pub async fn import_form(page: Page, query: web::Query<DoneQuery>) -> PageResult {
    page.require(Permission::Import)?;
    let query = query.into_inner();
    let shown = ImportPage {
        done: query.imported.then_some(Done {
            created: query.created,
            updated: query.updated,
            opened: query.opened,
            skipped: query.skipped,
        }),
        ..blank(&page)
    };
    show(shown, StatusCode::OK)
}

/// Checks the uploaded file: a dry run that also counts what the valid rows would do.
#[post("/register/import")]
pub async fn check_file(page: Page, form: Multipart) -> PageResult {
    // Authorise first: nobody else's upload is read.
    page.require(Permission::Import)?;
    let limit = page.settings.server.import_limit_bytes;
    let upload = match read_upload(form, limit).await {
        Ok(upload) => upload,
        Err(err) => {
            // Nothing is checked or held from a form that could not be read whole.
            let status = match err {
                ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            let shown = ImportPage {
                errors: refusal(err, limit)?,
                ..blank(&page)
            };
            return show(shown, status);
        }
    };
    page.check_csrf(&upload.csrf_token)?;
    if upload.file.is_empty() {
        let shown = ImportPage {
            errors: FormErrors::one("file", "Select a CSV or Excel file to import"),
            ..blank(&page)
        };
        return show(shown, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let _place = page.state().imports_running.place_for(&page.user.id)?;
    let options = ImportOptions {
        dry_run: true,
        skip_invalid: true,
        caps: page.settings.imports,
    };
    let bytes = std::sync::Arc::new(upload.file);
    let checking = bytes.clone();
    let checked = page
        .read(move |c, a| imports::run_for(c, a, &checking, options))
        .await;
    let report = match checked {
        Ok(report) => report,
        Err(err) => {
            let shown = ImportPage {
                errors: refusal(err, limit)?,
                filename: upload.filename,
                ..blank(&page)
            };
            return show(shown, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let token = nonce();
    page.state().imports_pending.hold(
        &page.user.id,
        Checked {
            token: token.clone(),
            filename: upload.filename.clone(),
            bytes,
            at: std::time::Instant::now(),
        },
    );
    let shown = ImportPage {
        preview: Some((report, token)),
        filename: upload.filename,
        ..blank(&page)
    };
    show(shown, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    token: String,
}

/// Imports the file that was checked: its valid rows (the rejected ones were listed on the
/// preview and are left out).
#[post("/register/import/confirm")]
pub async fn confirm(page: Page, form: web::Form<ConfirmForm>) -> PageResult {
    page.check_csrf(&form.csrf_token)?;
    page.require(Permission::Import)?;
    let pending = &page.state().imports_pending;
    let Some(checked) = pending.get(&page.user.id, &form.token) else {
        let shown = ImportPage {
            errors: FormErrors::one(
                "file",
                "The file you checked is no longer held (it is kept for 30 minutes): choose it again",
            ),
            ..blank(&page)
        };
        return show(shown, StatusCode::CONFLICT);
    };
    let _place = page.state().imports_running.place_for(&page.user.id)?;
    let options = ImportOptions {
        dry_run: false,
        skip_invalid: true,
        caps: page.settings.imports,
    };
    let bytes = checked.bytes.clone();
    let report = page
        .read(move |c, a| imports::run_for(c, a, &bytes, options))
        .await
        .map_err(PageError::from)?;
    pending.forget(&page.user.id);
    Ok(see_other(&format!(
        "/register/import?imported=true&created={}&updated={}&opened={}&skipped={}",
        report.people_created, report.people_updated, report.entries_opened, report.rejected_rows
    )))
}

/// The sample file of the README, to start a spreadsheet from.
#[get("/register/import/sample.csv")]
pub async fn sample(page: Page) -> PageResult {
    page.require(Permission::Import)?;
    Ok(actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"dsr-import-sample.csv\"",
        ))
        .body(include_str!("../../docs/import-sample.csv")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_words() {
        assert_eq!(size(10 * 1024 * 1024), "10 MB");
        assert_eq!(size(1536 * 1024), "1 MB");
        assert_eq!(size(2048), "2 KB");
        assert_eq!(size(100), "1 KB");
    }
}
