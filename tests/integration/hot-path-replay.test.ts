import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import type { LoadedConfig } from '../../config/load';
import type { BoardSnapshot } from '../../shared/strategies';
import { writeBoard } from '../../activities/strategies/board-reader';
import { startStrategyWorkflows } from '../../workflows/strategies/client';
import { strategyWorkflowId } from '../../workflows/strategies/messages';
import { betWorkflowId } from '../../workflows/bets/messages';
import { patchConfig, seedArbStrategies } from '../fixtures/bet-data';
import { twoWayArbBoard } from '../helpers/board';
import { startWorkers, testClient, testConfig, testStores, stopTestPlatform } from '../helpers/platform';

/**
 * The hot path (strategy sweep → hand-off → bet lifecycle → paper placement) end to end, and replay: the
 * histories in tests/fixtures/histories were recorded from the code before the hot-path changes (issue 14),
 * and the current workflow code must replay them without a nondeterminism error (running workflows keep
 * running across the deploy). `RECORD_HISTORIES=1` writes this run's histories there instead.
 */
const { temporal } = proto;
const HISTORIES = fileURLToPath(new URL('../fixtures/histories', import.meta.url));
const suffix = Math.random().toString(36).slice(2, 8);
const EVENTS = [`evt-hotpath-a-${suffix}`, `evt-hotpath-b-${suffix}`];
const STRATEGY = `arb-hot-${suffix}`;

async function until<T>(probe: () => Promise<T | null | undefined | false>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Two pre-match events, each with a 7.3% two-way arbitrage (2.2 / 2.1) across two books. */
const arbBoard = (events: readonly string[] = EVENTS): BoardSnapshot => twoWayArbBoard(events, '2.1');

describe('hot path: sweep → hand-off → paper placement, and replay of older histories', () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let client: Client;
  const stores = testStores();
  const prefix = `ab-hotpath-${suffix}:`;
  const workflowIds: string[] = [strategyWorkflowId(STRATEGY)];

  beforeAll(async () => {
    loaded = patchConfig(testConfig({ REDIS_KEY_PREFIX: prefix }), {
      risk: { accounts: { paper: `paper-hot-${suffix}` } },
      placement: { requote: { maxQuoteAgeSeconds: 3600 } },
      alerts: { routes: [] },
    });
    await seedArbStrategies(stores.db, [STRATEGY], { stakeMultiplier: '1', fallbackIntervalMs: 300 });
    await writeBoard(stores.redis, prefix, arbBoard());
    workers = await startWorkers(loaded);
    client = await testClient();
  }, 120_000);

  afterAll(async () => {
    await stopTestPlatform({ workers, client, stores, workflowIds, reason: 'test done' });
  });

  it(
    'places each paper bet once, with the timestamps of each step recorded',
    { timeout: 120_000 },
    async () => {
      await startStrategyWorkflows(client, loaded, stores.db, { names: [STRATEGY] });
      const opportunities = await until(async () => {
        const { rows } = await stores.db.query<{
          opportunity_id: string;
          recorded_at: Date;
          handed_off_at: Date | null;
          placed: number;
        }>(
          `SELECT o.opportunity_id, o.recorded_at, o.handed_off_at,
                (SELECT count(*)::int FROM bets b WHERE b.opportunity_id = o.opportunity_id AND b.status = 'placed') AS placed
         FROM opportunities o WHERE o.strategy_name = $1`,
          [STRATEGY],
        );
        return rows.length === 2 && rows.every((r) => r.placed === 2 && r.handed_off_at) ? rows : null;
      });
      for (const placed of opportunities) {
        workflowIds.push(betWorkflowId(placed.opportunity_id));
        expect(placed.handed_off_at!.getTime()).toBeGreaterThanOrEqual(placed.recorded_at.getTime());
        const { rows: bets } = await stores.db.query<{ n: number; placed_at: Date }>(
          `SELECT count(*)::int AS n, min(placed_at) AS placed_at FROM bets WHERE opportunity_id = $1`,
          [placed.opportunity_id],
        );
        expect(bets[0]!.n).toBe(2);
        expect(bets[0]!.placed_at.getTime()).toBeGreaterThanOrEqual(placed.recorded_at.getTime());
      }

      // This run's histories replay on this code; RECORD_HISTORIES=1 keeps them as fixtures.
      // A third arbitrage found by a later sweep: its lifecycle starts straight from the sweep's result.
      const later = `evt-hotpath-c-${suffix}`;
      await writeBoard(stores.redis, prefix, arbBoard([later]));
      const third = await until(async () => {
        const { rows } = await stores.db.query<{ opportunity_id: string }>(
          `SELECT o.opportunity_id FROM opportunities o JOIN bets b USING (opportunity_id)
         WHERE o.event_id = $1 AND b.status = 'placed' GROUP BY 1 HAVING count(*) = 2`,
          [later],
        );
        return rows[0];
      });
      workflowIds.push(betWorkflowId(third.opportunity_id));
      const { rows: handed } = await stores.db.query(
        `SELECT count(*)::int AS n FROM opportunities WHERE strategy_name = $1 AND handed_off_at IS NOT NULL`,
        [STRATEGY],
      );
      expect(handed[0].n).toBe(3);

      const histories = await Promise.all(
        workflowIds.map(async (workflowId) => ({
          workflowId,
          history: await client.workflow.getHandle(workflowId).fetchHistory(),
        })),
      );
      // The round trips the hot path no longer makes (issue 14): the steps before placement are local
      // activities (markers, not scheduled tasks); one claim pass only (the first sweep's backlog), and the
      // first sweep's two lifecycles started together in one workflow task.
      const names = (h: (typeof histories)[number]['history']) =>
        h.events!.map((e) => {
          const type = temporal.api.enums.v1.EventType[e.eventType!];
          const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
          return activity ? `${type}:${activity}` : type;
        });
      for (const { workflowId, history } of histories.filter((x) => x.workflowId.startsWith('bet:'))) {
        const scheduled = names(history).filter((n) => n.startsWith('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'));
        expect(scheduled, workflowId).toEqual([]);
      }
      const strategyEvents = names(histories[0]!.history);
      expect(
        strategyEvents.filter((n) => n.endsWith(':claimPendingOpportunities')),
        'claim passes',
      ).toHaveLength(1);
      const firstStarts = strategyEvents.indexOf('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED');
      expect(strategyEvents.slice(firstStarts, firstStarts + 2)).toEqual([
        'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
        'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
      ]);
      if (process.env.RECORD_HISTORIES === '1') {
        mkdirSync(HISTORIES, { recursive: true });
        for (const { workflowId, history } of histories) {
          const kind = workflowId.startsWith('bet:') ? 'bet-lifecycle' : 'strategy';
          writeFileSync(
            join(HISTORIES, `${kind}-v0.binpb`),
            temporal.api.history.v1.History.encode(history).finish(),
          );
        }
      }
      const results = Worker.runReplayHistories(
        { workflowBundle: { codePath: inject('workflowBundlePath') } },
        histories,
      );
      for await (const r of results) expect(r.error, r.workflowId).toBeUndefined();
    },
  );

  it('replays every history recorded from older code', { timeout: 60_000 }, async () => {
    const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.binpb'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const history = temporal.api.history.v1.History.decode(readFileSync(join(HISTORIES, file)));
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') } },
        history,
        file,
      );
    }
  });
});
