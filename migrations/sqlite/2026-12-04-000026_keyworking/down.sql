DROP INDEX people_cyp_keyworker_idx;
ALTER TABLE people DROP COLUMN cyp_keyworker_id;
DROP TABLE keyworking_changes;
DROP TABLE keyworking_episodes;
