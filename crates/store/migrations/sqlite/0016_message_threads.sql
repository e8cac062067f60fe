-- The thread a message belongs to: the first Message-ID of its References
-- (else its In-Reply-To, else its own Message-ID), read when it is
-- processed; first-contact resolution counts answers and later messages
-- per thread.
ALTER TABLE messages ADD COLUMN thread_root TEXT;
CREATE INDEX messages_thread_root ON messages (thread_root, received_at);
-- Amendments are read by action and time for the entry-error KPI.
CREATE INDEX events_by_action ON events (action, occurred_at);
-- The format of the message's order document (the first part that is not
-- the mail around it), for the KPI breakdown by format without reading
-- the stored documents.
ALTER TABLE messages ADD COLUMN format TEXT;
