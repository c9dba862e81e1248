-- A mutation made on one tablet and sent from another, imported from a backup file, keeps
-- where it was made: the audit shows the username and device that made it beside the
-- account that sent it. NULL for every mutation sent from the device it was made on.
-- Never edit a landed migration.

ALTER TABLE mutations ADD COLUMN origin_username TEXT;
ALTER TABLE mutations ADD COLUMN origin_device TEXT;
ALTER TABLE mutations ADD COLUMN origin_mutation INTEGER;
