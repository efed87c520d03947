-- Issue 13: queue tickets keep their history in the one hash-chained log (record_events, kind
-- 'queue_ticket'); queue_tickets stays their query projection and gains its optimistic version.
-- Tickets issued before this migration (version 0) get a history on the next start: one
-- `adopted` event holding the ticket as it stood (records::adopt_untracked).
ALTER TABLE queue_tickets ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
