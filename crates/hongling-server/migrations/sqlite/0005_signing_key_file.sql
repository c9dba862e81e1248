-- The signing keys' secrets move to the key file (keyfile.rs): from this version on the
-- `secret` column is always empty (x''), and a server that finds a secret left there by
-- an older version moves it into the key file before it serves. A later migration may
-- drop the column.
--
-- A demo database's keys are published as demo keys, so every device shows what they
-- signed as 演示证书.
ALTER TABLE signing_keys ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
