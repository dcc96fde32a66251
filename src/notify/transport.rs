//! lettre transports. SMTP must use TLS (`smtps://` or `smtp://…?tls=required`) unless the
//! relay is on loopback; the file transport (default) writes `.eml` files for zero setup.

use std::path::PathBuf;
use std::time::Duration;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{EmailSettings, EmailTransportKind};

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// A transport and the most one send may take.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    timeout: Duration,
}

/// Why a message was not sent, as the sender must treat it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The relay refused it for good (a 5xx reply): retrying cannot help.
    Permanent(String),
    /// The relay said "try later" (a 4xx reply), or the file could not be written.
    Temporary(String),
    /// The relay could not be reached or stopped answering (connection, TLS, timeout): every
    /// other message would wait the same way, so the sender stops its pass.
    Unreachable(String),
}

impl SendError {
    pub fn message(&self) -> &str {
        match self {
            SendError::Permanent(m) | SendError::Temporary(m) | SendError::Unreachable(m) => m,
        }
    }

    /// The label of `dsr_email_send_failures_total`.
    pub fn reason(&self) -> &'static str {
        match self {
            SendError::Permanent(_) => "permanent",
            SendError::Temporary(_) => "temporary",
            SendError::Unreachable(_) => "unreachable",
        }
    }
}

fn classify(err: lettre::transport::smtp::Error) -> SendError {
    let text = err.to_string();
    if err.is_permanent() {
        SendError::Permanent(text)
    } else if err.is_transient() {
        SendError::Temporary(text)
    } else {
        SendError::Unreachable(text)
    }
}

impl Mailer {
    pub fn from_settings(
        email: &EmailSettings,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Mailer> {
        let timeout = Duration::from_secs(email.smtp_timeout_secs);
        let transport = match email.transport {
            EmailTransportKind::Smtp => {
                email
                    .check_smtp_url()
                    .map_err(|m| anyhow::anyhow!("email.smtp_url {m}"))?;
                // lettre's own timeout covers the socket's connect only in its async client;
                // `send` bounds the whole exchange.
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&email.smtp_url)?
                    .timeout(Some(timeout))
                    .build();
                Transport::Smtp(transport)
            }
            EmailTransportKind::File => {
                let dir: PathBuf = data_dir.join("mail");
                std::fs::create_dir_all(&dir)?;
                Transport::File(AsyncFileTransport::new(dir))
            }
        };
        Ok(Mailer { transport, timeout })
    }

    /// Hands the message to the transport within the timeout; the error text is kept on the
    /// notification.
    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        let sending = async {
            match &self.transport {
                Transport::Smtp(t) => t.send(message).await.map(drop).map_err(classify),
                Transport::File(t) => t
                    .send(message)
                    .await
                    .map(drop)
                    .map_err(|e| SendError::Temporary(e.to_string())),
            }
        };
        match tokio::time::timeout(self.timeout, sending).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Unreachable(format!(
                "the mail relay did not finish within {} s (email.smtp_timeout_secs)",
                self.timeout.as_secs()
            ))),
        }
    }
}
