//! Emails about a person's own account (not alerts): sent once, straight away, never queued
//! with the escalation digests.

use lettre::message::{header::ContentType, Mailbox};
use lettre::Message;

use super::sender::domain_allowed;
use super::transport::Mailer;
use crate::config::Settings;

/// Tells a user an administrator has reset their password, so a reset they did not ask for
/// is noticed. Best effort: a failure is logged (without the address) and the reset stands.
pub async fn tell_password_reset(mailer: &Mailer, settings: &Settings, to: &str) {
    if !domain_allowed(to, &settings.email.allowed_domains) {
        tracing::warn!(
            "password-reset email not sent: the address is outside email.allowed_domains"
        );
        return;
    }
    let sign_in = format!(
        "{}/sign-in",
        settings.server.public_url.trim_end_matches('/')
    );
    let body = format!(
        "An administrator has reset your password for the Dynamic Support Register.\n\n\
         Sign in with the temporary password they give you and choose a new one: {sign_in}\n\n\
         Every session you had open has been signed out. If you did not expect this, tell \
         your administrator or information governance lead today.\n"
    );
    let message = (|| -> Result<Message, String> {
        let from: Mailbox = settings.email.from.parse().map_err(|e| format!("{e}"))?;
        let to: Mailbox = to.parse().map_err(|e| format!("{e}"))?;
        Message::builder()
            .from(from)
            .to(to)
            .subject("Your DSR password was reset")
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())
    })();
    let sent = match message {
        Ok(message) => mailer
            .send(message)
            .await
            .map_err(|e| e.message().to_string()),
        Err(e) => Err(e),
    };
    if let Err(error) = sent {
        tracing::warn!(%error, "password-reset email not sent");
    }
}
