/**
 * Alert events, their severities and the routing rule (config `alerts.routes`), pure so the workflow can
 * tell whether an event goes anywhere before it starts a delivery, and the activities can pick channels.
 */

export type AlertSeverity = 'info' | 'warning' | 'critical';

export const ALERT_EVENTS = {
  'bet.awaiting_confirmation': 'warning',
  'bet.placed': 'info',
  'bet.skipped': 'info',
  /** An operator took a price outside the re-quote tolerance with `override`. */
  'bet.price_override': 'warning',
  'bet.rejected': 'warning',
  'bet.expired': 'warning',
  'bet.voided': 'info',
  'bet.settled': 'info',
  'bet.failed': 'critical',
  'bet.settlement_blocked': 'critical',
  'risk.daily_loss_stop': 'critical',
  'paper.completed': 'info',
  'paper.gate_failed': 'warning',
} as const satisfies Record<string, AlertSeverity>;
export type AlertEventType = keyof typeof ALERT_EVENTS;

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export interface Alert {
  /** Deterministic: a delivery retried or started twice is recognised by it. */
  id: string;
  type: AlertEventType;
  severity: AlertSeverity;
  /** What the alert is about (a bet id, an account and day): de-duplication key with the type. */
  subject: string;
  title: string;
  text: string;
  fields: Record<string, string>;
  at: string;
  /** Where to look (the workflow in the Web UI). */
  link: string | null;
}

export interface AlertRoute {
  events: string[];
  minSeverity: AlertSeverity;
  channels: string[];
}

/** `*` matches everything, `bet.*` every bet event, anything else itself. */
export function eventMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Channel names an alert goes to: every route that matches its type at or above its severity, in order. */
export function routeAlert(
  routes: readonly AlertRoute[],
  enabledChannels: ReadonlySet<string>,
  type: string,
  severity: AlertSeverity,
): string[] {
  const out: string[] = [];
  for (const route of routes) {
    if (RANK[severity] < RANK[route.minSeverity]) continue;
    if (!route.events.some((p) => eventMatches(p, type))) continue;
    for (const c of route.channels) if (enabledChannels.has(c) && !out.includes(c)) out.push(c);
  }
  return out;
}

/** The event types that reach at least one enabled channel. */
export function routedEventTypes(
  routes: readonly AlertRoute[],
  enabledChannels: ReadonlySet<string>,
): AlertEventType[] {
  return (Object.keys(ALERT_EVENTS) as AlertEventType[]).filter(
    (t) => routeAlert(routes, enabledChannels, t, ALERT_EVENTS[t]).length > 0,
  );
}

/** One line for SMS and chat: "[CRITICAL] title: text". */
export function alertLine(alert: Alert): string {
  return `[${alert.severity.toUpperCase()}] ${alert.title}: ${alert.text}`;
}
