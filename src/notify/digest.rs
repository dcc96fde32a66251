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
    pub link: String,
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
        3 => "level 3 (all managers)",
        2 => "level 2 (line manager)",
        _ => "level 1",
    }
}

/// Renders the digest; items are listed most overdue first.
pub fn render(items: &[DigestItem]) -> Digest {
    let mut items = items.to_vec();
    items.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.reference.cmp(&b.reference))
    });
    let count = items.len();
    let subject = format!(
        "DSR: {count} overdue item{} need{} attention",
        if count == 1 { "" } else { "s" },
        if count == 1 { "s" } else { "" }
    );
    let mut text = String::from(
        "The Dynamic Support Register found these overdue. Please act on them or update the record.\n\n",
    );
    let mut rows = String::new();
    for item in &items {
        let who = item
            .identifiers
            .as_ref()
            .map(|(name, nhs)| format!(" ({name}, NHS {nhs})"))
            .unwrap_or_default();
        text.push_str(&format!(
            "- {}{who}: {}. Due {}, {} day{} overdue, {}.\n  {}\n",
            item.reference,
            item.kind.describe(),
            item.due_on,
            item.days_overdue,
            if item.days_overdue == 1 { "" } else { "s" },
            level_words(item.level),
            item.link
        ));
        let who_html = item
            .identifiers
            .as_ref()
            .map(|(name, nhs)| format!("<br><small>{} · NHS {}</small>", escape(name), escape(nhs)))
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{}{who_html}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"{}\">Open</a></td></tr>\n",
            escape(&item.reference),
            escape(item.kind.describe()),
            item.due_on,
            item.days_overdue,
            item.level,
            escape(&item.link)
        ));
    }
    text.push_str("\nThis message carries no names or NHS numbers unless your service is configured to include them.\n");
    let html = format!(
        "<!doctype html><html><body><p>The Dynamic Support Register found these overdue. Please act on them or update the record.</p>\n\
         <table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><thead><tr><th>Reference</th><th>Overdue</th><th>Due</th><th>Days overdue</th><th>Level</th><th>Link</th></tr></thead>\n<tbody>\n{rows}</tbody></table></body></html>\n"
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
            link: "https://dsr.example.nhs.uk/api/v1/alerts/a1".into(),
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
        assert!(d
            .text
            .contains("DSR review overdue. Due 2026-11-15, 10 days overdue, level 2"));
        assert!(d
            .text
            .contains("https://dsr.example.nhs.uk/api/v1/alerts/a1"));
        assert!(d.html.contains("<td>DSR-000001</td>"));
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
        assert!(d.text.contains("Sam <b>Taylor</b>, NHS 999 000 0018"));
        assert!(d.html.contains("Sam &lt;b&gt;Taylor&lt;/b&gt;"));
        assert!(!d.html.contains("<b>Taylor"));
    }
}
