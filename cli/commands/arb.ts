import { type Command } from 'commander';
import { MathError, solveArbitrage, type LegInput } from '../../shared/math';
import { profitFraction, profitPercentText } from './arb-scan';
import { emit, UsageError, type OutputOptions } from '../output';

interface CalcOptions extends OutputOptions {
  odds: string;
  stake: string;
  round: string;
  maxStake: string[];
  commission: string[];
  profitCap: string;
}

export interface ArbCalcOutput {
  isArbitrage: boolean;
  /** Before rounding, a fraction of the outlay (0.0373 = 3.73%), as `arb scan` reports it. */
  profitFraction: string;
  stakes: string[];
  payouts: string[];
  totalStake: string;
  /** After rounding: min payout − total staked. */
  guaranteedProfit: string;
  legs: { bookmaker: string; price: string; effectivePrice: string }[];
  limitedBy: string | null;
  suspect: boolean;
  reasons: string[];
}

// The solver names its inputs; the user typed options.
const OPTION_FOR_FIELD: [RegExp, string][] = [
  [/^totalStake/, '--stake'],
  [/^unit/, '--round'],
  [/^maxStake/, '--max-stake'],
  [/^commission/, '--commission'],
  [/^profitCap/, '--profit-cap'],
  [/^legs/, '--odds'],
];

function asUsage<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof MathError) {
      const option = OPTION_FOR_FIELD.find(([pattern]) => pattern.test(err.field))?.[1] ?? 'arguments';
      throw new UsageError(`${option}: ${err.message}`);
    }
    throw err;
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',')];
}

/** "book=value" pairs into a record; every book must be one of the legs. */
function pairs(option: string, entries: string[], books: Set<string>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const entry of entries.map((e) => e.trim()).filter((e) => e !== '')) {
    const at = entry.indexOf('=');
    const book = entry.slice(0, at).trim();
    if (at <= 0 || at === entry.length - 1)
      throw new UsageError(`${option}: expected book=value, got "${entry}"`);
    if (!books.has(book)) {
      throw new UsageError(`${option}: unknown book "${book}" (books: ${[...books].join(', ')})`);
    }
    record[book] = entry.slice(at + 1).trim();
  }
  return record;
}

/** "2.10,2.05" → books leg1, leg2; "pin=2.10,b365=2.05" → named books. */
function parseLegs(list: string): LegInput[] {
  const entries = list.split(',').map((e) => e.trim());
  if (entries.length < 2 || entries.some((e) => e === '')) {
    throw new UsageError(`--odds: give at least two comma-separated prices, got "${list}"`);
  }
  return entries.map((entry, i) => {
    const at = entry.indexOf('=');
    if (at < 0) return { bookmaker: `leg${i + 1}`, price: entry };
    const bookmaker = entry.slice(0, at).trim();
    if (bookmaker === '') throw new UsageError(`--odds: missing book name in "${entry}"`);
    return { bookmaker, outcome: `leg${i + 1}`, price: entry.slice(at + 1).trim() };
  });
}

export function registerArb(program: Command): void {
  const arb = program.command('arb').description('arbitrage (sure-bet) calculations');

  arb
    .command('calc')
    .description('stakes that pay the same whichever outcome wins, rounded to the best guaranteed profit')
    .requiredOption(
      '--odds <list>',
      'decimal odds of every outcome, comma-separated: 2.10,2.05 or pin=2.10,b365=2.05',
    )
    .requiredOption('--stake <amount>', 'total outlay to spread across the legs')
    .option('--round <unit>', 'stake rounding unit; rounding searches for the best guaranteed profit', '0.01')
    .option(
      '--max-stake <book=amount>',
      'maximum stake at a book (repeatable or comma-separated)',
      collect,
      [],
    )
    .option('--commission <book=rate>', 'exchange commission on net winnings, e.g. betfair=0.02', collect, [])
    .option('--profit-cap <fraction>', 'flag as suspect above this profit', '0.10')
    .option('--json', 'print JSON with decimal strings')
    .addHelpText(
      'after',
      [
        '',
        'Books are named in --odds as book=price; unnamed legs are leg1, leg2, … in order, and --max-stake',
        'and --commission refer to those names. A capped leg scales the others down so payouts stay balanced;',
        'the total staked never exceeds --stake.',
        '',
        'Examples:',
        '  alphabet arb calc --odds 2.10,2.05 --stake 1000 --round 5',
        '  alphabet arb calc --odds pin=2.10,exch=2.08 --stake 1000 --max-stake pin=300 --commission exch=0.02 --json',
      ].join('\n'),
    )
    .action((options: CalcOptions) => {
      const legs = parseLegs(options.odds);
      const books = new Set(legs.map((l) => l.bookmaker));
      const maxStakes = pairs('--max-stake', options.maxStake, books);
      const commission = pairs('--commission', options.commission, books);
      const solution = asUsage(() =>
        solveArbitrage(legs, {
          totalStake: options.stake,
          unit: options.round,
          maxStakes,
          commission,
          profitCap: options.profitCap,
        }),
      );
      const plan = solution.plan!;
      const output: ArbCalcOutput = {
        isArbitrage: solution.isArbitrage,
        profitFraction: profitFraction(solution.profit),
        stakes: plan.stakes,
        payouts: plan.payouts,
        totalStake: plan.totalStake,
        guaranteedProfit: plan.guaranteedProfit,
        legs: solution.legs.map((l) => ({
          bookmaker: l.bookmaker,
          price: l.price,
          effectivePrice: l.effectivePrice,
        })),
        limitedBy: plan.limitedBy,
        suspect: solution.suspect,
        reasons: solution.reasons.map((r) => r.message),
      };
      emit(output, options, (r) =>
        [
          ...r.legs.map(
            (l, i) =>
              `${l.bookmaker.padEnd(12)} @ ${l.price.padEnd(8)} stake ${r.stakes[i]!.padStart(10)}  pays ${r.payouts[i]}`,
          ),
          `total ${r.totalStake}  guaranteed profit ${r.guaranteedProfit}  (${profitPercentText(r.profitFraction)} before rounding)`,
          ...(r.isArbitrage
            ? []
            : ['not an arbitrage: these balanced stakes lose the amount above whichever outcome wins']),
          ...(r.limitedBy ? [`outlay limited by the ${r.limitedBy} maximum stake`] : []),
          ...r.reasons.map((reason) => `suspect: ${reason}`),
        ].join('\n'),
      );
    });
}
