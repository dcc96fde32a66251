DROP INDEX notifications_claim_idx;
CREATE INDEX notifications_claim_idx ON notifications (claim_token);
