DROP INDEX login_failures_addr_idx;
