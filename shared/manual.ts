import { D, toDecimalString } from './math';
import { normalizeName } from './names';

/**
 * Rules for what an operator sends a bet lifecycle by hand (the `confirmPlacement` and `settle` updates),
 * pure so the workflow's validators and the CLI apply the same ones: the CLI's checks are a convenience, the
 * workflow's are the guard (the Web UI sends the updates as raw JSON).
 */

const AMOUNT_RE = /^\d+(\.\d+)?$/;

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
