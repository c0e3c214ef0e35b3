import { type Command } from 'commander';
import { kellyExclusive, kellyFraction, parseKellyFraction, toSignificantString, D } from '../../shared/math';
import { asUsage, emit, UsageError, type OutputOptions } from '../output';

interface KellyOptions extends OutputOptions {
  prob: string;
  odds: string;
  fraction: string;
}

export interface KellyOutput {
  /** Bankroll fraction to stake per outcome, after --fraction. */
  fractions: string[];
  fraction: string;
  /** Share of the bankroll kept back (mutually exclusive outcomes only). */
  reserveRate: string | null;
}

function list(option: string, value: string): string[] {
  const items = value.split(',').map((v) => v.trim());
  if (items.some((v) => v === '')) throw new UsageError(`${option}: empty entry in "${value}"`);
  return items;
}

export function registerKelly(program: Command): void {
  program
    .command('kelly')
    .description(
      'Kelly stake fractions; several outcomes are treated as mutually exclusive results of one event',
    )
    .requiredOption('--prob <list>', 'win probability of each outcome, comma-separated: 0.45,0.30,0.25')
    .requiredOption('--odds <list>', 'decimal odds of each outcome, comma-separated: 2.5,3.2,2.8')
    .option('--fraction <f>', 'fractional Kelly multiplier in (0, 1], e.g. 0.25', '1')
    .option('--json', 'print JSON with decimal strings')
    .addHelpText(
      'after',
      '\nExample:\n  alphabet kelly --prob 0.45,0.30,0.25 --odds 2.5,3.2,2.8 --fraction 0.25 --json',
    )
    .action((options: KellyOptions) => {
      const probs = list('--prob', options.prob);
      const odds = list('--odds', options.odds);
      if (probs.length !== odds.length) {
        throw new UsageError(`--odds: ${odds.length} odds for ${probs.length} probabilities`);
      }
      const fraction = asUsage('--fraction', () => parseKellyFraction(options.fraction));
      let fractions: D[];
      let reserveRate: D | null = null;
      if (probs.length === 1) {
        fractions = [asUsage('--prob/--odds', () => kellyFraction(probs[0]!, odds[0]!))];
      } else {
        const result = asUsage('--prob/--odds', () => kellyExclusive(probs, odds));
        fractions = result.fractions;
        reserveRate = result.reserveRate;
      }
      const output: KellyOutput = {
        fractions: fractions.map((f) => toSignificantString(f.mul(fraction), 20)),
        fraction: toSignificantString(fraction, 20),
        reserveRate: reserveRate === null ? null : toSignificantString(reserveRate, 20),
      };
      emit(output, options, (r) =>
        [
          ...r.fractions.map(
            (f, i) =>
              `p ${probs[i]!.padEnd(8)} @ ${odds[i]!.padEnd(8)} stake ${new D(f).mul(100).toFixed(2).padStart(6)}% of bankroll`,
          ),
          ...(r.reserveRate === null ? [] : [`reserve rate ${r.reserveRate}`]),
        ].join('\n'),
      );
    });
}
