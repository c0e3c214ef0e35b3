import { z } from 'zod';

/**
 * The simulated market's calibration: how the truth moves and how each book follows it. Pure zod (the
 * provider options in ../options.ts embed it as `options.model`), so `alphabet config check` names a bad
 * key and value. Defaults are calibrated to the real data in ../shared/data, measured with
 * `node --import tsx scripts/measure-market.ts [--sport nfl|wnba | --football-data]` and `alphabet backtest`:
 *
 * - Margins (h2h overround, medians): sharp 2.1% (Pinnacle 1X2, football-data 2012–2020; PSC closing 2.1%),
 *   US low-vig books 4.0%; soft US books 4.4% (NFL) / 4.7% (WNBA), p10–p90 3.3–6.0%; Bet365 5.2%,
 *   bet-at-home 5.4%, William Hill 6.0%, Interwetten 7.9%.
 * - Moves: Pinnacle open→close |Δp| per outcome median 1.2%, p90 3.7%; a sharp h2h price change moves the
 *   devigged probability by a median 0.25–0.29% (p99 1.8–2.1%); moves of 2 points or more: 0.3 per NFL
 *   game, 0.2 per WNBA game.
 * - Lags: after a sharp move of 2+ points, 66–75% of soft books already show it at the next 5–12 minute
 *   sample; 25–34% are stale then and follow a median 15 (WNBA) to 130 (NFL) minutes later; 3–7% never
 *   follow before the start. 5–7% of soft US h2h prices show EV ≥ 2% against the low-vig books' devigged
 *   line (2.4% of Bet365's 1X2 prices against Pinnacle's).
 * - What the strategies get there (CLV ± standard error): value (sharp fair, minEdge 2%) +4.0% ± 0.2%
 *   against Pinnacle's close on 3,253 football bets 2012–2020 (hit rate 40.8% at mean odds 3.47, the mean
 *   fair probability of the bets), +3.7% ± 1.3% against lowvig's close on 135 NFL bets; steam (stale prices
 *   after a consensus move, scripts/analyze-steam.ts) +28.7% ± 5.2% on 24 NFL bets and +11.4% ± 3.8% on 7
 *   WNBA bets against the consensus close (random prices: −4.4%, the margin).
 *
 * How the defaults meet them: sharp margin 2.1%, soft 4.4–6.0%; jumps are rare (0.15 per listing) and big
 * (sd 0.25 logit, about 6 points), drift small (0.005 logit per minute), so value is common and small and
 * steam rare and large; soft books follow within 1–2 minutes (inside a poll gap) unless frozen, which each
 * does in 25–35% of 30-minute windows (a stale book follows a median 15 minutes late); misprices of 8% on
 * one side (1.5–2.5% of 15-minute windows) bring the share of soft prices worth 2% EV to about 2.3%. On the
 * demo's polling (every 3 s at speed 120, seed 42, five simulated days; tests/unit/sim-market-calibration)
 * value gets CLV +3.7% ± 0.2% on 515 bets, steam +9.3% ± 2.0% on 31, each with yield within 2 standard
 * errors of its CLV (the old model: value +7.7%). The model compresses a pre-match week into `open` model
 * minutes, so rates are per model minute.
 */

const Probability = z.number().min(0).max(1);

export const SimBookParams = z.strictObject({
  /** Overround the book adds to the fair probabilities (0.045: 4.5%). */
  margin: z.number().min(0).max(0.5),
  /** Model minutes the book takes to see the truth, and the grid (minutes) it updates on. */
  delay: z.number().min(0).max(600),
  updateEvery: z.number().positive().max(600),
  /** Chance per stale window that the book freezes its prices for the rest of that window. */
  staleProb: Probability,
  /** Chance per misprice window that the book raises one side's price by `mispriceBoost`. */
  mispriceProb: Probability,
});
export type SimBookParams = z.infer<typeof SimBookParams>;

/** Defaults per book key (the catalogue's books). Sharp: prices the truth at once; soft: late and wider. */
export const DEFAULT_BOOK_PARAMS: Readonly<Record<string, SimBookParams>> = {
  pinnacle: { margin: 0.021, delay: 0, updateEvery: 1, staleProb: 0, mispriceProb: 0 },
  draftkings: { margin: 0.044, delay: 1, updateEvery: 1, staleProb: 0.25, mispriceProb: 0.015 },
  fanduel: { margin: 0.046, delay: 1, updateEvery: 1, staleProb: 0.25, mispriceProb: 0.015 },
  williamhill_us: { margin: 0.05, delay: 1, updateEvery: 2, staleProb: 0.3, mispriceProb: 0.02 },
  betmgm: { margin: 0.052, delay: 2, updateEvery: 2, staleProb: 0.3, mispriceProb: 0.02 },
  bovada: { margin: 0.06, delay: 2, updateEvery: 3, staleProb: 0.35, mispriceProb: 0.025 },
};

export const SimModelParams = z.strictObject({
  /** Latent drift: sd (logit) per model minute. */
  driftPerMinute: z.number().min(0).max(1).default(0.005),
  /** News jumps (the sharp moves steam chases): chance per model minute, and their sd (logit). */
  jumpPerMinute: Probability.default(0.0025),
  jumpSize: z.number().min(0).max(2).default(0.25),
  /** Length (model minutes) of a stale window and of a misprice window. */
  staleWindowMinutes: z.number().positive().max(600).default(30),
  mispriceWindowMinutes: z.number().positive().max(600).default(15),
  /** Factor a mispriced side's price is raised by. */
  mispriceBoost: z.number().min(1).max(2).default(1.08),
  /** Per book key; a book left out keeps its default. */
  books: z
    .record(z.string(), SimBookParams)
    .default({})
    .superRefine((books, ctx) => {
      for (const key of Object.keys(books))
        if (!(key in DEFAULT_BOOK_PARAMS))
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `unknown simulated book "${key}"; expected one of ${Object.keys(DEFAULT_BOOK_PARAMS).join(', ')}`,
          });
    }),
});
export type SimModelParams = z.infer<typeof SimModelParams>;
export type SimModelInput = z.input<typeof SimModelParams>;

/** A book's parameters: its configured ones, else its default. */
export function bookParams(model: SimModelParams, key: string): SimBookParams {
  const p = model.books[key] ?? DEFAULT_BOOK_PARAMS[key];
  if (!p) throw new Error(`simulated book "${key}" has no parameters`);
  return p;
}
