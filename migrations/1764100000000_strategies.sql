-- Up Migration

-- Strategies (issue 5). The type names the zod schema that validates the parameters (shared/strategies).
ALTER TABLE strategies
  ADD CONSTRAINT strategies_type_check CHECK (type IN ('arbitrage', 'value', 'steam', 'consensus'));

-- When the strategy workflow handed an opportunity to its bet lifecycle (workflow id bet:<opportunity>).
-- Pending and not handed off yet = still to hand off, so nothing found is ever lost between the two steps.
ALTER TABLE opportunities ADD COLUMN handed_off_at TIMESTAMPTZ;
CREATE INDEX opportunities_to_hand_off_idx ON opportunities (strategy_name, detected_at)
  WHERE decision = 'pending' AND handed_off_at IS NULL;
-- Status counts per strategy and decision.
CREATE INDEX opportunities_strategy_decision_idx ON opportunities (strategy_name, decision);

-- Down Migration
DROP INDEX opportunities_strategy_decision_idx;
DROP INDEX opportunities_to_hand_off_idx;
ALTER TABLE opportunities DROP COLUMN handed_off_at;
ALTER TABLE strategies DROP CONSTRAINT strategies_type_check;
