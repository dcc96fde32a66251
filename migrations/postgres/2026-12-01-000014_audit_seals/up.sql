-- Tamper evidence: the audit rows are sealed in batches, in (at, id) order, each seal an HMAC
-- over its rows (and their subjects) chained to the one before, with a key kept outside the
-- database. `dsr audit verify` recomputes them. Seals are append-only like the rows.
CREATE TABLE audit_seals (
    seq        BIGINT PRIMARY KEY,
    sealed_at  TIMESTAMP NOT NULL,
    first_at   TIMESTAMP NOT NULL,
    first_id   TEXT NOT NULL,
    last_at    TIMESTAMP NOT NULL,
    last_id    TEXT NOT NULL,
    row_ids    TEXT NOT NULL,
    mac        TEXT NOT NULL
);
CREATE TRIGGER audit_seals_append_only BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
INSERT INTO job_leases (name, holder, expires_at, last_success_at)
VALUES ('audit_seal', NULL, '1970-01-01 00:00:00', NULL);
