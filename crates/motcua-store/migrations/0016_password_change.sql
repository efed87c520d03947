-- Issue 14: officers change their own password; an administrator's reset sets a temporary one
-- that must be changed at the next sign-in (not a "default password": the server still starts).
ALTER TABLE users ADD COLUMN must_change_password SMALLINT NOT NULL DEFAULT 0;
