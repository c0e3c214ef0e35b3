import { D, ONE, parseDecimal } from './decimal';
import { devigFloatInto, type DevigMethod } from './devig';
import { ArbitrageError } from './errors';
import { findArbitrage, type ArbitrageOptions, type ArbitrageSolution, type Quote } from './arbitrage';

/**
 * The solver's Quote tagged with the key of the market it prices. Keys are opaque here (any string; live
 * code uses marketKeyString), so this scan works on any grouping of quotes.
 */
export interface KeyedQuote extends Quote {
  readonly market: string;
}

/**
 * A columnar index of keyed quotes, grouped by market: positions [marketStart[m], marketStart[m+1])
 * hold market m's quotes; `source[pos]` is the index of that quote in `quotes`. Prices are float64 for
 * screening only; anything reported is recomputed exactly from the original quotes.
 */
export interface QuoteIndex {
  readonly quotes: readonly KeyedQuote[];
  readonly marketKeys: readonly string[];
  readonly bookmakers: readonly string[];
  readonly outcomes: readonly string[];
  readonly marketStart: Int32Array;
  /** Market id of every quote, indexed like `quotes`. */
  readonly marketOf: Int32Array;
  readonly source: Int32Array;
  readonly price: Float64Array;
  readonly book: Uint16Array;
  readonly outcome: Uint16Array;
  /** Outcomes each market must have (0: take those quoted as complete). */
  readonly expectedOutcomes: Int32Array;
}

export interface QuoteIndexOptions {
  /** Number of outcomes of a market (3 for 1X2); markets quoted on fewer are incomplete, never arbs. */
  readonly outcomeCount?: (marketKey: string) => number | undefined;
  /**
   * A previous index whose buffers may be overwritten (it must not be used afterwards). A scanner that
   * re-indexes every tick then allocates nothing large, which spares the garbage collector.
   */
  readonly reuse?: QuoteIndex;
}

export interface ScanOptions extends Omit<ArbitrageOptions, 'totalStake' | 'unit' | 'maxStakes'> {
  /** Devig every bookmaker's complete line in every market; default multiplicative, 'none' to skip. */
  readonly devig?: DevigMethod | 'none';
  /** Relative slack on the float screen so rounding can never hide a true arbitrage. Default 1e-9. */
  readonly epsilon?: number;
  /** Buffer to write fair probabilities into (length ≥ quotes), e.g. the previous scan's `fair`. */
  readonly fairInto?: Float64Array;
}

export interface ScanResult {
  readonly markets: number;
  /** Markets that passed the float screen and were checked exactly. */
  readonly candidates: number;
  /** Exactly confirmed arbitrages, in market order, as findArbitrage reports them. */
  readonly arbitrages: ArbitrageSolution[];
  /** Fair probability of every quote (indexed like `index.quotes`) from its own book's line; NaN if not devigged. */
  readonly fair: Float64Array;
  /** Bookmaker lines devigged. */
  readonly lines: number;
}

// Float parsing and the commission arithmetic err by ~1e-16; anything this close to the best is re-checked.
const NEAR_BEST = 1 - 1e-12;

/** Market keys remembered by identity while indexing (a few events' worth of markets). */
const RECENT = 8;

/** More outcomes than this in one market is refused (slots are tracked in a 32-bit mask). */
export const MAX_OUTCOMES = 32;

/**
 * Index keyed quotes in two passes: intern market keys and count, then place every quote at its
 * market's next slot (counting sort) while parsing its price and interning its book and outcome.
 */
export function indexQuotes(quotes: readonly KeyedQuote[], options: QuoteIndexOptions = {}): QuoteIndex {
  const size = quotes.length;
  const old = options.reuse;
  const marketOf = buffer(old?.marketOf, size, Int32Array);
  const markets = new Map<string, number>();
  const marketKeys: string[] = [];
  let counts = new Int32Array(1024);
  // Feeds send an event's few markets close together (book by book): a tiny ring of recent keys compared by
  // identity answers most lookups without touching the large map.
  const recentKeys: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  const recentIds = new Int32Array(RECENT);
  let recentNext = 0;
  let lastKey: string | undefined;
  let lastId = -1;
  for (let i = 0; i < size; i++) {
    const key = quotes[i]!.market;
    let m = key === lastKey ? lastId : -1;
    for (let r = 0; m < 0 && r < RECENT; r++) {
      if (recentKeys[r] === key) {
        m = recentIds[r]!;
        break;
      }
    }
    if (m < 0) {
      m = markets.get(key) ?? -1;
      if (m < 0) {
        m = marketKeys.length;
        markets.set(key, m);
        marketKeys.push(key);
        if (m === counts.length) {
          const grown = new Int32Array(m * 2);
          grown.set(counts);
          counts = grown;
        }
      }
      recentKeys[recentNext] = key;
      recentIds[recentNext] = m;
      recentNext = (recentNext + 1) % RECENT;
    }
    lastKey = key;
    lastId = m;
    marketOf[i] = m;
    counts[m]!++;
  }

  const marketCount = marketKeys.length;
  const marketStart = new Int32Array(marketCount + 1);
  for (let m = 0; m < marketCount; m++) marketStart[m + 1] = marketStart[m]! + counts[m]!;
  const cursor = marketStart.slice(0, marketCount);
  const source = buffer(old?.source, size, Int32Array);
  const price = buffer(old?.price, size, Float64Array);
  const book = buffer(old?.book, size, Uint16Array);
  const outcome = buffer(old?.outcome, size, Uint16Array);
  const books = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const bookmakers: string[] = [];
  const outcomeNames: string[] = [];
  let lastBook: string | undefined;
  let lastBookId = -1;
  for (let i = 0; i < size; i++) {
    const q = quotes[i]!;
    if (q.bookmaker !== lastBook) {
      let b = books.get(q.bookmaker);
      if (b === undefined) {
        b = intern(books, bookmakers, q.bookmaker, 'bookmaker');
      }
      lastBook = q.bookmaker;
      lastBookId = b;
    }
    // Outcome names are few ("home", "draw", "over"…): a short scan by identity beats hashing.
    let o = -1;
    const name = q.outcome;
    for (let j = 0; j < outcomeNames.length && j < 8; j++) {
      if (outcomeNames[j] === name) {
        o = j;
        break;
      }
    }
    if (o < 0) o = outcomes.get(name) ?? intern(outcomes, outcomeNames, name, 'outcome');
    const p = toFloat(q.price);
    if (!(p > 1) || p === Infinity) {
      throw new ArbitrageError('decimal odds must be greater than 1', `quotes[${i}].price`, q.price);
    }
    const pos = cursor[marketOf[i]!]!++;
    source[pos] = i;
    price[pos] = p;
    book[pos] = lastBookId;
    outcome[pos] = o;
  }

  const expectedOutcomes = new Int32Array(marketCount);
  if (options.outcomeCount) {
    for (let m = 0; m < marketCount; m++) expectedOutcomes[m] = options.outcomeCount(marketKeys[m]!) ?? 0;
  }
  return {
    quotes,
    marketKeys,
    bookmakers,
    outcomes: outcomeNames,
    marketStart,
    marketOf,
    source,
    price,
    book,
    outcome,
    expectedOutcomes,
  };
}

interface TypedArrayType<T> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** `length` elements on the old array's memory when it is big enough, else a fresh array. */
function buffer<T extends { buffer: ArrayBufferLike }>(
  old: T | undefined,
  length: number,
  Type: TypedArrayType<T>,
): T {
  const memory = old?.buffer;
  if (memory instanceof ArrayBuffer && memory.byteLength >= length * Type.BYTES_PER_ELEMENT) {
    return new Type(memory, 0, length);
  }
  return new Type(length);
}

/** Books and outcomes are stored as 16-bit ids. */
const MAX_IDS = 65_536;

function intern(ids: Map<string, number>, names: string[], name: string, what: string): number {
  if (names.length === MAX_IDS) {
    throw new ArbitrageError(`a board can hold at most ${MAX_IDS} ${what}s`, what, name);
  }
  ids.set(name, names.length);
  names.push(name);
  return names.length - 1;
}

/**
 * Scan a whole quote index: best price per outcome in float64, markets whose float booksum is under 1 + epsilon
 * confirmed exactly (Decimal) through findArbitrage, and every complete bookmaker line devigged in float64.
 */
export function scanQuotes(index: QuoteIndex, options: ScanOptions = {}): ScanResult {
  const method = options.devig ?? 'multiplicative';
  const threshold = 1 + (options.epsilon ?? 1e-9);
  const bookCount = index.bookmakers.length;
  // Share of net winnings kept after commission, per bookmaker (1 where none is charged).
  const keep = new Float64Array(bookCount).fill(1);
  let anyCommission = false;
  for (const [name, rate] of Object.entries(options.commission ?? {})) {
    const b = index.bookmakers.indexOf(name);
    if (b < 0) continue;
    const c = parseDecimal(rate, `commission[${name}]`, ArbitrageError);
    if (c.isNegative() || c.gte(ONE)) {
      throw new ArbitrageError('commission must be at least 0 and below 1', `commission[${name}]`, rate);
    }
    keep[b] = new D(1).minus(c).toNumber();
    anyCommission = true;
  }

  const { price, book, outcome, source, marketStart } = index;
  const slotOf = new Int32Array(index.outcomes.length).fill(-1);
  const slotOutcome = new Int32Array(MAX_OUTCOMES);
  const best = new Float64Array(MAX_OUTCOMES);
  const bookSum = new Float64Array(bookCount);
  const bookMask = new Uint32Array(bookCount);
  const bookDup = new Uint8Array(bookCount);
  const touched = new Int32Array(bookCount);
  const lineOk = new Uint8Array(bookCount);
  const pi = new Float64Array(bookCount * MAX_OUTCOMES);
  const at = new Int32Array(bookCount * MAX_OUTCOMES);
  const out = new Float64Array(MAX_OUTCOMES);
  const size = index.quotes.length;
  const fair =
    options.fairInto && options.fairInto.length >= size
      ? options.fairInto.subarray(0, size)
      : new Float64Array(size);
  fair.fill(NaN);
  const arbitrages: ArbitrageSolution[] = [];
  const devigOptions = { tolerance: 1e-14 };
  let candidates = 0;
  let lines = 0;

  for (let m = 0; m < index.marketKeys.length; m++) {
    const start = marketStart[m]!;
    const end = marketStart[m + 1]!;
    let slots = 0;
    let touchedCount = 0;
    for (let pos = start; pos < end; pos++) {
      const o = outcome[pos]!;
      let s = slotOf[o]!;
      if (s < 0) {
        if (slots === MAX_OUTCOMES) {
          throw new ArbitrageError(
            `a market can have at most ${MAX_OUTCOMES} outcomes`,
            'market',
            index.marketKeys[m],
          );
        }
        s = slots++;
        slotOf[o] = s;
        slotOutcome[s] = o;
        best[s] = 0;
      }
      const b = book[pos]!;
      const raw = price[pos]!;
      const p = anyCommission ? 1 + (raw - 1) * keep[b]! : raw;
      if (p > best[s]!) best[s] = p;
      const bit = 1 << s;
      if (bookMask[b] === 0) touched[touchedCount++] = b;
      if ((bookMask[b]! & bit) !== 0) bookDup[b] = 1;
      bookMask[b]! |= bit;
      const inv = 1 / raw;
      bookSum[b]! += inv;
      pi[b * MAX_OUTCOMES + s] = inv;
      at[b * MAX_OUTCOMES + s] = pos;
    }
    const expected = index.expectedOutcomes[m]! || slots;
    if (slots > expected) {
      throw new ArbitrageError(
        `market has more outcomes quoted than its ${expected}`,
        'market',
        index.marketKeys[m],
      );
    }
    const complete = slots === expected && slots >= 2;

    if (complete) {
      let sum = 0;
      for (let s = 0; s < slots; s++) sum += 1 / best[s]!;
      if (sum < threshold) {
        candidates++;
        // Only quotes within rounding of their outcome's float best can be the exact best (parsing is
        // monotone); the outcome list keeps the legs in the order the full market would give them.
        const near: Quote[] = [];
        for (let pos = start; pos < end; pos++) {
          const raw = price[pos]!;
          const p = anyCommission ? 1 + (raw - 1) * keep[book[pos]!]! : raw;
          if (p >= best[slotOf[outcome[pos]!]!]! * NEAR_BEST) near.push(index.quotes[source[pos]!]!);
        }
        const names: string[] = [];
        for (let s = 0; s < slots; s++) names.push(index.outcomes[slotOutcome[s]!]!);
        const found = findArbitrage(index.marketKeys[m]!, near, { ...options, outcomes: names });
        if (found) arbitrages.push(found);
      }
    }

    const full = slots === 32 ? 0xffffffff : (1 << slots) - 1;
    for (let t = 0; t < touchedCount; t++) {
      const b = touched[t]!;
      lineOk[b] = complete && method !== 'none' && bookMask[b] === full && bookDup[b] === 0 ? 1 : 0;
      if (lineOk[b] === 0) continue;
      lines++;
      if (method === 'multiplicative' || method === 'none') continue;
      const base = b * MAX_OUTCOMES;
      devigFloatInto(method, pi.subarray(base, base + slots), slots, out, devigOptions);
      for (let s = 0; s < slots; s++) fair[source[at[base + s]!]!] = out[s]!;
    }
    if (method === 'multiplicative') {
      // Closed form: no need to gather lines, one more pass over the market's quotes does it.
      for (let pos = start; pos < end; pos++) {
        const b = book[pos]!;
        if (lineOk[b] === 1) fair[source[pos]!] = 1 / price[pos]! / bookSum[b]!;
      }
    }
    for (let t = 0; t < touchedCount; t++) {
      const b = touched[t]!;
      bookSum[b] = 0;
      bookMask[b] = 0;
      bookDup[b] = 0;
    }
    for (let s = 0; s < slots; s++) slotOf[slotOutcome[s]!] = -1;
  }
  return { markets: index.marketKeys.length, candidates, arbitrages, fair, lines };
}

/**
 * Price to float64 for screening. Plain decimal strings of up to 15 characters take an exact fast path:
 * an integer below 2^53 divided by an exact power of ten rounds once, exactly like Number().
 */
function toFloat(value: Quote['price']): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return value.toNumber();
  const length = value.length;
  if (length === 0 || length > 15) return strictNumber(value);
  let digits = 0;
  let scale = 1;
  let dot = false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46) {
      if (dot) return NaN;
      dot = true;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return strictNumber(value);
    digits = digits * 10 + d;
    if (dot) scale *= 10;
  }
  return digits / scale;
}

const DECIMAL_STRING = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function strictNumber(value: string): number {
  return DECIMAL_STRING.test(value) ? Number(value) : NaN;
}
