import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alphabet } from '../helpers/cli';

async function json(...args: string[]): Promise<unknown> {
  const run = await alphabet(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

describe.concurrent('alphabet odds / arb / kelly', { timeout: 180_000 }, () => {
  it('--version prints the package version', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const run = await alphabet('--version');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [
      'odds convert -110 --from american',
      ['-110', '--from', 'american'],
      {
        decimal: '1.9090909090909090909',
        american: '-110',
        fractional: '10/11',
        impliedProbability: '0.52380952380952380952',
      },
    ],
    [
      'odds convert fractional 3-2',
      ['3-2', '--from', 'fractional'],
      { decimal: '2.5', american: '+150', fractional: '3/2', impliedProbability: '0.4' },
    ],
  ])('%s', async (_name, args, expected) => {
    expect(await json('odds', 'convert', ...args)).toEqual(expected);
  });

  it('odds devig --method shin on the published vector', async () => {
    const r = (await json('odds', 'devig', '2.7', '2.3', '4.4', '--method', 'shin')) as {
      method: string;
      probabilities: string[];
      margin: string;
      parameter: string;
    };
    expect(r.method).toBe('shin');
    expect(r.probabilities.map((p) => Number(p).toFixed(6))).toEqual(['0.359344', '0.423244', '0.217412']);
    // At least 12 significant digits, as decimal strings summing to 1.
    for (const p of r.probabilities) expect(p.replace(/^0\.0*/, '').length).toBeGreaterThanOrEqual(12);
    expect(Number(r.parameter).toFixed(6)).toBe('0.016236');
    expect(Number(r.margin).toFixed(6)).toBe('0.032426');
  });

  it('odds devig takes negative American odds as positionals', async () => {
    const r = (await json('odds', 'devig', '-110', '-110', '--from', 'american', '--method', 'power')) as {
      probabilities: string[];
      parameter: string | null;
    };
    expect(r.probabilities).toEqual(['0.5', '0.5']);
    expect(r.parameter).not.toBeNull();
    const mult = (await json('odds', 'devig', '-110', '+120', '--from', 'american')) as { parameter: null };
    expect(mult.parameter).toBeNull();
  });

  it('odds devig --method worst-case names the method per outcome', async () => {
    const r = (await json('odds', 'devig', '2.7', '2.3', '4.4', '--method', 'worst-case')) as {
      methods: string[];
    };
    expect(r.methods).toEqual(['multiplicative', 'multiplicative', 'additive']);
  });

  it('arb calc reproduces 495 / 505 and 35.25', async () => {
    const r = (await json('arb', 'calc', '--odds', '2.10,2.05', '--stake', '1000', '--round', '5')) as Record<
      string,
      unknown
    >;
    expect(r).toMatchObject({ stakes: ['495', '505'], guaranteedProfit: '35.25', totalStake: '1000' });
    expect(r.profitFraction).toBe('0.037349397590361445783');
  });

  it('arb scan and arb calc report the same profit, same field, same unit, for the same prices', async () => {
    // One h2h market: the best prices are 2.10 (+110 at north) and 2.05 (+105 at south).
    const asOf = '2025-11-16T12:00:00Z';
    const book = (key: string, home: number, away: number) => ({
      key,
      title: key,
      last_update: asOf,
      markets: [
        {
          key: 'h2h',
          last_update: asOf,
          outcomes: [
            { name: 'Home Team', price: home },
            { name: 'Away Team', price: away },
          ],
        },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), 'alphabet-arb-'));
    const file = join(dir, 'one-arb.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          id: 'ev1',
          sport_key: 'americanfootball_nfl',
          sport_title: 'NFL',
          commence_time: '2025-11-16T18:00:00Z',
          home_team: 'Home Team',
          away_team: 'Away Team',
          bookmakers: [book('north', 110, -200), book('south', -300, 105)],
        },
      ]),
    );
    const [scan, calc] = (await Promise.all([
      json('arb', 'scan', '--file', file, '--as-of', asOf),
      json('arb', 'calc', '--odds', 'north=2.10,south=2.05', '--stake', '1000'),
    ])) as [{ opportunities: Record<string, unknown>[] }, Record<string, unknown>];
    expect(scan.opportunities).toHaveLength(1);
    const scanned = scan.opportunities[0]!;
    // 1/(1/2.10 + 1/2.05) − 1 = 0.0373493975903614457831… as a fraction of the outlay.
    expect(scanned.profitFraction).toBe('0.037349397590361445783');
    expect(calc.profitFraction).toBe(scanned.profitFraction);
    for (const out of [scanned, calc]) {
      expect(Object.keys(out).filter((k) => /pct|percent/i.test(k))).toEqual([]);
    }
    // Their text for people shows the same figure too.
    const [scanText, calcText] = await Promise.all([
      alphabet('arb', 'scan', '--file', file, '--as-of', asOf),
      alphabet('arb', 'calc', '--odds', 'north=2.10,south=2.05', '--stake', '1000'),
    ]);
    expect(scanText.stdout).toContain(': 3.7349% guaranteed');
    expect(calcText.stdout).toContain('(3.7349% before rounding)');
  });

  it('arb calc with a book maximum', async () => {
    const r = (await json(
      'arb',
      'calc',
      '--odds',
      'pin=2.10,soft=2.05',
      '--stake',
      '1000',
      '--round',
      '1',
      '--max-stake',
      'pin=300',
    )) as {
      stakes: string[];
      limitedBy: string;
    };
    expect(Number(r.stakes[0])).toBeLessThanOrEqual(300);
    expect(r.limitedBy).toBe('pin');
  });

  it('kelly for mutually exclusive outcomes', async () => {
    const r = (await json('kelly', '--prob', '0.45,0.30,0.25', '--odds', '2.5,3.2,2.8')) as {
      fractions: string[];
    };
    expect(r.fractions.map((f) => Number(f).toFixed(4))).toEqual(['0.1022', '0.0283', '0.0000']);
    const quarter = (await json('kelly', '--prob', '0.6', '--odds', '2', '--fraction', '0.25')) as {
      fractions: string[];
    };
    expect(quarter.fractions).toEqual(['0.05']);
  });

  it.each([
    [
      ['odds', 'convert', '0.95'],
      /^alphabet: <odds>: decimal odds must be greater than 1 \(odds: "0.95"\)\n$/,
    ],
    [['odds', 'convert', '-50', '--from', 'american'], /American odds cannot lie between -100 and \+100/],
    [['odds', 'devig', '2', '2', '--method', 'magic'], /--method/],
    [['arb', 'calc', '--odds', '2.1,abc', '--stake', '100'], /^alphabet: --odds: .*abc/],
    [['arb', 'calc', '--odds', '2.1,2.05', '--stake', '-5'], /^alphabet: --stake: /],
    [
      ['arb', 'calc', '--odds', '2.1,2.05', '--stake', '100', '--max-stake', 'nobook=5'],
      /--max-stake: unknown book/,
    ],
    [['kelly', '--prob', '0.5,0.6', '--odds', '2,2'], /^alphabet: --prob\/--odds: .*sum to more than 1/],
    [['kelly', '--prob', '0.5', '--odds', '2,2'], /--odds: 2 odds for 1 probabilities/],
  ])('%j fails with one line and status 2', async (args, message) => {
    const run = await alphabet(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });
});
