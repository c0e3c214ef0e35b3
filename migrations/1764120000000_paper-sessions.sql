-- Up Migration

-- Operator-started paper-trading sessions (issue 7): a strategy run in paper mode on the live board with its
-- own virtual bankroll (ledger account paper:<session>) for a duration or a number of bets. The session id
-- is its workflow id. Its opportunities and bets carry the session id, so they never mix with the
-- strategy's own workflow (rollout gates, strategy performance) and the report reads exactly its own bets.
CREATE TABLE paper_sessions (
  session_id        TEXT PRIMARY KEY,
  -- The session workflow's first run: a later workflow reusing the id is refused, not merged into it.
  first_run_id      TEXT NOT NULL,
  strategy_name     TEXT NOT NULL REFERENCES strategies (name),
  strategy_type     TEXT NOT NULL,
  parameters        JSONB NOT NULL,
  account           TEXT NOT NULL,
  bankroll          NUMERIC NOT NULL CHECK (bankroll > 0),
  stake_multiplier  NUMERIC NOT NULL CHECK (stake_multiplier > 0 AND stake_multiplier <= 1),
  duration_ms       BIGINT CHECK (duration_ms > 0),
  max_bets          INT CHECK (max_bets > 0),
  gate              JSONB NOT NULL,
  started_by        TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'settling', 'completed')),
  started_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  ended_at          TIMESTAMPTZ,
  end_reason        TEXT,
  completed_at      TIMESTAMPTZ,
  verdict           TEXT CHECK (verdict IN ('pass', 'fail', 'inconclusive')),
  verdict_reasons   TEXT[],
  metrics           JSONB,
  curve             JSONB,
  report_markdown   TEXT,
  report_path       TEXT,
  CHECK (duration_ms IS NOT NULL OR max_bets IS NOT NULL)
);
CREATE INDEX paper_sessions_strategy_idx ON paper_sessions (strategy_name, started_at DESC);

ALTER TABLE opportunities ADD COLUMN paper_session_id TEXT REFERENCES paper_sessions (session_id);
ALTER TABLE bets ADD COLUMN paper_session_id TEXT REFERENCES paper_sessions (session_id);
CREATE INDEX opportunities_paper_session_idx ON opportunities (paper_session_id, detected_at)
  WHERE paper_session_id IS NOT NULL;
CREATE INDEX bets_paper_session_idx ON bets (paper_session_id) WHERE paper_session_id IS NOT NULL;

-- Down Migration
DROP INDEX bets_paper_session_idx;
DROP INDEX opportunities_paper_session_idx;
ALTER TABLE bets DROP COLUMN paper_session_id;
ALTER TABLE opportunities DROP COLUMN paper_session_id;
DROP TABLE paper_sessions;
