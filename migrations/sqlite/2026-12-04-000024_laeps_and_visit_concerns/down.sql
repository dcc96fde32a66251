ALTER TABLE oversight_visits DROP COLUMN concerns;
ALTER TABLE cetrs DROP COLUMN laep_outcome;
ALTER TABLE cetrs DROP COLUMN agencies;
