DROP TRIGGER refresh_tokens_revoked_counted;
ALTER TABLE refresh_tokens DROP COLUMN session_started_at;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN token_generation;
