DELETE FROM job_leases WHERE name = 'audit_seal';
DROP TABLE audit_seals;
