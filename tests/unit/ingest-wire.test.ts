import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOddsResponse, parseScoresResponse } from '../../shared/readers/the-odds-api';
import { sportOfPrefix } from '../../activities/providers/replay';
import { sharedData } from '../helpers/data';

const snapshots = sharedData('the-odds-api', 'snapshots');
const observedAt = '2025-11-10T11:56:30.000Z';

interface WireOutcome {
  name: string;
  price: unknown;
  point?: unknown;
}
interface WireEvent {
  id: string;
  home_team?: string;
  bookmakers: { key: string; markets: { key: string; outcomes: WireOutcome[] }[] }[];
}

describe('The Odds API wire format', () => {
  it.skipIf(!snapshots)(
    'turns every outcome of every recorded response into a quote tagged with its bookmaker',
    () => {
      for (const file of readdirSync(snapshots!).filter((f) => f.endsWith('.json'))) {
        const text = readFileSync(join(snapshots!, file), 'utf8');
        const raw = JSON.parse(text) as WireEvent[];
        const expected = raw.flatMap((e) =>
          e.bookmakers.flatMap((b) => b.markets.flatMap((m) => m.outcomes.map(() => b.key))),
        );
        const parsed = parseOddsResponse(text, {
          sport: sportOfPrefix(file.split('_')[0]!),
          oddsFormat: 'american',
          observedAt,
        });
        expect(parsed.rejects, file).toEqual([]);
        expect(parsed.events, file).toHaveLength(raw.length);
        expect(
          parsed.quotes.map((q) => q.bookmaker),
          file,
        ).toEqual(expected);
        for (const q of parsed.quotes) {
          expect(Number(q.price)).toBeGreaterThan(1);
          expect(q.original?.american).toMatch(/^-?\d+$/);
          if (q.marketType === 'h2h') expect(q.point).toBeNull();
          else expect(q.line).toBe(q.marketType === 'spreads' ? q.point!.replace('-', '') : q.point);
        }
      }
    },
  );

  it('rejects each bad element with its reason and path, and keeps everything else', () => {
    const events = [
      {
        id: 'e1',
        sport_key: 'americanfootball_nfl',
        commence_time: '2025-11-11T01:15:00Z',
        home_team: 'Green Bay Packers',
        away_team: 'Philadelphia Eagles',
        bookmakers: [
          {
            key: 'draftkings',
            last_update: '2025-11-10T11:56:02Z',
            markets: [
              {
                key: 'h2h',
                outcomes: [
                  { name: 'Green Bay Packers', price: 0 },
                  { name: 'Philadelphia Eagles', price: 'abc' },
                ],
              },
              {
                key: 'spreads',
                outcomes: [
                  { name: 'Green Bay Packers', price: -102, point: -1.5 },
                  { name: 'Philadelphia Eagles', price: -118 },
                ],
              },
              {
                key: 'totals',
                outcomes: [
                  { name: 'Over', price: -112, point: 45.5 },
                  { name: 'Sideways', price: -108, point: 45.5 },
                ],
              },
              { key: 'h2h_lay', outcomes: [{ name: 'Green Bay Packers', price: 2.2 }] },
            ],
          },
          {
            key: 'fanduel',
            markets: [
              {
                key: 'h2h',
                outcomes: [
                  { name: 'Green Bay Packers', price: -120 },
                  { name: 'Philadelphia Eagles', price: 100 },
                ],
              },
            ],
          },
        ],
      },
      { id: 'e2', commence_time: '2025-11-11T01:15:00Z', away_team: 'X', bookmakers: [] },
      { id: 'e3', commence_time: 'tomorrow', home_team: 'A', away_team: 'B', bookmakers: [] },
    ];
    const parsed = parseOddsResponse(JSON.stringify(events), {
      sport: 'americanfootball_nfl',
      oddsFormat: 'american',
      observedAt,
    });
    expect(
      parsed.quotes.map((q) => `${q.bookmaker} ${q.marketType} ${q.outcome} ${q.point} ${q.price}`),
    ).toEqual([
      'draftkings spreads Green Bay Packers -1.5 1.980392156862745098039215686274509803922',
      'draftkings totals Over 45.5 1.892857142857142857142857142857142857143',
      'fanduel h2h Green Bay Packers null 1.833333333333333333333333333333333333333',
      'fanduel h2h Philadelphia Eagles null 2',
    ]);
    expect(parsed.rejects.map((r) => [r.reason, r.field, r.value])).toEqual([
      ['invalid_price', 'americanfootball_nfl[0].bookmakers[0].markets[0].outcomes[0].price', '0'],
      ['invalid_price', 'americanfootball_nfl[0].bookmakers[0].markets[0].outcomes[1].price', 'abc'],
      ['missing_field', 'americanfootball_nfl[0].bookmakers[0].markets[1].outcomes[1].point', null],
      ['unknown_outcome', 'americanfootball_nfl[0].bookmakers[0].markets[2].outcomes[1].name', 'Sideways'],
      ['unknown_market', 'americanfootball_nfl[0].bookmakers[0].markets[3].key', 'h2h_lay'],
      ['missing_field', 'americanfootball_nfl[1].home_team', null],
      ['invalid_time', 'americanfootball_nfl[2].commence_time', 'tomorrow'],
    ]);
    for (const r of parsed.rejects) expect(r.rawExcerpt).toBeTruthy();
    // The market's own update time, else the bookmaker's.
    expect(parsed.quotes[0]!.sourceUpdatedAt).toBe('2025-11-10T11:56:02.000Z');
    expect(parsed.quotes[2]!.sourceUpdatedAt).toBeNull();
    expect(parsed.events.map((e) => [e.providerEventId, e.status])).toEqual([['e1', 'scheduled']]);
  });

  it('rejects an event whose sport_key is not the requested sport, instead of moving it to that sport', () => {
    const event = (id: string, sportKey?: string) => ({
      id,
      ...(sportKey === undefined ? {} : { sport_key: sportKey }),
      commence_time: '2025-11-11T01:15:00Z',
      home_team: 'A',
      away_team: 'B',
      bookmakers: [],
    });
    const parsed = parseOddsResponse(
      JSON.stringify([
        event('same', 'basketball_nba'),
        event('other', 'americanfootball_nfl'),
        event('none'),
      ]),
      { sport: 'basketball_nba', oddsFormat: 'american', observedAt },
    );
    expect(parsed.events.map((e) => [e.providerEventId, e.sport])).toEqual([
      ['same', 'basketball_nba'],
      ['none', 'basketball_nba'],
    ]);
    expect(parsed.rejects.map((r) => [r.reason, r.field, r.value])).toEqual([
      ['wrong_sport', 'basketball_nba[1].sport_key', 'americanfootball_nfl'],
    ]);
    expect(parsed.rejects[0]!.message).toMatch(/not the requested sport "basketball_nba"/);
    const scores = parseScoresResponse(
      JSON.stringify([{ ...event('s1', 'soccer_epl'), completed: false }]),
      'x',
    );
    expect(scores.results).toEqual([]);
    expect(scores.rejects.map((r) => r.reason)).toEqual(['wrong_sport']);
  });

  it('records a truncated or non-array body as one malformed payload with a raw excerpt', () => {
    const text = JSON.stringify([{ id: 'e1', bookmakers: [] }]).slice(0, 20);
    const truncated = parseOddsResponse(text, {
      sport: 'basketball_wnba',
      oddsFormat: 'american',
      observedAt,
    });
    expect(truncated.quotes).toEqual([]);
    expect(truncated.rejects).toHaveLength(1);
    expect(truncated.rejects[0]).toMatchObject({
      reason: 'malformed_payload',
      field: 'basketball_wnba',
      rawExcerpt: text,
    });
    expect(truncated.rejects[0]!.message).toMatch(/not JSON/);
    const object = parseOddsResponse('{"message":"hi"}', { sport: 's', oddsFormat: 'american', observedAt });
    expect(object.rejects.map((r) => r.reason)).toEqual(['malformed_payload']);
  });

  it('reads decimal prices as written', () => {
    const text =
      '[{"id":"e","commence_time":"2026-01-01T00:00:00Z","home_team":"A","away_team":"B","bookmakers":[{"key":"b","markets":[{"key":"h2h","outcomes":[{"name":"A","price":1.91},{"name":"B","price":2.05},{"name":"Draw","price":3.4}]}]}]}]';
    const parsed = parseOddsResponse(text, { sport: 'soccer_epl', oddsFormat: 'decimal', observedAt });
    expect(parsed.quotes.map((q) => [q.outcome, q.price, q.original])).toEqual([
      ['A', '1.91', null],
      ['B', '2.05', null],
      ['Draw', '3.4', null],
    ]);
  });

  it('parses scores, rejecting entries without usable scores', () => {
    const text = JSON.stringify([
      {
        id: 's1',
        sport_key: 'x',
        commence_time: '2026-01-01T00:00:00Z',
        completed: true,
        home_team: 'A',
        away_team: 'B',
        scores: [
          { name: 'A', score: '3' },
          { name: 'B', score: '1' },
        ],
        last_update: '2026-01-01T02:00:00Z',
      },
      {
        id: 's2',
        sport_key: 'x',
        commence_time: '2026-01-02T00:00:00Z',
        completed: false,
        home_team: 'C',
        away_team: 'D',
        scores: null,
        last_update: null,
      },
      {
        id: 's3',
        sport_key: 'x',
        commence_time: '2026-01-01T00:00:00Z',
        completed: true,
        home_team: 'E',
        away_team: 'F',
        scores: [{ name: 'E', score: 'lots' }],
      },
    ]);
    const { results, rejects } = parseScoresResponse(text, 'x');
    expect(results.map((r) => [r.providerEventId, r.completed, r.scores])).toEqual([
      [
        's1',
        true,
        [
          { name: 'A', score: '3' },
          { name: 'B', score: '1' },
        ],
      ],
      ['s2', false, null],
    ]);
    expect(rejects.map((r) => r.field)).toEqual(['x/scores[2].scores[0]']);
  });
});
