const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Why a text is not a duration, or null when it is one. */
export function durationProblem(text: string): string | null {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    return `"${text}" is not a duration (examples: 90s, 2m, 1h30m)`;
  if (durationMs(parts) <= 0) return `"${text}" must be longer than zero`;
  return null;
}

function durationMs(parts: RegExpMatchArray[]): number {
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** "90s", "2m", "1h30m", "6h" → milliseconds. Pure (workflows parse their JSON input with it too). */
export function parseDurationMs(text: string): number {
  const problem = durationProblem(text);
  if (problem !== null) throw new RangeError(problem);
  return durationMs([...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)]);
}

/** 5400000 → "1h30m" (whole seconds; for messages). */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const out: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (s >= size) {
      out.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || out.length === 0) out.push(`${s}s`);
  return out.join('');
}
