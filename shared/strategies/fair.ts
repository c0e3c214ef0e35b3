import { type D, ONE, ZERO } from '../math';
import type { BetMarket, BookLine, IndexedBoard } from './board';
import { devigExact, devigFloat, type DevigChoice } from './common';

/**
 * A market's fair line: from a sharp book (first of a priority list with a complete fresh line, devigged),
 * from a consensus of books (each devigged, probabilities averaged), or by the Kaunitz et al. (2017)
 * consensus rule 1/mean(odds) − alpha. Float probabilities screen; `exact()` recomputes in Decimal for
 * anything that is reported.
 */
export type FairSource = 'sharp' | 'consensus' | 'kaunitz';

export interface FairSpec {
  fairSource: FairSource;
  sharpBooks: readonly string[];
  devigMethod: DevigChoice;
  minBooks: number;
  kaunitzAlpha?: string;
}

export interface FairLine {
  source: FairSource;
  /** "sharp:pinnacle:shin", "consensus(5):multiplicative", "kaunitz:0.05". */
  label: string;
  /** The books whose prices made the line. */
  books: string[];
  /** The sharp book the line came from (null for consensus rules). */
  sharpBook: string | null;
  /** Float fair probability per slot (NaN where it cannot be priced). */
  probabilities: Float64Array;
  /** Exact probabilities per slot (null where it cannot be priced), with the devig method per slot. */
  exact(): { probabilities: (D | null)[]; methods: string[] };
}

const PLACES = 20;

/**
 * The fair line of one market given every book's complete fresh line (`lines`) and, for Kaunitz, the
 * freshest quote of each book per slot (`slotQuotes`). Null when the spec cannot be met (no sharp line,
 * too few books).
 */
export function fairLine(
  board: IndexedBoard,
  bet: BetMarket,
  lines: readonly BookLine[],
  spec: FairSpec,
  slotQuotes?: readonly (readonly number[])[],
): FairLine | null {
  const slots = bet.expected;
  switch (spec.fairSource) {
    case 'sharp': {
      if (lines.length < spec.minBooks) return null;
      for (const book of spec.sharpBooks) {
        const line = lines.find((l) => l.bookmaker === book);
        if (!line) continue;
        const p = devigFloat(line.prices, spec.devigMethod);
        if (!p) return null;
        const prices = line.quotes.map((q) => board.quote(q).price);
        return {
          source: 'sharp',
          label: `sharp:${book}:${spec.devigMethod}`,
          books: [book],
          sharpBook: book,
          probabilities: p,
          exact: memo(() => {
            const fair = devigExact(prices, spec.devigMethod);
            return fair
              ? {
                  probabilities: fair.probabilities.map((x) => x.toDecimalPlaces(PLACES)),
                  methods: fair.methods,
                }
              : { probabilities: prices.map(() => null), methods: prices.map(() => spec.devigMethod) };
          }),
        };
      }
      return null;
    }
    case 'consensus': {
      const used: BookLine[] = [];
      const sum = new Float64Array(slots);
      for (const line of lines) {
        const p = devigFloat(line.prices, spec.devigMethod);
        if (!p) continue;
        used.push(line);
        for (let s = 0; s < slots; s++) sum[s]! += p[s]!;
      }
      if (used.length < spec.minBooks || used.length === 0) return null;
      for (let s = 0; s < slots; s++) sum[s]! /= used.length;
      return {
        source: 'consensus',
        label: `consensus(${used.length}):${spec.devigMethod}`,
        books: used.map((l) => l.bookmaker).sort(),
        sharpBook: null,
        probabilities: sum,
        exact: memo(() => {
          const total = new Array<D>(slots).fill(ZERO);
          let n = 0;
          for (const line of used) {
            const fair = devigExact(
              line.quotes.map((q) => board.quote(q).price),
              spec.devigMethod,
            );
            if (!fair) continue;
            n++;
            fair.probabilities.forEach((p, s) => (total[s] = total[s]!.plus(p)));
          }
          return {
            probabilities: total.map((t) => (n === 0 ? null : t.div(n).toDecimalPlaces(PLACES))),
            methods: total.map(() => spec.devigMethod),
          };
        }),
      };
    }
    case 'kaunitz': {
      if (!slotQuotes) return null;
      const alpha = Number(spec.kaunitzAlpha ?? '0.05');
      const p = new Float64Array(slots).fill(NaN);
      const books = new Set<string>();
      for (let s = 0; s < slots; s++) {
        const list = slotQuotes[s] ?? [];
        if (list.length < spec.minBooks || list.length === 0) return null;
        let total = 0;
        for (const q of list) {
          total += board.price[q]!;
          books.add(board.books[board.bookOf[q]!]!);
        }
        const value = list.length / total - alpha;
        p[s] = value > 0 ? value : NaN;
      }
      const alphaText = spec.kaunitzAlpha ?? '0.05';
      return {
        source: 'kaunitz',
        label: `kaunitz:${alphaText}`,
        books: [...books].sort(),
        sharpBook: null,
        probabilities: p,
        exact: memo(() => ({
          probabilities: (slotQuotes as number[][]).map((list) => {
            let total = ZERO;
            for (const q of list) total = total.plus(board.quote(q).price);
            const value = ONE.div(total.div(list.length)).minus(alphaText);
            return value.gt(ZERO) ? value.toDecimalPlaces(PLACES) : null;
          }),
          methods: (slotQuotes as number[][]).map(() => `kaunitz:${alphaText}`),
        })),
      };
    }
  }
}

function memo<T>(f: () => T): () => T {
  let value: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value as T;
  };
}
