-- 12-point discharge plans, their points and reviews.
CREATE TABLE discharge_plans (
    id                      TEXT PRIMARY KEY,
    admission_id            TEXT NOT NULL UNIQUE REFERENCES admissions(id),
    person_id               TEXT NOT NULL REFERENCES people(id),
    planned_discharge_date  DATE NULL,
    review_cycle_days       INTEGER NOT NULL,
    last_review_on          DATE NULL,
    next_review_due         DATE NOT NULL,
    complete_count          INTEGER NOT NULL DEFAULT 0,
    closed_count            INTEGER NOT NULL DEFAULT 0,
    -- set when the admission is discharged: the plan is kept, read-only
    frozen_on               DATE NULL,
    created_by              TEXT NOT NULL REFERENCES users(id),
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);
CREATE INDEX discharge_plans_person_idx ON discharge_plans (person_id);
CREATE INDEX discharge_plans_review_idx ON discharge_plans (frozen_on, next_review_due);

CREATE TABLE discharge_points (
    id            TEXT PRIMARY KEY,
    plan_id       TEXT NOT NULL REFERENCES discharge_plans(id),
    number        INTEGER NOT NULL CHECK (number BETWEEN 1 AND 12),
    title         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('not_started','in_progress','complete','not_applicable')),
    owner_id      TEXT NULL REFERENCES users(id),
    target_date   DATE NULL,
    notes         TEXT NULL,
    completed_on  DATE NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (plan_id, number)
);
CREATE INDEX discharge_points_target_idx ON discharge_points (status, target_date);
CREATE INDEX discharge_points_owner_idx ON discharge_points (owner_id);

CREATE TABLE discharge_plan_reviews (
    id               TEXT PRIMARY KEY,
    plan_id          TEXT NOT NULL REFERENCES discharge_plans(id),
    reviewed_on      DATE NOT NULL,
    summary          TEXT NOT NULL,
    next_review_due  DATE NOT NULL,
    recorded_by      TEXT NOT NULL REFERENCES users(id),
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX discharge_plan_reviews_plan_idx ON discharge_plan_reviews (plan_id, reviewed_on, id);

-- points complete on the current admission's plan, shown on the entry; kept by the service
ALTER TABLE register_entries ADD COLUMN discharge_points_complete INTEGER NULL;
