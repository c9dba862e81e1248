-- Deployment: a forced password change, sessions that remember why they ended, and the
-- database's own facts (whether it is a demo). Never edit a landed migration.

-- Set when someone other than the user chose the password (create-admin, reset-password,
-- an administrator's reset): every endpoint but the password change answers 403
-- `password_change_required` until the user sets their own.
ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- Why a session ended (`password_changed`), so the tablet can say so; NULL while it lives.
ALTER TABLE sessions ADD COLUMN ended TEXT;

-- Facts about the database as a whole: `demo` = `1` for a demo database, for good.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
