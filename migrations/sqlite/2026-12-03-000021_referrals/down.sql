PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DELETE FROM notifications WHERE alert_id IN (SELECT id FROM alerts WHERE person_id IS NULL);
DELETE FROM alerts WHERE person_id IS NULL;
CREATE TABLE alerts_rebuilt (
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
INSERT INTO alerts_rebuilt SELECT * FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_rebuilt RENAME TO alerts;
CREATE UNIQUE INDEX alerts_one_open ON alerts (kind, subject_id) WHERE status IN ('open','acknowledged');
CREATE INDEX alerts_status_idx ON alerts (status, kind);
CREATE INDEX alerts_person_idx ON alerts (person_id, status);
CREATE INDEX alerts_entry_idx ON alerts (register_entry_id, status);
CREATE INDEX alerts_assignee_idx ON alerts (assignee_id, status);
DELETE FROM sequences WHERE name = 'referral_reference';
DROP TABLE referrals;
COMMIT;
PRAGMA foreign_keys = ON;
