-- Up Migration

-- Manual decisions (issue 11): who confirmed or skipped a bet by hand, and a price taken outside the
-- re-quote tolerance on purpose, with the operator's reason and the price quoted at the time.
ALTER TABLE bets
  ADD COLUMN decided_by            TEXT,
  ADD COLUMN price_override_reason TEXT,
  ADD COLUMN price_override_quoted NUMERIC CHECK (price_override_quoted > 1 AND price_override_quoted <> 'NaN'),
  ADD CONSTRAINT bets_price_override_by_chk
    CHECK (price_override_reason IS NULL OR decided_by IS NOT NULL);

-- Down Migration
ALTER TABLE bets
  DROP CONSTRAINT bets_price_override_by_chk,
  DROP COLUMN price_override_quoted,
  DROP COLUMN price_override_reason,
  DROP COLUMN decided_by;
