DROP INDEX people_id_dob_idx;
DROP INDEX register_keyworking_idx;
