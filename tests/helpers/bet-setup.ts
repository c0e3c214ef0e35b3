// Per-test setup for bet lifecycles: this run's names, config patches, waiting on a bet's row.
import type { Client } from '@temporalio/client';
import type { Pool } from '../../activities/infra/postgres';
import type { Redis } from '../../activities/infra/redis';
import type { Opportunity } from '../../shared/entities';
import { loadConfig, type LoadedConfig } from '../../config/load';
import { seedEvent, seedStrategy, seedValueBet } from '../fixtures/bet-data';
import { startWorkers, testClient, type RunningWorkers } from './platform';

/** This run's own names (sport, strategy, account), so parallel runs never share rows or keys. */
export function runNames(tag: string, accountKind: 'paper' | 'live' = 'paper') {
  const run = Math.random().toString(36).slice(2, 8);
  return {
    run,
    SPORT: `test_${tag}_${run}`,
    STRATEGY: `${tag}-${run}`,
    ACCOUNT: `${accountKind}-${tag}-${run}`,
  };
}

/**
 * This run's value bets, each on a new event of its own: `valueBet('paper', 2_000)` seeds event
 * `ev-paper-<run>` starting in 2 s and opportunity `opp-paper-<run>` on it (with a result, price or book).
 */
export function valueBetSeeder(
  stores: { db: Pool; redis: Redis },
  keyPrefix: () => string,
  names: { run: string; SPORT: string; STRATEGY: string },
) {
  return async (
    tag: string,
    startInMs: number,
    o: { result?: Record<string, string>; price?: string; book?: string } = {},
  ): Promise<Opportunity> => {
    const eventId = `ev-${tag}-${names.run}`;
    await seedEvent(stores.db, { eventId, sport: names.SPORT, startInMs, result: o.result });
    return seedValueBet(stores.db, stores.redis, keyPrefix(), {
      id: `opp-${tag}-${names.run}`,
      strategy: names.STRATEGY,
      sport: names.SPORT,
      eventId,
      price: o.price,
      book: o.book,
    });
  };
}

/**
 * Settlement polled every 0.5–1 s from the start: tests do not wait out a real match's length. Every sport the
 * default config names is zeroed as well as `default`: patchConfig merges maps, so `{ default: 0 }` alone left
 * basketball_nba at 150 minutes, and a bet on a simulated NBA game waited hours for its result.
 */
export const QUICK_SETTLEMENT = {
  expectedDurationMinutes: Object.fromEntries(
    Object.keys(loadConfig({ env: {} }).config.placement.settlement.expectedDurationMinutes).map((sport) => [
      sport,
      0,
    ]),
  ),
  pollInitialSeconds: 0.5,
  pollMaxSeconds: 1,
};

/** Config for bets placed by hand on `account` (`live` strategies): quotes never stale, quick settlement. */
export function manualPlacementPatch(account: string, confirmationDeadlineSeconds: number) {
  return {
    risk: { accounts: { live: account } },
    placement: {
      manual: { confirmationDeadlineSeconds },
      requote: { maxQuoteAgeSeconds: 3600 },
      settlement: QUICK_SETTLEMENT,
    },
  };
}

/** Waits (up to 90 s) until the bet's row reaches awaiting_confirmation. */
export async function awaitConfirmationStatus(db: Pool, betId: string): Promise<void> {
  for (let i = 0; i < 900; i++) {
    const { rows } = await db.query(`SELECT status FROM bets WHERE bet_id = $1`, [betId]);
    if (rows[0]?.status === 'awaiting_confirmation') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${betId} never awaited confirmation`);
}

/** Workers on the bets task queue only, a client, and the strategy row this run's bets refer to. */
export async function startBetWorkers(
  loaded: LoadedConfig,
  db: Pool,
  strategy: string,
  row?: Parameters<typeof seedStrategy>[2],
): Promise<{ workers: RunningWorkers; client: Client }> {
  const workers = await startWorkers(loaded, ['bets']);
  const client = await testClient();
  await seedStrategy(db, strategy, row);
  return { workers, client };
}
