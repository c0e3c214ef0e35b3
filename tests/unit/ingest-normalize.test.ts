import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { canonicalEventId, normalizeName, sameParticipants } from '../../activities/providers/normalize';
import { marketLine, parseDecimalValue, parseIsoTime, parsePrice } from '../../shared/readers/values';
import {
  dedupeQuotes,
  detectChanges,
  canonicalQuote,
  slotKey,
  type CanonicalQuote,
  type LastKnown,
} from '../../activities/ingestion/changes';

const Exact = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

describe('normalization', () => {
  it('normalizes participant names for cross-provider matching', () => {
    expect(normalizeName('Paris Saint-Germain F.C.')).toBe('paris saint germain');
    expect(normalizeName('  Montréal   Canadiens ')).toBe('montreal canadiens');
    expect(normalizeName('Brighton & Hove Albion')).toBe('brighton and hove albion');
    expect(sameParticipants(['Arsenal FC', 'Chelsea'], ['chelsea', 'Arsenal'])).toBe(true);
    expect(sameParticipants(['Arsenal', 'Chelsea'], ['Arsenal', 'Everton'])).toBe(false);
  });

  it('mints the same canonical id for the same game whatever the spelling or order', () => {
    const a = canonicalEventId('soccer_epl', ['Arsenal FC', 'Chelsea'], '2026-01-01T15:00:00Z');
    const b = canonicalEventId('soccer_epl', ['Chelsea', 'Arsenal'], '2026-01-01T15:00:30.000Z');
    expect(a).toBe(b);
    expect(a).toMatch(/^ev_[0-9a-f]{20}$/);
    expect(canonicalEventId('soccer_epl', ['Chelsea', 'Arsenal'], '2026-01-01T18:00:00Z')).not.toBe(a);
  });

  it('converts American prices to exact decimal odds and refuses what is not an odds value', () => {
    expect(parsePrice(150, 'american')).toEqual({
      ok: true,
      value: { price: '2.5', original: { american: '150' } },
    });
    expect(parsePrice('+150', 'american')).toMatchObject({ ok: true, value: { price: '2.5' } });
    const m110 = parsePrice(-110, 'american');
    // 1 + 100/110, exact to 40 significant digits, computed here independently.
    expect(m110).toMatchObject({
      ok: true,
      value: { price: new Exact(100).div(110).plus(1).toFixed(), original: { american: '-110' } },
    });
    expect(m110.ok && m110.value.price).toBe('1.909090909090909090909090909090909090909');
    expect(parsePrice(-100, 'american')).toMatchObject({ ok: true, value: { price: '2' } });
    expect(parsePrice(0, 'american')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/between -100 and \+100/) as unknown,
    });
    expect(parsePrice(99, 'american').ok).toBe(false);
    expect(parsePrice('abc', 'american')).toMatchObject({
      ok: false,
      message: 'price is not a decimal number',
    });
    expect(parsePrice(null, 'american').ok).toBe(false);
    expect(parsePrice(Number.NaN, 'american').ok).toBe(false);
    expect(parsePrice(1.91, 'decimal')).toEqual({ ok: true, value: { price: '1.91', original: null } });
    expect(parsePrice('2.50', 'decimal')).toMatchObject({ ok: true, value: { price: '2.5' } });
    expect(parsePrice(1, 'decimal').ok).toBe(false);
    expect(parsePrice(0.5, 'decimal').ok).toBe(false);
  });

  it('keeps decimals exact and canonical, and derives line-aware market lines', () => {
    expect(parseDecimalValue(-3.5)).toEqual({ ok: true, value: '-3.5' });
    expect(parseDecimalValue('45.50')).toEqual({ ok: true, value: '45.5' });
    expect(parseDecimalValue(0.1)).toEqual({ ok: true, value: '0.1' });
    expect(parseDecimalValue('1e3').ok).toBe(false);
    expect(marketLine('spreads', '-3.5')).toBe('3.5');
    expect(marketLine('spreads', '3.5')).toBe('3.5');
    expect(marketLine('totals', '45.5')).toBe('45.5');
    expect(marketLine('h2h', null)).toBeNull();
  });

  it('reads ISO times with a zone only', () => {
    expect(parseIsoTime('2025-11-10T11:56:02Z')).toEqual({ ok: true, value: '2025-11-10T11:56:02.000Z' });
    expect(parseIsoTime('2025-11-10T12:56:02+01:00')).toEqual({
      ok: true,
      value: '2025-11-10T11:56:02.000Z',
    });
    expect(parseIsoTime('2025-11-10 11:56').ok).toBe(false);
    expect(parseIsoTime(1731239762).ok).toBe(false);
  });
});

function quote(over: Partial<Omit<CanonicalQuote, 'slot' | 'market'>>): CanonicalQuote {
  const q: Omit<CanonicalQuote, 'slot' | 'market'> = {
    providerEventId: 'p1',
    eventId: 'ev1',
    sport: 'americanfootball_nfl',
    marketType: 'spreads',
    period: 'full',
    line: '3.5',
    outcome: 'Home',
    point: '-3.5',
    bookmaker: 'book',
    price: '1.9',
    sourceUpdatedAt: null,
    original: null,
    path: 'x',
    ...over,
  };
  return canonicalQuote(q, q.eventId, q.sport);
}

describe('change detection', () => {
  it('writes first sights and changes of price or point, nothing for unchanged quotes', () => {
    const q1 = quote({});
    const q2 = quote({ outcome: 'Away', point: '3.5', price: '1.95' });
    const q3 = quote({ marketType: 'h2h', line: null, point: null, price: '1.5' });
    const last = new Map<string, Map<string, LastKnown>>([
      [
        'ev1',
        new Map([
          [slotKey(q1), { point: '-3.5', price: '1.9', changedAt: 't0' }],
          [slotKey(q2), { point: '4', price: '1.95', changedAt: 't0' }],
        ]),
      ],
    ]);
    const changes = detectChanges([q1, q2, q3], last);
    expect(changes.map((c) => [c.quote.outcome, c.quote.marketType, c.changeType])).toEqual([
      ['Away', 'spreads', 'change'],
      ['Home', 'h2h', 'initial'],
    ]);
    expect(changes[0]!.previous).toEqual({ point: '4', price: '1.95', changedAt: 't0' });
  });

  it('keeps one of identical duplicates and rejects conflicting ones entirely', () => {
    const a = quote({ path: 'a' });
    const b = quote({ path: 'b' });
    const c = quote({ outcome: 'Away', point: '3.5', path: 'c' });
    const d = quote({ outcome: 'Away', point: '3.5', price: '2.1', path: 'd' });
    const { kept, rejects } = dedupeQuotes([a, b, c, d]);
    expect(kept.map((q) => q.path)).toEqual(['a']);
    expect(rejects.map((r) => [r.reason, r.field])).toEqual([
      ['duplicate_outcome', 'b'],
      ['duplicate_outcome', 'c'],
      ['duplicate_outcome', 'd'],
    ]);
  });
});
