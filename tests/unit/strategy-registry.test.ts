import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load';
import {
  StrategyParameterError,
  applyParameterChanges,
  coerceParameter,
  opportunityId,
  parameterNames,
  parseStrategyParameters,
  sha256Hex,
} from '../../shared/strategies';
import { validateSetParameters } from '../../workflows/strategies/messages';
import { parseAssignments } from '../../cli/commands/strategy';
import { sharedData } from '../helpers/data';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('opportunity ids', () => {
  it('sha256 in plain TypeScript matches node:crypto', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }),
      { numRuns: 300 },
    );
  });

  const market = { eventId: 'e1', marketType: 'spreads' as const, period: 'full', line: '3.5' };
  const legs = [
    { bookmaker: 'b1', outcome: 'A', point: '-3.5', price: '2.10' },
    { bookmaker: 'b2', outcome: 'B', point: '3.5', price: '2.05' },
  ];

  it('is deterministic from strategy, market, legs and exact prices (not their spelling or order)', () => {
    const id = opportunityId({ strategy: 's', kind: 'arbitrage', market, legs });
    expect(id).toMatch(/^opp_[0-9a-f]{40}$/);
    expect(
      opportunityId({
        strategy: 's',
        kind: 'arbitrage',
        market: { ...market, line: '3.50' },
        legs: [legs[1]!, { ...legs[0]!, price: '2.1' }],
      }),
    ).toBe(id);
    expect(
      opportunityId({
        strategy: 's',
        kind: 'arbitrage',
        market,
        legs: [legs[0]!, { ...legs[1]!, price: '2.06' }],
      }),
    ).not.toBe(id);
    expect(opportunityId({ strategy: 't', kind: 'arbitrage', market, legs })).not.toBe(id);
    expect(
      opportunityId({ strategy: 's', kind: 'arbitrage', market, legs, discriminator: 'move-1' }),
    ).not.toBe(id);
  });
});

describe('strategy parameters', () => {
  it('fills defaults and refuses bad values naming the parameter', () => {
    const arb = parseStrategyParameters('arbitrage', {});
    expect(arb).toMatchObject({
      minProfit: '0.002',
      profitCap: '0.10',
      staleQuotes: 'exclude',
      includeInPlay: false,
      maxQuoteAgeMs: 60_000,
    });
    expect(() => parseStrategyParameters('arbitrage', { minProfit: '-1' })).toThrow(
      /^minProfit: expected a decimal/,
    );
    expect(() => parseStrategyParameters('value', { devigMethod: 'magic' })).toThrow(/^devigMethod:/);
    expect(() => parseStrategyParameters('steam', { windowMs: 10 })).toThrow(/^windowMs:/);
    expect(() => parseStrategyParameters('steam', { moveTreshold: '0.02' })).toThrow(
      /^moveTreshold: unknown parameter/,
    );
    expect(() => parseStrategyParameters('martingale', {})).toThrow(
      /^type: unknown strategy type "martingale"/,
    );
    const err = (() => {
      try {
        parseStrategyParameters('value', { minEdge: 'x', maxOdds: '1' });
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StrategyParameterError);
    expect((err as StrategyParameterError).fields.sort()).toEqual(['maxOdds', 'minEdge']);
  });

  it('reads command-line values as each parameter needs them', () => {
    expect(coerceParameter('value', 'minEdge', '0.03')).toBe('0.03');
    expect(coerceParameter('value', 'minBooks', '4')).toBe(4);
    expect(coerceParameter('value', 'includeInPlay', 'true')).toBe(true);
    expect(coerceParameter('value', 'books', 'draftkings,fanduel')).toEqual(['draftkings', 'fanduel']);
    expect(coerceParameter('value', 'sharpBooks', '["pinnacle"]')).toEqual(['pinnacle']);
    expect(coerceParameter('value', 'books', 'null')).toBe(null);
    expect(coerceParameter('arbitrage', 'maxStakes', '{"fanduel":"500"}')).toEqual({ fanduel: '500' });
    expect(() => coerceParameter('value', 'minEdge', 'abc')).toThrow(/^minEdge: expected a decimal/);
    expect(() => coerceParameter('value', 'minBooks', '2.5')).toThrow(/^minBooks:/);
    expect(() => coerceParameter('value', 'minEdj', '1')).toThrow(
      /^minEdj: unknown parameter for type value/,
    );
    expect(parameterNames('steam')).toContain('moveThreshold');
  });

  it('applies changes over the current set and lists only what changed', () => {
    const current = parseStrategyParameters('value', { minEdge: '0.02' });
    const r = applyParameterChanges('value', current, { minEdge: '0.03', maxOdds: '10' });
    expect(r.changed).toEqual([{ field: 'minEdge', oldValue: '0.02', newValue: '0.03' }]);
    expect(r.parameters.minEdge).toBe('0.03');
  });

  it('the setParameters validator and the CLI refuse the same things, naming the field', () => {
    const row = { type: 'arbitrage', parameters: parseStrategyParameters('arbitrage', {}) };
    expect(() => validateSetParameters(row, { parameters: { minProfit: '-0.01' }, by: 'me' })).toThrow(
      /minProfit/,
    );
    expect(() => validateSetParameters(row, { mode: 'yolo' as 'live', by: 'me' })).toThrow(/^mode:/);
    expect(() => validateSetParameters(row, { stakeMultiplier: '1.5', by: 'me' })).toThrow(
      /^stakeMultiplier:/,
    );
    expect(() => validateSetParameters(row, { parameters: { minProfit: '0.01' }, by: '' })).toThrow(/^by:/);
    expect(() => validateSetParameters(row, { by: 'me' })).toThrow(/nothing to change/);
    expect(
      parseAssignments(row, ['minProfit=0.01', 'books=a,b', 'mode=live', 'enabled=false'], 'alice'),
    ).toEqual({
      by: 'alice',
      parameters: { minProfit: '0.01', books: ['a', 'b'] },
      mode: 'live',
      enabled: false,
    });
    expect(() => parseAssignments(row, ['minProfit=-1'], 'alice')).toThrow(/^minProfit:/);
    expect(() => parseAssignments(row, ['minProfit'], 'alice')).toThrow(/key=value/);
  });
});

describe('config strategies section', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alphabet-strategy-config-'));
  const base = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');

  it('the shipped config seeds valid strategies of every main type', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.strategies.map((s) => s.type).sort()).toEqual(['arbitrage', 'steam', 'value']);
  });

  it('a bad parameter stops the load naming the key, the value and the file', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, base.replace("moveThreshold: '0.02'", "moveThreshold: '2'"));
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file, env: {} })).toThrow(
      /strategies\.2\.parameters\.moveThreshold = "2" \(in .*bad\.yaml\)/,
    );
  });

  it('two strategies of one name are refused', () => {
    const file = join(dir, 'dup.yaml');
    writeFileSync(file, base.replace('- name: value-sharp', '- name: arb-us'));
    expect(() => loadConfig({ file, env: {} })).toThrow(/strategies\.1\.name = "arb-us".*used twice/);
  });
});

function alphabet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/alphabet.mjs', ...args],
      { cwd: root, timeout: 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const snapshot = sharedData('the-odds-api', 'snapshots', 'nfl_20251116T115452Z.json');

describe('alphabet arb scan (CLI)', () => {
  it.skipIf(!snapshot)('prints every arbitrage as JSON with decimal strings', async () => {
    const run = await alphabet(
      'arb',
      'scan',
      '--file',
      snapshot!,
      '--stake',
      '1000',
      '--round',
      '5',
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { opportunities: Record<string, unknown>[] };
    expect(out.opportunities).toHaveLength(2);
    for (const o of out.opportunities) {
      expect(Object.keys(o).sort()).toEqual([
        'eventId',
        'legs',
        'market',
        'point',
        'profitFraction',
        'suspect',
        'suspectReasons',
      ]);
      expect(o.market).toBe('h2h');
      expect(o.point).toBe(null);
      expect(o.suspect).toBe(false);
      for (const leg of o.legs as Record<string, unknown>[]) {
        expect(Object.keys(leg).sort()).toEqual(['bookmaker', 'outcome', 'point', 'priceDecimal', 'stake']);
        expect(Number(leg.stake) % 5).toBe(0);
      }
    }
  });

  it('a bad argument is one line naming it, exit 2', async () => {
    const missing = await alphabet('arb', 'scan', '--file', '/nonexistent.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^alphabet: --file: cannot read \/nonexistent\.json/);
    const stake = await alphabet('arb', 'scan', '--file', snapshot ?? '/x', '--stake', '-5');
    expect(stake.code).toBe(2);
    expect(stake.stderr.trim().split('\n')).toHaveLength(1);
    expect(stake.stderr).toMatch(/--stake/);
  });
});
