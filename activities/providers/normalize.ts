import { createHash } from 'node:crypto';
import { normalizeName } from '../../shared/names';

/**
 * Event identity shared by every provider: participant names for cross-provider event matching and the
 * canonical event id. (Wire values — prices, points, times — are read by shared/readers/values.ts.)
 */

// Lives in shared/ so workflow code (the `settle` update) matches names by the same rule.
export { normalizeName };

/** A participant id that is stable across providers: the normalized name as a slug. */
export function participantId(name: string): string {
  return normalizeName(name).replace(/ /g, '-') || 'unknown';
}

/** Same participants, whatever the order or the spelling noise. */
export function sameParticipants(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = a.map(normalizeName).sort();
  const y = b.map(normalizeName).sort();
  return x.every((n, i) => n === y[i]);
}

/** The canonical event id minted the first time an event is seen: stable for the same sport, teams and start. */
export function canonicalEventId(
  sport: string,
  participantNames: readonly string[],
  startTime: string,
): string {
  const names = participantNames.map(normalizeName).sort().join('|');
  const minute = new Date(startTime).toISOString().slice(0, 16);
  return `ev_${createHash('sha256').update(`${sport}|${names}|${minute}`).digest('hex').slice(0, 20)}`;
}
