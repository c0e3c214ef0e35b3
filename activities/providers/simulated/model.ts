import type { MarketType } from '../../../shared/entities';
import { SIM_BOOKS, SIM_SPORTS, type BookSpec, type SportSpec } from './catalog';
import {
  bookPrices,
  decimalToAmericanInt,
  lambdas,
  marketLines,
  probabilities,
  sigmoid,
  type SimEvent,
  type TrueProbabilities,
  type TrueState,
} from './pricing';
import type {
  OddsApiBookmaker,
  OddsApiEvent,
  OddsApiMarket,
  OddsApiScore,
} from '../../../shared/readers/the-odds-api';
import { hashKeys, normal, normalQuantile, poisson, uniform } from './rng';
import { SimModelParams, bookParams, type SimModelInput } from './params';

/**
 * The simulated market: a pure function of (seed, clock). Nothing is stored; every price, event and result
 * at any instant is computed from the seed and the time, so two servers with the same seed agree and a test
 * can ask for any moment directly.
 *
 * Time runs in model minutes; `speed` model minutes pass per wall-clock minute (60: a model minute is a
 * second, so a whole game fits in a short demo). Per sport, a new event starts every `spacing` model
 * minutes; it is listed `open` minutes before the start and lasts `game` minutes.
 *
 * Each event has a latent true strength that drifts minute by minute with occasional jumps (news: the
 * steam moves). The sharp book prices the truth at once with a small margin; soft books take wider margins
 * and see the truth late (reaction delay) on a coarser update grid, sometimes freeze for a while (stale
 * prices) and now and then misprice one side — so lagging books after a jump, and mispricings, produce
 * arbitrages. Results are drawn from the true distribution at the start, so the sharp close is the truth
 * and a bet's expected yield is its CLV against it. The parameters (./params.ts, `options.model` in config)
 * are calibrated to the real data in ../shared/data.
 */

export { SIM_BOOKS, SIM_SPORTS, type BookSpec, type SportSpec } from './catalog';
export type { SimEvent, TrueProbabilities, TrueState } from './pricing';

/** Completed games stay on /scores this long (model minutes). */
const SCORES_KEEP = 240;

// Random-stream tags.
const T = {
  home: 1,
  away: 2,
  strength: 3,
  total: 4,
  step: 5,
  jump: 6,
  jumpSize: 7,
  tstep: 8,
  stale: 9,
  misprice: 10,
  mispriceSide: 11,
  result: 12,
  result2: 13,
  absent: 14,
};

export interface SimulatedMarketOptions {
  seed: number;
  speed: number;
  sports?: readonly string[];
  /** Calibration (./params.ts); defaults when left out. */
  model?: SimModelInput;
}

export class SimulatedMarket {
  readonly seed: number;
  readonly speed: number;
  readonly sports: readonly SportSpec[];
  readonly params: SimModelParams;
  /** The catalogue's books with their configured parameters, in catalogue order. */
  readonly books: readonly BookSpec[];
  private readonly minuteMs: number;
  private readonly paths = new Map<string, TrueState[]>();

  constructor(opts: SimulatedMarketOptions) {
    this.seed = opts.seed;
    this.speed = opts.speed;
    this.minuteMs = 60_000 / opts.speed;
    this.params = SimModelParams.parse(opts.model ?? {});
    this.books = SIM_BOOKS.map((b) => ({ ...b, ...bookParams(this.params, b.key) }));
    this.sports = opts.sports ? SIM_SPORTS.filter((s) => opts.sports!.includes(s.key)) : SIM_SPORTS;
  }

  sport(key: string): SportSpec | undefined {
    return this.sports.find((s) => s.key === key);
  }

  /** Model minutes at a wall-clock instant. */
  minuteAt(nowMs: number): number {
    return nowMs / this.minuteMs;
  }

  event(sport: SportSpec, k: number): SimEvent {
    const si = sportIndex(sport);
    const n = sport.teams.length;
    const h = Math.floor(uniform(this.seed, T.home, si, k) * n);
    let a = Math.floor(uniform(this.seed, T.away, si, k) * (n - 1));
    if (a >= h) a++;
    const startMin = k * sport.spacing + sport.offset;
    return {
      sport: sport.key,
      k,
      id: eventHexId(this.seed, si, k),
      home: sport.teams[h]!,
      away: sport.teams[a]!,
      startMs: Math.round(startMin * this.minuteMs),
      endMs: Math.round((startMin + sport.game) * this.minuteMs),
      openMs: Math.round((startMin - sport.open) * this.minuteMs),
    };
  }

  /** Events listed for betting at `nowMs` (open ≤ now < start). */
  openEvents(sport: SportSpec, nowMs: number): SimEvent[] {
    const t = this.minuteAt(nowMs);
    const first = Math.floor((t - sport.offset) / sport.spacing) + 1;
    const last = Math.floor((t + sport.open - sport.offset) / sport.spacing);
    const out: SimEvent[] = [];
    for (let k = first; k <= last; k++) {
      const ev = this.event(sport, k);
      if (ev.openMs <= nowMs && nowMs < ev.startMs) out.push(ev);
    }
    return out;
  }

  /** Events from listing until SCORES_KEEP after the end. */
  scoreEvents(sport: SportSpec, nowMs: number): SimEvent[] {
    const t = this.minuteAt(nowMs);
    const first = Math.ceil((t - sport.game - SCORES_KEEP - sport.offset) / sport.spacing);
    const last = Math.floor((t + sport.open - sport.offset) / sport.spacing);
    const out: SimEvent[] = [];
    for (let k = first; k <= last; k++) {
      const ev = this.event(sport, k);
      if (ev.openMs <= nowMs) out.push(ev);
    }
    return out;
  }

  /** The latent path from the listing (tick 0) to the start (tick `open`), cached: it never changes. */
  private path(sport: SportSpec, k: number): TrueState[] {
    const key = `${sport.key}:${k}`;
    const hit = this.paths.get(key);
    if (hit) return hit;
    const si = sportIndex(sport);
    const s = this.seed;
    const { driftPerMinute, jumpPerMinute, jumpSize } = this.params;
    const states: TrueState[] = [];
    let x =
      sport.kind === 'normal'
        ? normal(s, T.strength, si, k) * 0.8
        : 0.25 + normal(s, T.strength, si, k) * 0.45;
    let total = sport.totalMean + normal(s, T.total, si, k) * sport.totalSpread;
    for (let i = 0; i <= sport.open; i++) {
      if (i > 0) {
        x += normal(s, T.step, si, k, i) * driftPerMinute * sport.volatility;
        if (uniform(s, T.jump, si, k, i) < jumpPerMinute)
          x += normal(s, T.jumpSize, si, k, i) * jumpSize * sport.volatility;
        total += normal(s, T.tstep, si, k, i) * sport.totalSpread * 0.03;
      }
      x = Math.max(-3.5, Math.min(3.5, x));
      states.push({ x, total });
    }
    if (this.paths.size > 20_000) this.paths.clear();
    this.paths.set(key, states);
    return states;
  }

  /** The truth at an absolute model minute (clamped to the pre-match path). */
  trueState(sport: SportSpec, k: number, minute: number): TrueState {
    const ev0 = k * sport.spacing + sport.offset - sport.open;
    const tick = Math.max(0, Math.min(sport.open, Math.floor(minute - ev0)));
    return this.path(sport, k)[tick]!;
  }

  trueProbabilities(sport: SportSpec, k: number, nowMs: number): TrueProbabilities {
    return probabilities(sport, this.trueState(sport, k, this.minuteAt(nowMs)));
  }

  /** Final score, drawn from the true distribution at the start. */
  result(sport: SportSpec, k: number): { home: number; away: number } {
    const si = sportIndex(sport);
    const st = this.path(sport, k)[sport.open]!;
    if (sport.kind === 'poisson') {
      const { lh, la } = lambdas(st);
      return {
        home: poisson(lh, uniform(this.seed, T.result, si, k)),
        away: poisson(la, uniform(this.seed, T.result2, si, k)),
      };
    }
    const mu = sport.marginSd * normalQuantile(sigmoid(st.x));
    const margin = mu + sport.marginSd * normal(this.seed, T.result, si, k);
    let m = Math.round(margin);
    if (m === 0) m = margin >= 0 ? 1 : -1;
    let tot = Math.max(
      Math.abs(m),
      Math.round(st.total + sport.totalSd * normal(this.seed, T.result2, si, k)),
    );
    if ((tot - m) % 2 !== 0) tot += 1;
    return { home: (tot + m) / 2, away: (tot - m) / 2 };
  }

  /** `/v4/sports/{sport}/odds` at `nowMs`. */
  odds(
    sportKey: string,
    nowMs: number,
    opts: { oddsFormat: 'american' | 'decimal'; markets?: readonly string[]; bookmakers?: readonly string[] },
  ): OddsApiEvent[] {
    const sport = this.sport(sportKey);
    if (!sport) return [];
    const markets = sport.markets.filter((m) => !opts.markets || opts.markets.includes(m));
    const books = this.books.filter((b) => !opts.bookmakers || opts.bookmakers.includes(b.key));
    return this.openEvents(sport, nowMs).map((ev) => ({
      id: ev.id,
      sport_key: sport.key,
      sport_title: sport.title,
      commence_time: isoSeconds(ev.startMs),
      home_team: ev.home,
      away_team: ev.away,
      bookmakers: books.map((b) => this.bookQuotes(sport, ev, b, nowMs, markets, opts.oddsFormat)),
    }));
  }

  private bookQuotes(
    sport: SportSpec,
    ev: SimEvent,
    book: BookSpec,
    nowMs: number,
    markets: readonly MarketType[],
    format: 'american' | 'decimal',
  ): OddsApiBookmaker {
    const si = sportIndex(sport);
    const bi = this.books.indexOf(book);
    const t = this.minuteAt(nowMs);
    const { staleWindowMinutes: staleWindow, mispriceWindowMinutes: mispriceWindow } = this.params;
    let seen = Math.floor((t - book.delay) / book.updateEvery) * book.updateEvery;
    const window = Math.floor(t / staleWindow);
    if (uniform(this.seed, T.stale, si, ev.k, bi, window) < book.staleProb) {
      seen = Math.min(
        seen,
        Math.floor((window * staleWindow - book.delay) / book.updateEvery) * book.updateEvery,
      );
    }
    const updatedMs = Math.min(nowMs, Math.max(ev.openMs, Math.round((seen + book.delay) * this.minuteMs)));
    const state = this.trueState(sport, ev.k, seen);
    const mw = Math.floor(t / mispriceWindow);
    const misprice = uniform(this.seed, T.misprice, si, ev.k, bi, mw) < book.mispriceProb;
    const mispriceSide = uniform(this.seed, T.mispriceSide, si, ev.k, bi, mw);
    const lastUpdate = isoSeconds(updatedMs);

    const out: OddsApiMarket[] = [];
    for (const market of markets) {
      const lines = marketLines(sport, state, market, ev);
      if (!lines) continue;
      const prices = bookPrices(
        lines.probs,
        book,
        misprice ? Math.floor(mispriceSide * lines.probs.length) : -1,
        this.params.mispriceBoost,
      );
      out.push({
        key: market,
        last_update: lastUpdate,
        outcomes: lines.names.map((name, i) => ({
          name,
          price: format === 'american' ? decimalToAmericanInt(prices[i]!) : Number(prices[i]!),
          ...(lines.points ? { point: lines.points[i]! } : {}),
        })),
      });
    }
    return { key: book.key, title: book.title, last_update: lastUpdate, markets: out };
  }

  /** `/v4/sports/{sport}/scores` at `nowMs`. */
  scores(sportKey: string, nowMs: number): OddsApiScore[] {
    const sport = this.sport(sportKey);
    if (!sport) return [];
    return this.scoreEvents(sport, nowMs).map((ev) => {
      const started = nowMs >= ev.startMs;
      const completed = nowMs >= ev.endMs;
      let scores: { name: string; score: string }[] | null = null;
      if (started) {
        const final = this.result(sport, ev.k);
        const f = completed ? 1 : (nowMs - ev.startMs) / (ev.endMs - ev.startMs);
        scores = [
          { name: ev.home, score: String(Math.floor(final.home * f)) },
          { name: ev.away, score: String(Math.floor(final.away * f)) },
        ];
      }
      return {
        id: ev.id,
        sport_key: sport.key,
        sport_title: sport.title,
        commence_time: isoSeconds(ev.startMs),
        completed,
        home_team: ev.home,
        away_team: ev.away,
        scores,
        last_update: started ? isoSeconds(Math.min(nowMs, ev.endMs)) : null,
      };
    });
  }
}

function sportIndex(sport: SportSpec): number {
  const i = SIM_SPORTS.findIndex((s) => s.key === sport.key);
  return i < 0 ? 99 : i;
}

function eventHexId(seed: number, si: number, k: number): string {
  let hex = '';
  for (let part = 0; part < 4; part++)
    hex += hashKeys(seed, [0xe7, si, k, part]).toString(16).padStart(8, '0');
  return hex;
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
