//! What one sweep changes, decided in memory from the overdue obligations and the open
//! alerts: raise, update (days and level), resolve, and the notifications owed. Pure: the
//! same plan serves a dry run and a real one.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

use crate::alerts::store::{AlertProgress, AlertRow};
use crate::auth::access::may_own_work;
use crate::domain::alerts::{AlertKind, AlertStatus, NotificationStatus, Overdue};
use crate::domain::Role;
use crate::notify::outbox::NotificationRow;

/// An overdue obligation, evaluated and attributed.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: AlertKind,
    pub subject_type: &'static str,
    pub subject_id: String,
    /// None for a referral whose person is not recorded yet.
    pub person_id: Option<String>,
    pub entry_id: Option<String>,
    pub due_on: NaiveDate,
    pub overdue: Overdue,
    /// Who owns the overdue work (an action's or a point's owner), if anyone.
    pub owner: Option<String>,
    /// The person's named keyworker, if any.
    pub keyworker: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub manager_id: Option<String>,
    pub active: bool,
}

/// Who is who, for working out recipients.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub staff: HashMap<String, Staff>,
    pub senior_addresses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Recipient {
    pub email: String,
    pub user_id: Option<String>,
}

impl Directory {
    fn active(&self, id: &str) -> Option<&Staff> {
        self.staff.get(id).filter(|s| s.active)
    }

    fn all_with_role(&self, role: Role) -> Vec<Recipient> {
        let mut list: Vec<Recipient> = self
            .staff
            .values()
            .filter(|s| s.active && s.role == role)
            .map(|s| Recipient {
                email: s.email.clone(),
                user_id: Some(s.id.clone()),
            })
            .collect();
        list.sort();
        list
    }

    fn one(staff: &Staff) -> Vec<Recipient> {
        vec![Recipient {
            email: staff.email.clone(),
            user_id: Some(staff.id.clone()),
        }]
    }

    /// Level 1: the responsible person, else all coordinators. Level 2: their line manager,
    /// else all managers. Level 3: all managers and the senior escalation addresses.
    /// The responsible person for overdue work: its owner while they may still see the
    /// person (a keyworker only for their own caseload), else the named keyworker; `None`
    /// means every coordinator. Alerts go only to people who can see the person.
    pub fn responsible(&self, owner: Option<&str>, keyworker: Option<&str>) -> Option<String> {
        let may_own = |id: &str| {
            self.staff
                .get(id)
                .is_some_and(|s| s.active && may_own_work(Some(s.role), id, keyworker))
        };
        owner
            .filter(|o| may_own(o))
            .or(keyworker)
            .map(str::to_string)
    }

    pub fn recipients(&self, level: i32, assignee: Option<&str>) -> Vec<Recipient> {
        let responsible = assignee.and_then(|a| self.active(a));
        match level {
            1 => match responsible {
                Some(person) => Self::one(person),
                None => self.all_with_role(Role::Coordinator),
            },
            2 => match responsible
                .and_then(|p| p.manager_id.as_deref())
                .and_then(|m| self.active(m))
            {
                Some(manager) => Self::one(manager),
                None => self.all_with_role(Role::Manager),
            },
            _ => {
                let mut list = self.all_with_role(Role::Manager);
                list.extend(self.senior_addresses.iter().map(|email| Recipient {
                    email: email.clone(),
                    user_id: None,
                }));
                list.sort();
                list.dedup_by(|a, b| a.email.eq_ignore_ascii_case(&b.email));
                list
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct SweepPlan {
    pub raise: Vec<AlertRow>,
    pub progress: Vec<(String, AlertProgress)>,
    pub escalated: usize,
    pub resolve: Vec<String>,
    pub notify: Vec<NotificationRow>,
    /// Register entries whose open-alert count changes, with the new count.
    pub entry_counts: Vec<(String, i32)>,
}

fn count_by_entry<'a>(alerts: impl Iterator<Item = &'a Option<String>>) -> HashMap<String, i32> {
    let mut counts = HashMap::new();
    for entry in alerts.flatten() {
        *counts.entry(entry.clone()).or_insert(0) += 1;
    }
    counts
}

pub fn plan(
    candidates: Vec<Candidate>,
    open: Vec<AlertRow>,
    already_notified: &HashSet<(String, i32, String)>,
    directory: &Directory,
    now: NaiveDateTime,
) -> SweepPlan {
    let mut out = SweepPlan::default();
    let before = count_by_entry(open.iter().map(|a| &a.register_entry_id));
    let mut open_by_key: HashMap<(AlertKind, String), AlertRow> = open
        .into_iter()
        .map(|a| ((a.kind, a.subject_id.clone()), a))
        .collect();
    let mut still_open: Vec<Option<String>> = Vec::new();
    let mut queued: HashSet<(String, i32, String)> = HashSet::new();

    for c in candidates {
        let assignee = directory.responsible(c.owner.as_deref(), c.keyworker.as_deref());
        let key = (c.kind, c.subject_id.clone());
        let (alert_id, old_level) = match open_by_key.remove(&key) {
            Some(existing) => {
                let progress = AlertProgress {
                    due_on: c.due_on,
                    days_overdue: c.overdue.days as i32,
                    level: c.overdue.level,
                    assignee_id: assignee.clone(),
                    register_entry_id: c.entry_id.clone(),
                    updated_at: now,
                };
                let changed = existing.due_on != progress.due_on
                    || existing.days_overdue != progress.days_overdue
                    || existing.level != progress.level
                    || existing.assignee_id != progress.assignee_id
                    || existing.register_entry_id != progress.register_entry_id;
                if changed {
                    out.progress.push((existing.id.clone(), progress));
                }
                (existing.id, existing.level)
            }
            None => {
                let id = Uuid::now_v7().to_string();
                out.raise.push(AlertRow {
                    id: id.clone(),
                    kind: key.0,
                    subject_type: c.subject_type.to_string(),
                    subject_id: c.subject_id.clone(),
                    person_id: c.person_id.clone(),
                    register_entry_id: c.entry_id.clone(),
                    due_on: c.due_on,
                    days_overdue: c.overdue.days as i32,
                    level: c.overdue.level,
                    status: AlertStatus::Open,
                    assignee_id: assignee.clone(),
                    raised_at: now,
                    acknowledged_at: None,
                    acknowledged_by: None,
                    acknowledge_note: None,
                    resolved_at: None,
                    updated_at: now,
                });
                (id, 0)
            }
        };
        if c.overdue.level > old_level && old_level > 0 {
            out.escalated += 1;
        }
        still_open.push(c.entry_id.clone());
        // Every recipient of every level reached, once per alert and level.
        for level in 1..=c.overdue.level {
            for r in directory.recipients(level, assignee.as_deref()) {
                let key = (alert_id.clone(), level, r.email.clone());
                if already_notified.contains(&key) || !queued.insert(key) {
                    continue;
                }
                out.notify.push(NotificationRow {
                    id: Uuid::now_v7().to_string(),
                    alert_id: alert_id.clone(),
                    level,
                    recipient_email: r.email,
                    recipient_user_id: r.user_id,
                    status: NotificationStatus::Queued,
                    attempts: 0,
                    next_attempt_at: now,
                    last_error: None,
                    message_id: None,
                    claim_token: None,
                    claimed_until: None,
                    created_at: now,
                    sent_at: None,
                });
            }
        }
    }
    // Whatever is left open has no overdue obligation behind it any more: its cause is fixed.
    out.resolve = open_by_key.into_values().map(|a| a.id).collect();
    out.resolve.sort();
    let after = count_by_entry(still_open.iter());
    let mut entries: Vec<&String> = before.keys().chain(after.keys()).collect();
    entries.sort();
    entries.dedup();
    out.entry_counts = entries
        .into_iter()
        .filter_map(|e| {
            let (was, now) = (
                before.get(e).copied().unwrap_or(0),
                after.get(e).copied().unwrap_or(0),
            );
            (was != now).then(|| (e.clone(), now))
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(id: &str, role: Role, manager: Option<&str>) -> Staff {
        Staff {
            id: id.into(),
            email: format!("{id}@nhs.net"),
            role,
            manager_id: manager.map(String::from),
            active: true,
        }
    }

    fn directory() -> Directory {
        let mut d = Directory {
            senior_addresses: vec!["director@nhs.net".into()],
            ..Directory::default()
        };
        for s in [
            staff("kw", Role::Keyworker, Some("mgr")),
            staff("kw2", Role::Keyworker, None),
            staff("mgr", Role::Manager, None),
            staff("mgr2", Role::Manager, None),
            staff("coord", Role::Coordinator, Some("mgr")),
            staff("coord2", Role::Coordinator, None),
        ] {
            d.staff.insert(s.id.clone(), s);
        }
        d
    }

    fn emails(list: Vec<Recipient>) -> Vec<String> {
        list.into_iter().map(|r| r.email).collect()
    }

    #[test]
    fn work_is_answered_for_by_someone_who_can_see_the_person() {
        let mut d = directory();
        d.staff
            .insert("clin".into(), staff("clin", Role::Clinician, None));
        let mut gone = staff("gone", Role::Clinician, None);
        gone.active = false;
        d.staff.insert("gone".into(), gone);
        let cases = [
            (Some("clin"), Some("kw"), Some("clin"), "a clinician owner"),
            (
                Some("kw"),
                Some("kw"),
                Some("kw"),
                "the named keyworker owns it",
            ),
            (
                Some("kw2"),
                Some("kw"),
                Some("kw"),
                "a former keyworker: the named one",
            ),
            (
                Some("kw2"),
                None,
                None,
                "a former keyworker, no named one: coordinators",
            ),
            (Some("gone"), Some("kw"), Some("kw"), "a deactivated owner"),
            (Some("nobody"), None, None, "an unknown owner"),
            (None, Some("kw"), Some("kw"), "unowned: the named keyworker"),
            (None, None, None, "unowned, no keyworker: coordinators"),
        ];
        for (owner, keyworker, expected, why) in cases {
            assert_eq!(
                d.responsible(owner, keyworker).as_deref(),
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn recipients_by_level() {
        let d = directory();
        assert_eq!(emails(d.recipients(1, Some("kw"))), vec!["kw@nhs.net"]);
        assert_eq!(
            emails(d.recipients(1, None)),
            vec!["coord2@nhs.net", "coord@nhs.net"]
        );
        assert_eq!(emails(d.recipients(2, Some("kw"))), vec!["mgr@nhs.net"]);
        assert_eq!(
            emails(d.recipients(2, Some("kw2"))),
            vec!["mgr2@nhs.net", "mgr@nhs.net"],
            "no line manager: all managers"
        );
        assert_eq!(
            emails(d.recipients(2, None)),
            vec!["mgr2@nhs.net", "mgr@nhs.net"]
        );
        assert_eq!(
            emails(d.recipients(3, Some("kw"))),
            vec!["director@nhs.net", "mgr2@nhs.net", "mgr@nhs.net"]
        );
    }

    #[test]
    fn inactive_people_are_passed_over() {
        let mut d = directory();
        d.staff.get_mut("kw").unwrap().active = false;
        assert_eq!(
            emails(d.recipients(1, Some("kw"))),
            vec!["coord2@nhs.net", "coord@nhs.net"]
        );
        let mut d = directory();
        d.staff.get_mut("mgr").unwrap().active = false;
        assert_eq!(emails(d.recipients(2, Some("kw"))), vec!["mgr2@nhs.net"]);
    }

    fn candidate(subject: &str, days: i64, level: i32) -> Candidate {
        Candidate {
            kind: AlertKind::DsrReviewOverdue,
            subject_type: "register_entry",
            subject_id: subject.into(),
            person_id: Some("p".into()),
            entry_id: Some(subject.into()),
            due_on: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            overdue: Overdue { days, level },
            owner: None,
            keyworker: Some("kw".into()),
        }
    }

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    #[test]
    fn a_new_alert_at_level_2_notifies_levels_1_and_2_once() {
        let d = directory();
        let p = plan(
            vec![candidate("e1", 10, 2)],
            vec![],
            &HashSet::new(),
            &d,
            now(),
        );
        assert_eq!(p.raise.len(), 1);
        assert_eq!(p.escalated, 0);
        let sent: Vec<(i32, String)> = p
            .notify
            .iter()
            .map(|n| (n.level, n.recipient_email.clone()))
            .collect();
        assert_eq!(
            sent,
            vec![(1, "kw@nhs.net".into()), (2, "mgr@nhs.net".into())]
        );
        assert_eq!(p.entry_counts, vec![("e1".into(), 1)]);
    }

    #[test]
    fn a_second_sweep_notifies_nobody_and_escalation_adds_only_the_new_level() {
        let d = directory();
        let first = plan(
            vec![candidate("e1", 10, 2)],
            vec![],
            &HashSet::new(),
            &d,
            now(),
        );
        let open = first.raise.clone();
        let notified: HashSet<(String, i32, String)> = first
            .notify
            .iter()
            .map(|n| (n.alert_id.clone(), n.level, n.recipient_email.clone()))
            .collect();
        let again = plan(
            vec![candidate("e1", 10, 2)],
            open.clone(),
            &notified,
            &d,
            now(),
        );
        assert!(again.raise.is_empty() && again.notify.is_empty() && again.progress.is_empty());
        assert!(again.entry_counts.is_empty());
        let later = plan(vec![candidate("e1", 14, 3)], open, &notified, &d, now());
        assert_eq!(later.escalated, 1);
        assert_eq!(later.progress.len(), 1);
        let levels: HashSet<i32> = later.notify.iter().map(|n| n.level).collect();
        assert_eq!(levels, HashSet::from([3]));
        assert_eq!(later.notify.len(), 3, "all managers and the senior address");
    }

    #[test]
    fn alerts_without_an_overdue_obligation_resolve() {
        let d = directory();
        let first = plan(
            vec![candidate("e1", 3, 1), candidate("e2", 3, 1)],
            vec![],
            &HashSet::new(),
            &d,
            now(),
        );
        let open = first.raise.clone();
        let next = plan(
            vec![candidate("e2", 4, 1)],
            open.clone(),
            &HashSet::new(),
            &d,
            now(),
        );
        let e1 = open.iter().find(|a| a.subject_id == "e1").unwrap();
        assert_eq!(next.resolve, vec![e1.id.clone()]);
        assert_eq!(next.entry_counts, vec![("e1".into(), 0)]);
    }
}
