//! Sends queued notifications: claims each recipient's queued rows with a conditional update
//! (renewed while sending), sends one digest per recipient outside any transaction, then
//! marks the rows sent. A temporary failure leaves them queued with the error and a
//! backed-off next attempt; a permanent one (5xx) marks them failed with the reply.
//!
//! Exactly once, as far as SMTP allows: a row is sent only by the sender that claimed it, and
//! it is marked sent right after the server accepts the message. If the process dies in
//! between, the row is sent again after its claim expires, with the same Message-ID (stored
//! on the row before sending), so mail clients can fold the duplicate.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use super::digest::{self, DigestItem};
use super::outbox::{self, NotificationRow};
use super::relay;
use super::transport::{Mailer, SendError};
use crate::alerts::store::{self as alerts, AlertRow};
use crate::config::Settings;
use crate::db::schema::{people, register_entries};
use crate::db::{AnyConnection, Db};
use crate::domain::{Clock, NhsNumber};
use crate::error::ApiError;
use crate::keep_alive::{every_third, keep_alive};
use crate::users::store as users;

/// Recipients handled in one pass: bounds a pass whatever the backlog.
const MAX_RECIPIENTS_PER_PASS: usize = 10_000;

/// The wait before the next attempt: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((30 * (1i64 << exp)).min(3600))
}

pub fn domain_allowed(email: &str, allowed: &[String]) -> bool {
    allowed.is_empty()
        || email
            .rsplit_once('@')
            .is_some_and(|(_, domain)| allowed.iter().any(|a| a.eq_ignore_ascii_case(domain)))
}

/// Claims the recipient's queued rows (when one is due) and gives each a Message-ID (kept
/// where an earlier sender may have sent it before dying).
fn claim(
    conn: &mut AnyConnection,
    recipient: &str,
    token: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
    host: &str,
) -> Result<Vec<NotificationRow>, ApiError> {
    let mut rows = outbox::claim(conn, recipient, token, now, until)?;
    let fresh: Vec<String> = rows
        .iter()
        .filter(|r| r.message_id.is_none())
        .map(|r| r.id.clone())
        .collect();
    if !fresh.is_empty() {
        let message_id = format!("{}@{host}", uuid::Uuid::new_v4());
        outbox::set_message_id(conn, &fresh, &message_id)?;
        for row in rows.iter_mut().filter(|r| r.message_id.is_none()) {
            row.message_id = Some(message_id.clone());
        }
    }
    Ok(rows)
}

/// The digest lines for these notifications: one per alert, at the highest level notified.
fn items(
    conn: &mut AnyConnection,
    rows: &[NotificationRow],
    settings: &Settings,
) -> Result<Vec<DigestItem>, ApiError> {
    let mut level_by_alert: BTreeMap<String, i32> = BTreeMap::new();
    for row in rows {
        let level = level_by_alert.entry(row.alert_id.clone()).or_insert(0);
        *level = (*level).max(row.level);
    }
    let ids: Vec<String> = level_by_alert.keys().cloned().collect();
    let found: Vec<AlertRow> = alerts::find_many(conn, &ids)?;
    let entry_ids: Vec<String> = found
        .iter()
        .filter_map(|a| a.register_entry_id.clone())
        .collect();
    let references: HashMap<String, String> = register_entries::table
        .filter(register_entries::id.eq_any(&entry_ids))
        .select((register_entries::id, register_entries::reference))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let referral_ids: Vec<String> = found
        .iter()
        .filter(|a| a.subject_type == "referral")
        .map(|a| a.subject_id.clone())
        .collect();
    let referral_refs = crate::referrals::store::references(conn, &referral_ids)?;
    let identifiers: HashMap<String, (String, String)> = if settings.email.include_identifiers {
        let person_ids: Vec<String> = found.iter().filter_map(|a| a.person_id.clone()).collect();
        people::table
            .filter(people::id.eq_any(&person_ids))
            .select((
                people::id,
                people::given_name,
                people::family_name,
                people::nhs_number,
            ))
            .load::<(String, String, String, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, given, family, nhs)| {
                let nhs = match nhs {
                    Some(n) => NhsNumber::parse(&n).map(|p| p.formatted()).unwrap_or(n),
                    None => "pending".to_string(),
                };
                (id, (format!("{given} {family}"), nhs))
            })
            .collect()
    } else {
        HashMap::new()
    };
    let assignee_ids: Vec<String> = found.iter().filter_map(|a| a.assignee_id.clone()).collect();
    let responsible = users::find_many(conn, &assignee_ids)?;
    let base = settings.server.public_url.trim_end_matches('/');
    Ok(found
        .into_iter()
        .map(|a| DigestItem {
            // A referral's alerts carry its own reference (REF-000123): its person may not
            // be recorded yet.
            reference: a
                .register_entry_id
                .as_ref()
                .and_then(|e| references.get(e))
                .or_else(|| referral_refs.get(&a.subject_id))
                .cloned()
                .unwrap_or_else(|| "(no active entry)".into()),
            kind: a.kind,
            due_on: a.due_on,
            days_overdue: i64::from(a.days_overdue),
            level: level_by_alert.get(&a.id).copied().unwrap_or(a.level),
            // The alert's page: it asks a signed-out reader to sign in, then shows the alert.
            link: format!("{base}/alerts/{}", a.id),
            responsible: a
                .assignee_id
                .as_ref()
                .and_then(|id| responsible.get(id))
                .map(|u| format!("{} ({})", u.display_name, u.role.as_str())),
            identifiers: a
                .person_id
                .as_ref()
                .and_then(|p| identifiers.get(p))
                .cloned(),
        })
        .collect())
}

fn message(
    from: &Mailbox,
    to: &str,
    message_id: &str,
    items: &[DigestItem],
) -> Result<Message, String> {
    let to: Mailbox = to.parse().map_err(|e| format!("recipient address: {e}"))?;
    let d = digest::render(items);
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(d.subject)
        .message_id(Some(format!("<{message_id}>")))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(d.text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(d.html),
                ),
        )
        .map_err(|e| e.to_string())
}

/// What sending one recipient's claimed rows came to.
struct Pass {
    sent: usize,
    /// Set when the relay could not be reached: the pass stops there.
    unreachable: Option<String>,
}

/// Sends every due digest; returns how many emails the transport accepted. Every send is
/// bounded by `email.smtp_timeout_secs`, and a relay that cannot be reached (or hangs) ends
/// the pass: the other recipients wait, unclaimed, for the next one.
pub async fn send_due(
    db: &Db,
    mailer: &Mailer,
    settings: &Settings,
    clock: &dyn Clock,
) -> Result<usize, ApiError> {
    let now = clock.now().naive_utc();
    let recipients = db
        .run(move |conn| Ok(outbox::due_recipients(conn, now)?))
        .await?;
    let from: Mailbox = settings
        .email
        .from
        .parse()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("email.from: {e}")))?;
    let host = from.email.domain().to_string();
    let claim_secs = settings.escalation.claim_secs;
    let mut sent = 0;
    for recipient in recipients.into_iter().take(MAX_RECIPIENTS_PER_PASS) {
        let token = uuid::Uuid::new_v4().to_string();
        let (r, t, h) = (recipient.clone(), token.clone(), host.clone());
        let until = now + Duration::seconds(claim_secs);
        let claimed = db
            .write(move |conn| claim(conn, &r, &t, now, until, &h))
            .await?;
        if claimed.is_empty() {
            continue; // another sender got there first
        }
        let renew = || {
            let (db, t) = (db.clone(), token.clone());
            let until = clock.now().naive_utc() + Duration::seconds(claim_secs);
            async move {
                db.write(move |conn| Ok(outbox::renew_claim(conn, &t, until)?))
                    .await
                    .unwrap_or(false)
            }
        };
        let sending = send_claimed(
            db, mailer, settings, clock, &from, &recipient, &token, claimed,
        );
        let pass = keep_alive(
            "notification claim",
            sending,
            every_third(claim_secs),
            renew,
        )
        .await?;
        sent += pass.sent;
        if let Some(error) = pass.unreachable {
            let t = token.clone();
            db.write(move |conn| Ok(outbox::release(conn, &t)?)).await?;
            tracing::error!(
                error = %error,
                "mail relay unreachable or not answering: sending stops until the next pass"
            );
            break;
        }
    }
    Ok(sent)
}

/// Sends one recipient's claimed rows: one digest per Message-ID (fresh rows share one; rows
/// whose earlier sender died mid-send keep theirs, so a resend folds with the original).
#[allow(clippy::too_many_arguments)]
async fn send_claimed(
    db: &Db,
    mailer: &Mailer,
    settings: &Settings,
    clock: &dyn Clock,
    from: &Mailbox,
    recipient: &str,
    token: &str,
    claimed: Vec<NotificationRow>,
) -> Result<Pass, ApiError> {
    let mut groups: BTreeMap<String, Vec<NotificationRow>> = BTreeMap::new();
    for row in claimed {
        groups
            .entry(row.message_id.clone().unwrap_or_default())
            .or_default()
            .push(row);
    }
    let mut pass = Pass {
        sent: 0,
        unreachable: None,
    };
    for (message_id, rows) in groups {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let attempts = rows.iter().map(|r| r.attempts).max().unwrap_or(0) + 1;
        let outcome = if !domain_allowed(recipient, &settings.email.allowed_domains) {
            Err(SendError::Permanent(format!(
                "{recipient} is not in email.allowed_domains"
            )))
        } else {
            let s = settings.clone();
            let loaded = db.run(move |conn| items(conn, &rows, &s)).await?;
            match message(from, recipient, &message_id, &loaded) {
                Ok(m) => mailer.send(m).await,
                Err(e) => Err(SendError::Permanent(e)),
            }
        };
        let t = token.to_string();
        match outcome {
            Ok(()) => {
                pass.sent += 1;
                let done = clock.now();
                relay::record_sent(done);
                let done = done.naive_utc();
                db.write(move |conn| Ok(outbox::mark_sent(conn, &ids, &t, done)?))
                    .await?;
            }
            Err(error) => {
                relay::record_failure(&error);
                // A 5xx reply will not change: the row is failed with the reply, not retried.
                let give_up = matches!(error, SendError::Permanent(_))
                    || attempts >= settings.escalation.max_attempts;
                tracing::warn!(error = %error.message(), reason = error.reason(), attempts, give_up, "email not sent");
                let next = clock.now().naive_utc() + backoff(attempts);
                let text = error.message().to_string();
                db.write(move |conn| {
                    Ok(outbox::mark_attempt_failed(
                        conn, &ids, &t, &text, next, give_up,
                    )?)
                })
                .await?;
                if let SendError::Unreachable(m) = error {
                    pass.unreachable = Some(m);
                    break;
                }
            }
        }
    }
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let secs: Vec<i64> = (1..=10).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(
            secs,
            vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
        );
    }

    #[test]
    fn the_allow_list_checks_the_recipient_domain() {
        let allowed = vec!["nhs.net".to_string()];
        assert!(domain_allowed("kate@nhs.net", &allowed));
        assert!(domain_allowed("kate@NHS.NET", &allowed));
        assert!(!domain_allowed("kate@gmail.com", &allowed));
        assert!(!domain_allowed("kate@evil-nhs.net", &allowed));
        assert!(domain_allowed("anyone@anywhere.org", &[]));
    }
}
