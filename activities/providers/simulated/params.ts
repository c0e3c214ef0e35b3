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
 *   WNBA bets against the consensus close (random prices: −4.4%, the margin). Steam is rare and large,
 *   value common and small: the model's jumps are rare (0.18 per listing) and big (sd 5 points).
 *
 * The model compresses a week of pre-match trading into `open` model minutes, so rates are per model minute
 * and sized so that one listing sees the moves (and the stale windows) a real pre-match week does.
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
  draftkings: { margin: 0.044, delay: 2, updateEvery: 2, staleProb: 0.2, mispriceProb: 0.004 },
  fanduel: { margin: 0.046, delay: 2, updateEvery: 2, staleProb: 0.2, mispriceProb: 0.004 },
  williamhill_us: { margin: 0.05, delay: 3, updateEvery: 3, staleProb: 0.25, mispriceProb: 0.005 },
  betmgm: { margin: 0.052, delay: 3, updateEvery: 3, staleProb: 0.25, mispriceProb: 0.005 },
  bovada: { margin: 0.06, delay: 5, updateEvery: 5, staleProb: 0.3, mispriceProb: 0.008 },
};

export const SimModelParams = z.strictObject({
  /** Latent drift: sd (logit) per model minute. */
  driftPerMinute: z.number().min(0).max(1).default(0.005),
  /** News jumps (the sharp moves steam chases): chance per model minute, and their sd (logit). */
  jumpPerMinute: Probability.default(0.003),
  jumpSize: z.number().min(0).max(2).default(0.2),
  /** Length (model minutes) of a stale window and of a misprice window. */
  staleWindowMinutes: z.number().positive().max(600).default(20),
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
