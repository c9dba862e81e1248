-- Sessions end when they should: at logout, after `--session-idle-days` unused, and when
-- their account is disabled (re-enabling it does not revive them). `ended` says why:
-- `password_changed`, `logged_out`, `idle`, `account_disabled`. Never edit a landed
-- migration.

-- When the session was last used (kept to the hour); NULL for sessions from before this
-- migration, which count from `created_at`.
ALTER TABLE sessions ADD COLUMN last_used_at TEXT;
