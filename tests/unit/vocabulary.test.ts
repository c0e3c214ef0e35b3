import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromDefinition } from '../../shared/backtest';
import { marketKeyString, parseMarketKeyString, type MarketKey } from '../../shared/entities';
import { InputError, americanToDecimal, decimalToFraction, fraction, inverseSum } from '../../shared/math';
import { StrategyParameterError, arbitrageStrategy, opportunityId } from '../../shared/strategies';

// One definition per concept (README "Vocabulary"): these pin the shared ones that replaced duplicates.

describe('one market key', () => {
  const totals = (line: string, period = 'full'): MarketKey => ({
    eventId: 'e1',
    marketType: 'totals',
    period,
    line,
  });

  it('is the persisted format, with a canonical line whoever builds it', () => {
    // Redis board hashes are `board:<key>` and opportunity ids hash the key: "2.50" must not be a second market.
    expect(marketKeyString(totals('2.50'))).toBe('e1|totals|full|2.5');
    expect(marketKeyString({ ...totals('1.50', '1h'), marketType: 'spreads' })).toBe('e1|spreads|1h|1.5');
    expect(marketKeyString({ eventId: 'e1', marketType: 'h2h', period: 'full', line: null })).toBe(
      'e1|h2h|full|-',
    );
    expect(parseMarketKeyString('e1|totals|full|2.5')).toEqual(totals('2.5'));
    const id = (line: string) =>
      opportunityId({ strategy: 's', kind: 'value', market: totals(line), legs: [] });
    expect(id('2.50')).toBe(id('2.5'));
  });

  it('refuses a part holding the separator, and a key of the wrong shape, naming them', () => {
    expect(() => marketKeyString({ ...totals('2.5'), eventId: 'a|b' })).toThrow(
      new InputError('market key parts cannot contain "|"', 'eventId', 'a|b'),
    );
    expect(() => parseMarketKeyString('e1|totals|2.5')).toThrow(InputError);
    expect(() => parseMarketKeyString('e1|totals|2.5')).toThrow('(marketKey: "e1|totals|2.5")');
  });
});

describe('one fraction type', () => {
  it('sums inverse prices exactly through shared/math (a fair -185 / +185 pair is exactly 1)', () => {
    const minus185 = decimalToFraction(americanToDecimal('-185'));
    expect(minus185).toEqual(fraction(57n, 37n));
    expect(inverseSum([minus185, fraction(57n, 20n)])).toEqual(fraction(1n, 1n));
    expect(inverseSum([fraction(21n, 10n), fraction(21n, 10n)])).toEqual({ num: 20n, den: 21n });
  });
});

describe('one StrategyParameterError', () => {
  it('a backtest strategy with bad parameters throws the strategies error, with the fields named', () => {
    let err: unknown;
    try {
      fromDefinition(arbitrageStrategy, { minProfit: 'lots', bogus: 1 }, 'arb');
    } catch (e) {
      err = e;
    }
    // The live sweep and the CLI catch this one class; a second class of the same name slipped past them.
    expect(err).toBeInstanceOf(StrategyParameterError);
    expect((err as StrategyParameterError).fields.sort()).toEqual(['bogus', 'minProfit']);
    expect((err as Error).message).toContain('arb.minProfit:');
  });
});

describe('one name per concept, defined once', () => {
  // The README's "Vocabulary" glossary: each name is declared in exactly one module (tests aside).
  const GLOSSARY: Record<string, string> = {
    MarketKey: 'shared/entities.ts',
    marketKeyString: 'shared/entities.ts',
    parseMarketKeyString: 'shared/entities.ts',
    OddsQuote: 'shared/entities.ts',
    BoardQuote: 'shared/strategies/board.ts',
    BoardEvent: 'shared/strategies/board.ts',
    BoardSnapshot: 'shared/strategies/board.ts',
    IndexedBoard: 'shared/strategies/board.ts',
    Quote: 'shared/math/arbitrage.ts',
    KeyedQuote: 'shared/math/quote-index.ts',
    QuoteIndex: 'shared/math/quote-index.ts',
    Fraction: 'shared/math/fraction.ts',
    StrategyParameterError: 'shared/strategies/registry.ts',
    BoardEntry: 'activities/ingestion/board.ts',
    BoardEventInfo: 'activities/ingestion/board.ts',
  };
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
    );
  // config/ is left out: its zod `Fraction` is a config value type (a bankroll share in (0, 1]).
  const files = ['shared', 'activities', 'workflows', 'workers', 'cli', 'scripts', 'bench'].flatMap(sources);
  const text = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));

  it.each(Object.entries(GLOSSARY))('%s is declared once, in %s', (name, module) => {
    const declaration = new RegExp(
      // Not `type X,` in an import or export list: a declaration goes on with = < { ( : or extends.
      `^\\s*(export\\s+)?(interface|type|class|function|const|let)\\s+${name}\\b\\s*(=|<|\\{|\\(|:|extends)`,
      'm',
    );
    const declaredIn = files.filter((f) => declaration.test(text.get(f)!));
    expect(declaredIn).toEqual([module]);
  });

  it('the README glossary names the same modules', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Vocabulary'));
    for (const [name, module] of Object.entries(GLOSSARY)) {
      expect(section).toContain(`\`${name}\``);
      expect(section).toContain(`\`${module}\``);
    }
  });
});
