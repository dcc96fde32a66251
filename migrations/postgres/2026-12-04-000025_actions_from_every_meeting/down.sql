DROP INDEX cetr_actions_source_idx;
DELETE FROM cetr_actions WHERE cetr_id IS NULL;
ALTER TABLE cetr_actions DROP CONSTRAINT cetr_actions_declined_check;
ALTER TABLE cetr_actions DROP CONSTRAINT cetr_actions_source_cetr_check;
UPDATE cetr_actions SET status = 'cancelled' WHERE status = 'declined';
ALTER TABLE cetr_actions DROP COLUMN justification;
ALTER TABLE cetr_actions DROP COLUMN source_id;
ALTER TABLE cetr_actions DROP COLUMN source;
ALTER TABLE cetr_actions DROP CONSTRAINT cetr_actions_status_check;
ALTER TABLE cetr_actions ADD CONSTRAINT cetr_actions_status_check
    CHECK (status IN ('open','in_progress','done','cancelled'));
ALTER TABLE cetr_actions ALTER COLUMN cetr_id SET NOT NULL;
