import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedServer, type SimulatedServer } from '../../activities/providers/simulated/server';
import { D } from '../../shared/math';
import type { OddsApiEvent } from '../../shared/readers/the-odds-api';

describe('simulated market bursts (the hot-path bench hook)', () => {
  let server: SimulatedServer;
  const now = Date.parse('2026-01-10T12:00:00Z');
  beforeAll(async () => {
    server = await startSimulatedServer({ seed: 7, speed: 60, now: () => now });
  });
  afterAll(() => server.close());

  const odds = async (format: 'decimal' | 'american'): Promise<OddsApiEvent[]> => {
    const res = await fetch(`${server.url}/v4/sports/basketball_nba/odds?oddsFormat=${format}&markets=h2h`);
    return (await res.json()) as OddsApiEvent[];
  };

  it('serves each burst event over HTTP beside the model, with an arbitrage of exactly the edge', async () => {
    const before = await odds('decimal');
    const ids = server.bursts
      .add({ sport: 'basketball_nba', count: 3, edge: '0.03', tag: 'b1' }, now)
      .map((e) => e.id);
    expect(server.bursts.servedAt(ids[0]!)).toBeUndefined();
    const after = await odds('decimal');
    expect(after).toHaveLength(before.length + 3);
    const burst = after.filter((e) => ids.includes(e.id));
    expect(burst.map((e) => e.id)).toEqual(['b1-0', 'b1-1', 'b1-2']);
    for (const e of burst) {
      const best = [0, 1].map((side) =>
        Math.max(...e.bookmakers.map((b) => b.markets[0]!.outcomes[side]!.price)),
      );
      const inverse = best.reduce((a, p) => a.plus(new D(1).div(p)), new D(0));
      expect(new D(1).div(inverse).minus(1).toDecimalPlaces(12).toFixed()).toBe('0.03');
    }
    expect(server.bursts.servedAt('b1-0')).toBe(now);
    const american = (await odds('american')).find((e) => e.id === 'b1-0')!;
    expect(american.bookmakers[1]!.markets[0]!.outcomes[0]!.price).toBe(106);
    server.bursts.clear();
    expect(await odds('decimal')).toHaveLength(before.length);
  });

  it('refuses a bad burst naming the field and value', () => {
    expect(() => server.bursts.add({ sport: 'soccer_epl', count: 1, tag: 'x' }, now)).toThrow(
      'burst sport: "soccer_epl" has a draw',
    );
    expect(() => server.bursts.add({ sport: 'basketball_nba', count: 0, tag: 'y' }, now)).toThrow(
      'burst count: expected a whole number ≥ 1, got 0',
    );
    expect(() =>
      server.bursts.add({ sport: 'basketball_nba', count: 1, edge: '0.9', tag: 'z' }, now),
    ).toThrow('burst edge: expected a decimal between 0 and 0.5, got 0.9');
    expect(() => server.bursts.add({ sport: 'basketball_nba', count: 1, tag: 'b1' }, now)).toThrow(
      'burst tag: "b1" was used already',
    );
  });
});
