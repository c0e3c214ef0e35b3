import { Option, type Command } from 'commander';
import {
  DEVIG_METHODS,
  ODDS_FORMATS,
  convertOdds,
  devig,
  devigWorstCase,
  exactToDecimal,
  formatAmerican,
  parseOdds,
  toDecimalString,
  toSignificantString,
  D,
  type DevigMethod,
  type OddsFormat,
} from '../../shared/math';
import { asUsage, emit, type OutputOptions } from '../output';

// Ratios print at 20 significant digits: exact enough for any decision, short enough to read.
const DIGITS = 20;

interface ConvertOptions extends OutputOptions {
  from: OddsFormat;
}

interface DevigOptions extends OutputOptions {
  method: DevigMethod | 'worst-case';
  from: OddsFormat;
}

export interface ConvertOutput {
  decimal: string;
  american: string;
  fractional: string;
  impliedProbability: string;
}

export interface DevigOutput {
  method: string;
  probabilities: string[];
  margin: string;
  parameter: string | null;
  methods?: string[];
  excluded?: { method: string; reason: string }[];
}

function fromOption(): Option {
  return new Option('--from <format>', 'format of the odds given').choices(ODDS_FORMATS).default('decimal');
}

export function registerOdds(program: Command): void {
  const odds = program
    .command('odds')
    .description('convert odds between formats and remove the bookmaker margin');

  odds
    .command('convert')
    .description('show one price as decimal, American and fractional odds and its implied probability')
    .argument('<odds>', 'the price: 2.5, +150 / -110 (American) or 3/2, 3-2, evens (fractional)')
    .addOption(fromOption())
    .option('--json', 'print JSON with decimal strings')
    .addHelpText(
      'after',
      '\nExamples:\n  alphabet odds convert -110 --from american\n  alphabet odds convert 3/2 --from fractional --json',
    )
    .action((value: string, options: ConvertOptions) => {
      const result = asUsage('<odds>', () => convertOdds(value, options.from));
      const output: ConvertOutput = {
        decimal: toSignificantString(result.decimal, DIGITS),
        american: formatAmerican(result.american, DIGITS),
        fractional: result.fractional,
        impliedProbability: toSignificantString(result.impliedProbability, DIGITS),
      };
      emit(output, options, (r) =>
        [
          `decimal      ${r.decimal}`,
          `american     ${r.american}`,
          `fractional   ${r.fractional}`,
          `implied      ${percent(result.impliedProbability)}`,
        ].join('\n'),
      );
    });

  odds
    .command('devig')
    .description("fair probabilities of one market's outcomes with the margin removed")
    .argument('<odds...>', 'the price of every outcome of the market (negative American odds work: -110)')
    .addOption(
      new Option(
        '--method <method>',
        'devig method; worst-case = lowest fair probability per outcome across methods. ' +
          'additive refuses a market where a long shot would go negative',
      )
        .choices([...DEVIG_METHODS, 'worst-case'])
        .default('multiplicative'),
    )
    .addOption(fromOption())
    .option('--json', 'print JSON with decimal strings')
    .addHelpText(
      'after',
      '\nExamples:\n  alphabet odds devig 2.7 2.3 4.4 --method shin\n  alphabet odds devig -110 -110 --from american --json',
    )
    .action((values: string[], options: DevigOptions) => {
      const decimals = values.map((v, i) =>
        asUsage('<odds...>', () => exactToDecimal(parseOdds(v, options.from, `odds[${i}]`))),
      );
      const output = asUsage('<odds...>', () => devigOutput(decimals, options.method));
      emit(output, options, (r) => {
        const lines = r.probabilities.map(
          (p, i) =>
            `${values[i]!.padEnd(10)} ${new D(p).toFixed(12)}${r.methods ? `  (${r.methods[i]})` : ''}`,
        );
        const parameter = r.parameter === null ? '' : `  parameter ${r.parameter}`;
        return [...lines, `method ${r.method}  margin ${r.margin}${parameter}`].join('\n');
      });
    });
}

function devigOutput(decimals: D[], method: DevigMethod | 'worst-case'): DevigOutput {
  if (method === 'worst-case') {
    const r = devigWorstCase(decimals);
    return {
      method: r.method,
      probabilities: r.probabilities.map(toDecimalString),
      margin: toSignificantString(r.margin, DIGITS),
      parameter: null,
      methods: r.methods,
      excluded: r.excluded,
    };
  }
  const r = devig(decimals, method);
  return {
    method: r.method,
    probabilities: r.probabilities.map(toDecimalString),
    margin: toSignificantString(r.margin, DIGITS),
    parameter: r.parameter === null ? null : toDecimalString(r.parameter),
  };
}

function percent(p: D): string {
  return `${p.mul(100).toFixed(4)}%`;
}
