DROP INDEX people_merged_into_idx;
ALTER TABLE people DROP COLUMN merge_reason;
ALTER TABLE people DROP COLUMN merged_at;
ALTER TABLE people DROP COLUMN merged_into;
