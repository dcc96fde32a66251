//! lettre transports. SMTP must use TLS (`smtps://` or `smtp://…?tls=required`) unless the
//! relay is on loopback; the file transport (default) writes `.eml` files for zero setup.

use std::net::IpAddr;
use std::path::PathBuf;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{EmailSettings, EmailTransportKind};

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Refuses SMTP URLs that would send mail in clear text off this machine.
pub fn check_smtp_url(email: &EmailSettings) -> Result<(), String> {
    if email.transport != EmailTransportKind::Smtp {
        return Ok(());
    }
    if email.smtp_url.is_empty() {
        return Err("is required when email.transport is \"smtp\"".into());
    }
    let url = url::Url::parse(&email.smtp_url).map_err(|e| format!("is not a URL: {e}"))?;
    let host = url.host_str().unwrap_or_default();
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    match (url.scheme(), tls.as_deref()) {
        ("smtps", _) | ("smtp", Some("required")) => Ok(()),
        ("smtp", _) if is_loopback(host) => Ok(()),
        ("smtp", _) => Err(format!(
            "sends to {host} without TLS: use smtps:// or smtp://…?tls=required (plain SMTP only to a loopback relay)"
        )),
        (scheme, _) => Err(format!("scheme {scheme:?} is not smtp or smtps")),
    }
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    pub fn from_settings(
        email: &EmailSettings,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Mailer> {
        match email.transport {
            EmailTransportKind::Smtp => {
                check_smtp_url(email).map_err(|m| anyhow::anyhow!("email.smtp_url {m}"))?;
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&email.smtp_url)?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            EmailTransportKind::File => {
                let dir: PathBuf = data_dir.join("mail");
                std::fs::create_dir_all(&dir)?;
                Ok(Mailer::File(AsyncFileTransport::new(dir)))
            }
        }
    }

    /// Hands the message to the transport; the error text is kept on the notification.
    pub async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Mailer::File(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(url: &str) -> EmailSettings {
        EmailSettings {
            transport: EmailTransportKind::Smtp,
            smtp_url: url.into(),
            from: "DSR <dsr@localhost>".into(),
            include_identifiers: false,
            allowed_domains: vec![],
        }
    }

    #[test]
    fn tls_is_required_except_to_a_loopback_relay() {
        let cases = [
            ("smtp://127.0.0.1:2525", true),
            ("smtp://localhost:25", true),
            ("smtp://[::1]:2525", true),
            ("smtps://smtp.nhs.net:465", true),
            ("smtp://smtp.nhs.net:587?tls=required", true),
            ("smtp://smtp.nhs.net:587", false),
            ("smtp://smtp.nhs.net:587?tls=opportunistic", false),
            ("smtp://10.0.0.5:25", false),
            ("http://example.org", false),
            ("not a url", false),
        ];
        for (url, ok) in cases {
            assert_eq!(check_smtp_url(&email(url)).is_ok(), ok, "{url}");
        }
    }
}
