-- Only claimed notifications are looked up by claim token; indexing the NULL token of every
-- new row cost the cold escalation sweep one more index insertion per notification queued
-- (56,713 at 100,000 people). `claim_token = ?` implies `claim_token IS NOT NULL`, so the
-- planners use the partial index for the same lookups.
DROP INDEX notifications_claim_idx;
CREATE INDEX notifications_claim_idx ON notifications (claim_token) WHERE claim_token IS NOT NULL;
