import type { Pool } from 'pg';
import { participantId } from '../providers/normalize';
import type { OddsProvider, ProviderQuota } from '../providers/types';
import type { EventResolver } from './events';
import { recordRejects } from './poll';

export interface ResultsSummary {
  results: number;
  completed: number;
  updated: number;
  rejects: number;
  quota: ProviderQuota | null;
}

/**
 * Scores for settlement: events we already know (mapped from odds) get their live status and, once
 * completed, their result — scores by participant as the provider reported them, exact strings.
 */
export async function ingestResults(
  ctx: { db: Pool; resolver: EventResolver; provider: OddsProvider },
  sports: readonly string[],
): Promise<ResultsSummary> {
  const { provider } = ctx;
  if (!provider.fetchResults || !provider.capabilities.results) {
    return { results: 0, completed: 0, updated: 0, rejects: 0, quota: null };
  }
  const batch = await provider.fetchResults({ sports });
  const ids = await ctx.resolver.lookup(
    provider.name,
    batch.results.map((r) => r.providerEventId),
  );
  const rows = [];
  for (const r of batch.results) {
    const eventId = ids.get(r.providerEventId);
    if (!eventId) continue;
    if (r.completed && r.scores) {
      const roles = new Map(r.participants.map((p) => [p.name, p.role]));
      rows.push({
        eventId,
        status: 'completed' as const,
        result: {
          completed: true,
          provider: provider.name,
          reportedAt: r.lastUpdate ?? batch.observedAt,
          scores: r.scores.map((s) => ({
            participantId: participantId(s.name),
            name: s.name,
            role: roles.get(s.name) ?? null,
            score: s.score,
          })),
        },
      });
    } else if (r.scores && Date.parse(r.startTime) <= Date.parse(batch.observedAt)) {
      rows.push({ eventId, status: 'live' as const, result: null });
    }
  }
  const updated = await ctx.resolver.recordResults(rows);
  await recordRejects(ctx.db, provider.name, null, batch.rejects);
  return {
    results: batch.results.length,
    completed: rows.filter((r) => r.status === 'completed').length,
    updated,
    rejects: batch.rejects.length,
    quota: batch.quota,
  };
}
