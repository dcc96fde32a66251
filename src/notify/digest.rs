//! One digest email per recipient: plain text and HTML listing each overdue item's register
//! reference, what is overdue, the due date, days overdue and a link. Names and NHS numbers
//! appear only when configured (`email.include_identifiers`).

use chrono::NaiveDate;

use crate::domain::alerts::AlertKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestItem {
    pub reference: String,
    pub kind: AlertKind,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
    pub level: i32,
    /// The alert's page (`{public_url}/alerts/{id}`).
    pub link: String,
    /// Who must act ("Jo Bloggs (keyworker)"); `None`: nobody named, the coordinators.
    pub responsible: Option<String>,
    /// (name, formatted NHS number) when identifiers are allowed in email.
    pub identifiers: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn level_words(level: i32) -> &'static str {
    match level {
        3 => "level 3 of 3: all managers have been told",
        2 => "level 2 of 3: the line manager has been told",
        _ => "level 1 of 3",
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

const HOW_TO_ACKNOWLEDGE: &str = "To acknowledge an item, open its link, sign in if asked, and \
    use Acknowledge with a note saying what is being done. Acknowledging does not close it: an \
    alert closes by itself once the overdue work is recorded in the register.";

struct Line {
    reference: String,
    who: String,
    what: String,
    responsible: String,
    level: &'static str,
    link: String,
}

fn line(item: &DigestItem) -> Line {
    Line {
        reference: item.reference.clone(),
        who: item
            .identifiers
            .as_ref()
            .map(|(name, nhs)| format!("{name}, NHS number {nhs}"))
            .unwrap_or_default(),
        what: format!(
            "{}: was due on {}, now {} day{} overdue",
            item.kind.describe(),
            item.due_on.format("%-d %B %Y"),
            item.days_overdue,
            plural(item.days_overdue)
        ),
        responsible: item
            .responsible
            .clone()
            .unwrap_or_else(|| "nobody named: the Transforming Care Team coordinators".into()),
        level: level_words(item.level),
        link: item.link.clone(),
    }
}

/// Renders the digest; items are listed most overdue first, each saying in words what is
/// overdue, who is responsible and where to acknowledge it.
pub fn render(items: &[DigestItem]) -> Digest {
    let mut items = items.to_vec();
    items.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.reference.cmp(&b.reference))
    });
    let count = items.len() as i64;
    let subject = format!(
        "DSR: {count} overdue item{} need{} attention",
        plural(count),
        if count == 1 { "s" } else { "" }
    );
    let intro = format!(
        "The Dynamic Support Register found {count} overdue item{} for you. Please act on each, \
         or record what has been done.",
        plural(count)
    );
    let mut text = format!("{intro}\n\n");
    let mut html_items = String::new();
    for (n, item) in items.iter().enumerate() {
        let l = line(item);
        let who = if l.who.is_empty() {
            String::new()
        } else {
            format!(" ({})", l.who)
        };
        text.push_str(&format!(
            "{}. {}{who}\n   What: {}.\n   Responsible: {}.\n   Escalation: {}.\n   Open and acknowledge: {}\n\n",
            n + 1,
            l.reference,
            l.what,
            l.responsible,
            l.level,
            l.link
        ));
        let who_html = if l.who.is_empty() {
            String::new()
        } else {
            format!(" ({})", escape(&l.who))
        };
        html_items.push_str(&format!(
            "<li><p><strong>{}</strong>{who_html}<br>What: {}.<br>Responsible: {}.<br>Escalation: {}.<br><a href=\"{}\">Open {} to acknowledge it</a></p></li>\n",
            escape(&l.reference),
            escape(&l.what),
            escape(&l.responsible),
            l.level,
            escape(&l.link),
            escape(&l.reference),
        ));
    }
    text.push_str(HOW_TO_ACKNOWLEDGE);
    text.push_str("\n\nThis message carries no names or NHS numbers unless your service is configured to include them.\n");
    let html = format!(
        "<!doctype html><html lang=\"en-GB\"><body><p>{}</p>\n<ol>\n{html_items}</ol>\n<p>{}</p></body></html>\n",
        escape(&intro),
        HOW_TO_ACKNOWLEDGE
    );
    Digest {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(reference: &str, days: i64, identifiers: Option<(String, String)>) -> DigestItem {
        DigestItem {
            reference: reference.into(),
            kind: AlertKind::DsrReviewOverdue,
            due_on: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            days_overdue: days,
            level: 2,
            link: "https://dsr.example.nhs.uk/alerts/a1".into(),
            responsible: (reference == "DSR-000001").then(|| "Jo Bloggs (keyworker)".into()),
            identifiers,
        }
    }

    #[test]
    fn lists_each_item_most_overdue_first_without_identifiers() {
        let d = render(&[item("DSR-000002", 3, None), item("DSR-000001", 10, None)]);
        assert_eq!(d.subject, "DSR: 2 overdue items need attention");
        let first = d.text.find("DSR-000001").unwrap();
        let second = d.text.find("DSR-000002").unwrap();
        assert!(first < second, "most overdue first");
        assert!(d.text.contains(
            "What: DSR review overdue: was due on 15 November 2026, now 10 days overdue."
        ));
        assert!(d.text.contains("Responsible: Jo Bloggs (keyworker)."));
        assert!(d
            .text
            .contains("Responsible: nobody named: the Transforming Care Team coordinators."));
        assert!(d
            .text
            .contains("Escalation: level 2 of 3: the line manager has been told."));
        assert!(d
            .text
            .contains("Open and acknowledge: https://dsr.example.nhs.uk/alerts/a1"));
        assert!(d.text.contains("use Acknowledge with a note"));
        assert!(d.html.contains("<strong>DSR-000001</strong>"));
        assert!(d
            .html
            .contains("<a href=\"https://dsr.example.nhs.uk/alerts/a1\">Open DSR-000001 to acknowledge it</a>"));
        assert!(!d.text.contains("NHS 9"));
    }

    #[test]
    fn identifiers_appear_only_when_given_and_are_escaped() {
        let d = render(&[item(
            "DSR-000003",
            1,
            Some(("Sam <b>Taylor</b>".into(), "999 000 0018".into())),
        )]);
        assert_eq!(d.subject, "DSR: 1 overdue item needs attention");
        assert!(d
            .text
            .contains("Sam <b>Taylor</b>, NHS number 999 000 0018"));
        assert!(d.html.contains("Sam &lt;b&gt;Taylor&lt;/b&gt;"));
        assert!(!d.html.contains("<b>Taylor"));
    }
}
