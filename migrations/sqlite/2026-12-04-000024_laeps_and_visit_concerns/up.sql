-- A Local Area Emergency Protocol meeting (a C(E)TR of kind `laep`) records the agencies
-- present and what came of it; an oversight visit records the concerns it found.
ALTER TABLE cetrs ADD COLUMN agencies TEXT NOT NULL DEFAULT '[]';
ALTER TABLE cetrs ADD COLUMN laep_outcome TEXT NULL
    CHECK (laep_outcome IN ('admission_avoided','admitted','community_cetr_arranged','other'));
ALTER TABLE oversight_visits ADD COLUMN concerns TEXT NULL;
