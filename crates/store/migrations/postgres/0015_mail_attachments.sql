-- A mail may carry one file (the confirmation PDF, an EDI order response),
-- kept in the blob store by its SHA-256 and made when the mail is first
-- sent, so that the outbox shows what the customer received.
ALTER TABLE mail_outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE mail_outbox ADD COLUMN attachment_sha256 TEXT;
ALTER TABLE mail_outbox ADD COLUMN attachment_type TEXT;
CREATE INDEX mail_outbox_order ON mail_outbox (order_id);
