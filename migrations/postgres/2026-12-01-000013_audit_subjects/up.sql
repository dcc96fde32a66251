-- Who saw whom: the people an audited read or write was about, so "who has looked at this
-- person" is an indexed lookup (lists and exports name every person shown). An audit row
-- names the set of people it showed (a digest of their ids); each set's members are stored
-- once, however many reads show the same page, so a busy triage list writes one audit row a
-- read and not fifty.
ALTER TABLE audit_log ADD COLUMN subject_set TEXT NULL;
-- By set, newest first: the access log reads a page of one person's rows from the index.
CREATE INDEX audit_log_subject_set_idx ON audit_log (subject_set, at, id);
CREATE TABLE audit_subjects (
    person_id    TEXT NOT NULL,
    subject_set  TEXT NOT NULL,
    PRIMARY KEY (person_id, subject_set)
);
CREATE INDEX audit_subjects_set_idx ON audit_subjects (subject_set);

-- The audit is append-only: nobody, however they reach the database, changes or removes a
-- row without dropping these triggers first (and the seals then show it).
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_subjects_append_only BEFORE UPDATE OR DELETE ON audit_subjects
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_subjects_no_truncate BEFORE TRUNCATE ON audit_subjects
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
