import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { D, MathError, toSignificantString } from '../../shared/math';
import { boardFromOddsApi, fetchTimeFromName, latestUpdate } from '../../shared/strategies/recorded-board';
import { scanArbitrages, type LineArbitrage } from '../../shared/strategies';
import { emit, UsageError, type OutputOptions } from '../output';

interface ScanOptions extends OutputOptions {
  file: string;
  stake: string;
  round: string;
  minProfit: string;
  profitCap: string;
  staleMs: string;
  asOf?: string;
}

export interface ArbScanLeg {
  bookmaker: string;
  outcome: string;
  /** Signed point of this outcome (spreads −3.5 / +3.5, totals the total); null for h2h. */
  point: string | null;
  priceDecimal: string;
  stake: string | null;
}

export interface ArbScanOpportunity {
  eventId: string;
  market: 'h2h' | 'spreads' | 'totals';
  /** The absolute line for spreads, the total for totals, null for h2h. */
  point: string | null;
  /** 1/Σ(1/best price) − 1 as a fraction (0.0073 = 0.73%), 20 significant digits. */
  profitFraction: string;
  suspect: boolean;
  suspectReasons: string[];
  legs: ArbScanLeg[];
}

export interface ArbScanOutput {
  opportunities: ArbScanOpportunity[];
  /** Parts of the file the reader could not use (present only when there are some), e.g. an unknown market. */
  rejected?: { count: number; first: string };
}

/**
 * The guaranteed profit before rounding as both `arb` commands print it: a fraction of the outlay at 20
 * significant digits, so the same prices give the same string whichever solver (exact or Decimal) found it.
 */
export function profitFraction(profit: string): string {
  return toSignificantString(new D(profit), 20);
}

/** The profit fraction as people read it, the same in `arb scan` and `arb calc`: 0.0373493… → "3.7349%". */
export function profitPercentText(fraction: string): string {
  return `${new D(fraction).mul(100).toFixed(4)}%`;
}

function decimalOption(name: string, value: string, positive: boolean): string {
  if (!/^\d+(\.\d+)?$/.test(value) || (positive && new D(value).lte(0))) {
    throw new UsageError(`${name}: expected a ${positive ? 'positive ' : ''}decimal number, got "${value}"`);
  }
  return value;
}

/** The whole scan, as the CLI prints it: every line-aware arbitrage, suspect ones flagged, not hidden. */
export function arbScan(
  raw: unknown,
  asOf: string,
  options: Omit<ScanOptions, 'file' | 'asOf' | 'json'>,
): ArbScanOutput {
  const { snapshot, rejects } = boardFromOddsApi(raw, asOf);
  const scan = scanArbitrages(snapshot, {
    inPlay: 'flag',
    staleQuotes: 'flag',
    maxQuoteAgeMs: Number(options.staleMs),
    minProfit: options.minProfit,
    profitCap: options.profitCap,
    totalStake: options.stake,
    unit: options.round,
  });
  const opportunities = scan.arbitrages.map(toOutput);
  if (rejects.length === 0) return { opportunities };
  const r = rejects[0]!;
  return { opportunities, rejected: { count: rejects.length, first: `${r.field}: ${r.message}` } };
}

function toOutput(a: LineArbitrage): ArbScanOpportunity {
  return {
    eventId: a.market.eventId,
    market: a.market.marketType,
    point: a.market.line,
    profitFraction: profitFraction(a.profit),
    suspect: a.suspect,
    suspectReasons: a.reasons.map((r) => `${r.code}: ${r.message}`),
    legs: a.legs.map((l) => ({
      bookmaker: l.bookmaker,
      outcome: l.outcome,
      point: l.point,
      priceDecimal: l.price,
      stake: l.stake,
    })),
  };
}

function human(r: ArbScanOutput): string {
  const lines: string[] = [];
  if (r.rejected) lines.push(`${r.rejected.count} part(s) of the file skipped, first: ${r.rejected.first}`);
  if (r.opportunities.length === 0) return [...lines, 'no arbitrage on this board'].join('\n');
  for (const o of r.opportunities) {
    lines.push(
      `${o.suspect ? 'SUSPECT ' : ''}${o.eventId} ${o.market}${o.point === null ? '' : ` ${o.point}`}: ${profitPercentText(o.profitFraction)} guaranteed`,
    );
    for (const l of o.legs) {
      lines.push(
        `    ${l.bookmaker.padEnd(16)} ${`${l.outcome}${l.point === null ? '' : ` ${l.point}`}`.padEnd(28)} @ ${new D(l.priceDecimal).toDecimalPlaces(4).toFixed().padEnd(8)} stake ${l.stake ?? '-'}`,
      );
    }
    for (const reason of o.suspectReasons) lines.push(`    suspect: ${reason}`);
  }
  const suspect = r.opportunities.filter((o) => o.suspect).length;
  lines.push(`${r.opportunities.length} arbitrage(s), ${suspect} suspect`);
  return lines.join('\n');
}

/**
 * `arb scan`: added to the `arb` command group (cli/commands/arb.ts owns `arb calc`); creates the group if
 * it is not registered yet.
 */
export function registerArbScan(program: Command): void {
  const arb =
    program.commands.find((c) => c.name() === 'arb') ??
    program.command('arb').description('arbitrage (sure-bet) calculations');
  arb
    .command('scan')
    .description('every line-aware arbitrage in a recorded The Odds API odds response')
    .requiredOption('--file <path>', 'The Odds API v4 /odds response (JSON, American prices)')
    .option('--stake <amount>', 'total outlay per arbitrage for the stake plan', '1000')
    .option('--round <unit>', 'stake rounding unit', '0.01')
    .option('--min-profit <fraction>', 'list only arbitrages with at least this profit (0.01 = 1%)', '0')
    .option('--profit-cap <fraction>', 'flag as suspect above this profit', '0.10')
    .option(
      '--stale-ms <ms>',
      'flag as suspect when a leg is older than this (book last update to fetch)',
      '60000',
    )
    .option(
      '--as-of <iso>',
      'when the response was fetched (default: from the file name, else its latest update)',
    )
    .option('--json', 'print JSON with decimal strings')
    .addHelpText(
      'after',
      [
        '',
        'Spreads pair one team at +x with the other at -x; totals pair Over x with Under x; h2h takes every',
        'outcome. Each leg is the best price of its outcome. Suspect (listed, not hidden): profit over the cap,',
        'a stale leg, an event already in play. profitFraction is 1/sum(1/best price) - 1 as a fraction',
        '(0.0073 = 0.73%), the same field and unit as `arb calc --json`.',
        '',
        'Example:',
        '  alphabet arb scan --file ../shared/data/the-odds-api/snapshots/nfl_20251114T115558Z.json --json',
      ].join('\n'),
    )
    .action((options: ScanOptions) => {
      decimalOption('--stake', options.stake, true);
      decimalOption('--round', options.round, true);
      decimalOption('--min-profit', options.minProfit, false);
      decimalOption('--profit-cap', options.profitCap, true);
      if (!/^\d+$/.test(options.staleMs))
        throw new UsageError(`--stale-ms: expected whole milliseconds, got "${options.staleMs}"`);
      let text: string;
      try {
        text = readFileSync(options.file, 'utf8');
      } catch (err) {
        throw new UsageError(
          `--file: cannot read ${options.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw new UsageError(`--file: ${options.file} is not JSON: ${(err as Error).message}`);
      }
      // Not a response at all: refused whole. Anything inside it the reader cannot use is listed, not fatal.
      if (!Array.isArray(raw))
        throw new UsageError(`--file: not a The Odds API /odds response: expected a JSON array of events`);
      let asOf: string | null =
        options.asOf ??
        fetchTimeFromName(basename(options.file)) ??
        latestUpdate(boardFromOddsApi(raw, new Date().toISOString()).snapshot);
      if (asOf === null) asOf = new Date().toISOString();
      if (!Number.isFinite(Date.parse(asOf)))
        throw new UsageError(`--as-of: expected an ISO time, got "${asOf}"`);
      let output: ArbScanOutput;
      try {
        output = arbScan(raw, asOf, options);
      } catch (err) {
        if (err instanceof MathError) throw new UsageError(`arguments: ${err.message}`);
        throw err;
      }
      emit(output, options, human);
    });
}
