ALTER TABLE people DROP CONSTRAINT people_nhs_number_pending;
ALTER TABLE people DROP COLUMN nhs_number_pending_since;
ALTER TABLE people DROP COLUMN nhs_number_status;
ALTER TABLE people ALTER COLUMN nhs_number SET NOT NULL;
