// Shared by the worker-kill tests (bet-kill, prod-server): the config, the seeded bets, and the
// end-of-run checks that every bet ended once and the ledger balances to the cent.
import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import type { Client } from '@temporalio/client';
import { ledgerReport, seedEvent, seedValueBet, TEAMS } from '../fixtures/bet-data';
import type { testStores } from './platform';
import { QUICK_SETTLEMENT } from './bet-setup';
import { startBetLifecycle } from '../../workflows/bets/client';
import { betWorkflowId, type BetLifecycleResult } from '../../workflows/bets/messages';
import type { Opportunity } from '../../shared/entities';
import { settleBet } from '../../shared/settlement';
import { D } from '../../shared/math';

type Stores = ReturnType<typeof testStores>;

export const BET_ENDINGS = new Set(['won', 'lost', 'push', 'voided', 'skipped', 'rejected']);

/** Paper account with a 100000 bankroll, 15% rejections and short settlement polls. */
export function chaosConfigPatch(account: string) {
  return {
    risk: { bankroll: '100000', maxSportExposureFraction: '1', accounts: { paper: account } },
    placement: {
      // Staleness is unit-tested; here a slow machine must not turn every bet into a stale-quote skip.
      requote: { maxQuoteAgeSeconds: 3600 },
      paper: { slippage: '0.01', rejectionProbability: '0.15' },
      settlement: QUICK_SETTLEMENT,
    },
    alerts: { routes: [] },
  };
}

export function killChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

/** `count` events starting 4–12 s from now (drawn from `random`), each with one value bet on it. */
export function seedChaosBets(
  stores: Stores,
  prefix: string,
  o: { tag: string; sport: string; strategy: string; count: number; random: () => number },
): Promise<Opportunity[]> {
  const starts = Array.from({ length: o.count }, () => 4_000 + Math.floor(o.random() * 8_000));
  return Promise.all(
    starts.map(async (startInMs, i) => {
      const eventId = `ev-${o.tag}-${i}`;
      await seedEvent(stores.db, {
        eventId,
        sport: o.sport,
        // Starts spread over a few seconds: some closing lines and settlements happen between kills.
        startInMs,
        result:
          i % 2 === 0
            ? { [TEAMS.away]: '27', [TEAMS.home]: '20' }
            : { [TEAMS.away]: '17', [TEAMS.home]: '23' },
      });
      return seedValueBet(stores.db, stores.redis, prefix, {
        id: `opp-${o.tag}-${i}`,
        strategy: o.strategy,
        sport: o.sport,
        eventId,
        // Every seventh opportunity has no edge left at the board's price: skipped by the re-quote.
        fair: i % 7 === 3 ? '0.45' : '0.52',
      });
    }),
  );
}

export interface ChaosBetRow {
  bet_id: string;
  status: string;
  stake: string;
  price: string;
  profit_loss: string | null;
  outcome: string;
  event_id: string;
}

/**
 * After the kills: every workflow and bet row has an ending, no money movement happened twice, each
 * settled P&L is what the rules give, and the account's ledger balances to the cent. Returns the bets.
 */
export async function expectChaosOutcome(
  client: Client,
  stores: Stores,
  opportunities: Opportunity[],
  o: { sport: string; strategy: string; account: string },
): Promise<ChaosBetRow[]> {
  const results = await Promise.all(
    opportunities.map(
      (opp) => client.workflow.getHandle(betWorkflowId(opp.id)).result() as Promise<BetLifecycleResult>,
    ),
  );
  for (const r of results) expect(BET_ENDINGS).toContain(r.status);

  // The database, checked directly.
  const { rows: bets } = await stores.db.query<ChaosBetRow>(
    `SELECT bet_id, status, stake::text, price::text, profit_loss::text, outcome, event_id
     FROM bets WHERE strategy_name = $1 ORDER BY bet_id`,
    [o.strategy],
  );
  expect(bets).toHaveLength(opportunities.length);
  for (const b of bets) expect(BET_ENDINGS).toContain(b.status);

  // No money movement happened twice for a bet (the unique indexes would refuse it; count anyway).
  const { rows: moves } = await stores.db.query<{ bet_id: string; kind: string; n: number }>(
    `SELECT t.bet_id, t.kind, count(*)::int AS n FROM ledger_transactions t JOIN bets b USING (bet_id)
     WHERE b.strategy_name = $1 GROUP BY 1, 2`,
    [o.strategy],
  );
  expect(moves.filter((m) => m.n !== 1)).toEqual([]);
  const placed = new Set(moves.filter((m) => m.kind === 'place').map((m) => m.bet_id));
  for (const b of bets)
    expect(placed.has(b.bet_id)).toBe(['won', 'lost', 'push', 'voided'].includes(b.status));

  // P&L exact: each settled bet's figure is what the rules give for its stake and price.
  const { rows: events } = await stores.db.query<{
    event_id: string;
    result: { scores: Record<string, string> };
  }>(`SELECT event_id, result FROM events WHERE sport = $1`, [o.sport]);
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

  const ledger = await ledgerReport(stores.db, o.account);
  expect(ledger.unbalanced).toEqual([]);
  expect(new D(ledger.buckets.reserved ?? '0').isZero()).toBe(true);
  expect(new D(ledger.buckets.at_risk ?? '0').isZero()).toBe(true);
  // NUMERIC sums keep trailing zeros ("100689.40"): compare the amounts, not their spelling.
  expect(new D(ledger.buckets.available!).toFixed()).toBe(new D('100000').plus(total).toFixed());
  expect(new D(ledger.buckets.external!).plus(ledger.buckets.available!).isZero()).toBe(true);
  return bets;
}

/** Starts one lifecycle per opportunity on `taskQueue`, with short workflow tasks so kills show quickly. */
export async function startChaosLifecycles(
  client: Client,
  opportunities: Opportunity[],
  taskQueue: string,
): Promise<void> {
  await Promise.all(
    opportunities.map((opp) =>
      startBetLifecycle(client, opp, { taskQueue, eventLabel: 'KC@BUF', workflowTaskTimeout: '5s' }),
    ),
  );
}
