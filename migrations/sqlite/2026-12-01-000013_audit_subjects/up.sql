-- Who saw whom: the people an audited read or write was about, one row each, so "who has
-- looked at this person" is an indexed lookup (lists and exports name every person shown).
CREATE TABLE audit_subjects (
    person_id  TEXT NOT NULL,
    audit_id   TEXT NOT NULL,
    PRIMARY KEY (person_id, audit_id)
);
CREATE INDEX audit_subjects_audit_idx ON audit_subjects (audit_id);

-- The audit is append-only: nobody, however they reach the database, changes or removes a
-- row without dropping these triggers first (and the seals then show it).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_subjects_no_update BEFORE UPDATE ON audit_subjects
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_subjects_no_delete BEFORE DELETE ON audit_subjects
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
