import { marketKeyString, type MarketKey } from '../entities';
import type { BetMarket, BoardEvent } from './board';

/** Sports whose match-winner market has a draw: its h2h needs three outcomes to be complete. */
export function hasDraw(sport: string): boolean {
  return sport.startsWith('soccer');
}

/** Canonical text of a point or line ("3.50" → "3.5", "-0" → "0"): equal lines get equal keys. */
function normalizer(): (value: string) => string {
  const cache = new Map<string, string>();
  return (value) => {
    let out = cache.get(value);
    if (out === undefined) {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new RangeError(`not a decimal point: ${JSON.stringify(value)}`);
      out = String(n === 0 ? 0 : n);
      cache.set(value, out);
    }
    return out;
  };
}

function negate(text: string): string {
  return text === '0' ? '0' : text.startsWith('-') ? text.slice(1) : `-${text}`;
}

/**
 * Groups quotes into line-aware bet markets: the one grouping rule, used by indexBoard over a snapshot and
 * by the live board event by event. Spreads pair the two teams of an event, so every spread quote is noted
 * first (noteSpread, then sortTeams); then add() places each quote, and finish() sets each market's
 * expected outcome count.
 */
export class BetMarketGrouper {
  readonly markets: BetMarket[] = [];
  /** Quotes that could not be placed in a line-aware market (a spread whose event has not two teams…). */
  unpaired = 0;
  private readonly norm = normalizer();
  private readonly spreadTeams = new Map<string, string[]>();
  private readonly byKey = new Map<string, BetMarket>();
  // Quotes of one market usually share one MarketKey object and come together (a board read from Redis is
  // grouped by market hash): remember the last object's bet markets and skip building keys.
  private lastMarket: MarketKey | null = null;
  private lastBets: Map<string, BetMarket> | null = null;

  noteSpread(eventId: string, outcome: string): void {
    let teams = this.spreadTeams.get(eventId);
    if (!teams) this.spreadTeams.set(eventId, (teams = []));
    if (!teams.includes(outcome)) teams.push(outcome);
  }

  /** The first (by name) team's signed point names a spread pairing. */
  sortTeams(): void {
    for (const teams of this.spreadTeams.values()) teams.sort();
  }

  /** Place quote `qi` (its market, outcome and point) in its bet market, or count it unpaired. */
  add(qi: number, m: MarketKey, outcome: string, point: string | null): void {
    let slotPoint: string | null = null;
    let tag = '';
    if (m.marketType === 'totals') {
      const line = point ?? m.line;
      if (line === null) {
        this.unpaired++;
        return;
      }
      slotPoint = this.norm(line);
      tag = slotPoint;
    } else if (m.marketType === 'spreads') {
      const teams = this.spreadTeams.get(m.eventId)!;
      if (point === null || teams.length !== 2) {
        this.unpaired++;
        return;
      }
      slotPoint = this.norm(point);
      tag = outcome === teams[0] ? slotPoint : negate(slotPoint);
    }
    const lastMarket = this.lastMarket;
    if (
      m !== lastMarket &&
      (lastMarket === null ||
        m.eventId !== lastMarket.eventId ||
        m.marketType !== lastMarket.marketType ||
        m.line !== lastMarket.line ||
        m.period !== lastMarket.period)
    ) {
      this.lastMarket = m;
      this.lastBets = new Map();
    }
    let bet = this.lastBets!.get(tag);
    if (!bet) {
      let key: string;
      if (m.marketType === 'h2h') key = marketKeyString(m);
      else if (m.marketType === 'totals') key = `${m.eventId}|totals|${m.period}|${tag}`;
      else key = `${m.eventId}|spreads|${m.period}|${tag.replace(/^-/, '')}#${tag}`;
      bet = this.byKey.get(key);
      if (!bet) {
        bet = {
          key,
          market:
            m.marketType === 'h2h'
              ? m
              : {
                  eventId: m.eventId,
                  marketType: m.marketType,
                  period: m.period,
                  line: slotPoint!.replace(/^-/, ''),
                },
          eventId: m.eventId,
          slots: [],
          expected: 2,
          quotes: [],
          slotOf: [],
        };
        this.byKey.set(key, bet);
        this.markets.push(bet);
      }
      this.lastBets!.set(tag, bet);
    }
    let slot = -1;
    const slots = bet.slots;
    for (let s = 0; s < slots.length; s++) {
      const existing = slots[s]!;
      if (existing.outcome === outcome && (m.marketType !== 'spreads' || existing.point === slotPoint)) {
        slot = s;
        break;
      }
    }
    if (slot < 0) {
      slot = slots.length;
      slots.push({ outcome, point: slotPoint });
    }
    bet.quotes.push(qi);
    bet.slotOf.push(slot);
  }

  /** The bet markets, each expecting every outcome it has and at least two (three for h2h with a draw). */
  finish(eventOf: (eventId: string) => BoardEvent | undefined): BetMarket[] {
    for (const bet of this.markets) {
      const event = eventOf(bet.eventId);
      const minimum = bet.market.marketType === 'h2h' && event && hasDraw(event.sport) ? 3 : 2;
      bet.expected = Math.max(bet.slots.length, minimum);
    }
    return this.markets;
  }
}
