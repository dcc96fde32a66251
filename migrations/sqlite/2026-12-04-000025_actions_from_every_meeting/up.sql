-- One action model: actions come from C(E)TRs (as before), LAEPs (C(E)TRs of kind `laep`),
-- DSR reviews and oversight visits, named by `source` and `source_id`; `cetr_id` stays for the
-- first two. A recommendation the responsible clinician declines is `declined` with a
-- justification. The table keeps its round-1 name (alert subjects and the audit say
-- `cetr_action`). SQLite cannot change a CHECK or drop NOT NULL in place, so it is rebuilt;
-- nothing references it.
CREATE TABLE cetr_actions_rebuilt (
    id               TEXT PRIMARY KEY,
    cetr_id          TEXT NULL REFERENCES cetrs(id),
    person_id        TEXT NOT NULL REFERENCES people(id),
    description      TEXT NOT NULL,
    owner_id         TEXT NULL REFERENCES users(id),
    due_on           DATE NOT NULL,
    status           TEXT NOT NULL
        CHECK (status IN ('open','in_progress','done','declined','cancelled')),
    completed_on     DATE NULL,
    completion_note  TEXT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    source           TEXT NOT NULL CHECK (source IN ('cetr','laep','dsr_review','visit')),
    source_id        TEXT NOT NULL,
    justification    TEXT NULL,
    CHECK ((source IN ('cetr','laep')) = (cetr_id IS NOT NULL)),
    CHECK (status <> 'declined' OR justification IS NOT NULL)
);
INSERT INTO cetr_actions_rebuilt
    SELECT a.id, a.cetr_id, a.person_id, a.description, a.owner_id, a.due_on, a.status,
           a.completed_on, a.completion_note, a.version, a.created_at, a.updated_at,
           CASE WHEN c.kind = 'laep' THEN 'laep' ELSE 'cetr' END, a.cetr_id, NULL
    FROM cetr_actions a JOIN cetrs c ON c.id = a.cetr_id;
DROP TABLE cetr_actions;
ALTER TABLE cetr_actions_rebuilt RENAME TO cetr_actions;
CREATE INDEX cetr_actions_cetr_idx ON cetr_actions (cetr_id, due_on, id);
CREATE INDEX cetr_actions_owner_idx ON cetr_actions (owner_id, status, due_on);
CREATE INDEX cetr_actions_person_idx ON cetr_actions (person_id, due_on);
CREATE INDEX cetr_actions_status_due_idx ON cetr_actions (status, due_on, id);
CREATE INDEX cetr_actions_source_idx ON cetr_actions (source_id, due_on, id);
