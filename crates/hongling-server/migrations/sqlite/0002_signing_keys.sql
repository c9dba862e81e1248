-- The server's Ed25519 keys for signing certificates. The public half of each is also a
-- `signing_key` record (public visibility), so every device pulls it; the secret half
-- never leaves this table. Exactly one key is active (retired_at IS NULL).
CREATE TABLE signing_keys (
    key_id     TEXT PRIMARY KEY,
    record_id  TEXT NOT NULL UNIQUE,
    secret     BLOB NOT NULL,
    public     BLOB NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
