-- 赛前检查 (issue 15, item 6): what the server knows of each device before a contest day
-- with no network. `pulled_seq` is the change number a device's last complete pull
-- reached (it holds every record it may see up to there), `pulled_at` when.
ALTER TABLE devices ADD COLUMN pulled_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN pulled_at TEXT;
