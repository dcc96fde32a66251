-- Referrals in: the person's details are held here until the referral is accepted (then
-- person_id names the person created or linked, and register_entry_id the entry opened).
-- An alert about a referral not yet accepted has no person, so alerts.person_id becomes
-- nullable (SQLite: the table is rebuilt, the usual twelve-step way).

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

ALTER TABLE alerts ALTER COLUMN person_id DROP NOT NULL;
