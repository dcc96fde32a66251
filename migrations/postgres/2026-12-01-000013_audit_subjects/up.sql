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
