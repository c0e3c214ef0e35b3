/**
 * Market microstructure of the real data in ../shared/data, the figures the simulated market is calibrated
 * to (activities/providers/simulated/params.ts): bookmaker margins per book type, how often and how far the
 * sharp line moves, how late soft books follow it and how often a soft price is stale against it.
 *
 *   node --import tsx scripts/measure-market.ts [--sport nfl|wnba]      The Odds API line changes (US books)
 *   node --import tsx scripts/measure-market.ts --football-data          football-data (European books)
 *
 * Line changes are sampled every 5–12 minutes, so lags are known to within one sampling gap. Sharp US books
 * are lowvig and betonlineag (Pinnacle is absent); h2h only, two-way markets, devigged multiplicatively.
 * Measurement only (floats); nothing here prices a bet.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sharedDataDir } from '../config/paths';
import { csvObjects } from '../shared/readers/csv';

const SHARP = new Set(['lowvig', 'betonlineag']);
const args = process.argv.slice(2);
const dataDir = sharedDataDir();

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const americanToDec = (a: number) => (a > 0 ? 1 + a / 100 : 1 + 100 / -a);

if (args.includes('--football-data')) footballData();
else lineChanges(args[args.indexOf('--sport') + 1] ?? 'nfl');

function lineChanges(sport: string): void {
  const dir = join(dataDir, 'the-odds-api', 'line-changes');
  const rows = csvObjects(
    gunzipSync(readFileSync(join(dir, `${sport}_line_changes.csv.gz`))).toString('utf8'),
  );
  const starts = new Map(
    csvObjects(readFileSync(join(dir, `${sport}_events.csv`), 'utf8')).map((e) => [
      e.event_id!,
      Date.parse(e.commence_time!),
    ]),
  );
  // Per (event, book): the current h2h prices by outcome and the devigged probability of the first outcome.
  type Line = { px: Map<string, number>; p: number | null };
  const lines = new Map<string, Line>();
  const margins: Record<'sharp' | 'soft', number[]> = { sharp: [], soft: [] };
  const sharpMoves: number[] = [];
  const sharpHist = new Map<string, { t: number; p: number }[]>();
  const softHist = new Map<string, Map<string, { t: number; p: number }[]>>();
  const outcomeOrder = new Map<string, string>();
  const softEv: number[] = [];
  for (const r of rows) {
    if (r.market !== 'h2h') continue;
    const ev = r.event_id!;
    const book = r.bookmaker!;
    const key = `${ev}|${book}`;
    const line: Line = lines.get(key) ?? { px: new Map<string, number>(), p: null };
    lines.set(key, line);
    line.px.set(r.outcome!, americanToDec(Number(r.price_american)));
    if (line.px.size !== 2) continue;
    if (!outcomeOrder.has(ev)) outcomeOrder.set(ev, [...line.px.keys()].sort()[0]!);
    const first = outcomeOrder.get(ev)!;
    const inv = [...line.px.entries()].map(([o, d]) => [o, 1 / d] as const);
    const over = inv[0]![1] + inv[1]![1];
    const p = inv.find(([o]) => o === first)![1] / over;
    const t = Date.parse(r.snapshot_utc!);
    if (line.p !== null && Math.abs(p - line.p) < 1e-12) continue;
    (SHARP.has(book) ? margins.sharp : margins.soft).push(over - 1);
    if (SHARP.has(book)) {
      if (line.p !== null) sharpMoves.push(p - line.p);
      if (book === 'lowvig') {
        const h = sharpHist.get(ev) ?? [];
        h.push({ t, p });
        sharpHist.set(ev, h);
      }
    } else {
      // EV of this soft price against lowvig's devigged line at the same moment (stale or off-market prices).
      const sharp = lines.get(`${ev}|lowvig`);
      if (sharp?.p != null) {
        const d1 = line.px.get(first)!;
        const d2 = [...line.px.entries()].find(([o]) => o !== first)![1];
        softEv.push(Math.max(sharp.p * d1 - 1, (1 - sharp.p) * d2 - 1));
      }
      const byBook = softHist.get(ev) ?? new Map<string, { t: number; p: number }[]>();
      const h = byBook.get(book) ?? [];
      h.push({ t, p });
      byBook.set(book, h);
      softHist.set(ev, byBook);
    }
    line.p = p;
  }
  // A sharp move: lowvig's devigged probability changes by ≥ 2 points between two of its prices. A soft book
  // follows when its own probability has gone half the move's way; its lag is the time since the move.
  const lags: number[] = [];
  let moves = 0;
  let never = 0;
  let staleAtMove = 0;
  let bookMoves = 0;
  for (const [ev, h] of sharpHist) {
    const start = starts.get(ev) ?? Infinity;
    for (let i = 1; i < h.length; i++) {
      const d = h[i]!.p - h[i - 1]!.p;
      if (Math.abs(d) < 0.02 || h[i]!.t >= start) continue;
      moves++;
      for (const [, sh] of softHist.get(ev) ?? []) {
        const before = [...sh].reverse().find((x) => x.t <= h[i]!.t);
        if (!before) continue;
        bookMoves++;
        const target = h[i - 1]!.p + d / 2;
        const followed = (x: { p: number }) => (d > 0 ? x.p >= target : x.p <= target);
        if (followed(before)) {
          lags.push(0);
          continue;
        }
        staleAtMove++;
        const f = sh.find((x) => x.t > h[i]!.t && x.t < start && followed(x));
        if (f) lags.push(f.t - h[i]!.t);
        else never++;
      }
    }
  }
  const min = (ms: number) => `${(ms / 60_000).toFixed(0)} min`;
  const abs = sharpMoves.map(Math.abs);
  console.log(`${sport}: ${rows.length} rows, ${sharpHist.size} events with a lowvig h2h line`);
  console.log(
    `h2h overround: sharp median ${pct(quantile(margins.sharp, 0.5))} (n=${margins.sharp.length}), soft median ${pct(quantile(margins.soft, 0.5))} (n=${margins.soft.length}), soft p10–p90 ${pct(quantile(margins.soft, 0.1))}–${pct(quantile(margins.soft, 0.9))}`,
  );
  console.log(
    `sharp h2h price changes: ${abs.length}; |Δp| median ${pct(quantile(abs, 0.5))}, p90 ${pct(quantile(abs, 0.9))}, p99 ${pct(quantile(abs, 0.99))}; share ≥ 2 points ${pct(abs.filter((x) => x >= 0.02).length / abs.length)}`,
  );
  console.log(
    `sharp moves ≥ 2 points before the start: ${moves}; soft book × move pairs ${bookMoves}: already there at the sharp sample ${pct(1 - staleAtMove / bookMoves)}, stale then ${pct(staleAtMove / bookMoves)}, never followed before the start ${pct(never / bookMoves)}`,
  );
  console.log(
    `soft h2h prices vs lowvig fair at the same time (n=${softEv.length}): best side EV ≥ 0 ${pct(softEv.filter((x) => x >= 0).length / softEv.length)}, ≥ 2% ${pct(softEv.filter((x) => x >= 0.02).length / softEv.length)}`,
  );
  const late = lags.filter((x) => x > 0);
  console.log(
    `lag of the stale ones that followed (n=${late.length}): median ${min(quantile(late, 0.5))}, p75 ${min(quantile(late, 0.75))}, p90 ${min(quantile(late, 0.9))}; mean over all that followed ${min(mean(lags))}`,
  );
}

function footballData(): void {
  const dir = join(dataDir, 'football-data');
  const books = ['PS', 'B365', 'BW', 'IW', 'WH', 'VC', 'PSC'];
  const over: Record<string, number[]> = Object.fromEntries(books.map((b) => [b, []]));
  const moves: number[] = [];
  const softVsSharp: number[] = [];
  for (const f of readdirSync(dir).filter((n) => /_1[2-9]\d*\.csv$/.test(n))) {
    for (const r of csvObjects(readFileSync(join(dir, f), 'utf8'))) {
      const get = (b: string) => {
        const o = ['H', 'D', 'A'].map((s) => Number(r[`${b}${s}`]));
        return o.every((x) => x > 1) ? o : null;
      };
      for (const b of books) {
        const o = get(b);
        if (o) over[b]!.push(o.reduce((a, x) => a + 1 / x, 0) - 1);
      }
      const ps = get('PS');
      const psc = get('PSC');
      const b365 = get('B365');
      const dev = (o: number[]) => {
        const s = o.reduce((a, x) => a + 1 / x, 0);
        return o.map((x) => 1 / x / s);
      };
      if (ps && psc) moves.push(...dev(ps).map((p, i) => Math.abs(dev(psc)[i]! - p)));
      // EV of Bet365's price against Pinnacle's devigged line of the same collection time.
      if (ps && b365) softVsSharp.push(...dev(ps).map((p, i) => p * b365[i]! - 1));
    }
  }
  for (const b of books)
    console.log(`${b.padEnd(5)} 1X2 overround median ${pct(quantile(over[b]!, 0.5))} (n=${over[b]!.length})`);
  console.log(
    `Pinnacle open→close |Δp| per outcome: median ${pct(quantile(moves, 0.5))}, p90 ${pct(quantile(moves, 0.9))} (n=${moves.length})`,
  );
  console.log(
    `Bet365 EV vs Pinnacle fair: share ≥ 0 ${pct(softVsSharp.filter((x) => x >= 0).length / softVsSharp.length)}, ≥ 2% ${pct(softVsSharp.filter((x) => x >= 0.02).length / softVsSharp.length)}`,
  );
}
