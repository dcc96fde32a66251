-- Alerts, the notification outbox and the job lease for the sweep.
CREATE TABLE alerts (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL,
    subject_type       TEXT NOT NULL,
    subject_id         TEXT NOT NULL,
    person_id          TEXT NOT NULL REFERENCES people(id),
    register_entry_id  TEXT NULL REFERENCES register_entries(id),
    due_on             DATE NOT NULL,
    days_overdue       INTEGER NOT NULL,
    level              INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    status             TEXT NOT NULL CHECK (status IN ('open','acknowledged','resolved')),
    assignee_id        TEXT NULL REFERENCES users(id),
    raised_at          TIMESTAMP NOT NULL,
    acknowledged_at    TIMESTAMP NULL,
    acknowledged_by    TEXT NULL REFERENCES users(id),
    acknowledge_note   TEXT NULL,
    resolved_at        TIMESTAMP NULL,
    updated_at         TIMESTAMP NOT NULL
);
-- at most one open alert per (kind, subject)
CREATE UNIQUE INDEX alerts_one_open ON alerts (kind, subject_id) WHERE status IN ('open','acknowledged');
CREATE INDEX alerts_status_idx ON alerts (status, kind);
CREATE INDEX alerts_person_idx ON alerts (person_id, status);
CREATE INDEX alerts_entry_idx ON alerts (register_entry_id, status);
CREATE INDEX alerts_assignee_idx ON alerts (assignee_id, status);

CREATE TABLE notifications (
    id                 TEXT PRIMARY KEY,
    alert_id           TEXT NOT NULL REFERENCES alerts(id),
    level              INTEGER NOT NULL,
    recipient_email    TEXT NOT NULL,
    recipient_user_id  TEXT NULL REFERENCES users(id),
    status             TEXT NOT NULL CHECK (status IN ('queued','sent','failed')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TIMESTAMP NOT NULL,
    last_error         TEXT NULL,
    -- the digest this row went (or is going) out in; kept across retries so a resend after a
    -- crash carries the same Message-ID
    message_id         TEXT NULL,
    claim_token        TEXT NULL,
    claimed_until      TIMESTAMP NULL,
    created_at         TIMESTAMP NOT NULL,
    sent_at            TIMESTAMP NULL,
    UNIQUE (alert_id, level, recipient_email)
);
CREATE INDEX notifications_due_idx ON notifications (status, next_attempt_at);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_user_id, created_at);
CREATE INDEX notifications_claim_idx ON notifications (claim_token);

CREATE TABLE job_leases (
    name             TEXT PRIMARY KEY,
    holder           TEXT NULL,
    expires_at       TIMESTAMP NOT NULL,
    last_success_at  TIMESTAMP NULL
);
INSERT INTO job_leases (name, holder, expires_at) VALUES ('escalation_sweep', NULL, '1970-01-01 00:00:00');

ALTER TABLE register_entries ADD COLUMN open_alerts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX register_open_alerts_idx ON register_entries (status, open_alerts);
CREATE INDEX admissions_open_idx ON admissions (discharged_on, admitted_on);
