import { describe, expect, it } from 'vitest';
import {
  PaperRequestError,
  handOffAllowance,
  paperAccount,
  paperSessionId,
  parsePaperRequest,
  sessionGate,
  sessionOpportunityId,
  type PaperProgress,
} from '../../shared/paper';
import { durationProblem, formatDuration, parseDurationMs } from '../../shared/duration';
import { RolloutGate } from '../../shared/rollout';
import { loadConfig } from '../../config/load';
import { scaleSettlementToSimulation } from '../../cli/commands/start';

const refusal = (input: unknown): string => {
  try {
    parsePaperRequest(input);
  } catch (err) {
    expect(err).toBeInstanceOf(PaperRequestError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
};

describe('paper-trading requests (the CLI and the Web UI JSON input)', () => {
  it('normalises a request: money as exact decimal strings, durations in ms, defaults filled', () => {
    expect(
      parsePaperRequest({ strategy: 'value-sharp', bankroll: '1000.50', duration: '1h30m', by: 'alice' }),
    ).toEqual({
      strategy: 'value-sharp',
      bankroll: '1000.5',
      durationMs: 5_400_000,
      maxBets: null,
      stakeMultiplier: '1',
      parameters: null,
      gate: null,
      settleTimeoutMs: null,
      by: 'alice',
    });
    // A JSON number typed in the Web UI is taken as written; seconds as a number; a bet limit alone is enough.
    const spec = parsePaperRequest({
      strategy: 'arb-us',
      bankroll: 250,
      bets: 40,
      duration: 90,
      stakeMultiplier: '0.25',
      settleTimeout: '10m',
      gate: { minBets: 20, minYield: null },
    });
    expect(spec).toMatchObject({
      bankroll: '250',
      maxBets: 40,
      durationMs: 90_000,
      stakeMultiplier: '0.25',
      settleTimeoutMs: 600_000,
      gate: { minBets: 20, minYield: null },
      by: 'web-ui',
    });
  });

  it('refuses bad fields, naming each field and the value it had', () => {
    const message = refusal({ strategy: 'Value Sharp', bankroll: '-5', duration: '6x', bets: 2.5 });
    expect(message).toContain('strategy: expected a strategy name');
    expect(message).toContain('(got "Value Sharp")');
    expect(message).toContain('bankroll: expected a positive decimal amount');
    expect(message).toContain('(got "-5")');
    expect(message).toContain('duration: "6x" is not a duration');
    expect(message).toMatch(/bets: .*\(got 2\.5\)/);
    expect(refusal({ strategy: 's', bankroll: '100' })).toContain(
      'duration: give a duration ("6h") or a number of bets',
    );
    expect(refusal({ strategy: 's', bankroll: '100', bets: 3, stakeMultiplier: '1.5' })).toContain(
      'stakeMultiplier: expected a decimal between 0 and 1',
    );
    expect(refusal({ strategy: 's', bankroll: '0', bets: 3 })).toContain('(got "0")');
    expect(refusal({ strategy: 's', bankroll: '1', bets: 3, gate: { manualApproval: true } })).toMatch(
      /gate: .*manualApproval/,
    );
    expect(refusal({ strategy: 's', bankroll: '1', bets: 3, colour: 'red' })).toMatch(/colour/);
    expect(refusal(null)).toContain('input:');
  });

  it('builds the gate from the config with the request overrides, never a manual approval', () => {
    const base = RolloutGate.parse({
      minDurationSeconds: 600,
      minBets: 30,
      minYield: '-0.02',
      maxDrawdownFraction: '0.25',
      manualApproval: true,
    });
    const gate = sessionGate(base, { minBets: 5, maxDrawdownFraction: null });
    expect(gate).toEqual({ ...base, minBets: 5, maxDrawdownFraction: null, manualApproval: false });
    expect(sessionGate(base, null)).toEqual({ ...base, manualApproval: false });
  });

  it('holds hand-offs back so placed plus in-flight bets never exceed the bet limit', () => {
    const progress = (placed: number, inFlight: number): PaperProgress => ({
      metrics: {
        bets: 0,
        settled: 0,
        voided: 0,
        rejected: 0,
        turnover: '0',
        profit: '0',
        yield: null,
        clvMean: null,
        clvStandardError: null,
        maxDrawdownFraction: '0',
      },
      opportunities: { recorded: 9, handedOff: placed + inFlight, placed, skipped: 0, inFlight },
      open: 0,
      equity: '100',
      asOf: '2026-01-01T00:00:00Z',
    });
    expect(handOffAllowance(null, progress(100, 100))).toBe(Number.POSITIVE_INFINITY);
    expect(handOffAllowance(5, null)).toBe(5);
    expect(handOffAllowance(5, progress(2, 1))).toBe(2);
    expect(handOffAllowance(5, progress(4, 3))).toBe(0);
  });

  it('gives a session its own deterministic opportunity ids, a readable session id and its own account', () => {
    expect(paperAccount('paper:value-sharp:20261125T180405Z')).toBe('paper:value-sharp:20261125T180405Z');
    expect(paperAccount('my-session')).toBe('paper:my-session');
    const a = sessionOpportunityId('paper:s:1', 'opp_abc');
    expect(a).toMatch(/^opp_[0-9a-f]{40}$/);
    expect(sessionOpportunityId('paper:s:1', 'opp_abc')).toBe(a);
    expect(sessionOpportunityId('paper:s:2', 'opp_abc')).not.toBe(a);
    expect(sessionOpportunityId('paper:s:1', 'opp_abd')).not.toBe(a);
    expect(paperSessionId('value-sharp', new Date('2026-11-25T18:04:05.678Z'))).toBe(
      'paper:value-sharp:20261125T180405Z',
    );
  });
});

describe('durations', () => {
  it('parses and formats operator durations', () => {
    expect(parseDurationMs('6h')).toBe(21_600_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(durationProblem('90s')).toBeNull();
    expect(durationProblem('0s')).toBe('"0s" must be longer than zero');
    expect(durationProblem('6 hours')).toContain('is not a duration');
    expect(() => parseDurationMs('h')).toThrow(/"h" is not a duration/);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_061_000)).toBe('1d1h1m1s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('npm start on the simulated market', () => {
  it('looks for results on the simulated clock, and leaves real providers alone', () => {
    const { config } = loadConfig({ env: {} });
    const before = config.placement.settlement;
    expect(scaleSettlementToSimulation(config)).toBe(120);
    // The simulated NFL game lasts 75 model minutes: 37.5 s of wall time at speed 120.
    expect(config.placement.settlement.expectedDurationMinutes.americanfootball_nfl).toBe(75 / 120);
    expect(config.placement.settlement.pollInitialSeconds).toBe(Math.max(1, before.pollInitialSeconds / 120));

    const real = loadConfig({ env: {} }).config;
    real.providers = real.providers.map((p) => ({ ...p, enabled: p.type === 'the-odds-api' }));
    const untouched = structuredClone(real.placement.settlement);
    expect(scaleSettlementToSimulation(real)).toBeNull();
    expect(real.placement.settlement).toEqual(untouched);
  });
});
