-- The 安全日志 (issue 13, item 8): logins, password changes and resets, grant changes,
-- disabling and enabling, device revocations, imports, exports, backups and restores,
-- with who, from where and when. Kept at least 180 days (--security-log-days).
CREATE TABLE security_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    event   TEXT NOT NULL,
    actor   TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_log_at ON security_log (at);
