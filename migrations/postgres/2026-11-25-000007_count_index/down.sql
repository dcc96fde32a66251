DROP INDEX register_status_rag_idx;
