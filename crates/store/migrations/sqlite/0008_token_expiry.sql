-- API tokens can expire and be revoked; a password change or disabling the
-- user revokes them, so enabling the user again does not bring them back.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
