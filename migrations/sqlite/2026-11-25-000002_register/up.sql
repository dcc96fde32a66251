-- People, the register, RAG history and DSR reviews.
CREATE TABLE people (
    id               TEXT PRIMARY KEY,
    nhs_number       TEXT NOT NULL UNIQUE,
    given_name       TEXT NOT NULL,
    family_name      TEXT NOT NULL,
    -- lower-case "given family|family given": name search without ILIKE (not in both backends)
    search_name      TEXT NOT NULL,
    date_of_birth    DATE NOT NULL,
    gender           TEXT NULL,
    diagnoses        TEXT NOT NULL,
    area             TEXT NOT NULL,
    local_authority  TEXT NULL,
    gp_practice      TEXT NULL,
    consent_status   TEXT NOT NULL,
    consent_note     TEXT NULL,
    -- the current named keyworker, kept by the assignment service (history in its own table)
    keyworker_id     TEXT NULL REFERENCES users(id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX people_keyworker_idx ON people (keyworker_id);
CREATE INDEX people_area_idx ON people (area);
CREATE INDEX people_dob_idx ON people (date_of_birth);

-- Gap-free counters (the register reference): incremented inside the writing transaction,
-- so a rolled-back open gives its number back.
CREATE TABLE sequences (
    name   TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);
INSERT INTO sequences (name, value) VALUES ('register_reference', 0);

CREATE TABLE register_entries (
    id                TEXT PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,
    reference_number  BIGINT NOT NULL UNIQUE,
    person_id         TEXT NOT NULL REFERENCES people(id),
    status            TEXT NOT NULL CHECK (status IN ('active','closed')),
    rag               TEXT NOT NULL CHECK (rag IN ('red','amber','green','blue')),
    -- red 0, blue 1, amber 2, green 3: the triage order, indexed for sort=rag
    rag_rank          INTEGER NOT NULL,
    rag_changed_on    DATE NOT NULL,
    opened_on         DATE NOT NULL,
    closed_on         DATE NULL,
    closure_reason    TEXT NULL,
    closure_note      TEXT NULL,
    risk_summary      TEXT NOT NULL,
    referral_source   TEXT NULL,
    consent_note      TEXT NULL,
    last_review_on    DATE NULL,
    next_review_due   DATE NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX register_one_active_per_person ON register_entries (person_id) WHERE status = 'active';
CREATE INDEX register_person_idx ON register_entries (person_id);
CREATE INDEX register_status_due_idx ON register_entries (status, next_review_due, id);
CREATE INDEX register_status_rank_idx ON register_entries (status, rag_rank, next_review_due, id);
CREATE INDEX register_status_rag_due_idx ON register_entries (status, rag, next_review_due, id);
CREATE INDEX register_status_opened_idx ON register_entries (status, opened_on, id);

CREATE TABLE rag_history (
    id                 TEXT PRIMARY KEY,
    register_entry_id  TEXT NOT NULL REFERENCES register_entries(id),
    from_rag           TEXT NULL,
    to_rag             TEXT NOT NULL,
    reason             TEXT NOT NULL,
    changed_by         TEXT NULL REFERENCES users(id),
    changed_at         TIMESTAMP NOT NULL,
    changed_on         DATE NOT NULL
);
CREATE INDEX rag_history_entry_idx ON rag_history (register_entry_id, changed_at, id);

CREATE TABLE dsr_reviews (
    id                 TEXT PRIMARY KEY,
    register_entry_id  TEXT NOT NULL REFERENCES register_entries(id),
    reviewed_on        DATE NOT NULL,
    rag                TEXT NOT NULL,
    attendees          TEXT NOT NULL,
    summary            TEXT NOT NULL,
    next_review_due    DATE NOT NULL,
    recorded_by        TEXT NOT NULL REFERENCES users(id),
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX dsr_reviews_entry_idx ON dsr_reviews (register_entry_id, reviewed_on, id);
