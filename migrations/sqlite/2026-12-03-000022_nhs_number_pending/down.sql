PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE people_rebuilt (
    id               TEXT PRIMARY KEY,
    nhs_number       TEXT NOT NULL UNIQUE,
    given_name       TEXT NOT NULL,
    family_name      TEXT NOT NULL,
    search_name      TEXT NOT NULL,
    date_of_birth    DATE NOT NULL,
    gender           TEXT NULL,
    diagnoses        TEXT NOT NULL,
    area             TEXT NOT NULL,
    local_authority  TEXT NULL,
    gp_practice      TEXT NULL,
    consent_status   TEXT NOT NULL,
    consent_note     TEXT NULL,
    keyworker_id     TEXT NULL REFERENCES users(id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    ethnic_category  TEXT NULL,
    conditions       TEXT NOT NULL DEFAULT '[]',
    communication_needs TEXT NULL,
    reasonable_adjustments TEXT NULL,
    looked_after     BOOLEAN NOT NULL DEFAULT 0,
    postcode_district TEXT NULL,
    responsible_icb  TEXT NULL,
    at_objection     BOOLEAN NOT NULL DEFAULT 0,
    merged_into      TEXT NULL REFERENCES people(id),
    merged_at        TIMESTAMP NULL,
    merge_reason     TEXT NULL
);
INSERT INTO people_rebuilt (id, nhs_number, given_name, family_name, search_name, date_of_birth, gender, diagnoses, area,
    local_authority, gp_practice, consent_status, consent_note, keyworker_id, version, created_at,
    updated_at, ethnic_category, conditions, communication_needs, reasonable_adjustments,
    looked_after, postcode_district, responsible_icb, at_objection, merged_into, merged_at,
    merge_reason)
SELECT id, nhs_number, given_name, family_name, search_name, date_of_birth, gender, diagnoses, area,
    local_authority, gp_practice, consent_status, consent_note, keyworker_id, version, created_at,
    updated_at, ethnic_category, conditions, communication_needs, reasonable_adjustments,
    looked_after, postcode_district, responsible_icb, at_objection, merged_into, merged_at,
    merge_reason FROM people WHERE nhs_number IS NOT NULL;
DROP TABLE people;
ALTER TABLE people_rebuilt RENAME TO people;
CREATE INDEX people_keyworker_idx ON people (keyworker_id);
CREATE INDEX people_area_idx ON people (area);
CREATE INDEX people_dob_idx ON people (date_of_birth);
CREATE INDEX people_area_lower_idx ON people (lower(area));
CREATE INDEX people_merged_into_idx ON people (merged_into);
CREATE TRIGGER people_insert_counted AFTER INSERT ON people
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER people_update_counted AFTER UPDATE ON people
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER people_delete_counted AFTER DELETE ON people
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
COMMIT;
PRAGMA foreign_keys = ON;
