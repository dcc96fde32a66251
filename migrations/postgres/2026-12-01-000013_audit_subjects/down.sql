DROP TABLE audit_subjects;
ALTER TABLE audit_log DROP COLUMN subject_set;
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_append_only();
