//! The design system's files and ours, compiled into the binary and served under
//! `/assets/` with a content hash in each name, so browsers may keep them for a year: a new
//! release changes the names of whatever changed.
//!
//! Files are hashed in the order of `SOURCES`; a text file's references to the files before
//! it (`/assets/images/x.svg` in the design system's CSS, `/assets/x.js` in ours) are first
//! rewritten to their hashed names, so its own hash covers what it points at.

use std::collections::HashMap;
use std::sync::LazyLock;

use sha2::{Digest, Sha256};

struct Source {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! source {
    ($path:literal, $content_type:literal) => {
        Source {
            path: $path,
            content_type: $content_type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $path)),
        }
    };
}

static SOURCES: &[Source] = &[
    source!("vendor/nhsuk-frontend/images/favicon.ico", "image/x-icon"),
    source!("vendor/nhsuk-frontend/images/favicon.svg", "image/svg+xml"),
    source!(
        "vendor/nhsuk-frontend/images/nhsuk-icon-180.png",
        "image/png"
    ),
    source!(
        "vendor/nhsuk-frontend/images/nhsuk-icon-arrow-down.svg",
        "image/svg+xml"
    ),
    source!(
        "vendor/nhsuk-frontend/images/nhsuk-icon-arrow-up.svg",
        "image/svg+xml"
    ),
    source!(
        "vendor/nhsuk-frontend/images/nhsuk-icon-arrow-up-down.svg",
        "image/svg+xml"
    ),
    source!(
        "vendor/nhsuk-frontend/images/nhsuk-icon-cross.svg",
        "image/svg+xml"
    ),
    source!(
        "vendor/nhsuk-frontend/nhsuk-frontend.min.js",
        "text/javascript; charset=utf-8"
    ),
    source!(
        "vendor/nhsuk-frontend/nhsuk-frontend.css",
        "text/css; charset=utf-8"
    ),
    source!("dsr.css", "text/css; charset=utf-8"),
    source!("dsr.js", "text/javascript; charset=utf-8"),
];

pub struct Asset {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

pub struct Assets {
    /// By hashed name.
    files: HashMap<String, Asset>,
    /// File name (`nhsuk-frontend.css`) → its address (`/assets/nhsuk-frontend.3f2a….css`).
    urls: HashMap<&'static str, String>,
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(Assets::build);

fn file_name(path: &'static str) -> &'static str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `name.ext` → `name.<first 10 hex digits of SHA-256>.ext`.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let hash = hex::encode(&Sha256::digest(bytes)[..5]);
    match name.split_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

impl Assets {
    fn build() -> Assets {
        let mut files = HashMap::new();
        let mut urls = HashMap::new();
        // (a reference as written in the sources, the address it becomes)
        let mut references: Vec<(String, String)> = Vec::new();
        for source in SOURCES {
            let name = file_name(source.path);
            let bytes = if source.content_type.starts_with("text/") {
                let mut text = String::from_utf8_lossy(source.bytes).into_owned();
                for (written, url) in &references {
                    text = text.replace(written, url);
                }
                text.into_bytes()
            } else {
                source.bytes.to_vec()
            };
            let hashed = hashed_name(name, &bytes);
            let url = format!("/assets/{hashed}");
            references.push((format!("/assets/images/{name}"), url.clone()));
            references.push((format!("/assets/{name}"), url.clone()));
            urls.insert(name, url);
            files.insert(
                hashed,
                Asset {
                    content_type: source.content_type,
                    bytes,
                },
            );
        }
        Assets { files, urls }
    }

    /// The address of a file by its plain name; a name not in `SOURCES` is a programming
    /// error that the page tests catch (it renders as a dead link, never a panic).
    pub fn url(&self, name: &str) -> &str {
        self.urls
            .get(name)
            .map(String::as_str)
            .unwrap_or("/assets/missing")
    }

    pub fn get(&self, hashed: &str) -> Option<&Asset> {
        self.files.get(hashed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_their_hash_and_references_are_rewritten() {
        let css_url = ASSETS.url("nhsuk-frontend.css");
        assert!(css_url.starts_with("/assets/nhsuk-frontend.") && css_url.ends_with(".css"));
        let css = ASSETS.get(css_url.trim_start_matches("/assets/")).unwrap();
        let text = String::from_utf8_lossy(&css.bytes);
        // the design system's own icon references now point at hashed files we serve
        assert!(!text.contains("/assets/images/"));
        let cross = ASSETS.url("nhsuk-icon-cross.svg");
        assert!(text.contains(cross), "{cross} in the CSS");
        assert!(ASSETS.get(cross.trim_start_matches("/assets/")).is_some());
        let js = ASSETS
            .get(ASSETS.url("dsr.js").trim_start_matches("/assets/"))
            .unwrap();
        assert!(String::from_utf8_lossy(&js.bytes).contains(ASSETS.url("nhsuk-frontend.min.js")));
        assert_eq!(ASSETS.url("nope.css"), "/assets/missing");
    }

    #[test]
    fn the_css_has_no_web_font_and_nothing_from_another_host() {
        let css = ASSETS
            .get(
                ASSETS
                    .url("nhsuk-frontend.css")
                    .trim_start_matches("/assets/"),
            )
            .unwrap();
        let text = String::from_utf8_lossy(&css.bytes);
        assert!(!text.contains("@font-face"));
        assert!(!text.contains("http://") && !text.contains("https://"));
    }
}
