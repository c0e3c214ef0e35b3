import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { parseDocument } from 'yaml';
import { alphabetOnTestStack, resultOfStarted, testConfig, testStores } from '../helpers/platform';
import type { CliRun } from '../helpers/cli';
import { runNames } from '../helpers/bet-setup';
import {
  OPEN_PAPER_GATE,
  startSimulatedPlatform,
  useSimulatedMarket,
  type SimulatedPlatform,
} from '../helpers/sim-market';
import { DEFAULT_CONFIG_FILE, type LoadedConfig } from '../../config/load';
import { SA } from '../../shared/search-attributes';
import { D } from '../../shared/math/decimal';
import { paperAccount, type PaperTradingRequest } from '../../shared/paper';
import { balances } from '../../activities/bets/ledger';
import type { paperTradingWorkflow } from '../../workflows/paper/workflow';
import { controlPaperSession } from '../../workflows/paper/client';
import { PAPER_WORKFLOW, paperProgressQuery, type PaperStatus } from '../../workflows/paper/messages';

const { run, STRATEGY } = runNames('paper-value');
const SIM = `sim-paper-${run}`;

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('paper-trading sessions on the real dev server against the simulated market', () => {
  let loaded: LoadedConfig;
  let platform: SimulatedPlatform;
  let client: Client;
  let configFile: string;
  let reportDir: string;
  const stores = testStores();

  /** The operator CLI on this test's stack (config file with the test's task queues and providers). */
  function cli(...args: string[]): Promise<CliRun> {
    return alphabetOnTestStack(args, {
      ALPHABET_CONFIG: configFile,
      LOG_LEVEL: 'warn',
      USER: 'paper-tester',
    });
  }

  function start(
    id: string,
    request: PaperTradingRequest,
  ): Promise<WorkflowHandle<typeof paperTradingWorkflow>> {
    return client.workflow.start<typeof paperTradingWorkflow>(PAPER_WORKFLOW, {
      workflowId: id,
      taskQueue: loaded.config.temporal.taskQueues.strategies,
      args: [request],
    });
  }

  beforeAll(async () => {
    loaded = testConfig();
    reportDir = mkdtempSync(join(tmpdir(), 'alphabet-paper-reports-'));
    const c = loaded.config;
    await useSimulatedMarket(loaded, SIM, 11);
    c.paper = { ...c.paper, progressIntervalSeconds: 0.5, reportDir };
    // Disabled and in backtest mode: a session runs the strategy whatever its own workflow does.
    platform = await startSimulatedPlatform(loaded, SIM, {
      db: stores.db,
      name: STRATEGY,
      enabled: false,
      mode: 'backtest',
      stakeMultiplier: '0',
    });
    client = platform.client;

    const doc = parseDocument(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
    doc.setIn(['temporal', 'taskQueues'], c.temporal.taskQueues);
    doc.set('providers', []);
    doc.set('paper', c.paper);
    configFile = join(mkdtempSync(join(tmpdir(), 'alphabet-paper-cli-')), 'config.yaml');
    writeFileSync(configFile, doc.toString());
  });

  afterAll(async () => {
    await platform?.stop();
    await stores.close();
  });

  it('runs to its bet count on its own bankroll, passes or fails the gate as configured, and reports', async () => {
    const pass = await start(`paper:${STRATEGY}:pass`, {
      strategy: STRATEGY,
      bankroll: '500',
      bets: 2,
      duration: '5m',
      settleTimeout: '3m',
      gate: OPEN_PAPER_GATE,
      by: 'tester',
    });
    // The same live board, judged by a gate no value bet can meet (yield at least 1000 %, odds at most 10).
    const fail = await start(`paper:${STRATEGY}:fail`, {
      strategy: STRATEGY,
      bankroll: 800,
      bets: 2,
      duration: '5m',
      settleTimeout: '3m',
      gate: { ...OPEN_PAPER_GATE, minYield: '10' },
    });

    // The stage shows in the Web UI: strategy and paper mode as search attributes, progress as a query.
    const early = await until(async () => {
      const s = await pass.query(paperProgressQuery);
      return s.counts.sweeps > 0 ? s : null;
    }, 'a first sweep');
    const described = await pass.describe();
    expect(described.typedSearchAttributes.get(SA.Strategy)).toBe(STRATEGY);
    expect(described.typedSearchAttributes.get(SA.StrategyMode)).toBe('paper');
    expect(early.bankroll).toBe('500');
    expect(early.maxBets).toBe(2);

    const passed = await pass.result();
    const failed = await fail.result();
    const why = (r: typeof passed) =>
      JSON.stringify({
        end: r.endReason,
        reasons: r.verdictReasons,
        bets: r.metrics.bets,
        open: r.metrics.unsettled,
      });
    expect(passed.verdict, why(passed)).toBe('pass');
    expect(failed.verdict, why(failed)).toBe('fail');
    expect(failed.verdictReasons.join(' ')).toMatch(/yield -?[\d.]+% below 1000%/);
    for (const [r, bankroll] of [
      [passed, '500'],
      [failed, '800'],
    ] as const) {
      expect(r.endReason).toBe('2 bets placed');
      expect(r.metrics.bets).toBeGreaterThanOrEqual(2);

      const session = r.sessionId;
      const { rows: bets } = await stores.db.query<{
        account: string;
        status: string;
        profit_loss: string | null;
        opportunity_id: string;
      }>(
        `SELECT account, status, profit_loss::text AS profit_loss, opportunity_id FROM bets WHERE paper_session_id = $1`,
        [session],
      );
      // Exactly the bet limit of opportunities placed, all on the session's own account.
      expect(new Set(bets.filter((b) => b.status !== 'skipped').map((b) => b.opportunity_id)).size).toBe(2);
      expect(new Set(bets.map((b) => b.account))).toEqual(new Set([paperAccount(session)]));
      // The ledger agrees with the bets to the cent: equity = bankroll + settled P&L.
      const settledPnl = bets.reduce((sum, b) => sum.plus(b.profit_loss ?? 0), new D(0));
      const b = await balances(stores.db, paperAccount(session));
      expect(new D(b.equity).eq(new D(bankroll).plus(settledPnl))).toBe(true);
      expect(new D(r.metrics.profit).eq(settledPnl)).toBe(true);
      // Every decision is recorded: nothing the session found is left pending.
      const { rows: pending } = await stores.db.query(
        `SELECT 1 FROM opportunities WHERE paper_session_id = $1 AND decision = 'pending'`,
        [session],
      );
      expect(pending).toHaveLength(0);
      // Stored with the session and written to the report directory.
      const { rows } = await stores.db.query<{ status: string; verdict: string; report_markdown: string }>(
        'SELECT status, verdict, report_markdown FROM paper_sessions WHERE session_id = $1',
        [session],
      );
      expect(rows[0]).toMatchObject({ status: 'completed', verdict: r.verdict });
      expect(rows[0]!.report_markdown).toContain(`# Paper trading: ${STRATEGY}`);
      expect(rows[0]!.report_markdown).toContain(`## Gate: ${r.verdict}`);
      expect(r.reportPath).not.toBeNull();
      expect(readFileSync(r.reportPath!, 'utf8')).toContain('![bankroll curve]');
      expect(existsSync(r.reportPath!.replace(/\.md$/, '-bankroll.svg'))).toBe(true);
    }
    // The strategy's own rollout measure never counts session bets.
    const { rows: leaked } = await stores.db.query(
      `SELECT 1 FROM bets WHERE strategy_name = $1 AND paper_session_id IS NULL`,
      [STRATEGY],
    );
    expect(leaked).toHaveLength(0);
    // The end was alerted (the console channel takes every event in the default routes).
    const alert = await resultOfStarted<{ delivered: string[] }>(
      client,
      `alert:${passed.sessionId}/paper.completed`,
    );
    expect(alert.delivered).toEqual(['console']);
  }, 720_000);

  it('pauses (paused time does not count), resumes, stops on a signal and refuses bad requests', async () => {
    // Two sweeps per run: pause, resume and the counts must survive continue-as-new.
    const handle = await client.workflow.start<typeof paperTradingWorkflow>(PAPER_WORKFLOW, {
      workflowId: `paper:${STRATEGY}:signals`,
      taskQueue: loaded.config.temporal.taskQueues.strategies,
      args: [
        {
          strategy: STRATEGY,
          bankroll: '1000',
          duration: '1h',
          settleTimeout: '1s',
          gate: OPEN_PAPER_GATE,
          iterationsPerRun: 2,
        },
      ],
    });
    await until(async () => (await handle.query(paperProgressQuery)).counts.sweeps > 0, 'a sweep');
    await controlPaperSession(client, handle.workflowId, 'pause', { by: 'alice', reason: 'lunch' });
    const paused = await until(async () => {
      const s = await handle.query(paperProgressQuery);
      return s.phase === 'paused' ? s : null;
    }, 'paused');
    expect(paused.pausedBy).toBe('alice');
    const sweeps = paused.counts.sweeps;
    await new Promise((r) => setTimeout(r, 3000));
    const still: PaperStatus = await handle.query(paperProgressQuery);
    expect(still.counts.sweeps).toBe(sweeps);
    expect(still.activeSeconds).toBe(paused.activeSeconds);

    await controlPaperSession(client, handle.workflowId, 'resume', { by: 'alice' });
    const resumed = await until(async () => {
      const s = await handle.query(paperProgressQuery);
      return s.counts.sweeps > sweeps + 4 ? s : null;
    }, 'sweeping again over several runs');
    expect(resumed.runs).toBeGreaterThan(paused.runs);
    expect(resumed.paused).toBe(false);
    expect(resumed.activeSeconds).toBeGreaterThanOrEqual(paused.activeSeconds);
    await controlPaperSession(client, handle.workflowId, 'stop', { by: 'bob', reason: 'enough', now: true });
    const result = await handle.result();
    expect(result.endReason).toBe('stopped by bob: enough');
    expect(['pass', 'inconclusive']).toContain(result.verdict);
    expect((await handle.query(paperProgressQuery)).phase).toBe('done');

    // A session id names one session for good: a new workflow under it is refused, not merged into it.
    const reused = await start(`paper:${STRATEGY}:signals`, { strategy: STRATEGY, bankroll: '1', bets: 1 });
    const reuseError = await reused.result().catch((e: unknown) => e);
    expect(reuseError).toBeInstanceOf(WorkflowFailedError);
    expect((reuseError as WorkflowFailedError).cause?.message).toContain(
      `session id "paper:${STRATEGY}:signals" belongs to an earlier paper session (completed`,
    );

    // The Web UI's JSON input is checked by the workflow itself: the failure names the field and value.
    const bad = await start(`paper:${STRATEGY}:bad`, {
      strategy: STRATEGY,
      bankroll: 'lots',
      duration: '6x',
    });
    const err = await bad.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const message = (err as WorkflowFailedError).cause?.message ?? '';
    expect(message).toContain('bankroll: expected a positive decimal amount');
    expect(message).toContain('(got "lots")');
    expect(message).toContain('duration: "6x" is not a duration');
  }, 180_000);

  it('is operated from the CLI: start, status, stop, report; bad options are refused before any workflow', async () => {
    const refused = await cli('paper', 'start', '--strategy', 'no-such-strategy', '--duration', '1h');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--strategy: unknown strategy "no-such-strategy"');
    const noLimit = await cli('paper', 'start', '--strategy', STRATEGY);
    expect(noLimit.code).toBe(2);
    expect(noLimit.stderr).toContain('duration: give a duration');
    const badParam = await cli(
      'paper',
      'start',
      '--strategy',
      STRATEGY,
      '--bets',
      '3',
      '--param',
      'minEdge=lots',
    );
    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toMatch(/minEdge/);

    const started = await cli(
      'paper',
      'start',
      '--strategy',
      STRATEGY,
      '--bankroll',
      '250.50',
      '--duration',
      '10m',
      '--settle-timeout',
      '1s',
      '--id',
      `paper:${STRATEGY}:cli`,
      '--json',
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const { sessionId } = JSON.parse(started.stdout) as { sessionId: string };
    expect(sessionId).toBe(`paper:${STRATEGY}:cli`);
    const handle = client.workflow.getHandle(sessionId);
    await until(
      async () => (await handle.query(paperProgressQuery)).counts.sweeps > 0,
      'a CLI session sweep',
    );

    const status = await cli('paper', 'status', sessionId);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${sessionId}: `);
    expect(status.stdout).toContain('bankroll 250.5');

    const stopped = await cli('paper', 'stop', sessionId, '--now', '--reason', 'cli test');
    expect(stopped.code).toBe(0);
    await handle.result();
    const sameId = await cli('paper', 'start', '--strategy', STRATEGY, '--bets', '1', '--id', sessionId);
    expect(sameId.code).toBe(2);
    expect(sameId.stderr).toContain(`--id: session "${sessionId}" was used before`);
    const again = await cli('paper', 'stop', sessionId);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('has ended (stopped by paper-tester: cli test)');

    const list = await cli('paper', 'status', '--strategy', STRATEGY, '--json');
    const sessions = JSON.parse(list.stdout) as { session_id: string; status: string }[];
    expect(sessions.find((s) => s.session_id === sessionId)?.status).toBe('completed');

    // The session's virtual bankroll is a ledger account of its own.
    const ledger = await cli('bankroll', '--account', paperAccount(sessionId), '--json');
    expect(ledger.code).toBe(0);
    const { accounts } = JSON.parse(ledger.stdout) as { accounts: { account: string; kind: string }[] };
    expect(accounts).toMatchObject([{ account: paperAccount(sessionId), kind: 'paper' }]);

    const dir = mkdtempSync(join(tmpdir(), 'alphabet-paper-report-'));
    const report = await cli('paper', 'report', sessionId, '--dir', dir, '--json');
    expect(report.code).toBe(0);
    const written = JSON.parse(report.stdout) as { report: string; chart: string };
    expect(readFileSync(written.report, 'utf8')).toContain(`Session \`${sessionId}\``);
    expect(readFileSync(written.chart, 'utf8')).toContain('<svg');
  }, 240_000);
});
