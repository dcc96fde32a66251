-- Why a person is at risk, as the DSR meeting records it: coded factors on the entry (the
-- codes are configuration, `register.risk_factors`), each noted on a date with a note and
-- ended when no longer present (an ended factor stays, as history), and what has been tried
-- and what would help, as free text on the entry.
ALTER TABLE register_entries ADD COLUMN what_has_been_tried TEXT NULL;
ALTER TABLE register_entries ADD COLUMN what_would_help TEXT NULL;
CREATE TABLE risk_factors (
    id                 TEXT PRIMARY KEY,
    register_entry_id  TEXT NOT NULL REFERENCES register_entries(id),
    code               TEXT NOT NULL,
    noted_on           DATE NOT NULL,
    note               TEXT NULL,
    ended_on           DATE NULL,
    version            INTEGER NOT NULL,
    recorded_by        TEXT NOT NULL REFERENCES users(id),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX risk_factors_entry_idx ON risk_factors (register_entry_id, noted_on);
-- A code is current at most once on an entry (the service says so first, in words; this
-- holds it when two people note the same reason at the same moment).
CREATE UNIQUE INDEX risk_factors_one_current ON risk_factors (register_entry_id, code)
    WHERE ended_on IS NULL;
-- The triage filter and the summary count read only the current ones.
CREATE INDEX risk_factors_current_idx ON risk_factors (code, register_entry_id)
    WHERE ended_on IS NULL;
