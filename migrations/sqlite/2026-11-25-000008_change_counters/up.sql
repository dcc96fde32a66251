-- A counter that moves whenever anything the triage list or a signed-in user depends on
-- changes, by whichever process writes. Servers keep triage pages and users in memory and
-- poll this one row to notice writes made by other processes (a second server, `dsr sweep`,
-- `dsr import`); their own writes drop the caches at once.
CREATE TABLE change_counters (
    name       TEXT PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL
);
INSERT INTO change_counters (name, generation) VALUES ('register', 0);

CREATE TRIGGER register_entries_insert_counted AFTER INSERT ON register_entries
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER register_entries_update_counted AFTER UPDATE ON register_entries
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER register_entries_delete_counted AFTER DELETE ON register_entries
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER people_insert_counted AFTER INSERT ON people
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER people_update_counted AFTER UPDATE ON people
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER people_delete_counted AFTER DELETE ON people
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER users_insert_counted AFTER INSERT ON users
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER users_update_counted AFTER UPDATE ON users
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
CREATE TRIGGER users_delete_counted AFTER DELETE ON users
BEGIN UPDATE change_counters SET generation = generation + 1 WHERE name = 'register'; END;
