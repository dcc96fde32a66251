-- Referrals in: the person's details are held here until the referral is accepted (then
-- person_id names the person created or linked, and register_entry_id the entry opened).
-- An alert about a referral not yet accepted has no person, so alerts.person_id becomes
-- nullable (SQLite: the table is rebuilt, the usual twelve-step way).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE referrals (
    id                     TEXT PRIMARY KEY,
    reference_number       BIGINT NOT NULL UNIQUE,
    reference              TEXT NOT NULL UNIQUE,
    status                 TEXT NOT NULL CHECK (status IN ('received','screened','accepted','declined')),
    person_id              TEXT NULL REFERENCES people(id),
    person_details         TEXT NULL,
    area                   TEXT NOT NULL,
    referrer_name          TEXT NOT NULL,
    referrer_organisation  TEXT NULL,
    referrer_contact       TEXT NULL,
    reason                 TEXT NOT NULL,
    received_on            DATE NOT NULL,
    first_contact_on       DATE NULL,
    screened_on            DATE NULL,
    decided_on             DATE NULL,
    decision_reason        TEXT NULL,
    referrer_told_on       DATE NULL,
    register_entry_id      TEXT NULL REFERENCES register_entries(id),
    version                INTEGER NOT NULL,
    recorded_by            TEXT NOT NULL REFERENCES users(id),
    decided_by             TEXT NULL REFERENCES users(id),
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    CHECK (person_id IS NOT NULL OR person_details IS NOT NULL)
);
CREATE INDEX referrals_status_idx ON referrals (status, received_on);
CREATE INDEX referrals_recorded_by_idx ON referrals (recorded_by, received_on);
CREATE INDEX referrals_person_idx ON referrals (person_id);
INSERT INTO sequences (name, value) VALUES ('referral_reference', 0);

CREATE TABLE alerts_rebuilt (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL,
    subject_type       TEXT NOT NULL,
    subject_id         TEXT NOT NULL,
    person_id          TEXT NULL REFERENCES people(id),
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
INSERT INTO alerts_rebuilt SELECT id, kind, subject_type, subject_id, person_id,
    register_entry_id, due_on, days_overdue, level, status, assignee_id, raised_at,
    acknowledged_at, acknowledged_by, acknowledge_note, resolved_at, updated_at FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_rebuilt RENAME TO alerts;
CREATE UNIQUE INDEX alerts_one_open ON alerts (kind, subject_id) WHERE status IN ('open','acknowledged');
CREATE INDEX alerts_status_idx ON alerts (status, kind);
CREATE INDEX alerts_person_idx ON alerts (person_id, status);
CREATE INDEX alerts_entry_idx ON alerts (register_entry_id, status);
CREATE INDEX alerts_assignee_idx ON alerts (assignee_id, status);

COMMIT;
PRAGMA foreign_keys = ON;
