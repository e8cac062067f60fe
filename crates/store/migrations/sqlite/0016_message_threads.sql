-- The thread a message belongs to: the first Message-ID of its References
-- (else its In-Reply-To, else its own Message-ID), read when it is
-- processed; first-contact resolution counts answers and later messages
-- per thread.
ALTER TABLE messages ADD COLUMN thread_root TEXT;
CREATE INDEX messages_thread_root ON messages (thread_root, received_at);
