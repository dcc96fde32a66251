DROP TABLE contacts;
DROP TABLE keyworker_assignments;
