/**
 * The value strategy over the football-data.co.uk seasons, with Pinnacle as the sharp book: bets, yield
 * (flat one-unit stakes settled on the full-time result) and mean closing-line value against Pinnacle's
 * devigged closing line (PSCH/PSCD/PSCA, seasons 2012/13 on).
 *
 *   node --import tsx scripts/analyze-value.ts [--json] [--all-seasons] [param=value …]
 *
 * Parameters are the value strategy's (shared/strategies/value.ts); this script only sets
 * fairSource=sharp and sharpBooks=pinnacle, e.g. `minEdge=0.03 devigMethod=power`. Each match is one board
 * of every bookmaker's pre-match 1X2 prices, evaluated by the same pure code the live sweep runs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir } from '../config/paths';
import type { OddsQuote } from '../shared/entities';
import { D, clvAgainstFairClose } from '../shared/math';
import { ValueParameters, coerceParameter, valueStrategy, type BoardSnapshot } from '../shared/strategies';
import { fmtPct, mean, parseArgs, readCsv, stderr } from './analyze-common';

const BOOKS: Record<string, string> = {
  B365: 'bet365',
  BW: 'betwin',
  IW: 'interwetten',
  PS: 'pinnacle',
  WH: 'williamhill',
  VC: 'vcbet',
  LB: 'ladbrokes',
  GB: 'gamebookers',
  SJ: 'stanjames',
  BS: 'bluesquare',
  SB: 'sportingbet',
  SO: 'sportingodds',
  SY: 'stanleybet',
};
const AGGREGATES = /^(Bb|Max|Avg)/;

const { flags, overrides } = parseArgs(process.argv.slice(2));
const params = ValueParameters.parse({
  fairSource: 'sharp',
  sharpBooks: ['pinnacle'],
  ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, coerceParameter('value', k, v)])),
});
const dir = join(sharedDataDir(), 'football-data');

/** Bookmaker codes of a file's 1X2 columns (pre-match only: closing "<code>C" and aggregates left out). */
function bookCodes(columns: string[]): string[] {
  const set = new Set(columns);
  const codes: string[] = [];
  for (const c of columns) {
    if (!c.endsWith('H')) continue;
    const code = c.slice(0, -1);
    if (!code || AGGREGATES.test(code) || !set.has(`${code}D`) || !set.has(`${code}A`)) continue;
    if (code.endsWith('C') && set.has(`${code.slice(0, -1)}H`)) continue; // closing prices
    if (code === 'HT' || code === 'FT') continue;
    codes.push(code);
  }
  return codes;
}

/** dd/mm/yy or dd/mm/yyyy (+ optional HH:MM) as an ISO time (UTC; kick-off 15:00 when no time is given). */
function kickoff(date: string, time: string | undefined): string {
  const [d, m, y] = date.split('/');
  const year = y!.length === 2 ? 2000 + Number(y) : Number(y);
  const [hh, mm] = (time || '15:00').split(':');
  return new Date(Date.UTC(year, Number(m) - 1, Number(d), Number(hh), Number(mm))).toISOString();
}

const price = (text: string | undefined): string | null => {
  if (!text) return null;
  const t = text.trim();
  return /^\d+(\.\d+)?$/.test(t) && Number(t) > 1 ? t : null;
};

interface Bet {
  season: string;
  file: string;
  book: string;
  price: string;
  won: boolean;
  edge: number;
  clv: number | null;
}

const bets: Bet[] = [];
let matches = 0;
let boardsWithSharp = 0;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.csv'))
  .sort();
for (const file of files) {
  const rows = readCsv(join(dir, file));
  if (rows.length === 0) continue;
  const columns = Object.keys(rows[0]!);
  const hasClose = columns.includes('PSCH');
  if (!hasClose && !flags['all-seasons']) continue;
  const codes = bookCodes(columns);
  const season = file.replace(/^.*_(\d+)\.csv$/, '$1');
  for (const row of rows) {
    if (!row.HomeTeam || !row.AwayTeam || !row.Date || !row.FTR) continue;
    matches++;
    const start = kickoff(row.Date, row.Time);
    const asOf = new Date(Date.parse(start) - 86_400_000).toISOString();
    const id = `${file.replace('.csv', '')}:${row.Date}:${row.HomeTeam}:${row.AwayTeam}`;
    const outcomes = [row.HomeTeam, 'Draw', row.AwayTeam];
    const quotes: OddsQuote[] = [];
    for (const code of codes) {
      const prices = ['H', 'D', 'A'].map((s) => price(row[`${code}${s}`]));
      if (prices.some((p) => p === null)) continue;
      prices.forEach((p, k) =>
        quotes.push({
          market: { eventId: id, marketType: 'h2h', period: 'full', line: null },
          outcome: outcomes[k]!,
          point: null,
          provider: 'football-data',
          bookmaker: BOOKS[code] ?? code.toLowerCase(),
          price: p!,
          observedAt: asOf,
          sourceUpdatedAt: null,
        }),
      );
    }
    if (quotes.some((q) => q.bookmaker === 'pinnacle')) boardsWithSharp++;
    const board: BoardSnapshot = {
      asOf,
      events: {
        [id]: {
          id,
          sport: `soccer_${(row.Div ?? 'x').toLowerCase()}`,
          league: row.Div ?? null,
          startTime: start,
          status: 'scheduled',
          participants: [
            { id: row.HomeTeam, name: row.HomeTeam, role: 'home' },
            { id: row.AwayTeam, name: row.AwayTeam, role: 'away' },
          ],
        },
      },
      quotes,
    };
    const { opportunities } = valueStrategy.evaluate(board, params, undefined, {
      strategy: 'value-backtest',
    });
    const closing = ['PSCH', 'PSCD', 'PSCA'].map((c) => price(row[c]));
    for (const opp of opportunities) {
      if (opp.suspect) continue;
      const leg = opp.legs[0]!;
      const k = outcomes.indexOf(leg.outcome);
      let clv: number | null = null;
      const close = closing.filter((p): p is string => p !== null);
      if (close.length === 3) {
        clv = clvAgainstFairClose(leg.price, close, k, params.devigMethod).clv.toNumber();
      }
      bets.push({
        season,
        file,
        book: leg.bookmaker,
        price: leg.price,
        won: row.FTR === 'HDA'[k],
        edge: Number(opp.edge),
        clv,
      });
    }
  }
}

function summary(list: Bet[]) {
  let profit = new D(0);
  for (const b of list) profit = profit.plus(b.won ? new D(b.price).minus(1) : -1);
  const clvs = list.map((b) => b.clv).filter((c): c is number => c !== null);
  return {
    bets: list.length,
    staked: list.length,
    profit: profit.toFixed(2),
    yield: list.length ? profit.div(list.length).toNumber() : NaN,
    winRate: list.filter((b) => b.won).length / list.length,
    meanPrice: mean(list.map((b) => Number(b.price))),
    meanEdge: mean(list.map((b) => b.edge)),
    meanClv: mean(clvs),
    clvStderr: stderr(clvs),
    positiveClvShare: clvs.filter((c) => c > 0).length / clvs.length,
    withClose: clvs.length,
  };
}

const seasons = [...new Set(bets.map((b) => b.season))].sort(
  (a, b) => Number(a.slice(0, 2)) - Number(b.slice(0, 2)),
);
const report = {
  parameters: params,
  matches,
  boardsWithPinnacle: boardsWithSharp,
  total: summary(bets),
  bySeason: Object.fromEntries(seasons.map((s) => [s, summary(bets.filter((b) => b.season === s))])),
  byBook: Object.fromEntries(
    [...new Set(bets.map((b) => b.book))].sort().map((k) => [k, summary(bets.filter((b) => b.book === k))]),
  ),
};

if (flags.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const line = (label: string, s: ReturnType<typeof summary>) =>
    `${label.padEnd(12)} bets ${String(s.bets).padStart(5)}  profit ${s.profit.padStart(9)}  yield ${fmtPct(s.yield).padStart(7)}  mean CLV ${fmtPct(s.meanClv).padStart(7)} ± ${fmtPct(s.clvStderr)}  CLV>0 ${fmtPct(s.positiveClvShare, 1)}`;
  say(
    `value strategy on football-data (${report.matches} matches, ${report.boardsWithPinnacle} with Pinnacle prices): ${params.fairSource === 'sharp' ? `sharp ${params.sharpBooks.join('/')}, ${params.devigMethod}` : params.fairSource === 'kaunitz' ? `Kaunitz alpha ${params.kaunitzAlpha}` : `consensus, ${params.devigMethod}`}, EV >= ${params.minEdge}, odds <= ${params.maxOdds}, EV cap ${params.evCap}`,
  );
  say('flat 1-unit stakes on the full-time result; CLV = price x Pinnacle closing fair probability - 1');
  say(line('all', report.total));
  for (const [s, v] of Object.entries(report.bySeason)) say(line(`season ${s}`, v));
  for (const [b, v] of Object.entries(report.byBook)) say(line(b, v));
}
