-- Up Migration

-- Bet lifecycle (issue 6): which ledger account a bet draws on, which opportunity leg it is, the price it
-- was detected at, and how it was settled.
ALTER TABLE bets
  ADD COLUMN account          TEXT REFERENCES ledger_accounts (account),
  ADD COLUMN leg_index        INT NOT NULL DEFAULT 0 CHECK (leg_index >= 0),
  ADD COLUMN detected_price   NUMERIC CHECK (detected_price > 1),
  ADD COLUMN fair_probability NUMERIC CHECK (fair_probability >= 0 AND fair_probability <= 1),
  ADD COLUMN workflow_id      TEXT,
  ADD COLUMN settlement       JSONB;

CREATE UNIQUE INDEX bets_opportunity_leg_idx ON bets (opportunity_id, leg_index);
-- Exposure sums (per event, per sport) and the daily P&L read only the open or today's bets of an account.
CREATE INDEX bets_open_event_idx ON bets (account, event_id)
  WHERE status IN ('reserved', 'awaiting_confirmation', 'placed');
CREATE INDEX bets_open_sport_idx ON bets (account, sport)
  WHERE status IN ('reserved', 'awaiting_confirmation', 'placed');
CREATE INDEX bets_settled_idx ON bets (account, settled_at) WHERE settled_at IS NOT NULL;

-- Each money movement happens at most once per bet, whatever retries or restarts do.
CREATE UNIQUE INDEX ledger_transactions_bet_kind_idx ON ledger_transactions (bet_id, kind)
  WHERE bet_id IS NOT NULL AND kind IN ('reserve', 'release', 'place', 'settle', 'void');

-- Down Migration
DROP INDEX ledger_transactions_bet_kind_idx;
DROP INDEX bets_settled_idx;
DROP INDEX bets_open_sport_idx;
DROP INDEX bets_open_event_idx;
DROP INDEX bets_opportunity_leg_idx;
ALTER TABLE bets
  DROP COLUMN settlement,
  DROP COLUMN workflow_id,
  DROP COLUMN fair_probability,
  DROP COLUMN detected_price,
  DROP COLUMN leg_index,
  DROP COLUMN account;
