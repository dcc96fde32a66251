-- Admissions, commissioner oversight visits, C(E)TRs and their actions.
CREATE TABLE admissions (
    id                     TEXT PRIMARY KEY,
    person_id              TEXT NOT NULL REFERENCES people(id),
    register_entry_id      TEXT NULL REFERENCES register_entries(id),
    admitted_on            DATE NOT NULL,
    hospital               TEXT NOT NULL,
    setting                TEXT NOT NULL CHECK (setting IN ('non_secure','low_secure','medium_secure','high_secure','cyp_inpatient')),
    legal_status           TEXT NULL,
    discharged_on          DATE NULL,
    discharge_destination  TEXT NULL,
    -- due dates kept by the service (null once discharged), indexed for the sweep
    next_cetr_due          DATE NULL,
    next_visit_due         DATE NULL,
    recorded_by            TEXT NOT NULL REFERENCES users(id),
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX admissions_one_open ON admissions (person_id) WHERE discharged_on IS NULL;
CREATE INDEX admissions_person_idx ON admissions (person_id, admitted_on, id);
CREATE INDEX admissions_cetr_due_idx ON admissions (next_cetr_due);
CREATE INDEX admissions_visit_due_idx ON admissions (next_visit_due);

CREATE TABLE oversight_visits (
    id            TEXT PRIMARY KEY,
    admission_id  TEXT NOT NULL REFERENCES admissions(id),
    visited_on    DATE NOT NULL,
    visitor       TEXT NOT NULL,
    notes         TEXT NULL,
    recorded_by   TEXT NOT NULL REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX oversight_visits_admission_idx ON oversight_visits (admission_id, visited_on, id);

CREATE TABLE cetrs (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people(id),
    admission_id  TEXT NULL REFERENCES admissions(id),
    kind          TEXT NOT NULL CHECK (kind IN ('community','laep','post_admission','inpatient','independent')),
    held_on       DATE NOT NULL,
    panel         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    outcome       TEXT NULL,
    next_due      DATE NULL,
    recorded_by   TEXT NOT NULL REFERENCES users(id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX cetrs_person_idx ON cetrs (person_id, held_on, id);
CREATE INDEX cetrs_admission_idx ON cetrs (admission_id, held_on);

CREATE TABLE cetr_actions (
    id               TEXT PRIMARY KEY,
    cetr_id          TEXT NOT NULL REFERENCES cetrs(id),
    person_id        TEXT NOT NULL REFERENCES people(id),
    description      TEXT NOT NULL,
    owner_id         TEXT NOT NULL REFERENCES users(id),
    due_on           DATE NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open','in_progress','done','cancelled')),
    completed_on     DATE NULL,
    completion_note  TEXT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX cetr_actions_cetr_idx ON cetr_actions (cetr_id, due_on, id);
CREATE INDEX cetr_actions_owner_idx ON cetr_actions (owner_id, status, due_on);
CREATE INDEX cetr_actions_person_idx ON cetr_actions (person_id, due_on);
CREATE INDEX cetr_actions_status_due_idx ON cetr_actions (status, due_on, id);

-- The next C(E)TR due for the entry: the inpatient clock while admitted, the community
-- C(E)TR while red in the community; kept by the service.
ALTER TABLE register_entries ADD COLUMN next_cetr_due DATE NULL;
CREATE INDEX register_cetr_due_idx ON register_entries (next_cetr_due);
