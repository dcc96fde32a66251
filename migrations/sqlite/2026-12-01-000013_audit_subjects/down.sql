DROP TRIGGER audit_subjects_no_delete;
DROP TRIGGER audit_subjects_no_update;
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_subjects;
DROP INDEX audit_log_subject_set_idx;
ALTER TABLE audit_log DROP COLUMN subject_set;
