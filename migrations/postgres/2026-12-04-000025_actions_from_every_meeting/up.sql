-- One action model: actions come from C(E)TRs (as before), LAEPs (C(E)TRs of kind `laep`),
-- DSR reviews and oversight visits, named by `source` and `source_id`; `cetr_id` stays for the
-- first two. A recommendation the responsible clinician declines is `declined` with a
-- justification. The table keeps its round-1 name (alert subjects and the audit say
-- `cetr_action`).
ALTER TABLE cetr_actions ALTER COLUMN cetr_id DROP NOT NULL;
ALTER TABLE cetr_actions DROP CONSTRAINT cetr_actions_status_check;
ALTER TABLE cetr_actions ADD CONSTRAINT cetr_actions_status_check
    CHECK (status IN ('open','in_progress','done','declined','cancelled'));
ALTER TABLE cetr_actions ADD COLUMN source TEXT NOT NULL DEFAULT 'cetr'
    CHECK (source IN ('cetr','laep','dsr_review','visit'));
ALTER TABLE cetr_actions ADD COLUMN source_id TEXT NULL;
ALTER TABLE cetr_actions ADD COLUMN justification TEXT NULL;
UPDATE cetr_actions a SET source_id = a.cetr_id,
    source = CASE WHEN c.kind = 'laep' THEN 'laep' ELSE 'cetr' END
    FROM cetrs c WHERE c.id = a.cetr_id;
ALTER TABLE cetr_actions ALTER COLUMN source_id SET NOT NULL;
ALTER TABLE cetr_actions ALTER COLUMN source DROP DEFAULT;
ALTER TABLE cetr_actions ADD CONSTRAINT cetr_actions_source_cetr_check
    CHECK ((source IN ('cetr','laep')) = (cetr_id IS NOT NULL));
ALTER TABLE cetr_actions ADD CONSTRAINT cetr_actions_declined_check
    CHECK (status <> 'declined' OR justification IS NOT NULL);
CREATE INDEX cetr_actions_source_idx ON cetr_actions (source_id, due_on, id);
