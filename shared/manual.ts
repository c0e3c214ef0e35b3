import { D, exactToDecimal, MathError, parseOdds, toDecimalString, type OddsFormat } from './math';
import { normalizeName } from './names';

/**
 * Rules for what an operator sends a bet lifecycle by hand (the `confirmPlacement` and `settle` updates),
 * pure so the workflow's validators and the CLI apply the same ones: the CLI's checks are a convenience, the
 * workflow's are the guard (the Web UI sends the updates as raw JSON).
 */

const AMOUNT_RE = /^\d+(\.\d+)?$/;

/**
 * An operator's input refused before it reaches a workflow, naming the field as the caller calls it
 * (`--odds` in the CLI, `odds` in the API). `conflict`: the bet is in no state to take it.
 */
export class ManualInputError extends Error {
  override readonly name = 'ManualInputError';
  constructor(
    readonly field: string,
    message: string,
    readonly kind: 'invalid' | 'conflict' = 'invalid',
  ) {
    super(message);
  }
}

/**
 * The operator's price in an explicit format (config `operator.oddsFormat`, or the request's) as exact
 * decimal odds > 1: decimal 2.05; American 150 / +150 / -110 (unsigned is +); fractional 6/4. A signed
 * price read as decimal is refused rather than guessed at: the format is the operator's statement.
 */
export function parseOperatorOdds(
  text: string,
  format: OddsFormat,
  fields: { odds: string; format: string } = { odds: 'odds', format: 'oddsFormat' },
): string {
  const t = text.trim();
  if (format === 'decimal' && /^[+-]/.test(t))
    throw new ManualInputError(
      fields.odds,
      `${fields.odds}: ${JSON.stringify(text)} is signed like an American price; pass ${fields.format} american`,
    );
  try {
    return toDecimalString(exactToDecimal(parseOdds(t, format, fields.odds)));
  } catch (err) {
    if (err instanceof MathError)
      throw new ManualInputError(
        fields.odds,
        `${fields.odds}: ${JSON.stringify(text)} is not ${format} odds: ${err.message}`,
      );
    throw err;
  }
}

/** A stake: a positive amount in whole multiples of the stake unit (config `risk.stakeUnit`). */
export function parseOperatorStake(text: string, unit: string, field = 'stake'): string {
  const t = text.trim();
  if (!AMOUNT_RE.test(t) || new D(t).lte(0))
    throw new ManualInputError(field, `${field}: ${JSON.stringify(text)} is not an amount greater than 0`);
  const problem = stakeUnitProblem(field, t, unit);
  if (problem) throw new ManualInputError(field, problem);
  return toDecimalString(new D(t));
}

/**
 * What a confirmation needs of the bet's record before the workflow is asked: it awaits confirmation and
 * the stake is at most the reservation (the workflow checks again; this names the operator's fields).
 */
export function checkConfirmable(
  bet: { betId: string; status: string; stake: string },
  stake: string | null,
  fields: { id: string; stake: string } = { id: 'id', stake: 'stake' },
): void {
  if (bet.status !== 'awaiting_confirmation')
    throw new ManualInputError(
      fields.id,
      `${fields.id}: bet ${bet.betId} is ${bet.status}, not awaiting confirmation`,
      'conflict',
    );
  if (stake !== null && new D(stake).gt(new D(bet.stake)))
    throw new ManualInputError(
      fields.stake,
      `${fields.stake}: ${stake} is more than the ${bet.stake} reserved for bet ${bet.betId}`,
    );
}

/** Why `stake` is not a whole multiple of the stake unit (config `risk.stakeUnit`), or null when it is. */
export function stakeUnitProblem(field: string, stake: string, unit: string): string | null {
  return new D(stake).mod(new D(unit)).isZero()
    ? null
    : `${field}: ${stake} is not a whole multiple of the stake unit ${unit}`;
}

/**
 * The tolerance rule for a manually confirmed price: decimal odds p are accepted when
 * |p − q| ≤ q × tolerance, q being the leg's quoted price (re-quoted, else the reserved price) and the
 * tolerance config `placement.requote.priceTolerance`. Both directions count: a price far better than quoted
 * is as likely a typo (an American 150 typed as decimal) as a real price. Returns the refusal, or null.
 */
export function priceToleranceProblem(
  field: string,
  confirmed: string,
  quoted: string,
  tolerance: string,
): string | null {
  const q = new D(quoted);
  const t = new D(tolerance);
  if (new D(confirmed).minus(q).abs().lte(q.mul(t))) return null;
  const low = toDecimalString(q.mul(new D(1).minus(t)));
  const high = toDecimalString(q.mul(new D(1).plus(t)));
  return (
    `${field}: ${confirmed} is outside ${toDecimalString(t.mul(100))}% of the quoted ${quoted} ` +
    `(accepted ${low}–${high}); send override with a reason to take it`
  );
}

/**
 * An operator's final scores keyed by the event's own participant names. Each name must be one of the
 * event's participants after the normalization ingestion matches events by (case, accents, punctuation,
 * club suffixes), each participant needs exactly one score, and scores are numbers ≥ 0 written as strings.
 * Throws an Error naming the field and value, with the expected names.
 */
export function canonicalScores(
  scores: Readonly<Record<string, unknown>>,
  participants: readonly string[],
): Record<string, string> {
  const expected = participants.map((p) => JSON.stringify(p)).join(', ');
  const byKey = new Map(participants.map((p) => [normalizeName(p), p]));
  const out = new Map<string, string>();
  for (const [name, score] of Object.entries(scores)) {
    if (typeof score !== 'string' || !AMOUNT_RE.test(score.trim()))
      throw new Error(
        `scores.${name}: expected a score of at least 0 written as a string (e.g. "24"), got ${JSON.stringify(score)}`,
      );
    const participant = byKey.get(normalizeName(name));
    if (participant === undefined)
      throw new Error(
        `scores: ${JSON.stringify(name)} is not a participant of this event (expected ${expected})`,
      );
    if (out.has(participant))
      throw new Error(`scores: ${JSON.stringify(name)} names ${JSON.stringify(participant)} a second time`);
    out.set(participant, toDecimalString(new D(score.trim())));
  }
  const missing = participants.filter((p) => !out.has(p));
  if (missing.length > 0)
    throw new Error(
      `scores: no score for ${missing.map((m) => JSON.stringify(m)).join(', ')} (expected ${expected})`,
    );
  return Object.fromEntries(out);
}
