DROP TABLE dsr_reviews;
DROP TABLE rag_history;
DROP TABLE register_entries;
DROP TABLE sequences;
DROP TABLE people;
