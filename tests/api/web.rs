//! A small browser for page tests without a browser: it keeps cookies, follows nothing by
//! itself (each redirect is asserted), and fills forms with the token the page carried.

use std::collections::HashMap;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

use crate::helpers::*;

pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, String>,
}

pub struct PageResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl PageResponse {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the hidden `csrf_token` field of the page's first form that has one.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = self.body[start..].find('"').expect("closing quote");
        self.body[start..start + end].to_string()
    }

    /// The hidden `version` field (a versioned form's ETag).
    pub fn version(&self) -> String {
        self.body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a version field")
            .to_string()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(String::from))
            .collect()
    }

    /// The page's `<h1>`, tags stripped.
    pub fn h1(&self) -> String {
        let start = self.body.find("<h1").expect("an h1");
        let open_end = self.body[start..].find('>').unwrap() + start + 1;
        let end = self.body[open_end..].find("</h1>").unwrap() + open_end;
        strip_tags(&self.body[open_end..end])
    }

    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }
}

pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn keep(&mut self, res: reqwest::Response) -> PageResponse {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        for raw in headers.get_all(SET_COOKIE) {
            let raw = raw.to_str().unwrap_or("");
            let pair = raw.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || raw.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        PageResponse {
            status,
            headers,
            body: res.text().await.unwrap_or_default(),
        }
    }

    async fn send_get(&self, path: &str) -> reqwest::Response {
        self.app
            .client
            .get(format!("{}{path}", self.app.address))
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .expect("GET a page")
    }

    pub async fn get(&mut self, path: &str) -> PageResponse {
        let res = self.send_get(path).await;
        self.keep(res).await
    }

    /// A download as the signed-in browser saves it: status, headers and the bytes.
    pub async fn download(&mut self, path: &str) -> (u16, HeaderMap, Vec<u8>) {
        let res = self.send_get(path).await;
        let (status, headers) = (res.status().as_u16(), res.headers().clone());
        (
            status,
            headers,
            res.bytes().await.unwrap_or_default().to_vec(),
        )
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> PageResponse {
        let res = self
            .app
            .client
            .post(format!("{}{path}", self.app.address))
            .header("Cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .expect("POST a form");
        self.keep(res).await
    }

    /// Sends a file as a browser's file input does (multipart/form-data), with the form's
    /// token first.
    pub async fn upload(
        &mut self,
        path: &str,
        csrf: &str,
        filename: &str,
        bytes: Vec<u8>,
    ) -> PageResponse {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", csrf.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string()),
            );
        let res = self
            .app
            .client
            .post(format!("{}{path}", self.app.address))
            .header("Cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("POST a file");
        self.keep(res).await
    }

    /// `post` for fields built at run time (dates, panel rows).
    pub async fn send(&mut self, path: &str, fields: &[(String, String)]) -> PageResponse {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post(path, &pairs).await
    }

    /// Fills in the sign-in form (with its token) and sends it; answers the POST's response.
    pub async fn sign_in_with(
        &mut self,
        username: &str,
        password: &str,
        next: &str,
    ) -> PageResponse {
        let form = self.get("/sign-in").await;
        assert_eq!(form.status, 200);
        let csrf = form.csrf();
        self.post(
            "/sign-in",
            &[
                ("csrf_token", &csrf),
                ("username", username),
                ("password", password),
                ("next", next),
            ],
        )
        .await
    }

    /// A browser signed in as a new user with `role`.
    pub async fn signed_in(app: &'a TestApp, role: Role) -> (Browser<'a>, Actor<'a>) {
        let actor = app.sign_in(role).await;
        let mut browser = Browser::new(app);
        let res = browser.sign_in_with(&actor.username, PASSWORD, "").await;
        assert_eq!(res.status, 303, "signed in: {}", res.body);
        (browser, actor)
    }

    /// The CSRF token of the session (from the sign-out form every page carries).
    pub async fn csrf(&mut self) -> String {
        self.get("/account/password").await.csrf()
    }
}

/// A date as the three boxes of the design system's date input send it.
pub fn date_fields(prefix: &str, date: chrono::NaiveDate) -> Vec<(String, String)> {
    use chrono::Datelike;
    vec![
        (format!("{prefix}-day"), date.day().to_string()),
        (format!("{prefix}-month"), date.month().to_string()),
        (format!("{prefix}-year"), date.year().to_string()),
    ]
}

/// Owned form fields from literals.
pub fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
