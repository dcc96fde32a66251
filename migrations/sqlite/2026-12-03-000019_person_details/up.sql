-- Round 2's person details: equality and reasonable-adjustment data, and conditions with a
-- status each (diagnosed, suspected, awaiting assessment). `diagnoses` stays the list of
-- diagnosed conditions; `conditions` ('[]' for people recorded before this) holds them all.
ALTER TABLE people ADD COLUMN ethnic_category TEXT NULL;
ALTER TABLE people ADD COLUMN conditions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE people ADD COLUMN communication_needs TEXT NULL;
ALTER TABLE people ADD COLUMN reasonable_adjustments TEXT NULL;
ALTER TABLE people ADD COLUMN looked_after BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN postcode_district TEXT NULL;
ALTER TABLE people ADD COLUMN responsible_icb TEXT NULL;
ALTER TABLE people ADD COLUMN at_objection BOOLEAN NOT NULL DEFAULT 0;
