-- A young person's plan for the move to adult services: one per person, changed in place
-- (versioned; every change is in the audit log).
CREATE TABLE transition_plans (
    person_id            TEXT PRIMARY KEY REFERENCES people(id),
    adult_team           TEXT NOT NULL,
    education_status     TEXT NOT NULL,
    planned_handover_on  DATE NOT NULL,
    notes                TEXT NULL,
    version              INTEGER NOT NULL,
    updated_by           TEXT NOT NULL REFERENCES users(id),
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
