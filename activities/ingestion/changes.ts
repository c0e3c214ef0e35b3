import { marketKeyString } from '../../shared/entities';
import type { ProviderQuote, RejectInput } from '../providers/types';
import { excerpt } from '../../shared/readers/values';
import { FNV1A_OFFSET, fnv1aAdd } from '../../shared/strategies/live-index';

/** A quote attached to its canonical event. */
export interface CanonicalQuote extends ProviderQuote {
  eventId: string;
  sport: string;
  /** slotKey(quote) and quoteMarketKey(quote), computed once: every step after keys on them. */
  slot: string;
  market: string;
}

/** A provider quote attached to its canonical event. */
export function canonicalQuote(q: ProviderQuote, eventId: string, sport: string): CanonicalQuote {
  // Field by field rather than a spread: one object shape for every quote, cheaper on 1,000-quote polls
  // (every ProviderQuote field is required, so a new one fails to compile here until it is copied).
  return {
    providerEventId: q.providerEventId,
    marketType: q.marketType,
    period: q.period,
    line: q.line,
    outcome: q.outcome,
    point: q.point,
    bookmaker: q.bookmaker,
    price: q.price,
    sourceUpdatedAt: q.sourceUpdatedAt,
    original: q.original,
    path: q.path,
    eventId,
    sport,
    slot: slotKey(q),
    market: quoteMarketKey({ eventId, marketType: q.marketType, period: q.period, line: q.line }),
  };
}

/** What change detection remembers per (provider, event, market type, period, bookmaker, outcome). */
export interface LastKnown {
  point: string | null;
  price: string;
  /** observed_at of the history row that set it. */
  changedAt: string;
}

export type LastKnownByEvent = Map<string, Map<string, LastKnown>>;

export interface Change {
  quote: CanonicalQuote;
  changeType: 'initial' | 'change';
  previous: LastKnown | null;
}

/**
 * A book's selection, independent of the line: when a book moves its spread from -3.5 to -3 that is a
 * change of this slot (and the quote moves to another line-aware market on the board).
 */
export function slotKey(q: Pick<ProviderQuote, 'marketType' | 'period' | 'bookmaker' | 'outcome'>): string {
  return `${q.marketType}|${q.period}|${q.bookmaker}|${q.outcome}`;
}

export function encodeLastKnown(v: LastKnown): string {
  return `${v.point ?? '-'}|${v.price}|${v.changedAt}`;
}

export function decodeLastKnown(text: string): LastKnown | null {
  const [point, price, changedAt] = text.split('|');
  if (!point || !price || !changedAt) return null;
  return { point: point === '-' ? null : point, price, changedAt };
}

export function quoteMarketKey(
  q: Pick<CanonicalQuote, 'eventId' | 'marketType' | 'period' | 'line'>,
): string {
  return marketKeyString({ eventId: q.eventId, marketType: q.marketType, period: q.period, line: q.line });
}

/** Board hash field of a quote. */
export function boardField(q: Pick<ProviderQuote, 'bookmaker' | 'outcome' | 'point'>): string {
  return `${q.bookmaker}|${q.outcome}|${q.point ?? '-'}`;
}

/**
 * quoteHash(boardField(q), q.price), hashed from the quote's own strings: a poll hashes every quote of its
 * changed markets, and a field string built by a template is slow to read character by character.
 */
export function boardQuoteHash(q: Pick<ProviderQuote, 'bookmaker' | 'outcome' | 'point' | 'price'>): number {
  let h = fnv1aAdd(FNV1A_OFFSET, q.bookmaker);
  h = fnv1aAdd(fnv1aAdd(h, '|'), q.outcome);
  h = fnv1aAdd(fnv1aAdd(h, '|'), q.point ?? '-');
  return fnv1aAdd(fnv1aAdd(h, '\u0000'), q.price) >>> 0;
}

/**
 * One quote per slot and event. The same slot twice with the same point and price keeps one and rejects the
 * copies; twice with different values rejects all of them (we cannot tell which one the book meant).
 */
export function dedupeQuotes(quotes: readonly CanonicalQuote[]): {
  kept: CanonicalQuote[];
  rejects: RejectInput[];
} {
  const groups = new Map<string, CanonicalQuote[]>();
  for (const q of quotes) {
    const k = `${q.eventId}|${q.slot}`;
    const g = groups.get(k);
    if (g) g.push(q);
    else groups.set(k, [q]);
  }
  const kept: CanonicalQuote[] = [];
  const rejects: RejectInput[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    if (g.length === 1) {
      kept.push(first);
      continue;
    }
    const agree = g.every((q) => q.price === first.price && q.point === first.point);
    const raw = (q: CanonicalQuote) =>
      excerpt({
        event: q.providerEventId,
        bookmaker: q.bookmaker,
        market: q.marketType,
        outcome: q.outcome,
        point: q.point,
        price: q.original?.american ?? q.price,
      });
    if (agree) {
      kept.push(first);
      for (const q of g.slice(1)) {
        rejects.push({
          reason: 'duplicate_outcome',
          message: `repeats ${first.path} with the same price`,
          field: q.path,
          value: q.outcome,
          rawExcerpt: raw(q),
        });
      }
    } else {
      for (const q of g) {
        rejects.push({
          reason: 'duplicate_outcome',
          message: `${g.length} different prices for ${q.bookmaker} ${q.marketType} ${q.outcome}: none is used`,
          field: q.path,
          value: q.outcome,
          rawExcerpt: raw(q),
        });
      }
    }
  }
  return { kept, rejects };
}

/** Which quotes are a first sight or a change of point or price against the last known state. */
export function detectChanges(quotes: readonly CanonicalQuote[], last: LastKnownByEvent): Change[] {
  const out: Change[] = [];
  for (const q of quotes) {
    const prev = last.get(q.eventId)?.get(q.slot) ?? null;
    if (!prev) out.push({ quote: q, changeType: 'initial', previous: null });
    else if (prev.price !== q.price || prev.point !== q.point)
      out.push({ quote: q, changeType: 'change', previous: prev });
  }
  return out;
}
