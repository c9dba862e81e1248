-- The first schema. Never edit a landed migration: add a new file instead.

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    -- Bumped whenever the grants change: devices then pull from zero (reset).
    grants_version INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE grants (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role       TEXT NOT NULL,
    scope      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, role, scope)
);

-- A device is one login of one account in one browser profile.
CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    last_applied INTEGER NOT NULL DEFAULT 0,
    revoked      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);

-- Session tokens are stored as their SHA-256, never in the clear.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    device_id  TEXT NOT NULL REFERENCES devices(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- One row per record; `version` is the change number of its latest change. `scope` says
-- who may see it (NULL: every device; `township:<id>`: accounts with that township).
CREATE TABLE records (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    body    TEXT NOT NULL,
    scope   TEXT,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX records_by_version ON records (version);

-- A record that left a scope: devices that could see it there get a deletion, at the
-- change number of the move.
CREATE TABLE scope_moves (
    version    INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    from_scope TEXT NOT NULL
);

-- The change sequence: one row, the last change number handed out.
CREATE TABLE change_seq (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO change_seq (id, value) VALUES (1, 0);

-- Every mutation the server handled, applied or rejected: the exactly-once log and the
-- audit trail.
CREATE TABLE mutations (
    device_id   TEXT NOT NULL REFERENCES devices(id),
    id          INTEGER NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    client_at   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    op_type     TEXT NOT NULL,
    -- The record the intent is about (`kind/id`), for its history.
    target      TEXT NOT NULL,
    op          TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    code        TEXT,
    message     TEXT,
    field       TEXT,
    PRIMARY KEY (device_id, id)
);
CREATE INDEX mutations_by_target ON mutations (target, received_at);

-- Attachments (photos, scans), by the SHA-256 of their bytes. Written once, never changed.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL
);
