-- A counter that moves whenever anything the triage list or a signed-in user depends on
-- changes, by whichever process writes. Servers keep triage pages and users in memory and
-- poll this one row to notice writes made by other processes (a second server, `dsr sweep`,
-- `dsr import`); their own writes drop the caches at once.
CREATE TABLE change_counters (
    name       TEXT PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL
);
INSERT INTO change_counters (name, generation) VALUES ('register', 0);

-- Deferred to commit and once per transaction: the counter row is then the last lock a
-- writer takes, so two writers can never deadlock over it, and a bulk load bumps it once.
CREATE FUNCTION count_register_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('dsr.register_counted_in', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('dsr.register_counted_in', txid_current()::text, true);
        UPDATE change_counters SET generation = generation + 1 WHERE name = 'register';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER register_entries_counted AFTER INSERT OR UPDATE OR DELETE ON register_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_register_change();
CREATE CONSTRAINT TRIGGER people_counted AFTER INSERT OR UPDATE OR DELETE ON people
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_register_change();
CREATE CONSTRAINT TRIGGER users_counted AFTER INSERT OR UPDATE OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_register_change();
