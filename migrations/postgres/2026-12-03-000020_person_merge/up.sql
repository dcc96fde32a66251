-- A person recorded twice is merged: everything moves to the surviving record, and the
-- merged one stays as a read-only tombstone pointing at it (nothing is deleted).
ALTER TABLE people ADD COLUMN merged_into TEXT NULL REFERENCES people(id);
ALTER TABLE people ADD COLUMN merged_at TIMESTAMP NULL;
ALTER TABLE people ADD COLUMN merge_reason TEXT NULL;
CREATE INDEX people_merged_into_idx ON people (merged_into);
