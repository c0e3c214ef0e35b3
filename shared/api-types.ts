/**
 * Row shapes the operator API answers with, declared once for the server (activities) and the console
 * (console/src/types.ts imports them type-only). No runtime imports: the browser build must stay Node-free.
 */

/** One bet as listed for operators. Decimals stay strings. */
export interface BetListRow {
  betId: string;
  opportunityId: string;
  strategy: string;
  sport: string;
  eventId: string;
  market: string;
  outcome: string;
  point: string | null;
  bookmaker: string;
  mode: string;
  status: string;
  stake: string;
  price: string;
  profitLoss: string | null;
  clvSharp: string | null;
  clvBook: string | null;
  reason: string | null;
  placedAt: string | null;
  settledAt: string | null;
  createdAt: string;
}

/** One recorded opportunity for operators: placed and skipped alike, with the reason. */
export interface OpportunityRow {
  opportunityId: string;
  strategy: string;
  kind: string;
  sport: string;
  eventId: string;
  marketType: string;
  period: string;
  line: string | null;
  legs: unknown[];
  edge: string;
  rule: string;
  suspect: boolean;
  decision: 'pending' | 'placed' | 'skipped';
  reason: string | null;
  detectedAt: string;
  decidedAt: string | null;
}

/** One ledger account's bankroll: balances and open exposure. */
export interface BankrollView {
  account: string;
  kind: string;
  currency: string;
  /** available + reserved + at risk */
  balance: string;
  available: string;
  reserved: string;
  atRisk: string;
  todayProfitLoss: string;
  exposureByEvent: { eventId: string; sport: string; stake: string; bets: number }[];
  exposureBySport: { sport: string; stake: string; bets: number }[];
}
