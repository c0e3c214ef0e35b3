import { afterAll, describe, expect, it } from 'vitest';
import { testStores } from '../helpers/platform';
import { EventResolver } from '../../activities/ingestion/events';
import type { ProviderEvent } from '../../shared/readers/types';

const rand = () => Math.random().toString(36).slice(2, 8);

/** Games of a sport of their own (no other test's events can match them), starting `i` hours from a fixed day. */
function games(sport: string, n: number, prefix: string): ProviderEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    providerEventId: `${prefix}-${i}`,
    sport,
    league: null,
    startTime: new Date(Date.UTC(2027, 0, 10, i)).toISOString(),
    participants: [
      { name: `Home ${i}`, role: 'home' },
      { name: `Away ${i}`, role: 'away' },
    ],
    status: 'scheduled',
  }));
}

describe('canonical events (EventResolver)', () => {
  const stores = testStores();
  afterAll(() => stores.close());

  it('names the games a provider carries for the first time, once, even when two processes map them at once', async () => {
    const sport = `sport_${rand()}`;
    const provider = `prov-${rand()}`;
    const events = games(sport, 6, 'x');
    // Two worker processes (two resolvers, empty caches) resolving the same new games concurrently.
    const [one, two] = await Promise.all([
      new EventResolver(stores.db).resolve(provider, events),
      new EventResolver(stores.db).resolve(provider, events),
    ]);
    expect([...two.ids]).toEqual([...one.ids]);
    const ids = new Set(one.ids.values());
    expect(ids.size).toBe(events.length);
    // Exactly one of them mapped each game: its history is known to be empty there, and only there.
    for (const id of one.firstMapped) expect(two.firstMapped.has(id), id).toBe(false);
    expect(new Set([...one.firstMapped, ...two.firstMapped])).toEqual(ids);
    // And no game was created twice (the one that waited for the locks found the other's mappings).
    const { rows } = await stores.db.query(`SELECT event_id FROM events WHERE sport = $1`, [sport]);
    expect(rows).toHaveLength(events.length);
    // Mapped already: not first-mapped again, from a cold cache or from the warm one.
    const cold = await new EventResolver(stores.db).resolve(provider, events);
    expect([...cold.ids]).toEqual([...one.ids]);
    expect(cold.firstMapped.size).toBe(0);
  });

  it("maps another provider's ids to the same games, first-mapped for it, and keeps their start and status right", async () => {
    const sport = `sport_${rand()}`;
    const [a, b] = [`prov-a-${rand()}`, `prov-b-${rand()}`];
    const first = await new EventResolver(stores.db).resolve(a, games(sport, 3, 'a'));
    // B: its own ids, the same games starting 10 minutes later, one of them already live.
    const other = games(sport, 3, 'b').map((e, i) => ({
      ...e,
      startTime: new Date(Date.parse(e.startTime) + 10 * 60_000).toISOString(),
      status: i === 0 ? ('live' as const) : e.status,
    }));
    const second = await new EventResolver(stores.db).resolve(b, other);
    expect([...second.ids.values()]).toEqual([...first.ids.values()]);
    expect(second.firstMapped).toEqual(new Set(first.ids.values()));
    const { rows } = await stores.db.query<{ event_id: string; start_time: Date; status: string }>(
      `SELECT event_id, start_time, status FROM events WHERE event_id = ANY($1::text[]) ORDER BY start_time`,
      [[...first.ids.values()]],
    );
    // The provider's start and status are recorded even though the game was matched, not created.
    expect(rows.map((r) => [r.start_time.toISOString(), r.status])).toEqual(
      other.map((e) => [e.startTime, e.status]),
    );
  });
});
