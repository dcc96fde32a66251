DROP TRIGGER register_entries_counted ON register_entries;
DROP TRIGGER people_counted ON people;
DROP TRIGGER users_counted ON users;
DROP FUNCTION count_register_change();
DROP TABLE change_counters;
