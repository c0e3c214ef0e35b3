import type { OddsQuote } from '../entities';
import { D, toDecimalString } from '../math/decimal';
import type { DevigMethod } from '../math/devig';
import { clvAgainstFairClose } from '../math/ev';
import { SettlementError, settleBet } from '../settlement';
import type { BacktestBet } from './run';
import type { EventResult } from './types';

// Grading backtest bets: settlement by the live rules (shared/settlement) and CLV against the close.

/** Settle bets on one event from its result; `unit` is the currency unit payouts are rounded down to. */
export function gradeBets(bets: readonly BacktestBet[], result: EventResult, unit: string): void {
  for (const bet of bets) {
    if (result.status !== 'completed') {
      bet.status = 'void';
      bet.note = `event ${result.status}`;
      continue;
    }
    try {
      const s = settleBet({
        marketType: bet.market.marketType,
        outcome: bet.outcome,
        point: bet.point,
        scores: result.scores,
        threeWay: bet.threeWay,
        stake: toDecimalString(bet.stake),
        price: bet.price,
        unit,
      });
      bet.status = s.status === 'voided' ? 'void' : s.status;
      bet.profit = new D(s.profitLoss);
      bet.note = s.status === 'voided' ? s.rule : null;
    } catch (err) {
      if (!(err instanceof SettlementError)) throw err;
      bet.status = 'void';
      bet.note = `cannot settle: ${err.message}`;
    }
  }
}

/** The bet's CLV against `bookmaker`'s devigged closing line; null where that book has no full close. */
export function clvOf(
  bet: BacktestBet,
  close: readonly OddsQuote[],
  bookmaker: string,
  method: DevigMethod,
): D | null {
  const sharp = close.filter((q) => q.bookmaker === bookmaker && sameLine(q, bet));
  const index = sharp.findIndex((q) => q.outcome === bet.outcome && samePoint(q.point, bet.point));
  if (index < 0 || sharp.length < 2) return null;
  try {
    return clvAgainstFairClose(
      bet.price,
      sharp.map((q) => q.price),
      index,
      method,
    ).clv;
  } catch {
    return null;
  }
}

/** The closing quote prices the same line as the bet: a spread's other side carries the opposite point. */
function sameLine(q: OddsQuote, bet: BacktestBet): boolean {
  if (
    bet.market.marketType !== 'spreads' ||
    q.outcome === bet.outcome ||
    bet.point === null ||
    q.point === null
  ) {
    return bet.market.marketType !== 'spreads' || samePoint(q.point, bet.point);
  }
  return Number(q.point) === -Number(bet.point);
}

function samePoint(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : a === b || Number(a) === Number(b);
}
