-- The other professionals around a person: who they are, where from, in what role, and
-- when (from_on, to_on: an involvement that has ended stays on the record).
CREATE TABLE involvements (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people(id),
    name          TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('care_coordinator','social_worker','responsible_clinician','camhs','senco','advocate','gp','other')),
    contact       TEXT NULL,
    from_on       DATE NOT NULL,
    to_on         DATE NULL,
    version       INTEGER NOT NULL,
    recorded_by   TEXT NOT NULL REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CHECK (to_on IS NULL OR to_on >= from_on)
);
CREATE INDEX involvements_person_idx ON involvements (person_id, from_on, id);
