import type { Pool, PoolClient } from 'pg';
import type { EventStatus } from '../../shared/entities';
import { canonicalEventId, participantId, sameParticipants } from '../providers/normalize';
import type { ProviderEvent } from '../providers/types';

/** Two providers' events are the same game when sport and participants match and the starts are this close. */
export const EVENT_MATCH_TOLERANCE_MS = 30 * 60_000;

interface Candidate {
  event_id: string;
  start_time: Date;
  participants: { name: string }[];
  mapped_by_provider: boolean;
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

  async resolve(provider: string, events: readonly ProviderEvent[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
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
      if (unmapped.length) await this.create(provider, unmapped, out);
    }
    await this.updateEvents(events, out);
    return out;
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

  private async create(provider: string, events: ProviderEvent[], out: Map<string, string>): Promise<void> {
    const client = await this.db.connect();
    try {
      await client.query('BEGIN');
      for (const sport of [...new Set(events.map((e) => e.sport))].sort()) {
        await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`alphabet:events:${sport}`]);
      }
      for (const e of events) {
        const eventId = await this.matchOrCreate(client, provider, e);
        await client.query(
          `INSERT INTO event_provider_ids (provider, provider_event_id, event_id) VALUES ($1, $2, $3)
           ON CONFLICT (provider, provider_event_id) DO NOTHING`,
          [provider, e.providerEventId, eventId],
        );
        const { rows } = await client.query<{ event_id: string }>(
          `SELECT event_id FROM event_provider_ids WHERE provider = $1 AND provider_event_id = $2`,
          [provider, e.providerEventId],
        );
        this.remember(provider, e.providerEventId, rows[0]?.event_id ?? eventId, out);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // Nothing was committed: forget what this attempt cached.
      for (const e of events) this.ids.delete(cacheKey(provider, e.providerEventId));
      throw err;
    } finally {
      client.release();
    }
  }

  private async matchOrCreate(client: PoolClient, provider: string, e: ProviderEvent): Promise<string> {
    const start = Date.parse(e.startTime);
    const { rows } = await client.query<Candidate>(
      `SELECT ev.event_id, ev.start_time, ev.participants,
              EXISTS (SELECT 1 FROM event_provider_ids m WHERE m.event_id = ev.event_id AND m.provider = $4) AS mapped_by_provider
         FROM events ev
        WHERE ev.sport = $1 AND ev.start_time BETWEEN $2 AND $3`,
      [e.sport, new Date(start - this.toleranceMs), new Date(start + this.toleranceMs), provider],
    );
    const names = e.participants.map((p) => p.name);
    const match = rows
      .filter(
        (r) =>
          !r.mapped_by_provider &&
          sameParticipants(
            names,
            r.participants.map((p) => p.name),
          ),
      )
      .sort((a, b) => Math.abs(a.start_time.getTime() - start) - Math.abs(b.start_time.getTime() - start))[0];
    if (match) return match.event_id;

    let eventId = canonicalEventId(e.sport, names, e.startTime);
    for (let n = 2; ; n++) {
      const inserted = await client.query(
        `INSERT INTO events (event_id, sport, league, start_time, status, participants, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
        [
          eventId,
          e.sport,
          e.league,
          e.startTime,
          e.status,
          JSON.stringify(
            e.participants.map((p) => ({ id: participantId(p.name), name: p.name, role: p.role })),
          ),
          JSON.stringify({ firstSeenBy: provider }),
        ],
      );
      if (inserted.rowCount === 1) return eventId;
      // Same sport, teams and minute, but already mapped by this provider under another id: a distinct game.
      eventId = `${canonicalEventId(e.sport, names, e.startTime)}-${n}`;
    }
  }

  /** Start time and status as the provider reports them; a completed or cancelled event keeps its status. */
  private async updateEvents(events: readonly ProviderEvent[], ids: Map<string, string>): Promise<void> {
    const rows: { id: string; start: string; status: EventStatus }[] = [];
    for (const e of events) {
      const id = ids.get(e.providerEventId);
      if (!id) continue;
      const state = `${e.startTime}|${e.status}`;
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
    for (const r of rows) this.written.set(r.id, `${r.start}|${r.status}`);
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

function cacheKey(provider: string, providerEventId: string): string {
  return `${provider}\u0000${providerEventId}`;
}
