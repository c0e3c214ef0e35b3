import type { Opportunity } from '../../shared/entities';
import type { OpsEvent } from '../../shared/ops-events';
import type { Decision, RecordResult } from './opportunity-store';

/** The opportunities a sweep recorded now (not the duplicates), for the operator event stream. */
export function opportunityEvents(
  items: readonly { opportunity: Opportunity; decision: Decision }[],
  inserted: RecordResult['inserted'],
  strategy: string,
  session: string | null,
): OpsEvent[] {
  const byId = new Map(items.map((i) => [i.opportunity.id, i]));
  return inserted.flatMap(({ id }) => {
    const item = byId.get(id);
    if (!item) return [];
    const o = item.opportunity;
    return [
      {
        kind: 'opportunity' as const,
        data: {
          opportunityId: id,
          strategy,
          session,
          kind: o.kind,
          sport: o.sport,
          eventId: o.market.eventId,
          edge: o.edge,
          decision: item.decision.decision,
          reason: item.decision.decision === 'skipped' ? item.decision.reason : null,
        },
      },
    ];
  });
}
