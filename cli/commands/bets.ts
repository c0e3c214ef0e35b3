import { userInfo } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { loadConfig, type LoadedConfig } from '../../config/load';
import { createPool, type Pool } from '../../activities/infra/postgres';
import { connectClient } from '../../activities/infra/temporal';
import { getBet, listBets, type BetDetail, type BetListRow } from '../../activities/bets/queries';
import { BetStatus } from '../../shared/entities';
import { betWorkflowId } from '../../shared/bets';
import {
  checkConfirmable,
  ManualInputError,
  parseOperatorOdds,
  parseOperatorStake,
} from '../../shared/manual';
import { D, ODDS_FORMATS, type OddsFormat } from '../../shared/math';
import type { BetLegView, BetLifecycleState } from '../../workflows/bets/messages';
import { betState, confirmPlacement, skipBet } from '../../workflows/bets/client';
import { emit, UsageError, type OutputOptions } from '../output';

/** The CLI's names for the operator's fields in shared/manual.ts refusals. */
const FIELDS = { odds: '--odds', format: '--odds-format', id: '<id>', stake: '--stake' };

/** shared/manual.ts refusals as the CLI's one-line, exit-2 usage errors. */
function usage<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ManualInputError) throw new UsageError(err.message);
    throw err;
  }
}

export function parseOddsArgument(text: string, format: OddsFormat): string {
  return usage(() => parseOperatorOdds(text, format, FIELDS));
}

export function parseStakeArgument(text: string, unit: string): string {
  return usage(() => parseOperatorStake(text, unit, FIELDS.stake));
}

function positiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name}: expected a whole number ≥ 1`);
    return n;
  };
}

async function withDb<T>(loaded: LoadedConfig, fn: (db: Pool) => Promise<T>): Promise<T> {
  const db = createPool(loaded.config.database.url, 2);
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** The bet, or a usage error naming the id: nothing reaches a workflow for an unknown bet. */
async function requireBet(db: Pool, id: string): Promise<BetDetail> {
  const bet = await getBet(db, id);
  if (!bet) throw new UsageError(`<id>: no bet ${JSON.stringify(id)} (see \`alphabet bets list\`)`);
  return bet;
}

function requireAwaiting(bet: BetDetail, stake: string | null = null): void {
  usage(() => checkConfirmable(bet, stake, FIELDS));
}

function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function line(b: BetListRow): string {
  const money = (x: string | null) => (x === null ? '' : new D(x).toFixed(2));
  return [
    b.betId.padEnd(28),
    b.status.padEnd(22),
    `${money(b.stake)} @ ${b.price}`.padEnd(18),
    b.bookmaker.padEnd(12),
    `${b.market} ${b.outcome}${b.point === null ? '' : ` ${b.point}`}`.padEnd(34),
    b.profitLoss === null ? '' : `P&L ${money(b.profitLoss)}`,
  ].join(' ');
}

function legLine(l: BetLegView): string {
  return `${l.betId}: ${l.status}${l.stake === null ? '' : ` ${new D(l.stake).toFixed(2)} @ ${l.price} ${l.bookmaker}`}${
    l.bookReference ? ` (ref ${l.bookReference})` : ''
  }${l.reason ? ` — ${l.reason}` : ''}`;
}

export function registerBets(program: Command): void {
  const bets = program
    .command('bets')
    .description('bets: list, show, and confirm or skip those awaiting an operator');

  bets
    .command('list')
    .description('recent bets, newest first')
    .option('--status <status>', `only this status (${BetStatus.options.join(', ')})`)
    .option('--strategy <name>', 'only this strategy')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50)
    .option('--json', 'machine-readable output')
    .action(async (opts: OutputOptions & { status?: string; strategy?: string; limit: number }) => {
      if (opts.status !== undefined && !BetStatus.safeParse(opts.status).success)
        throw new UsageError(
          `--status: ${JSON.stringify(opts.status)} is not one of ${BetStatus.options.join(', ')}`,
        );
      if (opts.strategy !== undefined && !/^[a-z0-9][a-z0-9_-]*$/.test(opts.strategy))
        throw new UsageError(`--strategy: ${JSON.stringify(opts.strategy)} is not a strategy name`);
      const loaded = loadConfig();
      const rows = await withDb(loaded, (db) =>
        listBets(db, { status: opts.status, strategy: opts.strategy, limit: opts.limit }),
      );
      emit({ bets: rows }, opts, (r) => (r.bets.length ? r.bets.map(line).join('\n') : 'no bets'));
    });

  bets
    .command('show')
    .description("one bet: its record, its ledger entries and its lifecycle's live state")
    .argument('<id>', 'bet id, e.g. opp-123#1')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: OutputOptions) => {
      const loaded = loadConfig();
      const bet = await withDb(loaded, (db) => requireBet(db, id));
      let lifecycle: BetLifecycleState | null = null;
      let lifecycleError: string | null = null;
      // The database record stands on its own; the live state is added when Temporal answers.
      const client = await connectClient(loaded.config, loaded.secrets).catch((err: Error) => {
        lifecycleError = `Temporal unreachable: ${err.message}`;
        return null;
      });
      if (client) {
        try {
          lifecycle = await betState(client, bet.opportunityId);
        } catch (err) {
          lifecycleError =
            err instanceof WorkflowNotFoundError ? 'no lifecycle workflow' : (err as Error).message;
        } finally {
          await client.connection.close();
        }
      }
      const url = `${loaded.config.temporal.uiUrl}/namespaces/${loaded.config.temporal.namespace}/workflows/${encodeURIComponent(betWorkflowId(bet.opportunityId))}`;
      emit({ bet, lifecycle, lifecycleError, url }, opts, (r) =>
        [
          line(r.bet),
          `reason: ${r.bet.reason ?? '—'} · ref ${r.bet.bookReference ?? '—'} · CLV sharp ${r.bet.clvSharp ?? '—'} book ${r.bet.clvBook ?? '—'}`,
          ...r.bet.ledger.map((t) => `  ${t.at} ${t.kind.padEnd(8)} ${JSON.stringify(t.entries)}`),
          r.lifecycle
            ? `lifecycle: ${r.lifecycle.phase}, ${r.lifecycle.status}\n  ${r.lifecycle.legs.map(legLine).join('\n  ')}`
            : `lifecycle: ${r.lifecycleError ?? '—'}`,
          r.url,
        ].join('\n'),
      );
    });

  bets
    .command('confirm')
    .description('confirm a bet placed by hand at the book: the odds taken, the stake, the book reference')
    .argument('<id>', 'bet id awaiting confirmation')
    .requiredOption('--odds <odds>', 'odds taken, in --odds-format: 1.95 (decimal), -105 (American), 6/4')
    .addOption(
      new Option(
        '--odds-format <format>',
        'how --odds is written (default: config operator.oddsFormat)',
      ).choices(ODDS_FORMATS),
    )
    .requiredOption('--stake <amount>', 'stake placed, at most the reserved stake')
    .option('--ref <reference>', "the book's bet reference")
    .option(
      '--override <reason>',
      'take a price outside placement.requote.priceTolerance of the quoted price (recorded and alerted)',
    )
    .option('--json', 'machine-readable output')
    .action(
      async (
        id: string,
        opts: OutputOptions & {
          odds: string;
          oddsFormat?: OddsFormat;
          stake: string;
          ref?: string;
          override?: string;
        },
      ) => {
        const loaded = loadConfig();
        const odds = parseOddsArgument(opts.odds, opts.oddsFormat ?? loaded.config.operator.oddsFormat);
        const stake = parseStakeArgument(opts.stake, loaded.config.risk.stakeUnit);
        if (opts.ref !== undefined && (opts.ref.trim() === '' || opts.ref.length > 200))
          throw new UsageError('--ref: expected text of 1 to 200 characters');
        if (opts.override !== undefined && (opts.override.trim() === '' || opts.override.length > 500))
          throw new UsageError('--override: expected a reason of 1 to 500 characters');
        const bet = await withDb(loaded, (db) => requireBet(db, id));
        requireAwaiting(bet, stake);
        const leg = await update(loaded, bet, (client) =>
          confirmPlacement(client, bet.opportunityId, {
            betId: bet.betId,
            odds,
            stake,
            bookReference: opts.ref ?? null,
            by: operator(),
            override: opts.override === undefined ? null : { reason: opts.override.trim() },
          }),
        );
        emit({ bet: leg }, opts, (r) => legLine(r.bet));
      },
    );

  bets
    .command('skip')
    .description('skip a bet awaiting confirmation, with the reason')
    .argument('<id>', 'bet id awaiting confirmation')
    .requiredOption('--reason <text>', 'why it is not placed')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: OutputOptions & { reason: string }) => {
      if (opts.reason.trim() === '' || opts.reason.length > 500)
        throw new UsageError('--reason: expected text of 1 to 500 characters');
      const loaded = loadConfig();
      const bet = await withDb(loaded, (db) => requireBet(db, id));
      requireAwaiting(bet);
      const leg = await update(loaded, bet, (client) =>
        skipBet(client, bet.opportunityId, { betId: bet.betId, reason: opts.reason.trim(), by: operator() }),
      );
      emit({ bet: leg }, opts, (r) => legLine(r.bet));
    });
}

async function update<T>(
  loaded: LoadedConfig,
  bet: BetDetail,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = await connectClient(loaded.config, loaded.secrets);
  try {
    return await fn(client);
  } catch (err) {
    // The workflow's own validator refused it (a price outside the tolerance, a race with the deadline):
    // say so in one line; a refused request is a bad argument (exit 2) like the CLI's own checks.
    const message = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    const text = message.includes(bet.betId) ? message : `bet ${bet.betId}: ${message}`;
    throw err instanceof WorkflowUpdateFailedError ? new UsageError(text) : new Error(text);
  } finally {
    await client.connection.close();
  }
}
