import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import {
  resultOfStarted,
  alphabetOnTestStack,
  testConfig,
  testStores,
  stopTestPlatform,
  type RunningWorkers,
} from '../helpers/platform';
import { finishEvent, ledgerReport, patchConfig, TEAMS } from '../fixtures/bet-data';
import {
  runNames,
  awaitConfirmationStatus,
  manualPlacementPatch,
  startBetWorkers,
  valueBetSeeder,
} from '../helpers/bet-setup';
import { startBetLifecycle } from '../../workflows/bets/client';
import {
  betIdFor,
  betStateQuery,
  betWorkflowId,
  confirmPlacementUpdate,
  settleBetUpdate,
  type BetLifecycleResult,
} from '../../workflows/bets/messages';
import type { AlertDeliveryResult } from '../../workflows/alerts/messages';
import type { LoadedConfig } from '../../config/load';

const names = runNames('manual', 'live');
const { SPORT, STRATEGY, ACCOUNT } = names;

async function cli(args: string[]) {
  const r = await alphabetOnTestStack(args);
  if (process.env.CLI_DEBUG)
    process.stderr.write(
      `CLI ${args.join(' ')} → ${r.code} ${r.code === 0 ? r.stdout.slice(0, 300) : r.stderr}\n`,
    );
  return r;
}

/** `alphabet bets confirm` at these odds and stake, with any further options. */
const cliConfirm = (betId: string, odds: string, stake: string, ...options: string[]) =>
  cli(['bets', 'confirm', betId, '--odds', odds, '--stake', stake, ...options]);

describe('manual placement: an operator confirms through the CLI, or the bet expires', () => {
  let loaded: LoadedConfig;
  let workers: RunningWorkers;
  let client: Client;
  const stores = testStores();

  beforeAll(async () => {
    loaded = patchConfig(testConfig(), {
      // `live` strategies place by hand (liveMode: manual); 2 minutes to confirm, never past the start.
      ...manualPlacementPatch(ACCOUNT, 120),
      // Only the price override alert is delivered (to the console), so the test can await its delivery.
      alerts: { routes: [{ events: ['bet.price_override'], minSeverity: 'info', channels: ['console'] }] },
    });
    ({ workers, client } = await startBetWorkers(loaded, stores.db, STRATEGY, { mode: 'live' }));
  });

  afterAll(async () => {
    await stopTestPlatform({ workers, client, stores });
  });

  const awaiting = (betId: string) => awaitConfirmationStatus(stores.db, betId);
  const valueBet = valueBetSeeder(stores, () => loaded.config.redis.keyPrefix, names);
  /** The workflow's refusal of an update (its validator's message); fails the test if it was accepted. */
  const refusal = (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => {
        throw new Error('the update was accepted');
      },
      (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
    );

  it(
    'confirmed through `alphabet bets confirm`, it is placed with the operator’s odds and stake and settles',
    { timeout: 240_000 },
    async () => {
      // Scores are taken only after the start: a start close enough to wait for, far enough to confirm by.
      const opp = await valueBet('confirm', 90_000);
      const eventId = opp.market.eventId;
      const betId = betIdFor(opp.id, 0);
      await startBetLifecycle(client, opp, {
        taskQueue: loaded.config.temporal.taskQueues.bets,
        eventLabel: 'KC@BUF',
      });
      await awaiting(betId);

      // Invalid input is refused before it reaches the workflow: exit 2, one line naming the argument.
      const badOdds = await cliConfirm(betId, '0.95', '10');
      expect(badOdds.code).toBe(2);
      expect(badOdds.stderr.trim().split('\n')).toHaveLength(1);
      expect(badOdds.stderr).toContain('--odds');
      const tooMuch = await cliConfirm(betId, '2.05', '900');
      expect(tooMuch.code).toBe(2);
      expect(tooMuch.stderr).toMatch(/--stake: 900 is more than the 200 reserved/);
      const unknown = await cliConfirm('no-such-bet', '2.05', '10');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('<id>');
      // An American price typed without its sign is refused by the workflow: far outside the quoted 2.1.
      const unsigned = await cliConfirm(betId, '150', '150');
      expect(unsigned.code).toBe(2);
      expect(unsigned.stderr).toContain(
        'odds: 150 is outside 2% of the quoted 2.1 (accepted 2.058–2.142); send override with a reason',
      );
      const american = await cliConfirm(betId, '150', '150', '--odds-format', 'american');
      expect(american.code).toBe(2);
      expect(american.stderr).toContain('odds: 2.5 is outside 2% of the quoted 2.1');

      const confirmed = await cliConfirm(betId, '2.08', '150', '--ref', 'DK-778', '--json');
      expect(confirmed.stderr).toBe('');
      expect(confirmed.code).toBe(0);
      expect(JSON.parse(confirmed.stdout).bet).toMatchObject({
        status: 'placed',
        stake: '150',
        price: '2.08',
        bookReference: 'DK-778',
      });

      // A second confirmation is refused (the bet is placed now).
      expect((await cliConfirm(betId, '2.08', '150')).code).toBe(2);

      const shown = JSON.parse((await cli(['bets', 'show', betId, '--json'])).stdout) as {
        bet: { ledger: { kind: string }[] };
        lifecycle: { legs: unknown[] };
      };
      expect(shown.bet).toMatchObject({ status: 'placed', bookReference: 'DK-778' });
      expect(shown.lifecycle.legs[0]).toMatchObject({ status: 'placed', stake: '150' });
      expect(shown.bet.ledger.map((t) => t.kind)).toEqual(['reserve', 'place']);

      // The result is recorded before the lifecycle's start timer fires: scores by hand are refused until the
      // event has started; after the start the lifecycle finds the result itself.
      await finishEvent(stores.db, eventId, { [TEAMS.away]: '31', [TEAMS.home]: '17' });
      const bankroll = JSON.parse((await cli(['bankroll', '--account', ACCOUNT, '--json'])).stdout);
      expect(bankroll.accounts[0]).toMatchObject({
        account: ACCOUNT,
        atRisk: '150',
        reserved: '0',
        available: '9850',
      });
      expect(bankroll.accounts[0].exposureByEvent).toEqual([
        { eventId, sport: SPORT, stake: '150', bets: 1 },
      ]);

      const handle = client.workflow.getHandle(betWorkflowId(opp.id));
      expect(
        await refusal(
          handle.executeUpdate('settle', {
            args: [{ scores: { [TEAMS.away]: '31', [TEAMS.home]: '17' }, by: 'test' }],
          }),
        ),
      ).toMatch(/^scores: the event has not started/);
      const r = (await handle.result()) as BetLifecycleResult;
      expect(r.status).toBe('won');
      const { rows } = await stores.db.query(
        `SELECT status, profit_loss::text AS pl, decided_by FROM bets WHERE bet_id = $1`,
        [betId],
      );
      expect(rows[0]).toMatchObject({ status: 'won', pl: '162' }); // 150 × (2.08 − 1)
      expect(rows[0].decided_by).toMatch(/^cli/);
      const ledger = await ledgerReport(stores.db, ACCOUNT);
      expect(ledger.unbalanced).toEqual([]);
      expect(ledger.buckets).toMatchObject({ available: '10162', reserved: '0', at_risk: '0' });

      const listed = JSON.parse(
        (await cli(['bets', 'list', '--strategy', STRATEGY, '--status', 'won', '--json'])).stdout,
      ) as { bets: { betId: string }[] };
      expect(listed.bets.map((b) => b.betId)).toEqual([betId]);
    },
  );

  it(
    'unconfirmed, it expires at the start and the reservation is released; skip records the reason',
    { timeout: 120_000 },
    async () => {
      // The deadline is the earlier of 2 minutes and the event's start: 8 s.
      const opp = await valueBet('expire', 8_000);
      const skippedOpp = await valueBet('skip', 600_000);
      const q = loaded.config.temporal.taskQueues.bets;
      await startBetLifecycle(client, opp, { taskQueue: q });
      await startBetLifecycle(client, skippedOpp, { taskQueue: q });
      await awaiting(betIdFor(skippedOpp.id, 0));
      const skip = await cli([
        'bets',
        'skip',
        betIdFor(skippedOpp.id, 0),
        '--reason',
        'limits at the book',
        '--json',
      ]);
      expect(skip.code).toBe(0);
      expect(JSON.parse(skip.stdout).bet).toMatchObject({
        status: 'skipped',
        reason: 'operator: limits at the book',
      });

      const r = (await client.workflow.getHandle(betWorkflowId(opp.id)).result()) as BetLifecycleResult;
      expect(r.status).toBe('expired');
      const { rows } = await stores.db.query<{ kind: string }>(
        `SELECT t.kind FROM ledger_transactions t WHERE t.bet_id = $1 ORDER BY t.txn_id`,
        [betIdFor(opp.id, 0)],
      );
      expect(rows.map((x) => x.kind)).toEqual(['reserve', 'release']);
      const expiredConfirm = await cliConfirm(betIdFor(opp.id, 0), '2', '10');
      expect(expiredConfirm.code).toBe(2);
      expect(expiredConfirm.stderr).toContain('is expired');
    },
  );
  it(
    'the raw updates (as the Web UI sends them) check price tolerance, stake unit and scores; an override is recorded and alerted',
    { timeout: 180_000 },
    async () => {
      const opp = await valueBet('override', 600_000, { price: '2.5' });
      const betId = betIdFor(opp.id, 0);
      await startBetLifecycle(client, opp, { taskQueue: loaded.config.temporal.taskQueues.bets });
      await awaiting(betId);
      const handle = client.workflow.getHandle(betWorkflowId(opp.id));
      const confirm = (req: Record<string, unknown>) =>
        handle.executeUpdate(confirmPlacementUpdate, {
          args: [{ betId, odds: '150', stake: '100', ...req }],
        });

      // An American +150 typed as decimal: refused with the quoted price and the tolerance.
      expect(await refusal(confirm({ by: 'ui:alice' }))).toBe(
        'odds: 150 is outside 2% of the quoted 2.5 (accepted 2.45–2.55); send override with a reason to take it',
      );
      // The stake unit holds without the CLI too.
      expect(await refusal(confirm({ odds: '2.5', stake: '100.005', by: 'ui:alice' }))).toBe(
        'stake: 100.005 is not a whole multiple of the stake unit 0.01',
      );
      expect(await refusal(confirm({ override: { reason: 'boosted price' } }))).toBe(
        'by: an override must say who takes it',
      );
      expect(await refusal(confirm({ by: 'ui:alice', override: { reason: ' ' } }))).toMatch(/^override: /);

      const override = { by: 'ui:alice', override: { reason: 'boosted price promotion, slip BX-1' } };
      expect(await confirm(override)).toMatchObject({ status: 'placed', price: '150', stake: '100' });
      // The same decision delivered again (a retried request) is accepted and answered the same.
      expect(await confirm(override)).toMatchObject({ status: 'placed', price: '150' });
      const { rows } = await stores.db.query(
        `SELECT status, price::text AS price, decided_by, price_override_reason,
                price_override_quoted::text AS quoted
           FROM bets WHERE bet_id = $1`,
        [betId],
      );
      expect(rows[0]).toEqual({
        status: 'placed',
        price: '150',
        decided_by: 'ui:alice',
        price_override_reason: 'boosted price promotion, slip BX-1',
        quoted: '2.5',
      });
      const alert = await resultOfStarted<AlertDeliveryResult>(
        client,
        `alert:${betWorkflowId(opp.id)}/bet.price_override/${betId}`,
      );
      expect(alert.delivered).toEqual(['console']);

      // Settlement by hand: scores ≥ 0, by the event's participants, and only after the start; void any time.
      for (let i = 0; i < 300 && (await handle.query(betStateQuery)).phase !== 'awaiting_start'; i++)
        await new Promise((r) => setTimeout(r, 100));
      const settle = (req: Record<string, unknown>) =>
        handle.executeUpdate(settleBetUpdate, { args: [{ by: 'test', ...req }] });
      expect(await refusal(settle({ scores: { [TEAMS.away]: '-3', [TEAMS.home]: '17' } }))).toMatch(
        /^scores\.Kansas City Chiefs: expected a score of at least 0 .*got "-3"/,
      );
      expect(await refusal(settle({ scores: { Chiefs: '31', [TEAMS.home]: '17' } }))).toBe(
        'scores: "Chiefs" is not a participant of this event (expected "Buffalo Bills", "Kansas City Chiefs")',
      );
      expect(await refusal(settle({ scores: { [TEAMS.away]: '31', [TEAMS.home]: '17' } }))).toMatch(
        /^scores: the event has not started \(it starts at .*\); send void with a reason/,
      );
      const state = await settle({ void: 'operator test: game moved' });
      expect(state.phase).toBe('done');
      expect(state.status).toBe('voided');
      const after = await stores.db.query(
        `SELECT status, profit_loss::text AS pl FROM bets WHERE bet_id = $1`,
        [betId],
      );
      expect(after.rows[0]).toEqual({ status: 'voided', pl: '0' });
      expect((await ledgerReport(stores.db, ACCOUNT)).unbalanced).toEqual([]);
    },
  );
});
