-- Web pages sign in to the same sessions as the API (one table, so every rule that ends a
-- session ends both kinds), but a page session's cookie must never work as an API refresh
-- token: the kind says which door a session was opened through.
ALTER TABLE refresh_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'web'));
