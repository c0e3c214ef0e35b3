import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { testConfig, testStores, stopTestPlatform, type RunningWorkers } from '../helpers/platform';
import { startBetWorkers } from '../helpers/bet-setup';
import { patchConfig, putBoard, seedEvent, seedOpportunity, TEAMS } from '../fixtures/bet-data';
import { startBetLifecycle } from '../../workflows/bets/client';
import { betWorkflowId } from '../../workflows/bets/messages';
import { D } from '../../shared/math';
import type { LoadedConfig } from '../../config/load';
import type { MarketKey, Opportunity } from '../../shared/entities';

const run = Math.random().toString(36).slice(2, 8);
const STRATEGY = `race-${run}`;
const ACCOUNT = `paper-race-${run}`;
const SPORTS = [`test_race_a_${run}`, `test_race_b_${run}`];
const EVENTS_PER_SPORT = 10;
const MARKETS_PER_EVENT = 5;
const BANKROLL = new D('10000');
const LIMITS = { perBet: '0.02', event: '0.05', sport: '0.25' };

describe('100 concurrent lifecycles against tight limits', () => {
  let loaded: LoadedConfig;
  let workers: RunningWorkers;
  let client: Client;
  const stores = testStores();
  const opportunities: Opportunity[] = [];

  beforeAll(async () => {
    loaded = patchConfig(testConfig(), {
      database: { poolSize: 20 },
      risk: {
        bankroll: BANKROLL.toFixed(),
        perBetCapFraction: LIMITS.perBet,
        maxEventExposureFraction: LIMITS.event,
        maxSportExposureFraction: LIMITS.sport,
        accounts: { paper: ACCOUNT },
      },
      placement: { requote: { maxQuoteAgeSeconds: 3600 } },
      alerts: { routes: [] },
    });
    ({ workers, client } = await startBetWorkers(loaded, stores.db, STRATEGY));
    const prefix = loaded.config.redis.keyPrefix;
    // Each event gets five different markets (several markets of one event are one position).
    const markets = (eventId: string): { market: MarketKey; outcome: string; point: string | null }[] => [
      {
        market: { eventId, marketType: 'h2h', line: null, period: 'full' },
        outcome: TEAMS.away,
        point: null,
      },
      {
        market: { eventId, marketType: 'spreads', line: '3.5', period: 'full' },
        outcome: TEAMS.away,
        point: '3.5',
      },
      {
        market: { eventId, marketType: 'spreads', line: '7', period: 'full' },
        outcome: TEAMS.home,
        point: '-7',
      },
      {
        market: { eventId, marketType: 'totals', line: '44.5', period: 'full' },
        outcome: 'Over',
        point: '44.5',
      },
      { market: { eventId, marketType: 'h2h', line: null, period: '1h' }, outcome: TEAMS.away, point: null },
    ];
    for (const sport of SPORTS)
      for (let e = 0; e < EVENTS_PER_SPORT; e++) {
        const eventId = `ev-race-${sport}-${e}`;
        // Far in the future: every lifecycle parks after placement, so exposures only grow during the race.
        await seedEvent(stores.db, { eventId, sport, startInMs: 3_600_000 });
        for (const [m, spec] of markets(eventId).slice(0, MARKETS_PER_EVENT).entries()) {
          await putBoard(stores.redis, prefix, spec.market, [
            { bookmaker: 'draftkings', outcome: spec.outcome, point: spec.point, price: '2.10' },
          ]);
          opportunities.push(
            await seedOpportunity(stores.db, {
              id: `opp-race-${sport}-${e}-${m}`,
              strategy: STRATEGY,
              sport,
              market: spec.market,
              legs: [
                {
                  bookmaker: 'draftkings',
                  outcome: spec.outcome,
                  point: spec.point,
                  price: '2.10',
                  fairProbability: '0.53',
                },
              ],
            }),
          );
        }
      }
  });

  afterAll(async () => {
    await stopTestPlatform({
      workers,
      client,
      stores,
      workflowIds: opportunities.map((o) => betWorkflowId(o.id)),
    });
  });

  it(
    'no per-bet, event or sport cap is exceeded at any point, and the ledger agrees',
    { timeout: 240_000 },
    async () => {
      expect(opportunities).toHaveLength(100);
      await Promise.all(
        opportunities.map((o) =>
          startBetLifecycle(client, o, { taskQueue: loaded.config.temporal.taskQueues.bets }),
        ),
      );
      // Wait until every lifecycle has decided: placed or skipped (none is left pending or reserved).
      for (;;) {
        const { rows } = await stores.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM bets WHERE strategy_name = $1 AND status IN ('placed', 'skipped')`,
          [STRATEGY],
        );
        if (rows[0]!.n === 100) break;
        await new Promise((r) => setTimeout(r, 250));
      }

      // Replay every reservation in the order the account lock let them commit (txn ids are taken under it).
      const { rows: reserves } = await stores.db.query<{ amount: string; event_id: string; sport: string }>(
        `SELECT e.amount::text, b.event_id, b.sport FROM ledger_transactions t
         JOIN ledger_entries e ON e.txn_id = t.txn_id AND e.bucket = 'reserved'
         JOIN bets b ON b.bet_id = t.bet_id
        WHERE t.account = $1 AND t.kind = 'reserve' ORDER BY t.txn_id`,
        [ACCOUNT],
      );
      const byEvent = new Map<string, D>();
      const bySport = new Map<string, D>();
      const cap = (f: string) => BANKROLL.mul(f);
      for (const r of reserves) {
        const amount = new D(r.amount);
        expect(amount.lte(cap(LIMITS.perBet))).toBe(true);
        byEvent.set(r.event_id, (byEvent.get(r.event_id) ?? new D(0)).plus(amount));
        bySport.set(r.sport, (bySport.get(r.sport) ?? new D(0)).plus(amount));
        expect(byEvent.get(r.event_id)!.lte(cap(LIMITS.event))).toBe(true);
        expect(bySport.get(r.sport)!.lte(cap(LIMITS.sport))).toBe(true);
      }
      // The limits were tight enough to bind: each sport filled up to its cap, the rest were refused by rule.
      for (const s of SPORTS) expect(bySport.get(s)!.toFixed()).toBe(cap(LIMITS.sport).toFixed());
      const { rows: skipped } = await stores.db.query<{ rule: string; n: number }>(
        `SELECT split_part(reason, ':', 1) AS rule, count(*)::int AS n FROM bets
        WHERE strategy_name = $1 AND status = 'skipped' GROUP BY 1`,
        [STRATEGY],
      );
      expect(skipped.map((s) => s.rule).sort()).toEqual(expect.arrayContaining(['sportCap']));
      expect(skipped.every((s) => ['eventCap', 'sportCap'].includes(s.rule))).toBe(true);

      // The bets table and the ledger tell the same story, to the cent.
      const { rows: totals } = await stores.db.query<{ staked: string }>(
        `SELECT COALESCE(SUM(stake), 0)::text AS staked FROM bets WHERE strategy_name = $1 AND status = 'placed'`,
        [STRATEGY],
      );
      const { rows: buckets } = await stores.db.query<{ bucket: string; balance: string }>(
        `SELECT bucket, balance::text FROM ledger_balances WHERE account = $1`,
        [ACCOUNT],
      );
      const b = Object.fromEntries(buckets.map((x) => [x.bucket, x.balance]));
      expect(new D(b.at_risk!).eq(totals[0]!.staked)).toBe(true);
      expect(new D(b.available!).plus(b.at_risk!).eq(BANKROLL)).toBe(true);
      expect(new D(b.reserved ?? '0').isZero()).toBe(true);
    },
  );
});
