import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startWorkerProcess, testClient, testConfig, testStores } from '../helpers/platform';
import {
  ledgerReport,
  patchConfig,
  seedEvent,
  seedStrategy,
  seedValueBet,
  TEAMS,
} from '../fixtures/bet-data';
import { startBetLifecycle } from '../../workflows/bets/client';
import { betWorkflowId, type BetLifecycleResult } from '../../workflows/bets/messages';
import { settleBet } from '../../shared/settlement';
import { D } from '../../shared/math';
import { mulberry32 } from '../../shared/random';

const run = Math.random().toString(36).slice(2, 8);
const SPORT = `test_kill_${run}`;
const STRATEGY = `kill-${run}`;
const ACCOUNT = `paper-kill-${run}`;
const LIFECYCLES = 50;
const KILLS = 4;
const SEED = 0x6b111;

const prng = mulberry32;

const CONFIG_PATCH = {
  risk: { bankroll: '100000', maxSportExposureFraction: '1', accounts: { paper: ACCOUNT } },
  placement: {
    // Staleness is unit-tested; here a slow machine must not turn every bet into a stale-quote skip.
    requote: { maxQuoteAgeSeconds: 3600 },
    paper: { slippage: '0.01', rejectionProbability: '0.15' },
    settlement: { expectedDurationMinutes: { default: 0 }, pollInitialSeconds: 0.5, pollMaxSeconds: 1 },
  },
  alerts: { routes: [] },
};

describe('50 bet lifecycles survive SIGKILLs of their worker', () => {
  // The worker under test is the production one (`alphabet worker --queues bets`), its config file
  // holding this test's queues, accounts, limits and short delays.
  const loaded = patchConfig(testConfig(), CONFIG_PATCH);
  const taskQueue = loaded.config.temporal.taskQueues.bets;
  const stores = testStores();
  let client: Client;
  let worker: ChildProcess | null = null;

  async function startWorker(): Promise<ChildProcess> {
    worker = await startWorkerProcess(loaded, 'bets');
    return worker;
  }

  function kill(child: ChildProcess): Promise<void> {
    return new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGKILL');
    });
  }

  beforeAll(async () => {
    client = await testClient();
    await seedStrategy(stores.db, STRATEGY);
  });

  afterAll(async () => {
    if (worker) await kill(worker);
    await client?.connection.close();
    await stores.close();
  });

  it(
    'every bet reaches a recorded ending, none is placed twice, the ledger balances to the cent',
    { timeout: 240_000 },
    async () => {
      const random = prng(SEED);
      const prefix = loaded.config.redis.keyPrefix;
      const starts = Array.from({ length: LIFECYCLES }, () => 4_000 + Math.floor(random() * 8_000));
      const opportunities = await Promise.all(
        starts.map(async (startInMs, i) => {
          const eventId = `ev-kill-${run}-${i}`;
          const awayWins = i % 2 === 0;
          await seedEvent(stores.db, {
            eventId,
            sport: SPORT,
            // Starts spread over a few seconds: some closing lines and settlements happen between kills.
            startInMs,
            result: awayWins
              ? { [TEAMS.away]: '27', [TEAMS.home]: '20' }
              : { [TEAMS.away]: '17', [TEAMS.home]: '23' },
          });
          return seedValueBet(stores.db, stores.redis, prefix, {
            id: `opp-kill-${run}-${i}`,
            strategy: STRATEGY,
            sport: SPORT,
            eventId,
            // Every seventh opportunity has no edge left at the board's price: skipped by the re-quote.
            fair: i % 7 === 3 ? '0.45' : '0.52',
          });
        }),
      );

      await startWorker();
      await Promise.all(
        opportunities.map((o) =>
          startBetLifecycle(client, o, { taskQueue, eventLabel: 'KC@BUF', workflowTaskTimeout: '5s' }),
        ),
      );
      // SIGKILL at seeded random moments: mid-activity, mid-transaction, mid-workflow-task.
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 300 + Math.floor(random() * 2_500)));
        await kill(worker!);
        await startWorker();
      }

      const results = await Promise.all(
        opportunities.map(
          (o) => client.workflow.getHandle(betWorkflowId(o.id)).result() as Promise<BetLifecycleResult>,
        ),
      );
      const endings = new Set(['won', 'lost', 'push', 'voided', 'skipped', 'rejected']);
      for (const r of results) expect(endings).toContain(r.status);

      // The database, checked directly.
      const { rows: bets } = await stores.db.query<{
        bet_id: string;
        status: string;
        stake: string;
        price: string;
        profit_loss: string | null;
        outcome: string;
        event_id: string;
      }>(
        `SELECT bet_id, status, stake::text, price::text, profit_loss::text, outcome, event_id
         FROM bets WHERE strategy_name = $1 ORDER BY bet_id`,
        [STRATEGY],
      );
      expect(bets).toHaveLength(LIFECYCLES);
      for (const b of bets) expect(endings).toContain(b.status);
      expect(bets.filter((b) => b.status === 'skipped').length).toBeGreaterThanOrEqual(7);
      expect(bets.filter((b) => ['won', 'lost'].includes(b.status)).length).toBeGreaterThan(20);

      // No money movement happened twice for a bet (the unique indexes would refuse it; count anyway).
      const { rows: moves } = await stores.db.query<{ bet_id: string; kind: string; n: number }>(
        `SELECT t.bet_id, t.kind, count(*)::int AS n FROM ledger_transactions t JOIN bets b USING (bet_id)
        WHERE b.strategy_name = $1 GROUP BY 1, 2`,
        [STRATEGY],
      );
      expect(moves.filter((m) => m.n !== 1)).toEqual([]);
      const placed = new Set(moves.filter((m) => m.kind === 'place').map((m) => m.bet_id));
      for (const b of bets)
        expect(placed.has(b.bet_id)).toBe(['won', 'lost', 'push', 'voided'].includes(b.status));

      // P&L exact: each settled bet's figure is what the rules give for its stake and price.
      const byEvent = new Map<string, Record<string, string>>();
      const { rows: events } = await stores.db.query<{
        event_id: string;
        result: { scores: Record<string, string> };
      }>(`SELECT event_id, result FROM events WHERE sport = $1`, [SPORT]);
      for (const e of events) byEvent.set(e.event_id, e.result.scores);
      let total = new D(0);
      for (const b of bets.filter((x) => ['won', 'lost'].includes(x.status))) {
        const expected = settleBet({
          marketType: 'h2h',
          outcome: b.outcome,
          point: null,
          scores: byEvent.get(b.event_id)!,
          threeWay: false,
          stake: b.stake,
          price: b.price,
          unit: '0.01',
        });
        expect(new D(b.profit_loss!).toFixed()).toBe(new D(expected.profitLoss).toFixed());
        total = total.plus(b.profit_loss!);
      }

      const ledger = await ledgerReport(stores.db, ACCOUNT);
      expect(ledger.unbalanced).toEqual([]);
      expect(new D(ledger.buckets.reserved ?? '0').isZero()).toBe(true);
      expect(new D(ledger.buckets.at_risk ?? '0').isZero()).toBe(true);
      // NUMERIC sums keep trailing zeros ("100689.40"): compare the amounts, not their spelling.
      expect(new D(ledger.buckets.available!).toFixed()).toBe(new D('100000').plus(total).toFixed());
      expect(new D(ledger.buckets.external!).plus(ledger.buckets.available!).isZero()).toBe(true);
    },
  );
});
