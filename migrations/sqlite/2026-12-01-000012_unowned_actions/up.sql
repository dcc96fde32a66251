-- An action may be unowned after its owner lost sight of the person (and no named worker
-- took it over): its alerts then go to the named worker, else to every coordinator.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt (nothing references it).
CREATE TABLE cetr_actions_new (
    id               TEXT PRIMARY KEY,
    cetr_id          TEXT NOT NULL REFERENCES cetrs(id),
    person_id        TEXT NOT NULL REFERENCES people(id),
    description      TEXT NOT NULL,
    owner_id         TEXT NULL REFERENCES users(id),
    due_on           DATE NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open','in_progress','done','cancelled')),
    completed_on     DATE NULL,
    completion_note  TEXT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
INSERT INTO cetr_actions_new SELECT * FROM cetr_actions;
DROP TABLE cetr_actions;
ALTER TABLE cetr_actions_new RENAME TO cetr_actions;
CREATE INDEX cetr_actions_cetr_idx ON cetr_actions (cetr_id, due_on, id);
CREATE INDEX cetr_actions_owner_idx ON cetr_actions (owner_id, status, due_on);
CREATE INDEX cetr_actions_person_idx ON cetr_actions (person_id, due_on);
CREATE INDEX cetr_actions_status_due_idx ON cetr_actions (status, due_on, id);
