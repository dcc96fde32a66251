DROP TABLE risk_factors;
ALTER TABLE register_entries DROP COLUMN what_would_help;
ALTER TABLE register_entries DROP COLUMN what_has_been_tried;
