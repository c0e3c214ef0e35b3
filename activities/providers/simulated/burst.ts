import { D } from '../../../shared/math';
import type { OddsApiBookmaker, OddsApiEvent } from '../../../shared/readers/the-odds-api';
import { SIM_BOOKS, SIM_SPORTS } from './catalog';
import { decimalToAmericanInt } from './pricing';

/**
 * Bursts of opportunities on the simulated market (the hot-path bench): `count` extra pre-match events of a
 * two-way sport served beside the model's own, each with a two-way h2h arbitrage of `edge` across two soft
 * books (the sharp book fair at 1.95 / 1.95). They stay on /odds until cleared, so a bet lifecycle's re-quote
 * still finds the price it was found at, and the instant each was first served is kept: the start of the
 * detection-to-placement clock. The model itself stays a pure function of seed and clock.
 */
export interface BurstRequest {
  sport: string;
  count: number;
  /** The arbitrage's profit fraction, a decimal string (default 0.03). */
  edge?: string;
  /** Event ids are `<tag>-<n>`; a tag must not repeat within a server's life. */
  tag: string;
  /** When the events start (default: in 6 hours). */
  startInMs?: number;
}

const SHARP = SIM_BOOKS.find((b) => b.sharp)!;
const SOFT = SIM_BOOKS.filter((b) => !b.sharp).slice(0, 2);

export class SimulatedBursts {
  private readonly bySport = new Map<string, OddsApiEvent[]>();
  private readonly firstServed = new Map<string, number>();
  private readonly tags = new Set<string>();

  /** Add a burst served from the next /odds request on; returns its events (decimal prices). */
  add(r: BurstRequest, nowMs: number): OddsApiEvent[] {
    const spec = SIM_SPORTS.find((s) => s.key === r.sport);
    if (!spec) throw new Error(`burst sport: unknown sport "${r.sport}"`);
    // The poisson sports (soccer) price a draw: a two-way arbitrage needs a sport without one.
    if (spec.kind === 'poisson')
      throw new Error(`burst sport: "${r.sport}" has a draw; a burst needs a two-way sport`);
    if (!Number.isInteger(r.count) || r.count < 1)
      throw new Error(`burst count: expected a whole number ≥ 1, got ${r.count}`);
    const edge = new D(r.edge ?? '0.03');
    if (!edge.gt(0) || !edge.lt(0.5))
      throw new Error(`burst edge: expected a decimal between 0 and 0.5, got ${r.edge}`);
    if (this.tags.has(r.tag)) throw new Error(`burst tag: "${r.tag}" was used already`);
    this.tags.add(r.tag);
    // Best price p on each side at a different book: 2/p = 1/(1 + edge).
    const best = edge.plus(1).mul(2).toFixed();
    const at = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const commence = new Date(nowMs + (r.startInMs ?? 6 * 3600_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const list = this.bySport.get(r.sport) ?? [];
    const added: OddsApiEvent[] = [];
    for (let i = 0; i < r.count; i++) {
      const id = `${r.tag}-${i}`;
      const home = `${r.tag} Home ${i}`;
      const away = `${r.tag} Away ${i}`;
      const book = (key: string, title: string, h: string, a: string): OddsApiBookmaker => ({
        key,
        title,
        last_update: at,
        markets: [
          {
            key: 'h2h',
            last_update: at,
            outcomes: [
              { name: home, price: Number(h) },
              { name: away, price: Number(a) },
            ],
          },
        ],
      });
      added.push({
        id,
        sport_key: spec.key,
        sport_title: spec.title,
        commence_time: commence,
        home_team: home,
        away_team: away,
        bookmakers: [
          book(SHARP.key, SHARP.title, '1.95', '1.95'),
          book(SOFT[0]!.key, SOFT[0]!.title, best, '1.7'),
          book(SOFT[1]!.key, SOFT[1]!.title, '1.7', best),
        ],
      });
    }
    list.push(...added);
    this.bySport.set(r.sport, list);
    return added;
  }

  /** The burst events of a sport as one /odds request asks for them; notes when each was first served. */
  serve(
    sport: string,
    nowMs: number,
    opts: { oddsFormat: 'american' | 'decimal'; markets: readonly string[]; bookmakers?: readonly string[] },
  ): OddsApiEvent[] {
    const list = this.bySport.get(sport);
    if (!list || !opts.markets.includes('h2h')) return [];
    return list.map((e) => {
      if (!this.firstServed.has(e.id)) this.firstServed.set(e.id, nowMs);
      return {
        ...e,
        bookmakers: e.bookmakers
          .filter((b) => !opts.bookmakers || opts.bookmakers.includes(b.key))
          .map((b) => ({
            ...b,
            markets: b.markets.map((m) => ({
              ...m,
              outcomes: m.outcomes.map((o) => ({
                ...o,
                price: opts.oddsFormat === 'american' ? decimalToAmericanInt(String(o.price)) : o.price,
              })),
            })),
          })),
      };
    });
  }

  /** When the event was first served (epoch ms), or undefined while it has not been. */
  servedAt(eventId: string): number | undefined {
    return this.firstServed.get(eventId);
  }

  /** Stop serving every burst event (their first-served instants are kept). */
  clear(): void {
    this.bySport.clear();
  }
}
