import { z } from 'zod';
import { DecimalString } from '../shared/entities';

// The config schema's building blocks: amounts, shares, addresses, and the checks several sections share.

/** A fraction of the bankroll written as a decimal string in (0, 1]. */
export const Fraction = DecimalString.refine((s) => Number(s) > 0 && Number(s) <= 1, {
  message: 'expected a fraction greater than 0 and at most 1, e.g. "0.02"',
});
export const PositiveMoney = DecimalString.refine((s) => Number(s) > 0, {
  message: 'expected a positive amount written as a string, e.g. "10000"',
});
export const HostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, { message: 'expected host:port, e.g. 127.0.0.1:7233' });
export const Port = z.number().int().min(1).max(65535);
export const Url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const NonNegativeMoney = DecimalString.refine((s) => Number(s) >= 0, {
  message: 'expected an amount of at least 0 written as a string, e.g. "0"',
});
/** A share in [0, 1), e.g. a slippage or a probability. */
export const Share = DecimalString.refine((s) => Number(s) >= 0 && Number(s) < 1, {
  message: 'expected a decimal string from 0 up to (not including) 1, e.g. "0.01"',
});
export const Seconds = z.number().positive();

/** Report a type's own option errors under `options.<key>`, naming unknown keys as such. */
export function addOptionIssues(ctx: z.RefinementCtx, error: z.ZodError, type: string): void {
  for (const issue of error.issues) {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? '?'] : issue.path;
    ctx.addIssue({
      code: 'custom',
      path: ['options', ...path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      message: issue.code === 'unrecognized_keys' ? `unknown ${type} option` : issue.message,
    });
  }
}

/** A list whose items' names are unique: a repeat is reported at its index, naming the kind of item. */
export function uniqueNames<T extends z.ZodType<{ name: string }>>(item: T, kind: string) {
  return z.array(item).superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.name))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `${kind} name "${it.name}" is used twice`,
        });
      seen.add(it.name);
    });
  });
}
