import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { LoadedConfig } from '../../config/load';
import { writeBoard } from '../../activities/strategies/board-reader';
import { startStrategyWorkflows } from '../../workflows/strategies/client';
import {
  pauseSignal,
  resumeSignal,
  setParametersUpdate,
  strategyStatusQuery,
  strategyWorkflowId,
  type StrategyStatus,
} from '../../workflows/strategies/messages';
import { startWorkers, testClient, testConfig, testStores, stopTestPlatform } from '../helpers/platform';
import { twoWayArbBoard } from '../helpers/board';
import { seedArbStrategies } from '../fixtures/bet-data';

/** Poll until `probe` returns something truthy; the test's own timeout bounds it (no timed assertion). */
async function until<T>(probe: () => Promise<T | null | undefined | false>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The operator CLI against the test stack (its config comes from the environment, as in production). */
function alphabet(
  prefix: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    USER: 'cli-tester',
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/alphabet.mjs', ...args],
      { cwd: root, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const suffix = Math.random().toString(36).slice(2, 8);
const EVENT = `evt-strategy-${suffix}`;

const arbBoard = (priceB?: string) => twoWayArbBoard(EVENT, priceB);

describe('StrategyWorkflow on the real dev server', () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let client: Client;
  const stores = testStores();
  const prefix = `ab-strategy-${suffix}:`;
  const recordOnly = `arb-ro-${suffix}`;
  const lifecycle = `arb-lc-${suffix}`;

  beforeAll(async () => {
    loaded = testConfig({ REDIS_KEY_PREFIX: prefix });
    await seedArbStrategies(stores.db, [recordOnly, lifecycle], {
      stakeMultiplier: '0',
      fallbackIntervalMs: 300,
    });
    await writeBoard(stores.redis, prefix, arbBoard());
    workers = await startWorkers(loaded);
    client = await testClient();
  });

  afterAll(async () => {
    await stopTestPlatform({
      workers,
      client,
      stores,
      workflowIds: [recordOnly, lifecycle].map(strategyWorkflowId),
      reason: 'test done',
    });
  });

  const handle = (name: string): WorkflowHandle => client.workflow.getHandle(strategyWorkflowId(name));
  const status = (name: string): Promise<StrategyStatus> => handle(name).query(strategyStatusQuery);

  it('records the opportunity once (with its event) however many sweeps see it; record-only skips it as "no lifecycle"', async () => {
    const started = await startStrategyWorkflows(client, loaded, stores.db, {
      names: [recordOnly],
      handOff: 'record-only',
    });
    expect(started).toEqual([{ name: recordOnly, workflowId: `strategy:${recordOnly}`, result: 'started' }]);
    const again = await startStrategyWorkflows(client, loaded, stores.db, {
      names: [recordOnly],
      handOff: 'record-only',
    });
    expect(again[0]!.result).toBe('already-running');

    const row = await until(async () => {
      const { rows } = await stores.db.query<{
        opportunity_id: string;
        decision: string;
        decision_reason: string;
        edge: string;
        kind: string;
      }>(
        `SELECT opportunity_id, decision, decision_reason, edge, kind FROM opportunities WHERE strategy_name = $1`,
        [recordOnly],
      );
      return rows.length > 0 && rows[0]!.decision === 'skipped' ? rows : null;
    });
    expect(row).toHaveLength(1);
    expect(row[0]!.kind).toBe('arbitrage');
    expect(row[0]!.decision_reason).toBe('no lifecycle');
    // 1/(1/2.2 + 1/2.2) − 1 = 0.1 exactly, as NUMERIC.
    expect(row[0]!.edge).toBe('0.1');
    const { rows: events } = await stores.db.query(`SELECT sport, status FROM events WHERE event_id = $1`, [
      EVENT,
    ]);
    expect(events).toEqual([{ sport: 'americanfootball_nfl', status: 'scheduled' }]);

    // Three more sweeps (board changes and fallback wake-ups): the same opportunity, never recorded twice.
    const base = (await status(recordOnly)).counts.sweeps;
    await writeBoard(stores.redis, prefix, arbBoard());
    const later = await until(async () => {
      const s = await status(recordOnly);
      return s.counts.sweeps >= base + 3 ? s : null;
    });
    expect(later.counts.recorded).toBe(1);
    // Incremental sweeps (issue 14) re-find it only when its market changes (the rewrite above), not on
    // every fallback wake-up: at least once, never recorded again.
    expect(later.counts.duplicates).toBeGreaterThanOrEqual(1);
    expect(later.counts.noLifecycle).toBe(1);
    const { rows: count } = await stores.db.query(
      `SELECT count(*)::int AS n FROM opportunities WHERE strategy_name = $1`,
      [recordOnly],
    );
    expect(count[0].n).toBe(1);
  });

  it('pause stops the sweeps within one sweep, resume restarts them', async () => {
    const h = handle(recordOnly);
    await h.signal(pauseSignal, { by: 'tester', reason: 'integration test' });
    // Paused, and it has woken up at least twice since (fallback interval, a board change) without sweeping.
    const paused = await until(async () => {
      const s = await status(recordOnly);
      return s.paused && s.phase === 'paused' && s.counts.suppressed >= 2 ? s : null;
    });
    await writeBoard(stores.redis, prefix, arbBoard('2.25'));
    await until(async () =>
      (await status(recordOnly)).counts.suppressed >= paused.counts.suppressed + 2 ? true : null,
    );
    const whilePaused = await status(recordOnly);
    expect(whilePaused.counts.sweeps).toBeLessThanOrEqual(paused.counts.sweeps);

    await h.signal(resumeSignal, { by: 'tester' });
    const resumed = await until(async () => {
      const s = await status(recordOnly);
      return !s.paused && s.counts.sweeps > whilePaused.counts.sweeps ? s : null;
    });
    expect(resumed.paused).toBe(false);
    // The board changed while paused (book-b 2.25): the sweep after resume recorded that new opportunity.
    await until(async () => {
      const { rows } = await stores.db.query(`SELECT 1 FROM opportunities WHERE strategy_name = $1`, [
        recordOnly,
      ]);
      return rows.length === 2;
    });

    // From the history: between the pause signal and the resume signal at most one sweep was scheduled.
    const history = await h.fetchHistory();
    const events = history.events ?? [];
    const signalAt = (name: string) =>
      events.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name);
    const pauseAt = signalAt('pause');
    const resumeAt = signalAt('resume');
    expect(pauseAt).toBeGreaterThan(0);
    expect(resumeAt).toBeGreaterThan(pauseAt);
    const sweepsBetween = events
      .slice(pauseAt, resumeAt)
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sweepStrategy').length;
    expect(sweepsBetween).toBeLessThanOrEqual(1);

    // Pause and resume are in the change log with who did them.
    const { rows: log } = await stores.db.query<{
      changed_by: string;
      field: string;
      new_value: { paused: boolean };
    }>(
      `SELECT changed_by, field, new_value FROM strategy_changes WHERE strategy_name = $1 AND field = 'paused' ORDER BY change_id`,
      [recordOnly],
    );
    expect(log.map((r) => [r.changed_by, r.new_value.paused])).toEqual([
      ['tester', true],
      ['tester', false],
    ]);
  });

  it('setParameters refuses an invalid value naming the field, and records a valid change with who', async () => {
    const h = handle(recordOnly);
    const refused = await h
      .executeUpdate(setParametersUpdate, { args: [{ parameters: { minProfit: '-0.01' }, by: 'tester' }] })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((refused as WorkflowUpdateFailedError).cause as Error).message).toMatch(/minProfit/);
    const unknown = await h
      .executeUpdate(setParametersUpdate, { args: [{ parameters: { minProfitt: '0.01' }, by: 'tester' }] })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(((unknown as WorkflowUpdateFailedError).cause as Error).message).toMatch(
      /minProfitt: unknown parameter/,
    );
    const { rows: before } = await stores.db.query(`SELECT parameters FROM strategies WHERE name = $1`, [
      recordOnly,
    ]);
    expect(before[0].parameters.minProfit).toBe('0');

    const result = await h.executeUpdate(setParametersUpdate, {
      args: [{ parameters: { minProfit: '0.01' }, by: 'tester' }],
    });
    expect(result.changes).toEqual([{ field: 'parameters.minProfit', oldValue: '0', newValue: '0.01' }]);
    expect((await status(recordOnly)).parameters.minProfit).toBe('0.01');
    const { rows: log } = await stores.db.query(
      `SELECT changed_by, field, old_value, new_value FROM strategy_changes WHERE strategy_name = $1 AND field LIKE 'parameters.%'`,
      [recordOnly],
    );
    expect(log).toEqual([
      { changed_by: 'tester', field: 'parameters.minProfit', old_value: '0', new_value: '0.01' },
    ]);
  });

  it('hands each new opportunity to its bet lifecycle once (bet:<id>), across continue-as-new', async () => {
    // 2.2 / 2.1: a 7.3% arbitrage, under the 10% suspect cap, so it is bet (handed off), not skipped.
    await writeBoard(stores.redis, prefix, arbBoard('2.1'));
    await startStrategyWorkflows(client, loaded, stores.db, { names: [lifecycle], maxIterationsPerRun: 3 });
    const opportunity = await until(async () => {
      const { rows } = await stores.db.query<{ opportunity_id: string; handed_off_at: Date | null }>(
        `SELECT opportunity_id, handed_off_at FROM opportunities WHERE strategy_name = $1 AND handed_off_at IS NOT NULL`,
        [lifecycle],
      );
      return rows[0];
    });
    const bet = await client.workflow.getHandle(`bet:${opportunity.opportunity_id}`).describe();
    expect(bet.type).toBe('betLifecycleWorkflow');

    // Several more runs of the strategy workflow later, still one lifecycle started for it.
    const later = await until(async () => {
      const s = await status(lifecycle);
      return s.runs >= 3 && s.counts.sweeps >= 6 ? s : null;
    });
    expect(later.counts.recorded).toBe(later.counts.handedOff + later.counts.alreadyHandedOff);
    const { rows } = await stores.db.query(
      `SELECT count(*)::int AS n FROM opportunities WHERE strategy_name = $1`,
      [lifecycle],
    );
    expect(later.counts.handedOff).toBe(rows[0].n);
    const listed = client.workflow.list({ query: `WorkflowId = 'bet:${opportunity.opportunity_id}'` });
    let runs = 0;
    for await (const _ of listed) runs++;
    expect(runs).toBe(1);
  });

  it('alphabet strategy list | status | pause | resume | set drive the running workflow', async () => {
    const list = await alphabet(prefix, 'strategy', 'list', '--json');
    expect(list.stderr).toBe('');
    const listed = (JSON.parse(list.stdout) as { strategies: { name: string; workflow: string }[] })
      .strategies;
    expect(listed.find((s) => s.name === recordOnly)?.workflow).not.toBe('not running');

    const refused = await alphabet(prefix, 'strategy', 'set', recordOnly, 'profitCap=0', 'minProfit=0.02');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^alphabet: profitCap: expected a decimal written as a string greater than 0/,
    );
    const set = await alphabet(prefix, 'strategy', 'set', recordOnly, 'minProfit=0.02', '--json');
    expect(set.stderr).toBe('');
    expect(JSON.parse(set.stdout)).toMatchObject({
      via: 'workflow update',
      changes: [{ field: 'parameters.minProfit', oldValue: '0.01', newValue: '0.02' }],
    });
    const { rows } = await stores.db.query(
      `SELECT changed_by FROM strategy_changes WHERE strategy_name = $1 AND field = 'parameters.minProfit' ORDER BY change_id DESC LIMIT 1`,
      [recordOnly],
    );
    expect(rows[0].changed_by).toBe('cli-tester');

    expect((await alphabet(prefix, 'strategy', 'pause', recordOnly, '--by', 'ops')).code).toBe(0);
    await until(async () => (await status(recordOnly)).paused);
    const shown = await alphabet(prefix, 'strategy', 'status', recordOnly, '--json');
    const parsed = JSON.parse(shown.stdout) as { running: boolean; status: StrategyStatus };
    expect(parsed.running).toBe(true);
    expect(parsed.status.pausedBy).toBe('ops');
    expect(parsed.status.parameters.minProfit).toBe('0.02');
    expect((await alphabet(prefix, 'strategy', 'resume', recordOnly)).code).toBe(0);
    await until(async () => !(await status(recordOnly)).paused);
  }, 300_000); // six CLI processes, each starting node and tsx: slow on a loaded machine
});
