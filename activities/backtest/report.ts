import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { MetricsJson } from '../../shared/backtest/metrics';
import type {
  BacktestSummary,
  BaselineLine,
  BaselineSummary,
  GroupLine,
} from '../../shared/backtest/summary';
import { bankrollSvg, escapeXml } from './chart';

export { bankrollSvg };

/**
 * Backtest results as files under reports/: the results themselves (JSON, what `alphabet report` reads
 * back), and a human report in Markdown (with the bankroll curve as an SVG beside it) or HTML (the SVG
 * inline). The report states what it measured and how; it never fills in a figure the run did not have.
 */

export const RESULTS_FORMAT = 'alphabet-backtest/v1';

export interface BacktestResultsFile {
  readonly format: typeof RESULTS_FORMAT;
  readonly createdAt: string;
  /** The command line that produced it. */
  readonly command: string;
  /** What was replayed: the kind of source, files, price set, ranges. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly summary: BacktestSummary;
  /** Bankroll after each settled bet: [n, event start, bankroll]; n = 0 is the start. */
  readonly curve: readonly [number, string, string][];
}

export type ReportFormat = 'md' | 'html';

export interface WrittenReport {
  readonly results: string;
  readonly report: string;
  readonly chart: string | null;
}

/** Write the results JSON and the report; names are `<stem>.json`, `<stem>.md`/`.svg` or `<stem>.html`. */
export function writeReport(
  results: BacktestResultsFile,
  dir: string,
  format: ReportFormat,
  stem = defaultStem(results),
): WrittenReport {
  mkdirSync(dir, { recursive: true });
  const resultsPath = join(dir, `${stem}.json`);
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  return { results: resultsPath, ...writeReportOnly(results, dir, format, stem) };
}

/** Only the human report (from results already on disk). */
export function writeReportOnly(
  results: BacktestResultsFile,
  dir: string,
  format: ReportFormat,
  stem = defaultStem(results),
): { report: string; chart: string | null } {
  mkdirSync(dir, { recursive: true });
  const svg = bankrollSvg(results.curve);
  if (format === 'html') {
    const report = join(dir, `${stem}.html`);
    writeFileSync(report, renderHtml(results, svg));
    return { report, chart: null };
  }
  const chart = join(dir, `${stem}-bankroll.svg`);
  writeFileSync(chart, svg);
  const report = join(dir, `${stem}.md`);
  writeFileSync(report, renderMarkdown(results, basename(chart)));
  return { report, chart };
}

export function defaultStem(results: BacktestResultsFile): string {
  const stamp = results.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `backtest-${results.summary.strategy}-${stamp}`;
}

/** Every results file in a directory, newest first (optionally one strategy's). */
export function listResults(
  dir: string,
  strategy?: string,
): { path: string; results: BacktestResultsFile }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: { path: string; results: BacktestResultsFile; mtime: number }[] = [];
  for (const n of names) {
    const path = join(dir, n);
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<BacktestResultsFile>;
      if (parsed.format !== RESULTS_FORMAT || parsed.summary === undefined) continue;
      if (strategy !== undefined && parsed.summary.strategy !== strategy) continue;
      out.push({ path, results: parsed as BacktestResultsFile, mtime: statSync(path).mtimeMs });
    } catch {
      continue;
    }
  }
  return out
    .sort((a, b) =>
      a.results.createdAt < b.results.createdAt
        ? 1
        : a.results.createdAt > b.results.createdAt
          ? -1
          : b.mtime - a.mtime,
    )
    .map(({ path, results }) => ({ path, results }));
}

/** Read one results file, checking its format. */
export function readResults(path: string): BacktestResultsFile {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<BacktestResultsFile>;
  if (parsed.format !== RESULTS_FORMAT || parsed.summary === undefined) {
    throw new Error(`${path} is not a backtest results file (format ${RESULTS_FORMAT})`);
  }
  return parsed as BacktestResultsFile;
}

// ---- report text ----

function pct(v: string | null, digits = 2): string {
  return v === null ? 'n/a' : `${(Number(v) * 100).toFixed(digits)}%`;
}

/** "157 of 3253 bets": how many of the bets the mean CLV is over (voided bets have none and are left out). */
export function clvBetsText(s: Pick<MetricsJson, 'bets' | 'voids' | 'clv'>): string {
  return `${s.clv.bets} of ${s.bets - s.voids} bets${s.voids > 0 ? ' not void' : ''}`;
}

export interface Section {
  readonly title: string;
  readonly rows?: readonly (readonly string[])[];
  readonly header?: readonly string[];
  readonly text?: readonly string[];
}

/** What a metrics report says about where its bets came from. */
export interface MetricsContext {
  /** Rows before the bet counts in "Results" (matches in the data, sweeps…). */
  readonly leadRows: readonly (readonly string[])[];
  /** What "unsettled" means for this source. */
  readonly unsettledLabel: string;
  readonly clvReference: string;
  /** Where the bets were settled from (first line of "How these figures are made"). */
  readonly settledBy: string;
}

/** The sections every metrics report has (backtests, paper-trading sessions): results, sample size, calibration. */
export function metricsSections(s: MetricsJson, ctx: MetricsContext): Section[] {
  const out: Section[] = [];
  out.push({
    title: 'Results',
    header: ['measure', 'value'],
    rows: [
      ...ctx.leadRows,
      ['bets', String(s.bets)],
      ['wins / losses / pushes / voids', `${s.wins} / ${s.losses} / ${s.pushes} / ${s.voids}`],
      [ctx.unsettledLabel, String(s.unsettled)],
      ['hit rate (wins / graded bets)', pct(s.hitRate)],
      ['average odds taken', s.averageOdds ?? 'n/a'],
      ['turnover', s.turnover],
      ['profit', s.profit],
      ['yield (profit / turnover)', pct(s.yield)],
      ['starting bankroll', s.bankroll.initial],
      ['final bankroll', s.bankroll.final],
      ['ROI on bankroll (profit / starting bankroll)', pct(s.bankroll.roi)],
      ['maximum drawdown', `${s.bankroll.maxDrawdown} (${pct(s.bankroll.maxDrawdownFraction)} of the peak)`],
      [
        `mean CLV vs ${ctx.clvReference}`,
        s.clv.mean === null
          ? `n/a (no bet has that closing line)`
          : `${pct(s.clv.mean)} ± ${pct(s.clv.standardError)} (standard error; over ${clvBetsText(s)})`,
      ],
    ],
  });
  const g = s.sampleSize;
  out.push({
    title: 'Is the sample big enough?',
    text: [
      `standard error of the return per unit staked: ${g.returnStandardError ?? 'n/a'}; yield / standard error = ${g.zScore ?? 'n/a'}.`,
      g.byYield === null
        ? 'The observed yield is not positive: there is no edge to confirm.'
        : `To tell a yield of ${pct(g.byYield.edge)} from zero at about two standard errors takes ~${g.byYield.betsNeeded} bets at these odds: ${g.byYield.enough ? 'the sample has them' : `the sample (${s.bets}) does not`}.`,
      g.byClv === null
        ? 'The mean CLV is not positive or not measured.'
        : `If the true edge were the mean CLV (${pct(g.byClv.edge)}), results would need ~${g.byClv.betsNeeded} bets at these odds to show it: ${g.byClv.enough ? 'the sample has them' : `the sample has ${s.bets}`}. The CLV itself is ${s.clv.standardError === null ? 'one bet' : `${(Number(s.clv.mean) / Number(s.clv.standardError)).toFixed(1)} standard errors from zero over ${s.clv.bets} bets`}.`,
    ],
  });
  out.push({
    title: 'Calibration (stated probability against outcomes)',
    header: ['probability', 'bets', 'wins', 'mean stated', 'observed', '± s.e.'],
    rows: s.calibration.rows.map((c) => [
      `${c.from}–${c.to}`,
      String(c.bets),
      String(c.wins),
      pct(c.meanProbability, 1),
      pct(c.observedRate, 1),
      pct(c.standardError, 1),
    ]),
    text:
      s.calibration.rows.length === 0
        ? ['No won or lost bet carries a stated probability.']
        : [`${s.calibration.bets} won or lost bets with a stated probability.`],
  });
  return out;
}

/** How the figures are made (the last section of every metrics report). */
export function methodSection(ctx: MetricsContext): Section {
  return {
    title: 'How these figures are made',
    text: [
      `${ctx.settledBy} Money is exact (decimal), ratios are rounded for display.`,
      'Hit rate = won / (won + lost + push). Yield = profit / turnover. ROI = profit / starting bankroll. Drawdown is the largest fall from a running peak of the bankroll, in settlement order.',
      `CLV = price taken × fair closing probability − 1, the fair probability from the ${ctx.clvReference}; bets without that close are left out of the mean.`,
      'Calibration bins the probability the strategy stated for each bet (e.g. consensus: 1/average − alpha).',
    ],
  };
}

function sections(r: BacktestResultsFile): Section[] {
  const s = r.summary;
  const ctx: MetricsContext = {
    leadRows: [
      ['matches in the data', String(s.matches)],
      ['matches replayed', String(s.evaluated)],
    ],
    unsettledLabel: 'unsettled (no result in the data)',
    clvReference: s.clvReference,
    settledBy: 'Every bet is settled by the live settlement rules from the result in the data.',
  };
  const [results, sample, calibration] = metricsSections(s, ctx);
  const out: Section[] = [
    {
      title: 'Data',
      text: [
        ...Object.entries(r.data).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
        `parameters: ${JSON.stringify(r.parameters)}`,
      ],
    },
    ...((s.warnings ?? []).length > 0 ? [{ title: 'Warnings', text: s.warnings }] : []),
    results!,
    sample!,
  ];
  const skipped = Object.entries(s.skipped);
  if (skipped.length > 0) {
    out.push({
      title: 'Matches not bet',
      header: ['reason', 'matches'],
      rows: skipped.map(([k, v]) => [k, String(v)]),
    });
  }
  out.push(calibration!);
  if (s.baseline !== undefined) out.push(baselineSection(s.baseline, s));
  for (const [title, lines] of [
    ['By bookmaker', s.byBookmaker],
    ['By market', s.byMarket],
    ['By league', s.byLeague],
    ['By season', s.bySeason],
  ] as const) {
    if (lines === undefined || Object.keys(lines).length === 0) continue;
    out.push({
      title,
      header: ['', 'bets', 'wins', 'hit rate', 'staked', 'profit', 'yield', 'mean CLV (bets)'],
      rows: Object.entries(lines as Record<string, GroupLine>).map(([k, l]) => [
        k,
        String(l.bets),
        String(l.wins),
        pct(l.hitRate),
        // Results files written before the per-book breakdown have no stakes per line.
        l.staked ?? 'n/a',
        l.profit,
        pct(l.yield),
        l.clvMean === null ? 'n/a' : `${pct(l.clvMean)} (${l.clvBets})`,
      ]),
    });
  }
  out.push(methodSection(ctx));
  return out;
}

/** The random baseline beside the strategy: same metrics, randomly chosen prices. */
function baselineSection(b: BaselineSummary, s: BacktestSummary): Section {
  const clv = (c: BaselineSummary['clv']): string =>
    c.mean === null ? 'n/a' : `${pct(c.mean)} ± ${pct(c.standardError)} (${c.bets} bets)`;
  const row = (name: string, l: BaselineLine | BacktestSummary): string[] => [
    name,
    String(l.bets),
    pct(l.hitRate),
    l.profit,
    pct(l.yield),
    clv(l.clv),
  ];
  return {
    title: `Random baseline (seed ${b.seed})`,
    header: ['', 'bets', 'hit rate', 'profit', 'yield', 'mean CLV ± s.e.'],
    rows: [row(s.strategy, s), row('random: matched', b), row('random: uniform', b.uniform)],
    text: [`matched: ${b.description}.`, `uniform: ${b.uniform.description}.`],
  };
}

export function renderMarkdown(r: BacktestResultsFile, chartFile: string | null): string {
  return markdownDocument(
    `Backtest: ${r.summary.strategy}`,
    `Generated ${r.createdAt} by \`${r.command}\`.`,
    sections(r),
    chartFile,
  );
}

export function renderHtml(r: BacktestResultsFile, svg: string): string {
  return htmlDocument(
    `Backtest: ${r.summary.strategy}`,
    { text: `Generated ${r.createdAt} by `, code: r.command },
    sections(r),
    svg,
  );
}

/** A report in Markdown: the bankroll chart follows the "Results" section. */
export function markdownDocument(
  title: string,
  intro: string,
  body: readonly Section[],
  chartFile: string | null,
): string {
  const lines = [`# ${title}`, '', intro, ''];
  for (const s of body) {
    lines.push(`## ${s.title}`, '');
    if (s.rows !== undefined && s.header !== undefined) {
      lines.push(`| ${s.header.join(' | ')} |`, `|${s.header.map(() => ' --- ').join('|')}|`);
      for (const row of s.rows) lines.push(`| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
      lines.push('');
    }
    for (const t of s.text ?? []) lines.push(t, '');
    if (s.title === 'Results' && chartFile !== null) lines.push(`![bankroll curve](${chartFile})`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The same report as one HTML page with the chart inline. */
export function htmlDocument(
  title: string,
  intro: { text: string; code?: string },
  body: readonly Section[],
  svg: string,
): string {
  const e = escapeXml;
  const out: string[] = [
    `<h1>${e(title)}</h1>`,
    `<p>${e(intro.text)}${intro.code === undefined ? '' : `<code>${e(intro.code)}</code>.`}</p>`,
  ];
  for (const s of body) {
    out.push(`<h2>${e(s.title)}</h2>`);
    if (s.rows !== undefined && s.header !== undefined) {
      out.push(
        '<table>',
        `<tr>${s.header.map((h) => `<th>${e(h)}</th>`).join('')}</tr>`,
        ...s.rows.map((row) => `<tr>${row.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`),
        '</table>',
      );
    }
    for (const t of s.text ?? []) out.push(`<p>${e(t)}</p>`);
    if (s.title === 'Results') out.push(svg);
  }
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${e(title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}</style>',
    '</head><body>',
    ...out,
    '</body></html>',
    '',
  ].join('\n');
}
