/**
 * Steam detection replayed over a season of recorded line changes, with the closing-line value of the stale
 * prices it would have taken against the consensus close, next to randomly chosen prices (seeded).
 *
 *   node --import tsx scripts/analyze-steam.ts [--sport nfl|wnba] [--seed 42] [--random 20000] [--json] [--list N]
 *                                              [param=value …]
 *
 * Parameters are the steam strategy's (shared/strategies/steam.ts), defaults unless overridden, e.g.
 * `moveThreshold=0.03 minAgreeingBooks=4`. The replay feeds the same pure strategy code the live sweep
 * runs: one board per recorded snapshot time holding the current quotes of the events that changed then,
 * with the strategy's rolling state threaded from one board to the next.
 */
import { join } from 'node:path';
import { sharedDataDir } from '../config/paths';
import { marketKeyString, type MarketType, type OddsQuote, type Opportunity } from '../shared/entities';
import { D, americanToDecimal, toDecimalString } from '../shared/math';
import {
  SteamParameters,
  bookLines,
  coerceParameter,
  fairLine,
  indexBoard,
  steamStrategy,
  type BoardEvent,
  type BoardSnapshot,
  type SteamState,
} from '../shared/strategies';
import { fmtPct, mean, parseArgs, readCsv, seededRandom, stderr } from './analyze-common';

interface Current {
  market: MarketType;
  outcome: string;
  point: string | null;
  price: string;
  bookmaker: string;
}

const { flags, overrides } = parseArgs(process.argv.slice(2));
const sport = flags.sport ?? 'nfl';
const seed = Number(flags.seed ?? '42');
const dir = join(sharedDataDir(), 'the-odds-api', 'line-changes');
const params = SteamParameters.parse(
  Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, coerceParameter('steam', k, v)])),
);
const started = performance.now();

const events = new Map<string, BoardEvent>();
for (const e of readCsv(join(dir, `${sport}_events.csv`))) {
  events.set(e.event_id!, {
    id: e.event_id!,
    sport: e.sport_key!,
    league: e.sport_title ?? null,
    startTime: new Date(Date.parse(e.commence_time!)).toISOString(),
    status: 'scheduled',
    participants: [
      { id: e.home_team!, name: e.home_team!, role: 'home' },
      { id: e.away_team!, name: e.away_team!, role: 'away' },
    ],
  });
}
const rows = readCsv(join(dir, `${sport}_line_changes.csv.gz`));

const priceCache = new Map<string, string>();
function decimalPrice(american: string): string {
  let p = priceCache.get(american);
  if (p === undefined) priceCache.set(american, (p = toDecimalString(americanToDecimal(american))));
  return p;
}

function quoteOf(eventId: string, c: Current, asOf: string): OddsQuote {
  return {
    market: {
      eventId,
      marketType: c.market,
      period: 'full',
      line: c.point === null ? null : c.point.replace(/^-/, ''),
    },
    outcome: c.outcome,
    point: c.market === 'h2h' ? null : c.point,
    provider: 'replay',
    bookmaker: c.bookmaker,
    price: c.price,
    // Each recorded fetch confirms the prices it carries: observed now, no separate book time.
    observedAt: asOf,
    sourceUpdatedAt: null,
  };
}

/** Canonical text of a point: "3.0" and "3" are one line. */
function point(text: string): string | null {
  if (text === '') return null;
  const n = Number(text);
  return String(n === 0 ? 0 : n);
}

const slotKey = (o: {
  market: { eventId: string; marketType: MarketType; period: string; line: string | null };
  outcome: string;
  point: string | null;
}) => `${marketKeyString(o.market)}|${o.outcome}|${o.point ?? '-'}`;

// ---- replay ----
// Every recorded fetch is one board: all pre-match events quoted so far, each with its current prices.
const current = new Map<string, Map<string, Current>>();
const eventQuotes = new Map<string, OddsQuote[]>();
let state: SteamState = steamStrategy.initialState();
const taken: { opp: Opportunity; t: string; matched: string[] }[] = [];
const seenIds = new Set<string>();
const rng = seededRandom(seed);
let signals = 0;
let moves = 0;
let boards = 0;
let suspectSkipped = 0;

const times = readCsv(join(dir, `${sport}_snapshots.csv`))
  .map((r) => r.snapshot_utc!)
  .sort();
// Uniform random prices: sampling instants drawn over the same snapshot times.
const RANDOM_SAMPLES = Number(flags.random ?? '20000');
const sampleAt = Array.from(
  { length: RANDOM_SAMPLES },
  () => times[Math.floor(rng() * times.length)]!,
).sort();
let nextSample = 0;
const uniform: { eventId: string; quote: OddsQuote }[] = [];

let i = 0;
for (const t of times) {
  const asOf = new Date(Date.parse(t)).toISOString();
  const nowMs = Date.parse(asOf);
  const changed = new Set<string>();
  for (; i < rows.length && rows[i]!.snapshot_utc! <= t; i++) {
    const r = rows[i]!;
    const market = r.market as MarketType;
    if (market !== 'h2h' && market !== 'spreads' && market !== 'totals') continue;
    let book = current.get(r.event_id!);
    if (!book) current.set(r.event_id!, (book = new Map<string, Current>()));
    book.set(`${r.bookmaker}|${market}|${r.outcome}`, {
      market,
      outcome: r.outcome!,
      point: market === 'h2h' ? null : point(r.point!),
      price: decimalPrice(r.price_american!),
      bookmaker: r.bookmaker!,
    });
    changed.add(r.event_id!);
  }
  const open: string[] = [];
  for (const id of current.keys()) {
    const event = events.get(id);
    if (event && Date.parse(event.startTime) > nowMs) open.push(id);
  }
  const quotes: OddsQuote[] = [];
  for (const id of open) {
    let list = eventQuotes.get(id);
    if (!list || changed.has(id))
      eventQuotes.set(id, (list = [...current.get(id)!.values()].map((c) => quoteOf(id, c, asOf))));
    for (const q of list) quotes.push(q);
  }
  // Quotes carry no age in the replay (observed at every fetch), so reusing them across boards is exact.
  const snapshot: BoardSnapshot = {
    asOf,
    cursor: null,
    events: Object.fromEntries(open.map((id) => [id, events.get(id)!])),
    quotes,
  };
  const result = steamStrategy.evaluate(snapshot, params, state, { strategy: 'steam-replay' });
  state = result.state;
  boards++;
  signals += result.stats.signals ?? 0;
  moves += result.stats.moves ?? 0;
  for (const opp of result.opportunities) {
    if (seenIds.has(opp.id)) continue;
    seenIds.add(opp.id);
    if (opp.suspect) {
      suspectSkipped++;
      continue;
    }
    const leg = opp.legs[0]!;
    // The matched baseline: other prices for the same outcome and line on the same board, any book.
    const same = snapshot.quotes.filter(
      (q) =>
        marketKeyString(q.market) === marketKeyString(opp.market) &&
        q.outcome === leg.outcome &&
        q.point === leg.point,
    );
    const matched = Array.from({ length: 10 }, () => same[Math.floor(rng() * same.length)]!.price);
    taken.push({ opp, t: asOf, matched });
  }
  // Uniform baseline: at each sampling instant, a random quote of a random pre-match event on the board.
  while (nextSample < sampleAt.length && sampleAt[nextSample]! <= t) {
    nextSample++;
    if (open.length === 0) continue;
    const eventId = open[Math.floor(rng() * open.length)]!;
    const list = eventQuotes.get(eventId)!;
    uniform.push({ eventId, quote: list[Math.floor(rng() * list.length)]! });
  }
}

// ---- the consensus close: every book's last pre-match line, devigged and averaged ----
const close = new Map<string, D>();
for (const [eventId, quotes] of current) {
  const event = events.get(eventId);
  if (!event) continue;
  const asOf = new Date(Date.parse(event.startTime) - 1000).toISOString();
  const board = indexBoard({
    asOf,
    events: { [eventId]: event },
    quotes: [...quotes.values()].map((c) => quoteOf(eventId, c, asOf)),
  });
  for (const bet of board.markets) {
    if (bet.slots.length !== bet.expected) continue;
    const lines = bookLines(board, bet, () => true);
    const fair = fairLine(board, bet, lines, {
      fairSource: 'consensus',
      sharpBooks: [],
      devigMethod: params.devigMethod,
      minBooks: 3,
    });
    if (!fair) continue;
    const exact = fair.exact().probabilities;
    bet.slots.forEach((slot, s) => {
      const p = exact[s];
      if (p) close.set(`${marketKeyString(bet.market)}|${slot.outcome}|${slot.point ?? '-'}`, p);
    });
  }
}

const clvOf = (key: string, price: string): number | null => {
  const p = close.get(key);
  return p ? p.mul(price).minus(1).toNumber() : null;
};

const steamClv: number[] = [];
const matchedClv: number[] = [];
const byType: Record<string, number[]> = {};
for (const { opp, matched } of taken) {
  const leg = opp.legs[0]!;
  const key = slotKey({ market: opp.market, outcome: leg.outcome, point: leg.point });
  const clv = clvOf(key, leg.price);
  if (clv === null) continue;
  steamClv.push(clv);
  (byType[opp.market.marketType] ??= []).push(clv);
  for (const price of matched) matchedClv.push(clvOf(key, price)!);
}
const uniformClv: number[] = [];
for (const { quote } of uniform) {
  if (new D(quote.price).gt(params.maxOdds)) continue;
  const clv = clvOf(slotKey(quote), quote.price);
  if (clv !== null) uniformClv.push(clv);
}

const report = {
  sport,
  seed,
  parameters: params,
  rows: rows.length,
  boards,
  moves,
  signals,
  suspectSkipped,
  staleBets: taken.length,
  staleBetsWithClose: steamClv.length,
  meanEvAtDetection: mean(taken.map((x) => Number(x.opp.edge))),
  meanLagMs: mean(taken.map((x) => Number(x.opp.context.lagMs))),
  steamMeanClv: mean(steamClv),
  steamClvStderr: stderr(steamClv),
  steamPositiveClvShare: steamClv.filter((x) => x > 0).length / steamClv.length,
  steamMeanClvByMarket: Object.fromEntries(
    Object.entries(byType).map(([k, v]) => [k, { n: v.length, meanClv: mean(v) }]),
  ),
  matchedRandomMeanClv: mean(matchedClv),
  matchedRandomN: matchedClv.length,
  uniformRandomMeanClv: mean(uniformClv),
  uniformRandomClvStderr: stderr(uniformClv),
  uniformRandomN: uniformClv.length,
  seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
};

if (flags.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(
    `steam replay over ${sport} line changes: ${report.rows} rows, ${report.boards} boards (${report.seconds} s)`,
  );
  say(
    `parameters: ${params.fairSource} ${params.devigMethod}, move >= ${params.moveThreshold} within ${params.windowMs / 60000} min, ` +
      `>= ${params.minAgreeingBooks} books moving >= ${params.minBookMove}, EV >= ${params.minEdge}, odds <= ${params.maxOdds}`,
  );
  say(`steam signals raised: ${report.signals} (moves seen on ${report.moves} evaluations)`);
  say(
    `stale prices taken: ${report.staleBets} (${report.staleBetsWithClose} with a consensus close on the same line; ${suspectSkipped} suspect not taken)`,
  );
  say(
    `  mean EV at detection ${fmtPct(report.meanEvAtDetection)}, mean lag ${(report.meanLagMs / 60000).toFixed(1)} min`,
  );
  say(
    `  mean CLV vs consensus close: ${fmtPct(report.steamMeanClv)} ± ${fmtPct(report.steamClvStderr)} (s.e.), positive ${fmtPct(report.steamPositiveClvShare, 1)}`,
  );
  for (const [k, v] of Object.entries(report.steamMeanClvByMarket))
    say(`    ${k.padEnd(8)} n=${v.n} mean CLV ${fmtPct(v.meanClv)}`);
  say(`random prices (seed ${seed}):`);
  say(
    `  same outcome, same time, random book: mean CLV ${fmtPct(report.matchedRandomMeanClv)} (n=${report.matchedRandomN})`,
  );
  say(
    `  any quote, random time and event:    mean CLV ${fmtPct(report.uniformRandomMeanClv)} ± ${fmtPct(report.uniformRandomClvStderr)} (n=${report.uniformRandomN})`,
  );
}
// --list N: the first N stale prices taken, with the rule that fired and their CLV.
if (flags.list) {
  for (const { opp, t } of taken.slice(0, Number(flags.list))) {
    const leg = opp.legs[0]!;
    const clv = clvOf(slotKey({ market: opp.market, outcome: leg.outcome, point: leg.point }), leg.price);
    process.stdout.write(`${t} ${opp.rule}; CLV ${clv === null ? 'n/a' : fmtPct(clv)}\n`);
  }
}
