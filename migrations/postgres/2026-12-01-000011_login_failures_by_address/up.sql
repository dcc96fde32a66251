-- The per-address login limit counts failures from one address for any usernames.
CREATE INDEX login_failures_addr_idx ON login_failures (client_addr, failed_at);
