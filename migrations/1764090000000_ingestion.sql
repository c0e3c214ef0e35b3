-- Up Migration

-- Odds ingestion (issue 4).
-- odds_polls: one row per committed poll, written in the same transaction as the poll's change rows, so it
-- is the commit marker a retried poll looks for. `seq` orders a provider's polls (recorded sources observe
-- in recorded time, so polled_at is not the commit order); `event_ids` lists the events the poll saw (with
-- the change rows this tells "seen unchanged" from "not offered"); `cursor` is where a recorded source
-- stopped, so a restarted worker carries on from the last committed poll.
ALTER TABLE odds_polls
  ADD COLUMN seq         BIGSERIAL,
  ADD COLUMN fetched_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  ADD COLUMN event_ids   TEXT[] NOT NULL DEFAULT '{}',
  ADD COLUMN cursor      TEXT,
  ADD COLUMN requests    INT NOT NULL DEFAULT 0;
CREATE INDEX odds_polls_provider_seq_idx ON odds_polls (provider, seq DESC);

-- The words for what was wrong; `reason` stays a short code to group by.
ALTER TABLE ingest_rejects ADD COLUMN message TEXT;

-- Down Migration
ALTER TABLE ingest_rejects DROP COLUMN message;
DROP INDEX odds_polls_provider_seq_idx;
ALTER TABLE odds_polls
  DROP COLUMN requests,
  DROP COLUMN cursor,
  DROP COLUMN event_ids,
  DROP COLUMN fetched_at,
  DROP COLUMN seq;
