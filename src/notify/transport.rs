//! lettre transports. SMTP must use TLS (`smtps://` or `smtp://…?tls=required`) unless the
//! relay is on loopback; the file transport (default) writes `.eml` files for zero setup.

use std::path::PathBuf;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{EmailSettings, EmailTransportKind};

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
                email
                    .check_smtp_url()
                    .map_err(|m| anyhow::anyhow!("email.smtp_url {m}"))?;
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
