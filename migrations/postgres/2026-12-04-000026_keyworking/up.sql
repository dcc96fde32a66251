-- The keyworking service for children and young people (0-25), apart from the named lead
-- worker: an episode is referred, accepted or declined (with a reason), allocated to a CYP
-- keyworker, and closed; each move is kept as history. The allocated CYP keyworker is kept
-- on the person too (`cyp_keyworker_id`), so the caseload rule reads one row as it does for
-- the named lead worker, and the person's change stamp moves when it changes.
CREATE TABLE keyworking_episodes (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES people(id),
    status          TEXT NOT NULL
        CHECK (status IN ('referred','accepted','declined','allocated','closed')),
    referred_on     DATE NOT NULL,
    status_on       DATE NOT NULL,
    keyworker_id    TEXT NULL REFERENCES users(id),
    reason          TEXT NULL,
    note            TEXT NULL,
    recorded_by     TEXT NOT NULL REFERENCES users(id),
    version         INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CHECK (status <> 'declined' OR reason IS NOT NULL),
    CHECK (status <> 'allocated' OR keyworker_id IS NOT NULL)
);
CREATE INDEX keyworking_person_idx ON keyworking_episodes (person_id, referred_on);
-- One open episode a person (the service says so first, in words).
CREATE UNIQUE INDEX keyworking_one_open ON keyworking_episodes (person_id)
    WHERE status IN ('referred','accepted','allocated');
CREATE TABLE keyworking_changes (
    id              TEXT PRIMARY KEY,
    episode_id      TEXT NOT NULL REFERENCES keyworking_episodes(id),
    status          TEXT NOT NULL,
    changed_on      DATE NOT NULL,
    keyworker_id    TEXT NULL REFERENCES users(id),
    reason          TEXT NULL,
    changed_by      TEXT NOT NULL REFERENCES users(id),
    changed_at      TIMESTAMP NOT NULL
);
CREATE INDEX keyworking_changes_episode_idx ON keyworking_changes (episode_id, changed_at);
ALTER TABLE people ADD COLUMN cyp_keyworker_id TEXT NULL REFERENCES users(id);
CREATE INDEX people_cyp_keyworker_idx ON people (cyp_keyworker_id);
