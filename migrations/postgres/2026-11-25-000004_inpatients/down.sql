DROP INDEX register_cetr_due_idx;
ALTER TABLE register_entries DROP COLUMN next_cetr_due;
DROP TABLE cetr_actions;
DROP TABLE cetrs;
DROP TABLE oversight_visits;
DROP TABLE admissions;
