import type { MarketKey, OddsQuote, Participant, SportEvent } from '../entities';
import type { MarketAggregate, ReplayFrame } from '../backtest/types';
import { slug } from './football-data-cells';
import type {
  FootballDataFileSummary,
  FootballDataMatch,
  MatchPrices,
  ParsedFootballDataFile,
  PriceSet,
} from './football-data';

export interface FootballDataReplayOptions {
  /** Which prices go on the board: pre-match (default) or closing (AvgC/MaxC, B365C…; 2019/20 on). */
  readonly prices?: PriceSet;
  /** Put every bookmaker's own 1X2 quote on the board too (default true); aggregates are always there. */
  readonly books?: boolean;
}

export interface FootballDataReplay {
  /** The frames in time order; re-iterable, each pass builds them afresh. */
  readonly frames: Iterable<ReplayFrame>;
  readonly frameCount: number;
  /** Match rows read, across all files. */
  readonly matches: number;
  /** Matches left out of the replay, by reason. */
  readonly skipped: Record<string, number>;
  readonly files: FootballDataFileSummary[];
  readonly prices: PriceSet;
}

export const NO_CLOSING_COLUMNS = 'no closing odds columns (AvgC/MaxC, from 2019/20) in the file';
const PROVIDER = 'football-data';
const LEAD_MS = 60_000;

/**
 * Matches as a time-ordered replay: one frame per kick-off instant, one minute before it, carrying the
 * matches' events, the chosen price set (books' quotes and the market aggregate), the closing line for
 * CLV (Pinnacle and every closing column) and the results. Matches with the same kick-off keep file order.
 */
export function footballDataReplay(
  parsed: readonly ParsedFootballDataFile[],
  options: FootballDataReplayOptions = {},
): FootballDataReplay {
  const priceSet = options.prices ?? 'opening';
  const withBooks = options.books ?? true;
  const skipped: Record<string, number> = {};
  const rows: { ms: number; match: FootballDataMatch }[] = [];
  let matches = 0;
  for (const file of parsed) {
    if (priceSet === 'closing' && !file.closingRead && file.summary.hasClosing) {
      throw new Error(`${file.summary.file}: parsed without its closing prices (ParseOptions.closing)`);
    }
    for (const match of file.matches) {
      matches++;
      if (priceSet === 'closing' && !match.hasClosingPrices) {
        skipped[NO_CLOSING_COLUMNS] = (skipped[NO_CLOSING_COLUMNS] ?? 0) + 1;
        continue;
      }
      rows.push({ ms: Date.parse(match.startTime), match });
    }
  }
  // Stable: equal kick-offs keep the order of the files and rows.
  rows.sort((a, b) => a.ms - b.ms);
  let frameCount = 0;
  for (let i = 0; i < rows.length; i++) if (i === 0 || rows[i]!.ms !== rows[i - 1]!.ms) frameCount++;
  return {
    // Built as they are replayed, so a frame is garbage as soon as the engine has read it.
    frames: { [Symbol.iterator]: () => framesOf(rows, priceSet, withBooks) },
    frameCount,
    matches,
    skipped,
    files: parsed.map((p) => p.summary),
    prices: priceSet,
  };
}

function* framesOf(
  rows: readonly { ms: number; match: FootballDataMatch }[],
  priceSet: PriceSet,
  withBooks: boolean,
): Generator<ReplayFrame> {
  let i = 0;
  while (i < rows.length) {
    const ms = rows[i]!.ms;
    const atMs = ms - LEAD_MS;
    const at = new Date(atMs).toISOString();
    const events: SportEvent[] = [];
    const quotes: OddsQuote[] = [];
    const aggregates: MarketAggregate[] = [];
    const closing: OddsQuote[] = [];
    const results: { eventId: string; result: { status: 'completed'; scores: Record<string, string> } }[] =
      [];
    for (; i < rows.length && rows[i]!.ms === ms; i++) {
      const m = rows[i]!.match;
      // Extra-league names ("Norway Eliteserien") have spaces; ids do not.
      const div = m.div.includes(' ') ? m.div.replace(/ /g, '-') : m.div;
      const id = `fd-${div}-${m.date}-${slug(m.home)}-${slug(m.away)}`;
      events.push({
        id,
        sport: 'soccer',
        league: m.div,
        participants: [participant(m.home, 'home'), participant(m.away, 'away')],
        startTime: m.startTime,
        status: 'scheduled',
        metadata: { season: m.season, file: m.file, row: m.row, timeKnown: m.timeKnown },
      });
      const market: MarketKey = { eventId: id, marketType: 'h2h', line: null, period: 'full' };
      const names = [m.home, 'Draw', m.away];
      const closePrices = withBooks || priceSet === 'closing' ? m.closing : null;
      const set = priceSet === 'opening' ? m.opening : closePrices!;
      if (withBooks) pushQuotes(quotes, market, names, set.quotes, at);
      aggregates.push(aggregateOf(market, names, set, priceSet));
      // The closing line for CLV: every closing column read (the consensus close needs them even when the
      // books' quotes are not on the board), and Pinnacle's close (the default reference) always.
      if (m.closing !== null) pushQuotes(closing, market, names, m.closing.quotes, at);
      const pinnacle = m.pinnacleClose;
      if (pinnacle !== null) pushLine(closing, market, names, 'pinnacle', pinnacle, at);
      if (m.homeGoals !== null && m.awayGoals !== null) {
        // Team names as keys: a dictionary object, not one hidden class per pairing of teams.
        const scores = Object.create(null) as Record<string, string>;
        scores[m.home] = m.homeGoals;
        scores[m.away] = m.awayGoals;
        results.push({ eventId: id, result: { status: 'completed', scores } });
      }
    }
    yield { at, atMs, events, quotes, aggregates, closing, results };
  }
}

function pushQuotes(
  out: OddsQuote[],
  market: MarketKey,
  names: readonly string[],
  books: MatchPrices['quotes'],
  at: string,
): void {
  for (const b of books) pushLine(out, market, names, b.bookmaker, b.prices, at);
}

function pushLine(
  out: OddsQuote[],
  market: MarketKey,
  names: readonly string[],
  bookmaker: string,
  prices: readonly (string | null)[],
  at: string,
): void {
  for (let k = 0; k < 3; k++) {
    const price = prices[k];
    if (price === null || price === undefined) continue;
    out.push({
      market,
      outcome: names[k]!,
      point: null,
      provider: PROVIDER,
      bookmaker,
      price,
      observedAt: at,
      sourceUpdatedAt: null,
    });
  }
}

const PARTICIPANTS = { home: new Map<string, Participant>(), away: new Map<string, Participant>() };

/** One shared (frozen) participant object per team and role: thousands of matches, a few dozen teams. */
function participant(name: string, role: 'home' | 'away'): Participant {
  const byName = PARTICIPANTS[role];
  let p = byName.get(name);
  if (p === undefined) byName.set(name, (p = Object.freeze({ id: slug(name), name, role })));
  return p;
}

function aggregateOf(
  market: MarketKey,
  names: readonly string[],
  set: MatchPrices,
  priceSet: PriceSet,
): MarketAggregate {
  const outcomes = [];
  for (let k = 0; k < 3; k++) {
    const average = set.average[k];
    const best = set.best[k];
    // A published aggregate with a missing cell: the market has no usable average/best (not zero).
    if (average === null || average === undefined || best === null || best === undefined) {
      return { market, outcomes: [], books: set.books, source: 'football-data: incomplete average/best' };
    }
    outcomes.push({ outcome: names[k]!, point: null, average, best, bestBookmaker: null });
  }
  return {
    market,
    outcomes,
    books: set.books,
    source: priceSet === 'opening' ? 'football-data:average/best' : 'football-data:closing average/best',
  };
}
