-- Up Migration

-- Events are sport-agnostic: participants are data (a JSON array with roles), never home/away columns.
CREATE TABLE events (
  event_id      TEXT PRIMARY KEY,
  sport         TEXT NOT NULL,
  league        TEXT,
  start_time    TIMESTAMPTZ NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('scheduled', 'live', 'completed', 'cancelled', 'postponed')),
  participants  JSONB NOT NULL CHECK (jsonb_typeof(participants) = 'array' AND jsonb_array_length(participants) > 0),
  metadata      JSONB NOT NULL DEFAULT '{}'::jsonb,
  -- Scores or placings as the sport reports them; the settlement rules read them.
  result        JSONB,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX events_sport_start_idx ON events (sport, start_time);
CREATE INDEX events_status_idx ON events (status);

-- Each provider's own id for a canonical event.
CREATE TABLE event_provider_ids (
  provider           TEXT NOT NULL,
  provider_event_id  TEXT NOT NULL,
  event_id           TEXT NOT NULL REFERENCES events (event_id),
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, provider_event_id)
);
CREATE INDEX event_provider_ids_event_idx ON event_provider_ids (event_id);

-- Odds history: append-only, partitioned by observation time, one row per first sight or change of a
-- (market, outcome, book) price. Unchanged sightings are known from odds_polls.
CREATE TABLE odds_quotes (
  event_id           TEXT NOT NULL,
  market_type        TEXT NOT NULL,
  period             TEXT NOT NULL DEFAULT 'full',
  line               NUMERIC,
  outcome            TEXT NOT NULL,
  point              NUMERIC,
  provider           TEXT NOT NULL,
  bookmaker          TEXT NOT NULL,
  price              NUMERIC NOT NULL CHECK (price > 1),
  observed_at        TIMESTAMPTZ NOT NULL,
  source_updated_at  TIMESTAMPTZ,
  change_type        TEXT NOT NULL CHECK (change_type IN ('initial', 'change')),
  poll_id            TEXT NOT NULL,
  metadata           JSONB
) PARTITION BY RANGE (observed_at);

-- A retried poll writes the same rows again: this key makes the second write a no-op.
CREATE UNIQUE INDEX odds_quotes_identity_idx ON odds_quotes
  (event_id, market_type, period, line, outcome, point, bookmaker, provider, observed_at) NULLS NOT DISTINCT;
CREATE INDEX odds_quotes_event_idx ON odds_quotes (event_id, observed_at);

CREATE TABLE odds_quotes_default PARTITION OF odds_quotes DEFAULT;

-- Monthly partitions; ingestion calls this ahead of time, the default partition catches the rest.
CREATE FUNCTION ensure_odds_partitions(from_month DATE, months INT) RETURNS INT
LANGUAGE plpgsql AS $$
DECLARE
  created INT := 0;
  m DATE;
  part TEXT;
BEGIN
  FOR i IN 0..months - 1 LOOP
    m := (date_trunc('month', from_month) + make_interval(months => i))::date;
    part := format('odds_quotes_%s', to_char(m, 'YYYYMM'));
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF odds_quotes FOR VALUES FROM (%L) TO (%L)',
                     part, m, (m + interval '1 month')::date);
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

SELECT ensure_odds_partitions(date_trunc('month', now())::date, 3);

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$;
CREATE TRIGGER odds_quotes_append_only BEFORE UPDATE OR DELETE ON odds_quotes
  FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Every poll of a provider: the "seen unchanged" record between two changes of a key.
CREATE TABLE odds_polls (
  poll_id          TEXT PRIMARY KEY,
  provider         TEXT NOT NULL,
  polled_at        TIMESTAMPTZ NOT NULL,
  sports           TEXT[] NOT NULL,
  quotes_seen      INT NOT NULL DEFAULT 0,
  changes_written  INT NOT NULL DEFAULT 0,
  rejects          INT NOT NULL DEFAULT 0,
  quota_remaining  INT,
  quota_used       INT
);
CREATE INDEX odds_polls_provider_time_idx ON odds_polls (provider, polled_at DESC);

-- Bad provider input is recorded, never dropped silently.
CREATE TABLE ingest_rejects (
  reject_id    BIGSERIAL PRIMARY KEY,
  provider     TEXT NOT NULL,
  poll_id      TEXT,
  reason       TEXT NOT NULL,
  field        TEXT,
  value        TEXT,
  raw_excerpt  TEXT,
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ingest_rejects_provider_time_idx ON ingest_rejects (provider, received_at DESC);
CREATE UNIQUE INDEX ingest_rejects_poll_identity_idx ON ingest_rejects (poll_id, reason, field, value, raw_excerpt)
  NULLS NOT DISTINCT;

-- Strategies are data: type-specific parameters validated by the type's schema before they land here.
CREATE TABLE strategies (
  name                 TEXT PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]*$'),
  type                 TEXT NOT NULL,
  enabled              BOOLEAN NOT NULL DEFAULT true,
  mode                 TEXT NOT NULL DEFAULT 'paper' CHECK (mode IN ('backtest', 'paper', 'live')),
  stake_multiplier     NUMERIC NOT NULL DEFAULT 0 CHECK (stake_multiplier >= 0 AND stake_multiplier <= 1),
  parameters           JSONB NOT NULL DEFAULT '{}'::jsonb,
  performance_metrics  JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Who changed what, when: every parameter, mode or switch change.
CREATE TABLE strategy_changes (
  change_id      BIGSERIAL PRIMARY KEY,
  strategy_name  TEXT NOT NULL REFERENCES strategies (name),
  changed_by     TEXT NOT NULL,
  changed_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  field          TEXT NOT NULL,
  old_value      JSONB,
  new_value      JSONB
);
CREATE INDEX strategy_changes_strategy_idx ON strategy_changes (strategy_name, changed_at DESC);

-- Every opportunity a strategy finds, whether it is bet or skipped, and why.
CREATE TABLE opportunities (
  opportunity_id   TEXT PRIMARY KEY,
  strategy_name    TEXT NOT NULL REFERENCES strategies (name),
  kind             TEXT NOT NULL,
  event_id         TEXT NOT NULL REFERENCES events (event_id),
  sport            TEXT NOT NULL,
  market_type      TEXT NOT NULL,
  period           TEXT NOT NULL DEFAULT 'full',
  line             NUMERIC,
  legs             JSONB NOT NULL,
  edge             NUMERIC NOT NULL,
  fair_method      TEXT,
  rule             TEXT NOT NULL,
  suspect          BOOLEAN NOT NULL DEFAULT false,
  suspect_reasons  TEXT[] NOT NULL DEFAULT '{}',
  context          JSONB NOT NULL DEFAULT '{}'::jsonb,
  detected_at      TIMESTAMPTZ NOT NULL,
  decision         TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'placed', 'skipped')),
  decision_reason  TEXT,
  decided_at       TIMESTAMPTZ
);
CREATE INDEX opportunities_strategy_time_idx ON opportunities (strategy_name, detected_at DESC);
CREATE INDEX opportunities_event_idx ON opportunities (event_id);

-- Bets: one per opportunity leg; the idempotency key made in the workflow makes placement exactly-once.
CREATE TABLE bets (
  bet_id             TEXT PRIMARY KEY,
  opportunity_id     TEXT NOT NULL REFERENCES opportunities (opportunity_id),
  idempotency_key    TEXT NOT NULL UNIQUE,
  strategy_name      TEXT NOT NULL REFERENCES strategies (name),
  event_id           TEXT NOT NULL REFERENCES events (event_id),
  sport              TEXT NOT NULL,
  market_type        TEXT NOT NULL,
  period             TEXT NOT NULL DEFAULT 'full',
  line               NUMERIC,
  outcome            TEXT NOT NULL,
  point              NUMERIC,
  bookmaker          TEXT NOT NULL,
  mode               TEXT NOT NULL CHECK (mode IN ('paper', 'manual', 'adapter')),
  stake              NUMERIC NOT NULL CHECK (stake >= 0),
  price              NUMERIC NOT NULL CHECK (price > 1),
  expected_value     NUMERIC,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'reserved', 'awaiting_confirmation', 'placed',
                       'skipped', 'rejected', 'expired', 'voided', 'won', 'lost', 'push', 'failed')),
  reason             TEXT,
  book_reference     TEXT,
  placed_at          TIMESTAMPTZ,
  settled_at         TIMESTAMPTZ,
  profit_loss        NUMERIC,
  closing_price_book NUMERIC,
  closing_fair_sharp NUMERIC,
  clv_sharp          NUMERIC,
  clv_book           NUMERIC,
  notes              TEXT,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX bets_strategy_idx ON bets (strategy_name, created_at DESC);
CREATE INDEX bets_status_idx ON bets (status);
CREATE INDEX bets_event_idx ON bets (event_id);

-- Bankroll ledger, double entry: each transaction moves money between buckets of one account and its
-- entries sum to zero (checked at commit), so the books always balance.
--   external: the world (deposits, winnings paid, losses taken)   available: free to stake
--   reserved: held by a risk check before placement               at_risk: staked on placed bets
CREATE TABLE ledger_accounts (
  account     TEXT PRIMARY KEY,
  currency    TEXT NOT NULL,
  kind        TEXT NOT NULL DEFAULT 'live' CHECK (kind IN ('live', 'paper')),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE ledger_transactions (
  txn_id           BIGSERIAL PRIMARY KEY,
  account          TEXT NOT NULL REFERENCES ledger_accounts (account),
  kind             TEXT NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'reserve', 'release', 'place',
                     'settle', 'void', 'adjust')),
  bet_id           TEXT REFERENCES bets (bet_id),
  idempotency_key  TEXT NOT NULL UNIQUE,
  note             TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ledger_transactions_bet_idx ON ledger_transactions (bet_id);

CREATE TABLE ledger_entries (
  txn_id   BIGINT NOT NULL REFERENCES ledger_transactions (txn_id),
  account  TEXT NOT NULL REFERENCES ledger_accounts (account),
  bucket   TEXT NOT NULL CHECK (bucket IN ('external', 'available', 'reserved', 'at_risk')),
  amount   NUMERIC NOT NULL,
  PRIMARY KEY (txn_id, bucket)
);
CREATE INDEX ledger_entries_account_bucket_idx ON ledger_entries (account, bucket);

CREATE FUNCTION ledger_txn_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  total NUMERIC;
BEGIN
  SELECT COALESCE(SUM(amount), 0) INTO total FROM ledger_entries WHERE txn_id = NEW.txn_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % does not balance: entries sum to %', NEW.txn_id, total;
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_txn_balances();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE VIEW ledger_balances AS
  SELECT account, bucket, SUM(amount) AS balance FROM ledger_entries GROUP BY account, bucket;

-- Round trips written by the health-check workflow.
CREATE TABLE health_checks (
  probe_id    TEXT NOT NULL,
  task_queue  TEXT NOT NULL,
  payload     JSONB NOT NULL,
  written_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (probe_id, task_queue)
);

-- Down Migration
DROP TABLE health_checks;
DROP VIEW ledger_balances;
DROP TABLE ledger_entries;
DROP TABLE ledger_transactions;
DROP TABLE ledger_accounts;
DROP FUNCTION ledger_txn_balances();
DROP TABLE bets;
DROP TABLE opportunities;
DROP TABLE strategy_changes;
DROP TABLE strategies;
DROP TABLE ingest_rejects;
DROP TABLE odds_polls;
DROP TABLE odds_quotes;
DROP FUNCTION forbid_change();
DROP FUNCTION ensure_odds_partitions(DATE, INT);
DROP TABLE event_provider_ids;
DROP TABLE events;
