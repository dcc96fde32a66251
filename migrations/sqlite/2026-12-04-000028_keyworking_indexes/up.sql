-- The sweep's keyworking rules read young people rated red, amber or blue and people with an
-- open episode: covering indexes let it do so without reading the register's and people's
-- rows (at 100,000 people on SQLite, 300 ms of the warm sweep down to 35; see BENCHMARKS.md).
CREATE INDEX register_keyworking_idx
    ON register_entries (rag, rag_changed_on, status, person_id, opened_on, id);
CREATE INDEX people_id_dob_idx ON people (id, date_of_birth);
