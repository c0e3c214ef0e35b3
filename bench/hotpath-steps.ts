import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { ingestKeys, readChangeEntry } from '../activities/ingestion/keys';
import type { connectClient } from '../activities/infra/temporal';
import { betWorkflowId } from '../shared/bets';

/**
 * The hot-path bench's step breakdown (issue 14): from the market first serving an opportunity to its paper
 * bets being placed, each step's instant read from what the run left behind.
 */
export interface StepSources {
  db: Pool;
  redis: Redis;
  /** The run's Redis key prefix (the change stream's). */
  prefix: string;
  /** Lifecycle start times; without it that step is left out. */
  temporal: Awaited<ReturnType<typeof connectClient>> | null;
}

/** Each step's instant, ms after the market first served the opportunity (null: not known). */
export interface StepSample {
  /** The poller's HTTP response received (odds_quotes.observed_at). */
  fetched: number;
  /** The poll's history transaction (odds_polls.fetched_at: its start). */
  committed: number;
  /** The board and change stream written (the stream entry's id). */
  announced: number | null;
  /** The sweep's board view taken (opportunities.detected_at). */
  swept: number;
  recorded: number;
  /** The bet lifecycle workflow started (Temporal's start time). */
  started: number | null;
  handedOff: number;
  /** The lifecycle's plan: the bets rows created. */
  planned: number;
  /** The risk check and reservation committed (ledger 'reserve'). */
  reserved: number;
  placed: number;
}
/** An opportunity whose legs are placed, as the bench's query returns it. */
export interface StepRow {
  opportunity_id: string;
  event_id: string;
  recorded_at: Date;
  handed_off_at: Date | null;
  detected_at: Date;
  planned: Date | null;
  placed: Date | null;
  n: number;
}
/**
 * Every step's instant for these placed opportunities, from what the run left behind: the history rows, the
 * change stream, the opportunity and bet rows, the ledger and the lifecycles' start times in Temporal.
 */
export async function stepTimes(
  src: StepSources,
  done: StepRow[],
  servedAt: (eventId: string) => number,
): Promise<StepSample[]> {
  if (done.length === 0) return [];
  const events = done.map((r) => r.event_id);
  const opportunities = done.map((r) => r.opportunity_id);
  const [ingested, reserved, announced, started] = await Promise.all([
    src.db.query<{ event_id: string; fetched: Date; committed: Date }>(
      `SELECT q.event_id, min(q.observed_at) AS fetched, min(p.fetched_at) AS committed
       FROM odds_quotes q JOIN odds_polls p USING (poll_id)
       WHERE q.event_id = ANY($1::text[]) GROUP BY q.event_id`,
      [events],
    ),
    src.db.query<{ opportunity_id: string; at: Date }>(
      `SELECT b.opportunity_id, min(t.created_at) AS at
       FROM bets b JOIN ledger_transactions t ON t.bet_id = b.bet_id AND t.kind = 'reserve'
       WHERE b.opportunity_id = ANY($1::text[]) GROUP BY b.opportunity_id`,
      [opportunities],
    ),
    announcedAt(src, new Set(events), Math.min(...events.map(servedAt))),
    lifecycleStarts(src, opportunities),
  ]);
  const fetched = new Map(ingested.rows.map((r) => [r.event_id, r]));
  const reservedAt = new Map(reserved.rows.map((r) => [r.opportunity_id, r.at.getTime()]));
  return done.map((r) => {
    const served = servedAt(r.event_id);
    const ingest = fetched.get(r.event_id);
    const start = started.get(r.opportunity_id);
    const at = announced.get(r.event_id);
    return {
      fetched: (ingest?.fetched.getTime() ?? NaN) - served,
      committed: (ingest?.committed.getTime() ?? NaN) - served,
      announced: at === undefined ? null : at - served,
      swept: r.detected_at.getTime() - served,
      recorded: r.recorded_at.getTime() - served,
      started: start === undefined ? null : start - served,
      handedOff: r.handed_off_at!.getTime() - served,
      planned: r.planned!.getTime() - served,
      reserved: (reservedAt.get(r.opportunity_id) ?? NaN) - served,
      placed: r.placed!.getTime() - served,
    };
  });
}
/** When each event's first change-stream entry was written (its id's milliseconds), from `sinceMs` on. */
async function announcedAt(
  { redis, prefix }: StepSources,
  events: Set<string>,
  sinceMs: number,
): Promise<Map<string, number>> {
  const stream = ingestKeys(prefix).changesStream;
  const out = new Map<string, number>();
  let from = `${sinceMs - 5_000}-0`;
  for (;;) {
    const page = await redis.xrange(stream, from, '+', 'COUNT', 2_000);
    for (const [id, fields] of page) {
      for (const { event } of readChangeEntry(fields))
        if (events.has(event) && !out.has(event)) out.set(event, Number(id.split('-')[0]));
    }
    if (page.length < 2_000) return out;
    from = `(${page[page.length - 1]![0]}`;
  }
}
/** Each opportunity's bet lifecycle start time in Temporal. */
async function lifecycleStarts(
  { temporal }: StepSources,
  opportunities: string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!temporal) return out;
  for (const id of opportunities) {
    const d = await temporal.workflow.getHandle(betWorkflowId(id)).describe();
    out.set(id, d.startTime.getTime());
  }
  return out;
}
/** Each step's p50 and p99 (`stats`), one line each, under `label`. */
export function reportSteps(
  say: (line: string) => void,
  stats: (xs: number[]) => string,
  label: string,
  samples: StepSample[],
): void {
  const pick = (f: (s: StepSample) => number | null) =>
    stats(samples.map(f).filter((x): x is number => x !== null && Number.isFinite(x)));
  say(`  ${label}: ${samples.length} opportunities`);
  say(`    served → fetched              ${pick((s) => s.fetched)}   (poller's HTTP response)`);
  say(
    `    fetched → history committed   ${pick((s) => s.committed - s.fetched)}   (events, change detection)`,
  );
  say(
    `    committed → announced         ${pick((s) => (s.announced === null ? null : s.announced - s.committed))}   (PostgreSQL commit, Redis board + stream)`,
  );
  say(
    `    announced → swept             ${pick((s) => (s.announced === null ? null : s.swept - s.announced))}   (stream notice, wait, sweep start)`,
  );
  say(`    swept → recorded              ${pick((s) => s.recorded - s.swept)}   (evaluate, record)`);
  say(
    `    recorded → lifecycle started  ${pick((s) => (s.started === null ? null : s.started - s.recorded))}   (sweep result, workflow task, start child)`,
  );
  say(
    `    started → planned             ${pick((s) => (s.started === null ? null : s.planned - s.started))}   (first workflow task, plan)`,
  );
  say(
    `    planned → reserved            ${pick((s) => s.reserved - s.planned)}   (re-quote, risk check, reservation)`,
  );
  say(`    reserved → placed             ${pick((s) => s.placed - s.reserved)}   (paper fills)`);
  say(
    `    recorded → handed off         ${pick((s) => s.handedOff - s.recorded)}   (marked; not on the path)`,
  );
  say(`    served → recorded             ${pick((s) => s.recorded)}`);
  say(`    served → placed               ${pick((s) => s.placed)}`);
}
