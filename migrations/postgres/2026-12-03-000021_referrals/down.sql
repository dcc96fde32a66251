DELETE FROM notifications WHERE alert_id IN (SELECT id FROM alerts WHERE person_id IS NULL);
DELETE FROM alerts WHERE person_id IS NULL;
ALTER TABLE alerts ALTER COLUMN person_id SET NOT NULL;
DELETE FROM sequences WHERE name = 'referral_reference';
DROP TABLE referrals;
