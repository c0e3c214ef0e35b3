import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
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
import {
  dropTemporalDatabases,
  ensureServerBinaries,
  setupTemporalDatabases,
  startTemporalServer,
  stopTemporalServer,
  type ServerBinaries,
  type ServerOptions,
} from '../../scripts/temporal-server';
import { startBetLifecycle } from '../../workflows/bets/client';
import { betWorkflowId, type BetLifecycleResult } from '../../workflows/bets/messages';
import { settleBet } from '../../shared/settlement';
import { D } from '../../shared/math';
import { mulberry32 } from '../../shared/random';

// The production topology here: Temporal's own server on PostgreSQL (its databases this run's own),
// two `alphabet worker --queues bets` processes; one is SIGKILLed repeatedly and the server restarted once.
const run = Math.random().toString(36).slice(2, 8);
const SPORT = `test_prod_${run}`;
const STRATEGY = `prod-${run}`;
const ACCOUNT = `paper-prod-${run}`;
const LIFECYCLES = 30;
const KILLS = 3;

const CONFIG_PATCH = {
  risk: { bankroll: '100000', maxSportExposureFraction: '1', accounts: { paper: ACCOUNT } },
  placement: {
    requote: { maxQuoteAgeSeconds: 3600 },
    paper: { slippage: '0.01', rejectionProbability: '0.15' },
    settlement: { expectedDurationMinutes: { default: 0 }, pollInitialSeconds: 0.5, pollMaxSeconds: 1 },
  },
  alerts: { routes: [] },
};

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

/** Nine consecutive free ports (the server's frontend, history, matching and worker services). */
async function freePortBlock(): Promise<number> {
  for (;;) {
    // Below 32768: the server stores its membership ports in a SMALLINT column (cluster_membership).
    const base = 21_000 + Math.floor(Math.random() * 11_000);
    let ok = true;
    for (let p = base; p < base + 9 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

describe('bet lifecycles on the Temporal server (PostgreSQL), two bets workers, kills and a server restart', () => {
  const loaded = patchConfig(testConfig(), CONFIG_PATCH);
  const taskQueue = loaded.config.temporal.taskQueues.bets;
  const stores = testStores();
  let bin: ServerBinaries;
  let o: ServerOptions;
  let client: Client;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    bin = await ensureServerBinaries();
    o = {
      dataDir: join(inject('dataDir'), `prod-server-${run}`),
      ip: '127.0.0.1',
      port: await freePortBlock(),
      historyShards: 2,
      databases: { temporal: `temporal_test_${process.pid}`, visibility: `temporal_vis_test_${process.pid}` },
      dynamicConfig: 'deploy/temporal/dynamicconfig/development-sql.yaml',
      namespace: 'default',
      databaseUrl: inject('databaseUrl'),
    };
    await dropTemporalDatabases(o);
    await setupTemporalDatabases(bin, o, () => undefined);
    await startTemporalServer(bin, o);
    client = await testClient(`${o.ip}:${o.port}`);
    await seedStrategy(stores.db, STRATEGY);
  }, 240_000);

  afterAll(async () => {
    for (const w of workers) await kill(w);
    await client?.connection.close();
    if (o) {
      await stopTemporalServer(o.dataDir);
      await dropTemporalDatabases(o);
    }
    await stores.close();
  });

  const startWorker = () =>
    startWorkerProcess(loaded, 'bets', { TEMPORAL_ADDRESS: `${o.ip}:${o.port}` }).then((w) => {
      workers.push(w);
      return w;
    });

  it(
    'every bet ends once, none is placed twice, the ledger balances to the cent',
    { timeout: 360_000 },
    async () => {
      const random = mulberry32(0x9f0d);
      const opportunities = await Promise.all(
        Array.from({ length: LIFECYCLES }, async (_, i) => {
          const eventId = `ev-prod-${run}-${i}`;
          await seedEvent(stores.db, {
            eventId,
            sport: SPORT,
            startInMs: 4_000 + Math.floor(random() * 8_000),
            result:
              i % 2 === 0
                ? { [TEAMS.away]: '27', [TEAMS.home]: '20' }
                : { [TEAMS.away]: '17', [TEAMS.home]: '23' },
          });
          return seedValueBet(stores.db, stores.redis, loaded.config.redis.keyPrefix, {
            id: `opp-prod-${run}-${i}`,
            strategy: STRATEGY,
            sport: SPORT,
            eventId,
            fair: i % 7 === 3 ? '0.45' : '0.52',
          });
        }),
      );

      const steady = await startWorker();
      let victim = await startWorker();
      await Promise.all(
        opportunities.map((opp) =>
          startBetLifecycle(client, opp, { taskQueue, eventLabel: 'KC@BUF', workflowTaskTimeout: '5s' }),
        ),
      );
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 300 + Math.floor(random() * 2_500)));
        await kill(victim);
        if (k === 1) {
          // The server itself goes down and comes back on the same databases, workers still running.
          await stopTemporalServer(o.dataDir);
          await startTemporalServer(bin, o);
        }
        victim = await startWorker();
      }
      expect(steady.exitCode).toBeNull();

      const results = await Promise.all(
        opportunities.map(
          (opp) => client.workflow.getHandle(betWorkflowId(opp.id)).result() as Promise<BetLifecycleResult>,
        ),
      );
      const endings = new Set(['won', 'lost', 'push', 'voided', 'skipped', 'rejected']);
      for (const r of results) expect(endings).toContain(r.status);

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
       FROM bets WHERE strategy_name = $1`,
        [STRATEGY],
      );
      expect(bets).toHaveLength(LIFECYCLES);
      const { rows: moves } = await stores.db.query<{ bet_id: string; kind: string; n: number }>(
        `SELECT t.bet_id, t.kind, count(*)::int AS n FROM ledger_transactions t JOIN bets b USING (bet_id)
       WHERE b.strategy_name = $1 GROUP BY 1, 2`,
        [STRATEGY],
      );
      expect(moves.filter((m) => m.n !== 1)).toEqual([]);
      const placed = new Set(moves.filter((m) => m.kind === 'place').map((m) => m.bet_id));
      for (const b of bets)
        expect(placed.has(b.bet_id)).toBe(['won', 'lost', 'push', 'voided'].includes(b.status));

      const { rows: events } = await stores.db.query<{
        event_id: string;
        result: { scores: Record<string, string> };
      }>(`SELECT event_id, result FROM events WHERE sport = $1`, [SPORT]);
      const scores = new Map(events.map((e) => [e.event_id, e.result.scores]));
      let total = new D(0);
      for (const b of bets.filter((x) => ['won', 'lost'].includes(x.status))) {
        const expected = settleBet({
          marketType: 'h2h',
          outcome: b.outcome,
          point: null,
          scores: scores.get(b.event_id)!,
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
      expect(new D(ledger.buckets.available!).toFixed()).toBe(new D('100000').plus(total).toFixed());
    },
  );
});
