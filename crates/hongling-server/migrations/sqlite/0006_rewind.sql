-- Rewinds: a restore from a backup, or a VM snapshot put back, must never let a device
-- silently skip or lose work. Never edit a landed migration.

-- Every commit that wrote changes gets a random tag; the tag of change number `s` is
-- the tag of the first commit whose `last_seq` is at least `s`. A device sends its
-- cursor's tag back with the cursor: after a rewind the numbers are handed out again
-- by other commits, with other tags.
CREATE TABLE commit_tags (
    last_seq INTEGER PRIMARY KEY,
    tag      TEXT NOT NULL
);
INSERT INTO commit_tags (last_seq, tag)
    SELECT value, lower(hex(randomblob(8))) FROM change_seq WHERE value > 0;

-- The database's epoch, renewed by `restore`.
INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(8))))
    ON CONFLICT (key) DO NOTHING;

-- A mutation a device sent again after a rewind, decided again in order.
ALTER TABLE mutations ADD COLUMN replayed INTEGER NOT NULL DEFAULT 0;

-- What the committee checks after a rewind (恢复核对): a replayed mutation whose outcome
-- differs from its first answer, or whose ID-card number must be typed again.
CREATE TABLE recovery (
    device_id       TEXT NOT NULL,
    id              INTEGER NOT NULL,
    account_id      TEXT NOT NULL,
    op_type         TEXT NOT NULL,
    target          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    first_outcome   TEXT NOT NULL,
    first_code      TEXT,
    outcome         TEXT NOT NULL,
    code            TEXT,
    message         TEXT,
    id_card_removed INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (device_id, id)
);

-- Certificates that devices sent back after a rewind, checked against the server's keys:
-- the replayed application that reaches 待发证 again gets the same number, date and
-- signature, so paper already handed out stays true.
CREATE TABLE returned_certificates (
    id        TEXT PRIMARY KEY,
    key_id    TEXT NOT NULL,
    payload   BLOB NOT NULL,
    signature BLOB NOT NULL
);
