-- Where reading stopped in each IMAP mailbox: UIDVALIDITY and the highest UID taken in.
CREATE TABLE mailbox_state (
    name TEXT PRIMARY KEY NOT NULL,
    uid_validity BIGINT NOT NULL,
    last_uid BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
