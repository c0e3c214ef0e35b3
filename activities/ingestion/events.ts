import type { Pool, PoolClient } from 'pg';
import type { EventStatus } from '../../shared/entities';
import { canonicalEventId, participantId, sameParticipants } from '../providers/normalize';
import type { ProviderEvent } from '../providers/types';

/** Two providers' events are the same game when sport and participants match and the starts are this close. */
export const EVENT_MATCH_TOLERANCE_MS = 30 * 60_000;

interface Candidate {
  mapped: null;
  event_id: string;
  start_time: Date;
  status: EventStatus;
  participants: { name: string }[];
  mapped_by_provider: boolean;
}

/** A mapping found by create() once it holds the locks. */
interface Mapped {
  mapped: string;
  event_id: string;
}

/** A payload's events as canonical ids, and which of them the provider had never carried before. */
export interface ResolvedEvents {
  /** Provider event id → canonical event id. */
  ids: Map<string, string>;
  /**
   * Canonical events this call mapped for the provider for the first time: the provider has no history
   * for them (a canonical event has one id per provider, and only ingestion writes odds_quotes, after
   * mapping), so nothing needs loading to detect their changes.
   */
  firstMapped: Set<string>;
}

/**
 * Canonical events across providers. Each provider's event id is mapped once (event_provider_ids) to a
 * canonical event: an existing one of the same sport whose participants match after name normalization and
 * whose start is within the tolerance — unless this provider already mapped another id to it (a double
 * header) — or a new one. Creation runs under a per-sport advisory lock so two providers polling at once
 * cannot both create the same game. Mappings never change, so they are cached in memory.
 */
export class EventResolver {
  private readonly ids = new Map<string, string>();
  /** Last start/status written per canonical event, to skip no-op updates. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly db: Pool,
    private readonly toleranceMs = EVENT_MATCH_TOLERANCE_MS,
  ) {}

  async resolve(provider: string, events: readonly ProviderEvent[]): Promise<ResolvedEvents> {
    const out = new Map<string, string>();
    const firstMapped = new Set<string>();
    const unique = new Map(events.map((e) => [e.providerEventId, e]));
    const missing: ProviderEvent[] = [];
    for (const e of unique.values()) {
      const hit = this.ids.get(cacheKey(provider, e.providerEventId));
      if (hit) out.set(e.providerEventId, hit);
      else missing.push(e);
    }
    if (missing.length) {
      const { rows } = await this.db.query<{ provider_event_id: string; event_id: string }>(
        `SELECT provider_event_id, event_id FROM event_provider_ids WHERE provider = $1 AND provider_event_id = ANY($2::text[])`,
        [provider, missing.map((e) => e.providerEventId)],
      );
      for (const r of rows) this.remember(provider, r.provider_event_id, r.event_id, out);
      const unmapped = missing.filter((e) => !out.has(e.providerEventId));
      if (unmapped.length) await this.create(provider, unmapped, out, firstMapped);
    }
    await this.updateEvents(events, out);
    return { ids: out, firstMapped };
  }

  /** Canonical ids of provider events already mapped (no matching, no creation). */
  async lookup(provider: string, providerEventIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(providerEventIds)) {
      const hit = this.ids.get(cacheKey(provider, id));
      if (hit) out.set(id, hit);
      else missing.push(id);
    }
    if (missing.length) {
      const { rows } = await this.db.query<{ provider_event_id: string; event_id: string }>(
        `SELECT provider_event_id, event_id FROM event_provider_ids WHERE provider = $1 AND provider_event_id = ANY($2::text[])`,
        [provider, missing],
      );
      for (const r of rows) this.remember(provider, r.provider_event_id, r.event_id, out);
    }
    return out;
  }

  private remember(
    provider: string,
    providerEventId: string,
    eventId: string,
    out: Map<string, string>,
  ): void {
    this.ids.set(cacheKey(provider, providerEventId), eventId);
    out.set(providerEventId, eventId);
  }

  /**
   * Map new provider events in a few statements whatever their number: the candidates of all of them in
   * one query, matched here in payload order (an event matched or created in this batch is this provider's
   * from then on, as if mapped one by one), new events and mappings inserted in one statement each.
   */
  private async create(
    provider: string,
    events: ProviderEvent[],
    out: Map<string, string>,
    firstMapped: Set<string>,
  ): Promise<void> {
    const client = await this.db.connect();
    try {
      // The transaction and its locks in one round trip (a simple query of two statements, so literals).
      const locks = [...new Set(events.map((e) => client.escapeLiteral(`alphabet:events:${e.sport}`)))];
      await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(hashtext(k)) FROM (SELECT DISTINCT unnest(ARRAY[${locks.join(', ')}]::text[]) AS k ORDER BY 1) AS locks`,
      );
      // The candidates, and the mappings another process of this provider made while this one waited for
      // the locks (those games are its, already: nothing to create).
      const { rows: found } = await client.query<(Candidate & { sport: string }) | Mapped>(
        `SELECT NULL::text AS mapped, ev.event_id, ev.sport, ev.start_time, ev.status, ev.participants,
                EXISTS (SELECT 1 FROM event_provider_ids m WHERE m.event_id = ev.event_id AND m.provider = $4) AS mapped_by_provider
           FROM events ev
          WHERE EXISTS (SELECT 1 FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS w(sport, lo, hi)
                         WHERE ev.sport = w.sport AND ev.start_time BETWEEN w.lo AND w.hi)
         UNION ALL
         SELECT m.provider_event_id, m.event_id, NULL, NULL, NULL, NULL, NULL
           FROM event_provider_ids m WHERE m.provider = $4 AND m.provider_event_id = ANY($5::text[])`,
        [
          events.map((e) => e.sport),
          events.map((e) => new Date(Date.parse(e.startTime) - this.toleranceMs)),
          events.map((e) => new Date(Date.parse(e.startTime) + this.toleranceMs)),
          provider,
          events.map((e) => e.providerEventId),
        ],
      );
      const candidates: (Candidate & { sport: string })[] = [];
      const meanwhile = new Map<string, string>();
      for (const r of found) {
        if (r.mapped === null) candidates.push(r);
        else meanwhile.set(r.mapped, r.event_id);
      }
      events = events.filter((e) => !meanwhile.has(e.providerEventId));
      const starts = events.map((e) => Date.parse(e.startTime));
      const claimed = new Set(candidates.filter((c) => c.mapped_by_provider).map((c) => c.event_id));
      const chosen: string[] = [];
      const fresh = new Set<ProviderEvent>();
      // What each chosen event holds now (start, status): updateEvents skips those that already agree.
      const holds = new Map<string, string>();
      events.forEach((e, i) => {
        const names = e.participants.map((p) => p.name);
        const match = candidates
          .filter(
            (r) =>
              r.sport === e.sport &&
              !claimed.has(r.event_id) &&
              Math.abs(r.start_time.getTime() - starts[i]!) <= this.toleranceMs &&
              sameParticipants(
                names,
                r.participants.map((p) => p.name),
              ),
          )
          .sort(
            (a, b) =>
              Math.abs(a.start_time.getTime() - starts[i]!) - Math.abs(b.start_time.getTime() - starts[i]!),
          )[0];
        const id = match?.event_id ?? canonicalEventId(e.sport, names, e.startTime);
        if (match) holds.set(id, eventState(match.start_time.toISOString(), match.status));
        else fresh.add(e);
        claimed.add(id);
        chosen.push(id);
      });
      const inserted = new Set<string>();
      if (fresh.size) {
        const rows = events.flatMap((e, i) => (fresh.has(e) ? [{ e, id: chosen[i]! }] : []));
        const inserts = await client.query<{ event_id: string }>(
          `INSERT INTO events (event_id, sport, league, start_time, status, participants, metadata)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[], $7::jsonb[])
           ON CONFLICT (event_id) DO NOTHING
           RETURNING event_id`,
          [
            rows.map((r) => r.id),
            rows.map((r) => r.e.sport),
            rows.map((r) => r.e.league),
            rows.map((r) => r.e.startTime),
            rows.map((r) => r.e.status),
            rows.map((r) => eventParticipants(r.e)),
            rows.map(() => JSON.stringify({ firstSeenBy: provider })),
          ],
        );
        for (const r of inserts.rows) inserted.add(r.event_id);
      }
      for (const [i, e] of events.entries()) {
        if (!fresh.has(e)) continue;
        if (!inserted.delete(chosen[i]!)) {
          // Its canonical id is taken (the same game already mapped by this provider, or twice in this batch).
          chosen[i] = await this.createNumbered(client, provider, e);
        }
        holds.set(chosen[i]!, eventState(e.startTime, e.status));
      }
      // Under the sport's lock no other process maps these ids meanwhile; should a mapping be there all the
      // same, the no-op update returns it (it wins). xmax is 0 only on a row this statement inserted.
      const { rows } = await client.query<{ provider_event_id: string; event_id: string; mine: boolean }>(
        `INSERT INTO event_provider_ids (provider, provider_event_id, event_id)
         SELECT $1::text, p, ev FROM unnest($2::text[], $3::text[]) AS v(p, ev)
         ON CONFLICT (provider, provider_event_id) DO UPDATE SET event_id = event_provider_ids.event_id
         RETURNING provider_event_id, event_id, xmax = 0 AS mine`,
        [provider, events.map((e) => e.providerEventId), chosen],
      );
      await client.query('COMMIT');
      for (const [providerEventId, eventId] of meanwhile)
        this.remember(provider, providerEventId, eventId, out);
      for (const r of rows) {
        this.remember(provider, r.provider_event_id, r.event_id, out);
        if (r.mine) firstMapped.add(r.event_id);
        const state = holds.get(r.event_id);
        if (state) this.written.set(r.event_id, state);
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // Nothing was committed: forget what this attempt cached.
      for (const e of events) this.ids.delete(cacheKey(provider, e.providerEventId));
      throw err;
    } finally {
      client.release();
    }
  }

  /** A new event under the canonical id with the first free suffix (-2, -3, …). */
  private async createNumbered(client: PoolClient, provider: string, e: ProviderEvent): Promise<string> {
    const base = canonicalEventId(
      e.sport,
      e.participants.map((p) => p.name),
      e.startTime,
    );
    for (let n = 2; ; n++) {
      const eventId = `${base}-${n}`;
      const inserted = await client.query(
        `INSERT INTO events (event_id, sport, league, start_time, status, participants, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
        [
          eventId,
          e.sport,
          e.league,
          e.startTime,
          e.status,
          eventParticipants(e),
          JSON.stringify({ firstSeenBy: provider }),
        ],
      );
      if (inserted.rowCount === 1) return eventId;
    }
  }

  /** Start time and status as the provider reports them; a completed or cancelled event keeps its status. */
  private async updateEvents(events: readonly ProviderEvent[], ids: Map<string, string>): Promise<void> {
    const rows: { id: string; start: string; status: EventStatus }[] = [];
    for (const e of events) {
      const id = ids.get(e.providerEventId);
      if (!id) continue;
      const state = eventState(e.startTime, e.status);
      if (this.written.get(id) === state) continue;
      rows.push({ id, start: e.startTime, status: e.status });
    }
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE events SET start_time = v.start, status = v.status, updated_at = now()
         FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS v(id, start, status)
        WHERE events.event_id = v.id
          AND events.status NOT IN ('completed', 'cancelled')
          AND (events.start_time, events.status) IS DISTINCT FROM (v.start, v.status)`,
      [rows.map((r) => r.id), rows.map((r) => r.start), rows.map((r) => r.status)],
    );
    for (const r of rows) this.written.set(r.id, eventState(r.start, r.status));
    if (this.written.size > 50_000) this.written.clear();
  }

  /** Mark completed events with their result (scores as reported, exact strings). */
  async recordResults(
    rows: { eventId: string; status: EventStatus; result: Record<string, unknown> | null }[],
  ): Promise<number> {
    let updated = 0;
    for (const r of rows) {
      const res = await this.db.query(
        r.result
          ? `UPDATE events SET status = $2, result = $3::jsonb, updated_at = now()
              WHERE event_id = $1 AND status <> 'cancelled' AND (status, result) IS DISTINCT FROM ($2, $3::jsonb)`
          : `UPDATE events SET status = $2, updated_at = now()
              WHERE event_id = $1 AND status NOT IN ('completed', 'cancelled') AND status IS DISTINCT FROM $2`,
        r.result ? [r.eventId, r.status, JSON.stringify(r.result)] : [r.eventId, r.status],
      );
      updated += res.rowCount ?? 0;
    }
    return updated;
  }
}

function eventParticipants(e: ProviderEvent): string {
  return JSON.stringify(
    e.participants.map((p) => ({ id: participantId(p.name), name: p.name, role: p.role })),
  );
}

/** An event's start and status as updateEvents compares them (the start as an ISO instant). */
function eventState(start: string, status: string): string {
  const t = Date.parse(start);
  return `${Number.isNaN(t) ? start : new Date(t).toISOString()}|${status}`;
}

function cacheKey(provider: string, providerEventId: string): string {
  return `${provider}\u0000${providerEventId}`;
}
