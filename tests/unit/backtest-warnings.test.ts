import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unmatchedMessage, unsupportedMessage } from '../../activities/backtest/files';
import { RESULTS_FORMAT, renderMarkdown, type BacktestResultsFile } from '../../activities/backtest/report';
import type { BacktestCliResult } from '../../cli/commands/backtest';
import type { MarketKey, OddsQuote, Opportunity } from '../../shared/entities';
import { fromDefinition, runBacktest, summarize } from '../../shared/backtest';
import type { BacktestOptions, BacktestStrategy, ReplayFrame } from '../../shared/backtest';
import { AGGREGATE_BOOK } from '../../shared/strategies/consensus';
import { strategyDefinition } from '../../shared/strategies';
import { backtestCommand } from '../helpers/backtest';
import { alphabet } from '../helpers/cli';
import { sharedData } from '../helpers/data';
import { h2hMarket, minutesAfter, quoteOpportunity, soccerFixture, testQuote } from '../helpers/board';

// What the backtest report says when a figure alone would mislead (issue 15): CLV measured on a few of the
// bets, an empty random baseline, a movement strategy over data in which nothing moves, --data that names
// something the backtest does not read.

const at = minutesAfter(Date.parse('2024-03-01T12:00:00.000Z'));
const OUTCOMES = ['Home', 'Draw', 'Away'] as const;
const source = { kind: 'test', matches: 6, skipped: {} };

function line(m: MarketKey, bookmaker: string, prices: readonly string[], minutes: number): OddsQuote[] {
  return prices.map((price, i) =>
    testQuote({ market: m, bookmaker, outcome: OUTCOMES[i]!, price, observedAt: at(minutes).at }),
  );
}

/** Bets Home at `book` on every event, the first time it sees it quoted there. */
function homeAt(book: string): BacktestStrategy {
  return {
    name: 'bettor',
    evaluate(board) {
      const opportunities: Opportunity[] = [];
      for (const q of board.snapshot.quotes) {
        if (q.outcome !== 'Home' || q.bookmaker !== book) continue;
        const id = `bettor|${q.market.eventId}`;
        opportunities.push(
          quoteOpportunity(q, { id, strategy: 'bettor', detectedAt: board.asOf, fairProbability: null }),
        );
      }
      return { opportunities };
    },
  };
}

/**
 * Events quoted by b1–b3 at 2.2 for Home; the published closes (football-data style) come from `closers[e]`, at
 * 2.3 for Home: no bet beats the close, so the one-book warning (positive CLV at b1) stays out of the way.
 */
function season(closers: readonly (readonly string[])[], quoted = ['b1', 'b2', 'b3']): ReplayFrame[] {
  return closers.map((books, e) => {
    const m = h2hMarket(`e${e}`);
    return {
      ...at(e * 10),
      events: [soccerFixture(`e${e}`, at(e * 10 + 5).at)],
      quotes: quoted.flatMap((b) => line(m, b, ['2.2', '3.4', '3.6'], e * 10)),
      closing: books.flatMap((b) => line(m, b, ['2.3', '3.4', '3.3'], e * 10)),
    };
  });
}

const warningsOf = (frames: ReplayFrame[], strategy: BacktestStrategy, options: BacktestOptions) =>
  summarize(runBacktest(frames, [strategy], options), strategy.name, source).summary.warnings;

const THREE = ['b1', 'b2', 'b3'];
const consensus = (minBooks: number): BacktestOptions => ({ clvReference: { kind: 'consensus', minBooks } });

describe('CLV coverage', () => {
  // Two events closed by three books, one by two, two by one, one by none.
  const frames = season([THREE, THREE, ['b1', 'b2'], ['b1'], ['b1'], []]);

  it('warns when fewer than half the bets have a CLV, counting why the others have none', () => {
    const run = runBacktest(frames, [homeAt('b1')], consensus(3));
    expect(run.bets.map((b) => b.closingBooks)).toEqual([3, 3, 2, 1, 1, 0]);
    const { summary } = summarize(run, 'bettor', source);
    expect(summary.clv.bets).toBe(2);
    expect(summary.warnings).toEqual([
      'CLV covers 2 of 6 bets (33.3%): 1 has no closing line from any book; ' +
        '2 have closing lines from only 1 book, fewer than the consensus close needs (--clv-min-books); ' +
        '1 has closing lines from only 2 books, fewer than the consensus close needs (--clv-min-books). ' +
        'The mean CLV describes the covered bets only',
    ]);
    // One book's close as the reference names that book.
    expect(warningsOf(frames, homeAt('b1'), { clvBookmaker: 'b9' })).toEqual([
      expect.stringMatching(/^CLV covers 0 of 6 bets \(0\.0%\): 6 have no closing line from b9\. /),
    ]);
  });

  it('says nothing when at least half the bets have one', () => {
    expect(warningsOf(frames, homeAt('b1'), consensus(2))).toEqual([]);
  });
});

describe('random baseline coverage', () => {
  /** Bets Home at the published market best, as consensus does on football-data. */
  const atBest: BacktestStrategy = {
    name: 'best',
    evaluate(board) {
      const opportunities = (board.snapshot.aggregates ?? []).map((a) => {
        const best = a.outcomes[0]!;
        const q = testQuote({
          market: a.market,
          bookmaker: AGGREGATE_BOOK,
          outcome: best.outcome,
          price: best.best,
          observedAt: board.asOf,
        });
        return quoteOpportunity(q, {
          id: `best|${a.market.eventId}`,
          strategy: 'best',
          detectedAt: board.asOf,
          fairProbability: null,
        });
      });
      return { opportunities };
    },
  };
  const withAggregates = (quoted: string[]): ReplayFrame[] =>
    season([THREE, THREE], quoted).map((f, e) => ({
      ...f,
      aggregates: [
        {
          market: h2hMarket(`e${e}`),
          outcomes: OUTCOMES.map((outcome, i) => ({
            outcome,
            point: null,
            average: ['2.1', '3.4', '3.6'][i]!,
            best: ['2.3', '3.5', '3.7'][i]!,
            bestBookmaker: null,
          })),
          books: 3,
          source: 'test:average/best',
        },
      ],
    }));
  const options = { ...consensus(3), baseline: { seed: 1 } };

  it('warns that it is empty when the board holds only aggregates, and says what puts books on it', () => {
    const run = runBacktest(withAggregates([]), [atBest], options);
    expect(run.bets).toHaveLength(2);
    expect(run.baseline!.matched).toHaveLength(0);
    expect(summarize(run, 'best', source).summary.warnings).toEqual([
      "the random baseline is empty (0 of 2 bets matched, no uniform bet): it draws from the books' own quotes on the board, " +
        "and the board held no book's own quote, only the published average and best (football-data without " +
        "--books, the default for --strategy consensus): --books puts the books' quotes on the board",
    ]);
  });

  it('says nothing when the books are on the board too', () => {
    const run = runBacktest(withAggregates(THREE), [atBest], options);
    expect(run.baseline!.matched).toHaveLength(2);
    expect(summarize(run, 'best', source).summary.warnings).toEqual([]);
  });
});

describe('a strategy that follows moves, over data without any', () => {
  const steam = () => fromDefinition(strategyDefinition('steam'), {});
  const MOVES =
    /^the data has no price moves \(every book's price was seen once, .*\): steam keeps a price history and bets on moves, so its 0 bets say nothing about the strategy/;

  it('warns when no price moved, not when one did, and never for a strategy without a history', () => {
    const still = season([THREE, THREE]);
    const run = runBacktest(still, [steam()], consensus(3));
    expect(run.priceMoves).toBe(0);
    expect(run.withHistory).toEqual(['steam']);
    expect(summarize(run, 'steam', source).summary.warnings).toEqual([expect.stringMatching(MOVES)]);

    const moved = [
      still[0]!,
      { ...at(2), quotes: line(h2hMarket('e0'), 'b2', ['2.0', '3.5', '4.0'], 2) },
      still[1]!,
    ];
    const run2 = runBacktest(moved, [steam()], consensus(3));
    expect(run2.priceMoves).toBe(3);
    expect(summarize(run2, 'steam', source).summary.warnings).toEqual([]);

    expect(warningsOf(still, homeAt('b1'), consensus(3))).toEqual([]);
  });
});

describe('--data that the backtest does not read', () => {
  it('a directory without CSVs is said to be one, with what the backtest reads; JSON is no input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alphabet-data-'));
    mkdirSync(join(dir, 'snapshots'));
    writeFileSync(join(dir, 'snapshots', 'nfl_20251116T175443Z.json'), '[]');
    expect(unmatchedMessage('--data', ['snapshots', 'nope/*.csv'], dir)).toBe(
      '--data: no file matches "nope/*.csv"; "snapshots" is a directory with no .csv or .csv.gz file in it ' +
        '(1 .json file: The Odds API snapshot JSON is not a backtest input); the backtest reads ' +
        'football-data CSVs (*.csv) and The Odds API line-change files (*_line_changes.csv.gz)',
    );
    // A mistyped name stays a mistyped name (tune's --train/--test say the same).
    expect(unmatchedMessage('--test', ['/nowhere/x.csv'], dir)).toBe(
      '--test: no file matches "/nowhere/x.csv"',
    );
    expect(unsupportedMessage('--data', ['a.json'])).toMatch(
      /^--data: not a backtest input: a\.json; the backtest reads .*, not The Odds API snapshot JSON$/,
    );
  });
});

describe('on the real files', { timeout: 240_000 }, () => {
  const fd = sharedData('football-data');
  const files = (...names: string[]) => names.map((n) => join(fd!, n));
  // 2018/19 has only Pinnacle's closing columns, 2019/20 six books'.
  const twoSeasons = () => files('E0_1819.csv', 'E0_1920.csv');

  it('value, CLV vs the consensus close: JSON, markdown and text say how many bets have a CLV, and why not the rest', async () => {
    if (fd === null) return;
    const options = { strategy: 'value', data: twoSeasons(), clvBook: 'consensus' } as const;
    const r = await backtestCommand(options);
    const s = r.summary;
    expect(s.clv.bets).toBeGreaterThan(0);
    expect(s.clv.bets).toBeLessThan(s.bets / 2);
    const coverage = `CLV covers ${s.clv.bets} of ${s.bets} bets`;
    expect(s.warnings).toContainEqual(
      expect.stringContaining(
        `${coverage} (${((100 * s.clv.bets) / s.bets).toFixed(1)}%): ${s.bets - s.clv.bets} have closing lines from only 1 book`,
      ),
    );
    const md = renderMarkdown(resultsFile(r), null);
    expect(md).toContain(`(standard error; over ${s.clv.bets} of ${s.bets} bets)`);
    expect(md).toMatch(new RegExp(`## Warnings\\n\\n(.+\\n\\n)*${coverage} `));

    const text = await alphabet(
      'backtest',
      '--strategy',
      'value',
      '--data',
      ...twoSeasons(),
      '--clv-book',
      'consensus',
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`over ${s.clv.bets} of ${s.bets} bets\\n`));
    expect(text.stdout).toContain(`WARNING: ${coverage} `);
  });

  it('consensus: the baseline is empty without --books and says so; with --books it matches every bet', async () => {
    if (fd === null) return;
    const options = {
      strategy: 'consensus',
      data: files('E0_1920.csv'),
      clvBook: 'consensus',
      baseline: 'random',
    } as const;
    const bare = (await backtestCommand(options)).summary;
    expect(bare.bets).toBeGreaterThan(0);
    expect(bare.baseline!.bets).toBe(0);
    expect(bare.warnings).toContainEqual(
      expect.stringMatching(
        /^the random baseline is empty \(0 of \d+ bets matched, no uniform bet\): .*--books puts/,
      ),
    );
    const books = (await backtestCommand({ ...options, books: true })).summary;
    expect(books.bets).toBe(bare.bets);
    expect(books.baseline!.bets).toBe(books.bets);
    expect(books.warnings.filter((w) => w.includes('baseline'))).toEqual([]);
  });

  it('steam runs, places no bet, and says the data has no price moves', async () => {
    if (fd === null) return;
    const r = await backtestCommand({ strategy: 'steam', data: files('E0_1920.csv') });
    expect(r.summary.bets).toBe(0);
    expect(r.run.priceMoves).toBe(0);
    expect(r.summary.warnings).toEqual([expect.stringMatching(/^the data has no price moves/)]);
  });

  it('--data the snapshots directory or a snapshot: a usage error that says what it is', async () => {
    const snapshots = sharedData('the-odds-api', 'snapshots');
    if (snapshots === null) return;
    await expect(backtestCommand({ strategy: 'value', data: [snapshots] })).rejects.toThrow(
      /^--data: ".*\/snapshots" is a directory with no \.csv or \.csv\.gz file in it \(\d+ \.json files: The Odds API snapshot JSON is not a backtest input\); the backtest reads football-data CSVs/,
    );
    await expect(
      backtestCommand({ strategy: 'value', data: [join(snapshots, 'nfl_20251116T175443Z.json')] }),
    ).rejects.toThrow(
      /^--data: not a backtest input: .*nfl_20251116T175443Z\.json; .*, not The Odds API snapshot JSON$/,
    );
  });
});

function resultsFile(r: BacktestCliResult): BacktestResultsFile {
  return {
    format: RESULTS_FORMAT,
    createdAt: '2024-01-01T00:00:00.000Z',
    command: 'alphabet backtest',
    data: r.data,
    parameters: r.parameters,
    summary: r.summary,
    curve: r.curve,
  };
}
