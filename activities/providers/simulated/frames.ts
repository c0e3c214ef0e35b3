import type { ReplayFrame } from '../../../shared/backtest';
import type { SportEvent } from '../../../shared/entities';
import { boardFromOddsApi } from '../../../shared/strategies/recorded-board';
import type { SimulatedMarket } from './model';

/**
 * The simulated market as backtest frames: what a poller every `stepMs` (wall clock) would see, read by the
 * same Odds API reader as recorded snapshots (American prices, as the demo polls them), with each event's
 * result once it has finished. Pure and fast, so a test can replay many simulated days through the
 * backtest engine (the live strategies' code) without HTTP or Temporal.
 */
export function* simulatedFrames(
  market: SimulatedMarket,
  o: { fromMs: number; toMs: number; stepMs: number; sports?: readonly string[] },
): Generator<ReplayFrame> {
  const sports = market.sports.filter((s) => !o.sports || o.sports.includes(s.key));
  const pending = new Map<string, { endMs: number; sport: (typeof sports)[number]; k: number }>();
  for (let at = o.fromMs; at < o.toMs; at += o.stepMs) {
    const asOf = new Date(at).toISOString();
    const raw = sports.flatMap((s) => market.odds(s.key, at, { oddsFormat: 'american' }));
    const { snapshot } = boardFromOddsApi(raw, asOf, 'simulated');
    const events: SportEvent[] = Object.values(snapshot.events).map((e) => ({ ...e, metadata: {} }));
    for (const s of sports)
      for (const ev of market.openEvents(s, at)) pending.set(ev.id, { endMs: ev.endMs, sport: s, k: ev.k });
    const results: NonNullable<ReplayFrame['results']>[number][] = [];
    for (const [id, p] of pending) {
      if (p.endMs > at) continue;
      pending.delete(id);
      const ev = market.event(p.sport, p.k);
      const r = market.result(p.sport, p.k);
      results.push({
        eventId: id,
        result: { status: 'completed', scores: { [ev.home]: String(r.home), [ev.away]: String(r.away) } },
      });
    }
    yield { at: asOf, atMs: at, events, quotes: snapshot.quotes, results };
  }
}
