-- Sessions that end: an access token names its session (the refresh-token family) and the
-- user's token generation, and both are checked on every request.
-- A generation that moves ends every session at once (admin reset, deactivation, reuse).
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
-- Set by an admin's reset: the user must choose a new password before anything else.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT false;
-- When the session (the family) began: refresh stops at the absolute lifetime.
ALTER TABLE refresh_tokens ADD COLUMN session_started_at TIMESTAMP;
UPDATE refresh_tokens SET session_started_at = created_at;
ALTER TABLE refresh_tokens ALTER COLUMN session_started_at SET NOT NULL;
-- A session that ends must end in every server at once: move the change counter that keys
-- the signed-in cache (see db::changes).
CREATE CONSTRAINT TRIGGER refresh_tokens_revoked_counted AFTER UPDATE OF revoked_at ON refresh_tokens
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION count_register_change();
