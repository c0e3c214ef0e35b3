import { z } from 'zod';
import type { MarketType, OddsQuote } from '../entities';
import { americanToDecimal, toDecimalString } from '../math';
import type { BoardEvent, BoardSnapshot } from '../strategies/board';

/**
 * A strategy board from one recorded The Odds API v4 `/odds` response file (American prices): `arb scan
 * --file` and the strategy tests read snapshot files through this. Pure: the caller reads the file and says
 * when it was fetched. Unlike ./the-odds-api.ts (live ingestion: every bad part recorded as a reject and
 * skipped, events matched to the requested sport), a file that is not a response at all is refused whole
 * (zod, with the path of the first problem), and the outcomes it cannot price are listed as skipped.
 */
const Outcome = z.object({ name: z.string().min(1), price: z.number(), point: z.number().optional() });
const Market = z.object({ key: z.string(), last_update: z.string().optional(), outcomes: z.array(Outcome) });
const Bookmaker = z.object({
  key: z.string().min(1),
  last_update: z.string().optional(),
  markets: z.array(Market),
});
const Event = z.object({
  id: z.string().min(1),
  sport_key: z.string().min(1),
  sport_title: z.string().optional(),
  commence_time: z.string(),
  home_team: z.string().nullable().optional(),
  away_team: z.string().nullable().optional(),
  bookmakers: z.array(Bookmaker),
});
export const OddsApiResponse = z.array(Event);
export type OddsApiResponse = z.infer<typeof OddsApiResponse>;

const MARKETS: Record<string, MarketType> = { h2h: 'h2h', spreads: 'spreads', totals: 'totals' };

export interface OddsApiBoard {
  snapshot: BoardSnapshot;
  /** Outcomes that could not be read (unknown market, bad price, missing point), with why. */
  skipped: { eventId: string; bookmaker: string; market: string; outcome: string; reason: string }[];
}

/** The fetch time encoded in a recorded file name ("nfl_20251116T175443Z.json"), or null. */
export function fetchTimeFromName(name: string): string | null {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}

/** The latest `last_update` in a response: the best guess of its fetch time when nothing else says. */
export function latestUpdate(response: OddsApiResponse): string | null {
  let best: string | null = null;
  let bestMs = -Infinity;
  for (const e of response)
    for (const b of e.bookmakers)
      for (const stamp of [b.last_update, ...b.markets.map((m) => m.last_update)]) {
        if (!stamp) continue;
        const ms = Date.parse(stamp);
        if (ms > bestMs) {
          bestMs = ms;
          best = new Date(ms).toISOString();
        }
      }
  return best;
}

/**
 * Read a response into a board as of `asOf` (the fetch time). Each quote is observed at `asOf`, and carries
 * its market's `last_update` (else its bookmaker's) as the book's own update time, so its age is how long
 * the book had not refreshed it. An event that has started by `asOf` is in play.
 */
export function boardFromOddsApi(raw: unknown, asOf: string, provider = 'the-odds-api'): OddsApiBoard {
  const response = OddsApiResponse.parse(raw);
  const asOfIso = new Date(Date.parse(asOf)).toISOString();
  const events: Record<string, BoardEvent> = {};
  const quotes: OddsQuote[] = [];
  const skipped: OddsApiBoard['skipped'] = [];
  for (const e of response) {
    const participants = [
      ...(e.home_team ? [{ id: e.home_team, name: e.home_team, role: 'home' }] : []),
      ...(e.away_team ? [{ id: e.away_team, name: e.away_team, role: 'away' }] : []),
    ];
    const startMs = Date.parse(e.commence_time);
    events[e.id] = {
      id: e.id,
      sport: e.sport_key,
      league: e.sport_title ?? null,
      startTime: new Date(startMs).toISOString(),
      status: startMs <= Date.parse(asOfIso) ? 'live' : 'scheduled',
      participants: participants.length ? participants : [{ id: e.id, name: e.id, role: 'event' }],
    };
    for (const b of e.bookmakers) {
      for (const m of b.markets) {
        const marketType = MARKETS[m.key];
        const updated = m.last_update ?? b.last_update ?? null;
        for (const o of m.outcomes) {
          const skip = (reason: string) =>
            skipped.push({ eventId: e.id, bookmaker: b.key, market: m.key, outcome: o.name, reason });
          if (!marketType) {
            skip(`market ${m.key} is not priced here`);
            continue;
          }
          if (marketType !== 'h2h' && o.point === undefined) {
            skip(`${m.key} outcome without a point`);
            continue;
          }
          let price: string;
          try {
            price = toDecimalString(americanToDecimal(String(o.price)));
          } catch (err) {
            skip(`price ${o.price}: ${(err as Error).message}`);
            continue;
          }
          const point = o.point === undefined ? null : numberText(o.point);
          quotes.push({
            market: {
              eventId: e.id,
              marketType,
              period: 'full',
              line: point === null ? null : point.replace(/^-/, ''),
            },
            outcome: o.name,
            point: marketType === 'h2h' ? null : point,
            provider,
            bookmaker: b.key,
            price,
            observedAt: asOfIso,
            sourceUpdatedAt: updated ? new Date(Date.parse(updated)).toISOString() : null,
          });
        }
      }
    }
  }
  return { snapshot: { asOf: asOfIso, cursor: null, events, quotes }, skipped };
}

/** A JSON number as a plain decimal string (no exponent): 3.5 → "3.5", -0 → "0". */
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite point: ${n}`);
  if (n === 0) return '0';
  const text = String(n);
  if (!/e/i.test(text)) return text;
  return n.toFixed(20).replace(/\.?0+$/, '');
}
