import { mkdtempSync, readFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressBar, withProgress } from '../../activities/backtest/progress';
import {
  RESULTS_FORMAT,
  bankrollSvg,
  listResults,
  readResults,
  renderMarkdown,
  writeReport,
  type BacktestResultsFile,
} from '../../activities/backtest/report';
import { runBacktest, summarize, type ReplayFrame } from '../../shared/backtest';
import type { Opportunity } from '../../shared/entities';

function results(strategy: string, createdAt: string): BacktestResultsFile {
  const frames: ReplayFrame[] = [0, 1, 2].map((i) => ({
    at: `2024-01-0${i + 1}T10:00:00.000Z`,
    atMs: Date.parse(`2024-01-0${i + 1}T10:00:00.000Z`),
    events: [
      {
        id: `e${i}`,
        sport: 'soccer',
        league: 'E0',
        participants: [
          { id: 'h', name: 'H', role: 'home' },
          { id: 'a', name: 'A', role: 'away' },
        ],
        startTime: `2024-01-0${i + 1}T15:00:00.000Z`,
        status: 'scheduled',
        metadata: { season: '2023/24' },
      },
    ],
    quotes: [
      {
        market: { eventId: `e${i}`, marketType: 'h2h', line: null, period: 'full' },
        outcome: 'H',
        point: null,
        provider: 't',
        bookmaker: 'b',
        price: '2.5',
        observedAt: `2024-01-0${i + 1}T10:00:00.000Z`,
        sourceUpdatedAt: null,
      },
    ],
    results: [
      {
        eventId: `e${i}`,
        result: { status: 'completed', scores: i === 1 ? { H: '0', A: '1' } : { H: '1', A: '0' } },
      },
    ],
  }));
  const run = runBacktest(frames, [
    {
      name: strategy,
      evaluate: (board) => ({
        opportunities: board.snapshot.quotes.map((q): Opportunity => ({
          id: q.market.eventId,
          strategy,
          kind: 'value',
          sport: 'soccer',
          market: q.market,
          legs: [
            {
              bookmaker: 'b',
              outcome: 'H',
              point: null,
              price: q.price,
              stake: null,
              fairProbability: '0.45',
              quoteAgeMs: 0,
            },
          ],
          edge: '0.125',
          fairMethod: null,
          rule: 'r',
          suspect: false,
          suspectReasons: [],
          detectedAt: board.asOf,
          context: {},
        })),
      }),
    },
  ]);
  const { summary, curve } = summarize(
    run,
    strategy,
    { kind: 'test', matches: 3, skipped: {} },
    { groups: true },
  );
  return {
    format: RESULTS_FORMAT,
    createdAt,
    command: 'alphabet backtest --strategy x',
    data: { source: 'test' },
    parameters: { a: 1 },
    summary,
    curve,
  };
}

describe('backtest report writer', () => {
  it('writes the results and a Markdown report with its bankroll chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alphabet-report-'));
    const r = results('value', '2024-02-01T10:00:00.000Z');
    expect(r.summary.profit).toBe('2');
    expect(r.curve.map((p) => p[2])).toEqual(['100', '101.5', '100.5', '102']);
    const w = writeReport(r, dir, 'md');
    expect(w.report).toBe(join(dir, 'backtest-value-20240201T100000Z.md'));
    const md = readFileSync(w.report, 'utf8');
    expect(md).toContain('# Backtest: value');
    expect(md).toContain('| profit | 2 |');
    expect(md).toContain('| hit rate (wins / graded bets) | 66.67% |');
    expect(md).toContain('![bankroll curve](backtest-value-20240201T100000Z-bankroll.svg)');
    expect(md).toContain('## By season');
    const svg = readFileSync(w.chart!, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<path d="M');
    expect(readResults(w.results).summary.bets).toBe(3);
  });

  it('writes HTML with the chart inline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alphabet-report-'));
    const w = writeReport(results('value', '2024-02-01T10:00:00.000Z'), dir, 'html');
    const html = readFileSync(w.report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(w.chart).toBeNull();
  });

  it('finds the newest results of a strategy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alphabet-report-'));
    writeReport(results('value', '2024-02-01T10:00:00.000Z'), dir, 'md');
    const newer = writeReport(results('value', '2024-03-01T10:00:00.000Z'), dir, 'md');
    writeReport(results('steam', '2024-04-01T10:00:00.000Z'), dir, 'md');
    utimesSync(newer.results, new Date(0), new Date(0));
    expect(listResults(dir, 'value').map((r) => r.path)).toEqual([
      newer.results,
      join(dir, 'backtest-value-20240201T100000Z.json'),
    ]);
    expect(listResults(dir)[0]!.results.summary.strategy).toBe('steam');
    expect(listResults(join(dir, 'none'))).toEqual([]);
  });

  it('draws every dip of a long curve and says when there is none', () => {
    const curve: [number, string, string][] = [[0, '', '100']];
    for (let n = 1; n <= 5000; n++)
      curve.push([n, '', String(100 + (n % 97 === 0 ? -50 : Math.sin(n / 100) * 10))]);
    const svg = bankrollSvg(curve);
    expect((svg.match(/[ML]/g) ?? []).length).toBeLessThan(1400);
    expect(svg).toContain('>50.00<');
    expect(bankrollSvg([[0, '', '100']])).toContain('no settled bets');
    expect(renderMarkdown(results('v', '2024-01-01T00:00:00.000Z'), null)).not.toContain('![');
  });
});

describe('progress bar', () => {
  it('draws only on a terminal, and clears itself', () => {
    const out: string[] = [];
    const tty = { isTTY: true, columns: 80, write: (s: string) => out.push(s) > 0 };
    const bar = new ProgressBar('replay', 4, tty);
    expect([...withProgress([1, 2, 3, 4], bar)]).toEqual([1, 2, 3, 4]);
    expect(out[0]).toMatch(/^\rreplay \[#+-*\] 25% 1\/4 /);
    expect(out.at(-1)).toBe('\r\x1b[2K');
    const piped: string[] = [];
    const quiet = new ProgressBar('replay', 4, { isTTY: false, write: (s: string) => piped.push(s) > 0 });
    expect([...withProgress([1, 2], quiet)]).toEqual([1, 2]);
    expect(piped).toEqual([]);
  });
});

describe('alphabet report --db: recorded bets as metrics', () => {
  it('settled bets in settlement order, open ones unsettled, never-placed ones only counted', async () => {
    const { betsToMetrics } = await import('../../shared/backtest/recorded');
    const row = (
      status: string,
      profit: string | null,
      settled: string | null,
      clv: string | null = null,
    ) => ({
      status,
      stake: '10',
      price: '2.0',
      profit_loss: profit,
      clv_sharp: clv,
      fair_probability: '0.55',
      settled_at: settled,
      start_time: '2024-01-01T15:00:00Z',
    });
    const { metrics, statuses } = betsToMetrics(
      [
        row('lost', '-10', '2024-01-03T00:00:00Z', '0.01'),
        row('won', '10', '2024-01-02T00:00:00Z', '0.03'),
        row('voided', '0', '2024-01-04T00:00:00Z'),
        row('placed', null, null, '0.02'),
        row('rejected', null, null),
        row('pending', null, null),
      ],
      '100',
    );
    expect(statuses).toEqual({ lost: 1, won: 1, voided: 1, placed: 1, rejected: 1, pending: 1 });
    expect(metrics).toMatchObject({
      bets: 4,
      wins: 1,
      losses: 1,
      voids: 1,
      unsettled: 1,
      profit: '0',
      turnover: '20',
    });
    // Won first (settled on the 2nd), then lost: peak 110, trough 100.
    expect(metrics.bankroll.maxDrawdown).toBe('10');
    expect(metrics.clv).toEqual({ bets: 3, mean: '0.02', standardError: '0.0057735026919' });
  });
});
