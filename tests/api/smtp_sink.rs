//! A real SMTP server on loopback for the tests: it speaks enough of RFC 5321 (EHLO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT) for lettre, keeps what it receives, and can be told to
//! refuse mail (451) to exercise retries. Tests read what it received, not a mock's calls.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_lowercase());
        self.data
            .lines()
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }

    /// The message with quoted-printable soft breaks undone, for searching the body.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    failing: Arc<AtomicBool>,
    refusing: Arc<AtomicBool>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind smtp sink");
        let sink = SmtpSink {
            addr: listener.local_addr().unwrap(),
            received: Arc::default(),
            failing: Arc::default(),
            refusing: Arc::default(),
        };
        let accept = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let session = accept.clone();
                tokio::spawn(async move {
                    let _ = session.serve(stream).await;
                });
            }
        });
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.addr.port())
    }

    /// While failing, every MAIL FROM is answered 451 (try again later).
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// While refusing, every RCPT TO is answered 550 (no such mailbox: a permanent error).
    pub fn set_refusing(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    async fn serve(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        // Bounded: a session ends on QUIT, EOF, or after this many commands.
        for _ in 0..10_000 {
            let next = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
            let Ok(Ok(Some(line))) = next else {
                return Ok(());
            };
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                if self.failing.load(Ordering::SeqCst) {
                    b"451 4.3.0 Temporary failure, try again later\r\n"
                } else {
                    from = address(&line);
                    to.clear();
                    b"250 2.1.0 OK\r\n"
                }
            } else if upper.starts_with("RCPT TO:") {
                if self.refusing.load(Ordering::SeqCst) {
                    b"550 5.1.1 No such mailbox here\r\n"
                } else {
                    to.push(address(&line));
                    b"250 2.1.5 OK\r\n"
                }
            } else if upper == "DATA" {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                for _ in 0..1_000_000 {
                    let Some(l) = lines.next_line().await? else {
                        return Ok(());
                    };
                    if l == "." {
                        break;
                    }
                    data.push_str(
                        l.strip_prefix('.')
                            .filter(|_| l.starts_with(".."))
                            .unwrap_or(&l),
                    );
                    data.push_str("\r\n");
                }
                self.received.lock().unwrap().push(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 2.0.0 OK queued\r\n"
            } else if upper == "RSET" || upper == "NOOP" {
                b"250 2.0.0 OK\r\n"
            } else if upper == "QUIT" {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            } else {
                b"502 5.5.2 Command not recognised\r\n"
            };
            write.write_all(reply).await?;
        }
        Ok(())
    }
}

fn address(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_string())
        .unwrap_or_default()
}

/// A relay that accepts connections and never says a word (not even its greeting), as a
/// hung mail server does. Counts the connections it has taken; holds each for two minutes
/// at most.
#[derive(Clone)]
pub struct HungRelay {
    pub addr: SocketAddr,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
}

impl HungRelay {
    pub async fn start() -> HungRelay {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind hung relay");
        let relay = HungRelay {
            addr: listener.local_addr().unwrap(),
            accepted: Arc::default(),
        };
        let accepted = relay.accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(120)).await;
                    drop(stream);
                });
            }
        });
        relay
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.addr.port())
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}
