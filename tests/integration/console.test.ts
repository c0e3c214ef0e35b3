import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Page } from 'playwright-core';
import type { LoadedConfig } from '../../config/load';
import { PROJECT_ROOT } from '../../config/paths';
import { startBetLifecycle } from '../../workflows/bets/client';
import {
  betIdFor,
  betStateQuery,
  betWorkflowId,
  type BetLifecycleResult,
} from '../../workflows/bets/messages';
import { startStrategyWorkflows } from '../../workflows/strategies/client';
import { strategyStatusQuery, strategyWorkflowId } from '../../workflows/strategies/messages';
import {
  finishEvent,
  patchConfig,
  seedArbStrategies,
  seedEvent,
  seedStrategy,
  seedValueBet,
  TEAMS,
} from '../fixtures/bet-data';
import { runNames, manualPlacementPatch } from '../helpers/bet-setup';
import { openBrowser, startConsoleServer } from '../helpers/browser';
import { startWorkers, stopTestPlatform, testClient, testConfig, testStores } from '../helpers/platform';

/**
 * The web console in a real Chromium against the real stack (dev server, PostgreSQL, Redis) and the operator
 * API started in this process: a manual bet from its lifecycle to its settlement, a strategy paused, charts.
 */

const { run, SPORT, STRATEGY, ACCOUNT } = runNames('console', 'live');
const PAUSED = `console-pause-${run}`;
const EVENT = `ev-console-${run}`;
const OPP = `opp-console-${run}`;
const BET = betIdFor(OPP, 0);

/** What the page shows, looked at until it matches: the machine may be loaded, the page is live. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 30_000 });

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the web console in Chromium', () => {
  let loaded: LoadedConfig;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let client: Client;
  let server: Awaited<ReturnType<typeof startConsoleServer>>;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  const stores = testStores();
  const apiGet = async <T>(path: string): Promise<T> =>
    (await fetch(new URL(path, server.url))).json() as Promise<T>;
  const slip = () => page.locator(`.slip[data-bet-id="${BET}"]`);

  beforeAll(async () => {
    loaded = patchConfig(testConfig(), manualPlacementPatch(ACCOUNT, 120));
    workers = await startWorkers(loaded, ['bets', 'strategies']);
    client = await testClient();
    await seedStrategy(stores.db, STRATEGY, { mode: 'live' });
    // A strategy whose sweeps only record (an arbitrage scan of this board finds none): the one to pause.
    await seedArbStrategies(stores.db, [PAUSED], { stakeMultiplier: '0', fallbackIntervalMs: 5000 });
    await startStrategyWorkflows(client, loaded, stores.db, { names: [PAUSED], handOff: 'record-only' });
    server = await startConsoleServer(loaded);
    browser = await openBrowser();
    page = browser.page;
    await page.goto(server.url);
    await page.locator('#live.ok').waitFor({ timeout: 30_000 }); // the live stream is connected
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await stopTestPlatform({
      workers,
      client,
      stores,
      workflowIds: [betWorkflowId(OPP), strategyWorkflowId(PAUSED)],
    });
  });

  it(
    'shows a manual bet within 2 s of its lifecycle awaiting confirmation, as a slip',
    { timeout: 120_000 },
    async () => {
      // Starts soon enough for the lifecycle to settle within the test, late enough to confirm first.
      await seedEvent(stores.db, { eventId: EVENT, sport: SPORT, startInMs: 45_000 });
      const opp = await seedValueBet(stores.db, stores.redis, loaded.config.redis.keyPrefix, {
        id: OPP,
        strategy: STRATEGY,
        sport: SPORT,
        eventId: EVENT,
      });
      await startBetLifecycle(client, opp, {
        taskQueue: loaded.config.temporal.taskQueues.bets,
        eventLabel: 'KC@BUF',
      });
      const shown = slip()
        .waitFor({ timeout: 60_000 })
        .then(() => Date.now());
      // When the lifecycle reached the state, by its own timeline.
      const handle = client.workflow.getHandle(betWorkflowId(OPP));
      const reached = await until('awaiting_confirmation', async () => {
        const s = await handle.query(betStateQuery);
        const step = s.timeline.find((t) => t.step.startsWith('awaiting confirmation'));
        return s.phase === 'awaiting_confirmation' && step ? Date.parse(step.at) : null;
      });
      const seenAt = await shown;
      expect(seenAt - reached).toBeLessThanOrEqual(2000);

      // The slip: book, event, market and line, outcome, quoted price, suggested stake, edge, time left.
      const header = slip().locator('header');
      await poll(() => header.textContent()).toBe(`draftkings · KC@BUF · h2h · ${TEAMS.away}`);
      expect(await slip().locator('.quoted').textContent()).toBe('2.1');
      expect(await slip().locator('.suggested').textContent()).toBe('200');
      expect(await slip().locator('.edge').textContent()).toBe('5.00%');
      await poll(() => slip().locator('.countdown').textContent()).toMatch(/^\d+s$|^\dm \d\ds$/);
      await poll(() => slip().locator('a.lifecycle').getAttribute('href')).toContain(
        encodeURIComponent(betWorkflowId(OPP)),
      );
    },
  );

  it('refuses a price outside the tolerance on screen, under the odds field (the README screenshot)', async () => {
    await slip().locator('input[name=odds]').fill('150');
    await slip().locator('input[name=stake]').fill('150');
    await slip().locator('form.confirm button[type=submit]').click();
    const error = slip().locator('[data-error-for="odds"]');
    await poll(() => error.textContent()).toContain('odds: 150 is outside 2% of the quoted 2.1');
    expect(await slip().locator('.override').isVisible()).toBe(true);
    // The README's picture: a slip with its refusal, the strategies, the charts so far.
    await page.screenshot({ path: resolve(PROJECT_ROOT, 'docs/console.png'), fullPage: true });
    // Every strategy's buttons and parameters are inside the strategies panel, none cut at its edge.
    // Measured in the page in one go: live updates re-render the panel between two round trips.
    // (No DOM types in this project: the few element methods used, written out.)
    type Box = { getBoundingClientRect(): { right: number }; getClientRects(): ArrayLike<unknown> };
    type Panel = Box & {
      querySelectorAll(selector: string): ArrayLike<Box & { textContent: string | null }>;
    };
    const measure = () =>
      page.locator('#strategies').evaluate((element) => {
        const panel = element as unknown as Panel;
        const edge = panel.getBoundingClientRect().right;
        const shown = Array.from(panel.querySelectorAll('button, summary')).filter(
          (c) => c.getClientRects().length > 0,
        );
        return {
          shown: shown.length,
          cut: shown.filter((c) => c.getBoundingClientRect().right > edge).map((c) => c.textContent),
        };
      });
    // The panel is drawn once /api/strategies has answered (a loaded machine can be slow to).
    await poll(async () => (await measure()).shown).toBeGreaterThan(0);
    expect((await measure()).cut).toEqual([]);
    const s = await client.workflow.getHandle(betWorkflowId(OPP)).query(betStateQuery);
    expect(s.legs[0]).toMatchObject({ status: 'awaiting_confirmation' });
  });

  it(
    'confirms the price and stake got in the browser, and the lifecycle completes',
    { timeout: 180_000 },
    async () => {
      await slip().locator('input[name=odds]').fill('2.08');
      await slip().locator('input[name=stake]').fill('150');
      await slip().locator('input[name=bookReference]').fill('DK-1');
      await slip().locator('form.confirm button[type=submit]').click();

      const handle = client.workflow.getHandle(betWorkflowId(OPP));
      await until('placed', async () => (await handle.query(betStateQuery)).legs[0]?.status === 'placed');
      expect((await handle.query(betStateQuery)).legs[0]).toMatchObject({ stake: '150', price: '2.08' });
      await slip().waitFor({ state: 'detached', timeout: 20_000 });
      await page.locator('#open-bets td', { hasText: EVENT }).first().waitFor({ timeout: 20_000 });

      await finishEvent(stores.db, EVENT, { [TEAMS.away]: '31', [TEAMS.home]: '17' });
      const r = (await handle.result()) as BetLifecycleResult;
      expect(r.status).toBe('won');
      const settled = page.locator('#settled tr', { hasText: EVENT });
      await settled.waitFor({ timeout: 20_000 });
      expect(await settled.textContent()).toContain('won');
    },
  );

  it('draws the run’s bankroll and P&L series', { timeout: 60_000 }, async () => {
    type Drawn = { data: ArrayLike<number>[]; x: [number, number] | null; empty?: string };
    // window.__charts (console/src/charts.ts): what uPlot drew, per chart.
    const chart = (name: string) =>
      page.evaluate(
        (n) => (globalThis as unknown as { __charts: Record<string, Drawn | undefined> }).__charts[n],
        name,
      );
    const drawn = async (name: string) => (await chart(name))?.data.map((s) => Array.from(s));
    // A strategy without a settled bet (the one that only records): a message, not an axis around 1970.
    await page.locator('#charts select[name=strategy]').selectOption(PAUSED);
    const empty = page.locator('#chart-performance');
    await poll(() => empty.textContent()).toContain('no settled bets yet');
    expect(await empty.locator('canvas').count()).toBe(0);
    expect(await chart('performance')).toMatchObject({ x: null, empty: 'no settled bets yet' });

    await page.locator('select[name=account]').selectOption(ACCOUNT);
    await page.locator('#charts select[name=strategy]').selectOption(STRATEGY);
    const history = await apiGet<{ at: string; balance: string }[]>(
      `/api/bankroll/history?account=${ACCOUNT}`,
    );
    const perf = await apiGet<{ at: string; cumulativePnl: string; cumulativeClv: string }[]>(
      `/api/strategies/${STRATEGY}/performance`,
    );
    expect(history.length).toBeGreaterThanOrEqual(3); // deposit, reserve and place, settle
    expect(perf.length).toBe(1);
    await poll(() => drawn('bankroll')).toEqual([
      history.map((p) => Date.parse(p.at) / 1000),
      history.map((p) => Number(p.balance)),
    ]);
    await poll(() => drawn('performance')).toEqual([
      perf.map((p) => Date.parse(p.at) / 1000),
      perf.map((p) => Number(p.cumulativePnl)),
      perf.map((p) => Number(p.cumulativeClv)),
    ]);
    expect(perf[0]!.cumulativePnl).toBe('162'); // 150 at 2.08 won
    // Points seconds apart (a deposit, a reservation, a placement) get a time axis of two hours at least,
    // never one of milliseconds; one point (the P&L) too.
    for (const name of ['bankroll', 'performance']) {
      const span = async () => {
        const x = (await chart(name))?.x;
        return x ? x[1] - x[0] : null;
      };
      await poll(span).toBeGreaterThan(7199); // 7200, give or take the float rounding of epoch seconds
    }
  });

  it('shows a refused parameter under its own field', async () => {
    const row = page.locator(`tr[data-strategy="${PAUSED}"]`);
    await row.locator('summary').click();
    await row.locator('input[name=minProfit]').fill('a lot');
    await row.locator('form.parameters button[type=submit]').click();
    await poll(() => row.locator('[data-error-for="minProfit"]').textContent()).toContain('minProfit');
    expect(await row.locator('[data-error-for="general"]').textContent()).toBe('');
  });

  it('pauses a strategy from the console: its workflow is paused', { timeout: 60_000 }, async () => {
    const pause = page.locator(`button.pause[data-strategy="${PAUSED}"]`);
    await poll(() => pause.isEnabled()).toBe(true);
    await pause.click();
    const handle = client.workflow.getHandle(strategyWorkflowId(PAUSED));
    await until('paused', async () => (await handle.query(strategyStatusQuery)).paused, 20_000);
    await poll(() => page.locator(`tr[data-strategy="${PAUSED}"]`).textContent()).toContain('paused');
    expect(browser.errors).toEqual([]);
  });
});
