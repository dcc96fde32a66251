DROP INDEX admissions_open_idx;
DROP INDEX register_open_alerts_idx;
ALTER TABLE register_entries DROP COLUMN open_alerts;
DROP TABLE job_leases;
DROP TABLE notifications;
DROP TABLE alerts;
