-- Named keyworker assignments (with history) and the contact log.
CREATE TABLE keyworker_assignments (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    from_on      DATE NOT NULL,
    to_on        DATE NULL,
    note         TEXT NULL,
    assigned_by  TEXT NOT NULL REFERENCES users(id),
    ended_by     TEXT NULL REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL
);
-- at most one current assignment per person
CREATE UNIQUE INDEX keyworker_one_current ON keyworker_assignments (person_id) WHERE to_on IS NULL;
CREATE INDEX keyworker_person_idx ON keyworker_assignments (person_id, from_on, id);
CREATE INDEX keyworker_user_idx ON keyworker_assignments (user_id, to_on);

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people(id),
    occurred_at  TIMESTAMP NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('face_to_face','phone','video','meeting','message','other')),
    summary      TEXT NOT NULL,
    with_whom    TEXT NULL,
    -- contacts are never edited: a correction is a new contact naming the one it corrects
    corrects_id  TEXT NULL REFERENCES contacts(id),
    recorded_by  TEXT NOT NULL REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX contacts_person_idx ON contacts (person_id, occurred_at, id);
CREATE INDEX contacts_corrects_idx ON contacts (corrects_id);
