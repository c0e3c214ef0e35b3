import { BetStatus } from './entities';
import { D } from './math';

/**
 * Identities and operator-facing text of a bet lifecycle. Pure: the workflow, its activities, the client
 * that starts it and the CLI all derive the same ids from the opportunity id.
 */

/** One lifecycle per opportunity: the workflow id is the guard against betting an opportunity twice. */
export function betWorkflowId(opportunityId: string): string {
  return `bet:${opportunityId}`;
}

/** One bet per opportunity leg. */
export function betIdFor(opportunityId: string, legIndex: number): string {
  return `${opportunityId}#${legIndex + 1}`;
}

/**
 * The placement idempotency key, made from the opportunity and leg (never from a run id), so a re-run, a
 * retry or a restarted worker meets the same key in PostgreSQL's unique index and at the book.
 */
export function idempotencyKeyFor(opportunityId: string, legIndex: number): string {
  return `ab1:${opportunityId}:${legIndex}`;
}

export const OPEN_STATUSES = ['reserved', 'awaiting_confirmation', 'placed'] as const;
/** Every status a bet ends in: the entity's statuses less pending and the open ones. */
export const FINAL_STATUSES = BetStatus.exclude(['pending', ...OPEN_STATUSES]).options;

const KIND_LABEL: Record<string, string> = {
  arbitrage: 'ARB',
  value: 'VALUE',
  steam: 'STEAM',
  consensus: 'CONS',
};

/** "americanfootball_nfl" → "NFL", "soccer_epl" → "EPL", "tennis" → "TENNIS". */
export function sportLabel(sport: string): string {
  const i = sport.indexOf('_');
  return (i >= 0 ? sport.slice(i + 1) : sport).replace(/_/g, ' ').toUpperCase();
}

/** Signed number with a true minus sign: "−3.5", "+3.5". */
export function signed(point: string): string {
  const x = new D(point);
  return x.isNegative() ? `−${x.abs().toFixed()}` : `+${x.toFixed()}`;
}

export function marketLabel(marketType: string, outcome: string, point: string | null): string {
  if (marketType === 'spreads' && point !== null) return `spread ${signed(point)}`;
  if (marketType === 'totals' && point !== null)
    return `total ${outcome.toLowerCase().startsWith('u') ? 'u' : 'o'}${point}`;
  if (marketType === 'h2h') return `ML ${outcome}`;
  return `${marketType} ${outcome}${point === null ? '' : ` ${point}`}`;
}

export interface SummaryInput {
  kind: string;
  /** Decimal string: 0.023 → "2.3%". */
  edge: string;
  sport: string;
  /** "KC@BUF"; otherwise the event id. */
  eventLabel: string;
  marketType: string;
  legs: { bookmaker: string; outcome: string; point: string | null; price: string; stake: string | null }[];
}

function money(stake: string | null): string {
  return stake === null ? '?' : new D(stake).toFixed(2);
}

/** The Web UI's static summary: `ARB 2.3% · NFL KC@BUF spread −3.5 · 42.10 @ 1.95 draftkings`. */
export function betSummary(s: SummaryInput): string {
  const head = `${KIND_LABEL[s.kind] ?? s.kind.toUpperCase()} ${new D(s.edge).mul(100).toDecimalPlaces(1).toFixed(1)}%`;
  const first = s.legs[0];
  const market = first ? marketLabel(s.marketType, first.outcome, first.point) : s.marketType;
  const legs = s.legs.map((l) => `${money(l.stake)} @ ${l.price} ${l.bookmaker}`).join(' + ');
  return `${head} · ${sportLabel(s.sport)} ${s.eventLabel} ${market} · ${legs}`;
}

/** "Away@Home" from participants with roles; otherwise the names joined; otherwise the event id. */
export function eventLabel(participants: { name: string; role: string }[], eventId: string): string {
  const away = participants.find((p) => p.role === 'away');
  const home = participants.find((p) => p.role === 'home');
  if (away && home) return `${away.name}@${home.name}`;
  if (participants.length > 0) return participants.map((p) => p.name).join(' v ');
  return eventId;
}
