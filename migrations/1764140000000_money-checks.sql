-- Up Migration

-- NUMERIC accepts 'NaN', and PostgreSQL sorts NaN above every number: `CHECK (price > 1)` lets it in, and
-- one NaN amount poisons every sum it joins. Every NUMERIC column (money, odds, probabilities, lines)
-- refuses it here, beside the range checks it already has. Columns with an upper bound (stake multipliers,
-- fair_probability: `<= 1`) refuse NaN already and need nothing more.
ALTER TABLE odds_quotes
  ADD CONSTRAINT odds_quotes_price_not_nan CHECK (price <> 'NaN'),
  ADD CONSTRAINT odds_quotes_line_not_nan CHECK (line <> 'NaN'),
  ADD CONSTRAINT odds_quotes_point_not_nan CHECK (point <> 'NaN');

ALTER TABLE opportunities
  ADD CONSTRAINT opportunities_line_not_nan CHECK (line <> 'NaN'),
  ADD CONSTRAINT opportunities_edge_not_nan CHECK (edge <> 'NaN');

ALTER TABLE bets
  ADD CONSTRAINT bets_line_not_nan CHECK (line <> 'NaN'),
  ADD CONSTRAINT bets_point_not_nan CHECK (point <> 'NaN'),
  ADD CONSTRAINT bets_stake_not_nan CHECK (stake <> 'NaN'),
  ADD CONSTRAINT bets_price_not_nan CHECK (price <> 'NaN'),
  ADD CONSTRAINT bets_expected_value_not_nan CHECK (expected_value <> 'NaN'),
  ADD CONSTRAINT bets_profit_loss_not_nan CHECK (profit_loss <> 'NaN'),
  ADD CONSTRAINT bets_closing_price_book_not_nan CHECK (closing_price_book <> 'NaN'),
  ADD CONSTRAINT bets_closing_fair_sharp_not_nan CHECK (closing_fair_sharp <> 'NaN'),
  ADD CONSTRAINT bets_clv_sharp_not_nan CHECK (clv_sharp <> 'NaN'),
  ADD CONSTRAINT bets_clv_book_not_nan CHECK (clv_book <> 'NaN'),
  ADD CONSTRAINT bets_detected_price_not_nan CHECK (detected_price <> 'NaN');

ALTER TABLE ledger_entries
  ADD CONSTRAINT ledger_entries_amount_not_nan CHECK (amount <> 'NaN');

ALTER TABLE paper_sessions ADD CONSTRAINT paper_sessions_bankroll_not_nan CHECK (bankroll <> 'NaN');

-- A ledger entry moves money of its transaction's account and of no other: the entry's account must be
-- the transaction's (a composite foreign key), so one transaction cannot shift money between accounts
-- while each account's own entries look balanced.
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_txn_account_key UNIQUE (txn_id, account);
ALTER TABLE ledger_entries
  ADD CONSTRAINT ledger_entries_txn_account_fkey FOREIGN KEY (txn_id, account)
    REFERENCES ledger_transactions (txn_id, account);

-- Down Migration
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_txn_account_fkey;
ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_txn_account_key;
ALTER TABLE paper_sessions DROP CONSTRAINT paper_sessions_bankroll_not_nan;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_amount_not_nan;
ALTER TABLE bets
  DROP CONSTRAINT bets_detected_price_not_nan,
  DROP CONSTRAINT bets_clv_book_not_nan,
  DROP CONSTRAINT bets_clv_sharp_not_nan,
  DROP CONSTRAINT bets_closing_fair_sharp_not_nan,
  DROP CONSTRAINT bets_closing_price_book_not_nan,
  DROP CONSTRAINT bets_profit_loss_not_nan,
  DROP CONSTRAINT bets_expected_value_not_nan,
  DROP CONSTRAINT bets_price_not_nan,
  DROP CONSTRAINT bets_stake_not_nan,
  DROP CONSTRAINT bets_point_not_nan,
  DROP CONSTRAINT bets_line_not_nan;
ALTER TABLE opportunities
  DROP CONSTRAINT opportunities_edge_not_nan,
  DROP CONSTRAINT opportunities_line_not_nan;
ALTER TABLE odds_quotes
  DROP CONSTRAINT odds_quotes_point_not_nan,
  DROP CONSTRAINT odds_quotes_line_not_nan,
  DROP CONSTRAINT odds_quotes_price_not_nan;
