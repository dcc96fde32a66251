ALTER TABLE refresh_tokens DROP COLUMN kind;
