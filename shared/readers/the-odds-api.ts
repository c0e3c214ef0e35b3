import { MarketType } from '../entities';
import type { ProviderEvent, ProviderQuote, ProviderResult, RejectInput, RejectReason } from './types';
import {
  excerpt,
  marketLine,
  normalizeOutcomeName,
  parseDecimalValue,
  parseIsoTime,
  parsePrice,
  showValue,
} from './values';

/**
 * The Odds API v4 wire format: `GET /v4/sports/{sport}/odds` and `/scores`. The live adapter
 * (activities/providers/the-odds-api.ts) and the snapshot replay parse it here, the simulated market writes
 * it, and `arb scan` reads recorded response files with it (shared/strategies/recorded-board.ts).
 *
 * Parsing never throws on bad input: what cannot be used becomes a reject with its reason, its path in the
 * payload and a raw excerpt, and everything else in the payload is still ingested.
 */

export interface OddsApiOutcome {
  name: string;
  price: number;
  point?: number;
  description?: string;
}
export interface OddsApiMarket {
  key: string;
  last_update?: string;
  outcomes: OddsApiOutcome[];
}
export interface OddsApiBookmaker {
  key: string;
  title: string;
  last_update: string;
  markets: OddsApiMarket[];
}
export interface OddsApiEvent {
  id: string;
  sport_key: string;
  sport_title: string;
  commence_time: string;
  home_team: string;
  away_team: string;
  bookmakers: OddsApiBookmaker[];
}
export interface OddsApiScore {
  id: string;
  sport_key: string;
  sport_title: string;
  commence_time: string;
  completed: boolean;
  home_team: string;
  away_team: string;
  scores: { name: string; score: string }[] | null;
  last_update: string | null;
}

export interface ParsedOdds {
  events: ProviderEvent[];
  quotes: ProviderQuote[];
  rejects: RejectInput[];
}

const MARKET_TYPES = new Set<string>(MarketType.options);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function reject(
  reason: RejectReason,
  message: string,
  field: string,
  value: unknown,
  raw: unknown,
): RejectInput {
  return { reason, message, field, value: showValue(value), rawExcerpt: excerpt(raw) };
}

/** Parse one `/odds` response body for `sport`, observed at `observedAt` (used for the live/scheduled status). */
export function parseOddsResponse(text: string, opts: OddsParseOptions): ParsedOdds {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const out: ParsedOdds = { events: [], quotes: [], rejects: [] };
    out.rejects.push(
      reject('malformed_payload', `response is not JSON: ${(err as Error).message}`, opts.sport, null, text),
    );
    return out;
  }
  return parseOddsEvents(data, opts);
}

export interface OddsParseOptions {
  sport: string;
  oddsFormat: 'american' | 'decimal';
  observedAt: string;
}

/** The same, for a response already parsed from JSON (a recorded file read whole). */
export function parseOddsEvents(data: unknown, opts: OddsParseOptions): ParsedOdds {
  const out: ParsedOdds = { events: [], quotes: [], rejects: [] };
  if (!Array.isArray(data)) {
    out.rejects.push(
      reject('malformed_payload', 'response is not a JSON array of events', opts.sport, null, data),
    );
    return out;
  }
  (data as unknown[]).forEach((ev, i) => parseEvent(ev, `${opts.sport}[${i}]`, opts, out));
  return out;
}

function parseEvent(ev: unknown, path: string, opts: OddsParseOptions, out: ParsedOdds): void {
  if (!isObj(ev)) {
    out.rejects.push(reject('malformed_payload', 'event is not an object', path, null, ev));
    return;
  }
  const head = eventHead(ev, path, opts.sport);
  if (!head.ok) {
    out.rejects.push(head.reject);
    return;
  }
  const { id, home, away, startTime, sport } = head;
  const bookmakers = ev.bookmakers;
  if (!Array.isArray(bookmakers)) {
    out.rejects.push(
      reject('missing_field', 'event has no bookmakers array', `${path}.bookmakers`, bookmakers, ev),
    );
    return;
  }
  out.events.push({
    providerEventId: id,
    sport,
    league: typeof ev.sport_title === 'string' ? ev.sport_title : null,
    startTime,
    participants: [
      { name: home, role: 'home' },
      { name: away, role: 'away' },
    ],
    status: Date.parse(startTime) <= Date.parse(opts.observedAt) ? 'live' : 'scheduled',
  });
  const teams = new Set([home, away]);
  (bookmakers as unknown[]).forEach((bk, b) => {
    const bpath = `${path}.bookmakers[${b}]`;
    if (!isObj(bk)) {
      out.rejects.push(reject('malformed_payload', 'bookmaker is not an object', bpath, null, bk));
      return;
    }
    if (!nonEmptyString(bk.key)) {
      out.rejects.push(reject('missing_field', 'bookmaker has no key', `${bpath}.key`, bk.key, bk));
      return;
    }
    if (!Array.isArray(bk.markets)) {
      out.rejects.push(
        reject('missing_field', 'bookmaker has no markets array', `${bpath}.markets`, bk.markets, bk),
      );
      return;
    }
    const bookmaker = bk.key.trim();
    const bookUpdate = parseIsoTime(bk.last_update);
    (bk.markets as unknown[]).forEach((mk, m) => {
      const mpath = `${bpath}.markets[${m}]`;
      if (!isObj(mk)) {
        out.rejects.push(reject('malformed_payload', 'market is not an object', mpath, null, mk));
        return;
      }
      if (typeof mk.key !== 'string' || !MARKET_TYPES.has(mk.key)) {
        out.rejects.push(
          reject(
            'unknown_market',
            `market ${JSON.stringify(mk.key)} is not one of h2h, spreads, totals`,
            `${mpath}.key`,
            mk.key,
            mk,
          ),
        );
        return;
      }
      const marketType = mk.key as MarketType;
      if (!Array.isArray(mk.outcomes)) {
        out.rejects.push(
          reject('missing_field', 'market has no outcomes array', `${mpath}.outcomes`, mk.outcomes, mk),
        );
        return;
      }
      const marketUpdate = parseIsoTime(mk.last_update);
      const sourceUpdatedAt = marketUpdate.ok ? marketUpdate.value : bookUpdate.ok ? bookUpdate.value : null;
      (mk.outcomes as unknown[]).forEach((oc, o) => {
        const opath = `${mpath}.outcomes[${o}]`;
        const raw = { event: id, bookmaker, market: marketType, outcome: oc };
        if (!isObj(oc)) {
          out.rejects.push(reject('malformed_payload', 'outcome is not an object', opath, null, raw));
          return;
        }
        if (!nonEmptyString(oc.name)) {
          out.rejects.push(reject('missing_field', 'outcome has no name', `${opath}.name`, oc.name, raw));
          return;
        }
        const outcome = normalizeOutcomeName(marketType, oc.name);
        const known =
          marketType === 'totals'
            ? outcome === 'Over' || outcome === 'Under'
            : teams.has(outcome) || (marketType === 'h2h' && outcome === 'Draw');
        if (!known) {
          out.rejects.push(
            reject(
              'unknown_outcome',
              `outcome ${JSON.stringify(oc.name)} is not a selection of this ${marketType} market`,
              `${opath}.name`,
              oc.name,
              raw,
            ),
          );
          return;
        }
        if (oc.price === undefined || oc.price === null) {
          out.rejects.push(reject('missing_field', 'outcome has no price', `${opath}.price`, oc.price, raw));
          return;
        }
        const price = parsePrice(oc.price, opts.oddsFormat);
        if (!price.ok) {
          out.rejects.push(reject('invalid_price', price.message, `${opath}.price`, oc.price, raw));
          return;
        }
        let point: string | null = null;
        if (marketType !== 'h2h') {
          if (oc.point === undefined || oc.point === null) {
            out.rejects.push(
              reject('missing_field', `${marketType} outcome has no point`, `${opath}.point`, oc.point, raw),
            );
            return;
          }
          const p = parseDecimalValue(oc.point);
          if (!p.ok) {
            out.rejects.push(
              reject('invalid_point', `point is ${p.message}`, `${opath}.point`, oc.point, raw),
            );
            return;
          }
          point = p.value;
        }
        out.quotes.push({
          providerEventId: id,
          marketType,
          period: 'full',
          line: marketLine(marketType, point),
          outcome,
          point,
          bookmaker,
          price: price.value.price,
          sourceUpdatedAt,
          original: price.value.original,
          path: opath,
        });
      });
    });
  });
}

type EventHead =
  | { ok: true; id: string; home: string; away: string; startTime: string; sport: string }
  | { ok: false; reject: RejectInput };

function eventHead(ev: Obj, path: string, requestedSport: string): EventHead {
  const bad = (reason: RejectReason, message: string, key: string): EventHead => ({
    ok: false,
    reject: reject(reason, message, `${path}.${key}`, ev[key], ev),
  });
  if (!nonEmptyString(ev.id)) return bad('missing_field', 'event has no id', 'id');
  if (!nonEmptyString(ev.home_team)) return bad('missing_field', 'event has no home_team', 'home_team');
  if (!nonEmptyString(ev.away_team)) return bad('missing_field', 'event has no away_team', 'away_team');
  if (ev.commence_time === undefined || ev.commence_time === null)
    return bad('missing_field', 'event has no commence_time', 'commence_time');
  const start = parseIsoTime(ev.commence_time);
  if (!start.ok) return bad('invalid_time', `commence_time is ${start.message}`, 'commence_time');
  // The sport is the one we asked for: an event claiming another is refused, never moved to that sport
  // (it would land on another sport's board and exposure limits).
  if (nonEmptyString(ev.sport_key) && ev.sport_key.trim() !== requestedSport)
    return bad(
      'wrong_sport',
      `event's sport_key "${ev.sport_key}" is not the requested sport "${requestedSport}"`,
      'sport_key',
    );
  return {
    ok: true,
    id: ev.id.trim(),
    home: ev.home_team.trim(),
    away: ev.away_team.trim(),
    startTime: start.value,
    sport: requestedSport,
  };
}

/** Parse one `/scores` response body. */
export function parseScoresResponse(
  text: string,
  sport: string,
): { results: ProviderResult[]; rejects: RejectInput[] } {
  const results: ProviderResult[] = [];
  const rejects: RejectInput[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    rejects.push(
      reject(
        'malformed_payload',
        `scores response is not JSON: ${(err as Error).message}`,
        `${sport}/scores`,
        null,
        text,
      ),
    );
    return { results, rejects };
  }
  if (!Array.isArray(data)) {
    rejects.push(
      reject('malformed_payload', 'scores response is not a JSON array', `${sport}/scores`, null, data),
    );
    return { results, rejects };
  }
  (data as unknown[]).forEach((ev, i) => {
    const path = `${sport}/scores[${i}]`;
    if (!isObj(ev)) {
      rejects.push(reject('malformed_payload', 'score entry is not an object', path, null, ev));
      return;
    }
    const head = eventHead(ev, path, sport);
    if (!head.ok) {
      rejects.push(head.reject);
      return;
    }
    let scores: { name: string; score: string }[] | null = null;
    if (Array.isArray(ev.scores)) {
      const parsed: { name: string; score: string }[] = [];
      for (const [k, s] of (ev.scores as unknown[]).entries()) {
        const score = isObj(s) ? parseDecimalValue(s.score) : null;
        if (!isObj(s) || !nonEmptyString(s.name) || !score?.ok) {
          rejects.push(
            reject('missing_field', 'score needs a name and a numeric score', `${path}.scores[${k}]`, s, ev),
          );
          return;
        }
        parsed.push({ name: s.name.trim(), score: score.value });
      }
      scores = parsed;
    }
    const lastUpdate = parseIsoTime(ev.last_update);
    results.push({
      providerEventId: head.id,
      sport: head.sport,
      startTime: head.startTime,
      participants: [
        { name: head.home, role: 'home' },
        { name: head.away, role: 'away' },
      ],
      completed: ev.completed === true,
      scores,
      lastUpdate: lastUpdate.ok ? lastUpdate.value : null,
    });
  });
  return { results, rejects };
}
