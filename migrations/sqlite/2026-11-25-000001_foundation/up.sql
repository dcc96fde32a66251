-- Users, sessions, login throttling and the audit log.
-- IDs are UUID text on both backends; instants are UTC TIMESTAMP.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin','coordinator','keyworker','clinician','manager')),
    manager_id    TEXT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX users_role_idx ON users (role, active);
CREATE INDEX users_manager_idx ON users (manager_id);

CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    family_id   TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    rotated_at  TIMESTAMP NULL,
    revoked_at  TIMESTAMP NULL
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE login_failures (
    id           TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    failed_at    TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_pair_idx ON login_failures (username, client_addr, failed_at);

CREATE TABLE audit_log (
    id              TEXT PRIMARY KEY,
    at              TIMESTAMP NOT NULL,
    actor_id        TEXT NULL,
    action          TEXT NOT NULL,
    outcome         TEXT NOT NULL DEFAULT 'success',
    entity_type     TEXT NOT NULL,
    entity_id       TEXT NULL,
    request_id      TEXT NULL,
    changed_fields  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);
