-- The NHS number may be pending (a referral, a child not yet traced): NULL while pending,
-- with its status and since when (nhs_number_missing follows after 14 days).
ALTER TABLE people ALTER COLUMN nhs_number DROP NOT NULL;
ALTER TABLE people ADD COLUMN nhs_number_status TEXT NOT NULL DEFAULT 'recorded'
    CHECK (nhs_number_status IN ('recorded','pending'));
ALTER TABLE people ADD COLUMN nhs_number_pending_since DATE NULL;
ALTER TABLE people ADD CONSTRAINT people_nhs_number_pending
    CHECK ((nhs_number_status = 'recorded') = (nhs_number IS NOT NULL));
-- the sweep finds the few pending numbers without reading every person
CREATE INDEX people_nhs_pending_idx ON people (nhs_number_pending_since) WHERE nhs_number_status = 'pending';
