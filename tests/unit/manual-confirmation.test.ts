import { describe, expect, it } from 'vitest';
import { parseOddsArgument, parseStakeArgument } from '../../cli/commands/bets';
import { canonicalScores, priceToleranceProblem, stakeUnitProblem } from '../../shared/manual';
import { normalizeName } from '../../shared/names';
import { normalizeName as providerNormalizeName } from '../../activities/providers/normalize';
import { AppConfig } from '../../config/schema';
import { loadConfig } from '../../config/load';

describe('manual confirmation: the operator’s odds format', () => {
  it('American: an unsigned price is +, so 150 is 2.5, never 150', () => {
    expect(parseOddsArgument('150', 'american')).toBe('2.5');
    expect(parseOddsArgument('+150', 'american')).toBe('2.5');
    expect(parseOddsArgument('-110', 'american')).toMatch(/^1\.90909090909/);
    expect(parseOddsArgument('-200', 'american')).toBe('1.5');
  });

  it('decimal and fractional', () => {
    expect(parseOddsArgument('2.05', 'decimal')).toBe('2.05');
    expect(parseOddsArgument('6/4', 'fractional')).toBe('2.5');
    expect(parseOddsArgument('evens', 'fractional')).toBe('2');
  });

  it('refuses what the format cannot mean, naming --odds and the value', () => {
    expect(() => parseOddsArgument('+150', 'decimal')).toThrow(/--odds: "\+150".*--odds-format american/);
    expect(() => parseOddsArgument('0.95', 'decimal')).toThrow(/--odds: "0.95" is not decimal odds/);
    expect(() => parseOddsArgument('50', 'american')).toThrow(/--odds: "50" is not american odds/);
    expect(() => parseOddsArgument('2.5', 'fractional')).toThrow(/--odds/);
  });

  it('config operator.oddsFormat defaults to decimal and takes only the three formats', () => {
    expect(loadConfig().config.operator.oddsFormat).toBe('decimal');
    const base = loadConfig().config;
    expect(AppConfig.safeParse({ ...base, operator: { oddsFormat: 'american' } }).success).toBe(true);
    expect(AppConfig.safeParse({ ...base, operator: { oddsFormat: 'moneyline' } }).success).toBe(false);
  });
});

describe('manual confirmation: price tolerance and stake unit', () => {
  it('accepts |p − q| ≤ q × tolerance on either side, refuses beyond it naming quote and tolerance', () => {
    expect(priceToleranceProblem('odds', '2.45', '2.5', '0.02')).toBeNull();
    expect(priceToleranceProblem('odds', '2.55', '2.5', '0.02')).toBeNull();
    expect(priceToleranceProblem('odds', '2.44', '2.5', '0.02')).toMatch(/2.44 is outside 2%/);
    // A better price beyond the tolerance is refused too: usually a typo.
    expect(priceToleranceProblem('odds', '150', '2.5', '0.02')).toBe(
      'odds: 150 is outside 2% of the quoted 2.5 (accepted 2.45–2.55); send override with a reason to take it',
    );
  });

  it('stakes are whole multiples of the stake unit, in the CLI and the shared rule', () => {
    expect(stakeUnitProblem('stake', '10.25', '0.01')).toBeNull();
    expect(stakeUnitProblem('stake', '10.005', '0.01')).toBe(
      'stake: 10.005 is not a whole multiple of the stake unit 0.01',
    );
    expect(stakeUnitProblem('stake', '15', '5')).toBeNull();
    expect(() => parseStakeArgument('12.5', '1')).toThrow(
      /--stake: 12.5 is not a whole multiple of the stake unit 1/,
    );
    expect(parseStakeArgument('12.50', '0.01')).toBe('12.5');
  });
});

describe('manual settlement: scores match the event’s participants', () => {
  const teams = ['Buffalo Bills', 'Kansas City Chiefs'];

  it('keys scores by the event’s names after ingestion’s normalization', () => {
    expect(canonicalScores({ 'kansas city chiefs.': '31', ' BUFFALO BILLS ': '17.0' }, teams)).toEqual({
      'Kansas City Chiefs': '31',
      'Buffalo Bills': '17',
    });
    expect(providerNormalizeName).toBe(normalizeName);
  });

  it('refuses a negative score, an unknown name (listing the expected ones), a missing or repeated one', () => {
    expect(() => canonicalScores({ 'Buffalo Bills': '-3', 'Kansas City Chiefs': '7' }, teams)).toThrow(
      /scores.Buffalo Bills: expected a score of at least 0 .* got "-3"/,
    );
    expect(() => canonicalScores({ Bills: '3', 'Kansas City Chiefs': '7' }, teams)).toThrow(
      'scores: "Bills" is not a participant of this event (expected "Buffalo Bills", "Kansas City Chiefs")',
    );
    expect(() => canonicalScores({ 'Kansas City Chiefs': '7' }, teams)).toThrow(
      /no score for "Buffalo Bills"/,
    );
    expect(() =>
      canonicalScores({ 'Buffalo Bills': '3', 'buffalo bills': '3', 'Kansas City Chiefs': '7' }, teams),
    ).toThrow(/a second time/);
    expect(() => canonicalScores({ 'Buffalo Bills': 3, 'Kansas City Chiefs': '7' }, teams)).toThrow(
      /scores.Buffalo Bills/,
    );
  });
});
