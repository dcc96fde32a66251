ALTER TABLE people DROP COLUMN at_objection;
ALTER TABLE people DROP COLUMN responsible_icb;
ALTER TABLE people DROP COLUMN postcode_district;
ALTER TABLE people DROP COLUMN looked_after;
ALTER TABLE people DROP COLUMN reasonable_adjustments;
ALTER TABLE people DROP COLUMN communication_needs;
ALTER TABLE people DROP COLUMN conditions;
ALTER TABLE people DROP COLUMN ethnic_category;
