-- Earliest deadline of the running internal-process steps (domain.md §6), so the inbox shows
-- a step overdue even while the dossier as a whole is on time. Written by the writer with the
-- rest of the projection; NULL for dossiers written before this column existed until they
-- next change.
ALTER TABLE dossiers ADD COLUMN step_due TEXT;
