-- An action may be unowned after its owner lost sight of the person (and no named worker
-- took it over): its alerts then go to the named worker, else to every coordinator.
ALTER TABLE cetr_actions ALTER COLUMN owner_id DROP NOT NULL;
