-- Actions that did not come from a C(E)TR cannot be kept by the old table.
CREATE TABLE cetr_actions_old (
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
INSERT INTO cetr_actions_old
    SELECT id, cetr_id, person_id, description, owner_id, due_on,
           CASE WHEN status = 'declined' THEN 'cancelled' ELSE status END,
           completed_on, completion_note, version, created_at, updated_at
    FROM cetr_actions WHERE cetr_id IS NOT NULL;
DROP TABLE cetr_actions;
ALTER TABLE cetr_actions_old RENAME TO cetr_actions;
CREATE INDEX cetr_actions_cetr_idx ON cetr_actions (cetr_id, due_on, id);
CREATE INDEX cetr_actions_owner_idx ON cetr_actions (owner_id, status, due_on);
CREATE INDEX cetr_actions_person_idx ON cetr_actions (person_id, due_on);
CREATE INDEX cetr_actions_status_due_idx ON cetr_actions (status, due_on, id);
