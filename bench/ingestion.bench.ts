/**
 * Ingestion throughput: provider payload (The Odds API wire JSON) to Redis and PostgreSQL, in quotes per
 * second, next to a naive baseline measured in the same run on the same payloads.
 *
 *   node --import tsx bench/ingestion.bench.ts [--polls 20] [--baseline-seconds 15] [--rounds 7]
 *
 * Ours: runPoll — parse, normalize, canonical events, change detection against Redis, ONE PostgreSQL
 * transaction (multi-row INSERT from arrays, or COPY from COPY_MIN_ROWS changes) and ONE Redis transaction
 * per poll (RedisBatch, queued while PostgreSQL commits), the last known prices kept in memory between polls.
 * Baseline: the same parse and events, then per quote a Redis GET of the last price, a single-row INSERT
 * (autocommit) when it changed, and a SET per board entry and per last price.
 *
 * Then the history writer alone on the same change rows, poll by poll: the multi-row INSERT, the COPY writer
 * (COPY_MIN_ROWS picks between them) and a raw COPY of all the rows, the ceiling, each with its ratio to it.
 * Last, the issue's goal (changed rows written by whole polls at ≥ 0.5 × raw COPY's rows/s, on the recorded
 * responses): --rounds rounds (7) of the whole scenario afresh, each followed by a raw COPY of its rows; the
 * median of the rounds' ratios is the goal's figure.
 *
 * Two scenarios: steady polling of the simulated market (small payloads, few changes) and the recorded
 * The Odds API responses (large payloads, most prices changed).
 *
 * Uses its own database (alphabet_bench, recreated) and Redis db 14 (its own keys only): never the operator's data.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { loadConfig } from '../config/load';
import { sharedDataDir } from '../config/paths';
import { createPool, migrate, type Pool } from '../activities/infra/postgres';
import { createRedis } from '../activities/infra/redis';
import { SimulatedMarket } from '../activities/providers/simulated/model';
import { parseOddsResponse } from '../shared/readers/the-odds-api';
import type { FetchOddsRequest, OddsBatch, OddsProvider } from '../activities/providers/types';
import { EventResolver } from '../activities/ingestion/events';
import { runPoll } from '../activities/ingestion/poll';
import { LastKnownMemory } from '../activities/ingestion/last-known';
import { ingestKeys } from '../activities/ingestion/keys';
import { COPY_MIN_ROWS, ensurePartitions } from '../activities/ingestion/history';
import { compareWriters, rawCopy, storedRows } from './history-writers';
import { quoteMarketKey, boardField, slotKey } from '../activities/ingestion/changes';
import { deleteKeys, recreateDatabase } from '../tests/helpers/scratch';

const args = process.argv.slice(2);
const POLLS = Number(args[args.indexOf('--polls') + 1] ?? NaN) || 20;
/** The baseline stops after this long per scenario (at least one poll); its rate is measured on what it did. */
const BASELINE_BUDGET_MS = Number(args[args.indexOf('--baseline-seconds') + 1] ?? NaN) * 1000 || 15_000;
/** Interleaved rounds of whole polls and raw COPY per scenario; the goal's ratio is their median (a round takes
 * a few hundred ms, and single rounds range ±20 % on a shared 2-core machine: 7 make a steadier median than 3). */
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] ?? NaN) || 7;
const SPORTS = ['americanfootball_nfl', 'basketball_nba', 'soccer_epl', 'icehockey_nhl'];
const T0 = Date.parse('2026-02-01T12:00:00Z');

/** A provider that hands over prepared wire payloads: the bench measures ingestion, not the network. */
class PayloadProvider implements OddsProvider {
  readonly type = 'simulated' as const;
  readonly capabilities = {
    odds: true as const,
    results: false,
    placement: false,
    markets: ['h2h', 'spreads', 'totals'] as const,
    sports: null,
    recorded: false,
  };
  private i = 0;
  constructor(
    readonly name: string,
    private readonly payloads: Payload[],
  ) {}
  fetchOdds(req: FetchOddsRequest): Promise<OddsBatch> {
    const p = this.payloads[this.i++]!;
    return Promise.resolve(parse(p, req.sports));
  }
}

function parse(p: Payload, sports: readonly string[]): OddsBatch {
  const observedAt = new Date(p.at).toISOString();
  const batch: OddsBatch = {
    observedAt,
    events: [],
    quotes: [],
    rejects: [],
    quota: null,
    cursor: null,
    idle: false,
    exhausted: false,
    requests: sports.length,
  };
  for (const sport of sports) {
    const parsed = parseOddsResponse(p.bodies.get(sport)!, { sport, oddsFormat: 'american', observedAt });
    batch.events.push(...parsed.events);
    batch.quotes.push(...parsed.quotes);
    batch.rejects.push(...parsed.rejects);
  }
  return batch;
}

/** The naive way: one round trip per quote and per write. */
async function baselinePoll(
  db: Pool,
  redis: Redis,
  resolver: EventResolver,
  provider: string,
  pollId: string,
  batch: OddsBatch,
  sports: string[],
): Promise<{ quotes: number; changes: number }> {
  const { ids } = await resolver.resolve(provider, batch.events);
  const sportOf = new Map(batch.events.map((e) => [e.providerEventId, e.sport]));
  let changes = 0;
  for (const q of batch.quotes) {
    const eventId = ids.get(q.providerEventId)!;
    const lastKey = `base:last:${provider}:${eventId}:${slotKey(q)}`;
    const last = await redis.get(lastKey);
    const value = `${q.point ?? '-'}|${q.price}`;
    if (last !== value) {
      await db.query(
        `INSERT INTO odds_quotes (event_id, market_type, period, line, outcome, point, provider, bookmaker, price, observed_at, source_updated_at, change_type, poll_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
        [
          eventId,
          q.marketType,
          q.period,
          q.line,
          q.outcome,
          q.point,
          provider,
          q.bookmaker,
          q.price,
          batch.observedAt,
          q.sourceUpdatedAt,
          last ? 'change' : 'initial',
          pollId,
        ],
      );
      await redis.set(lastKey, value);
      changes++;
    }
    const mk = quoteMarketKey({ ...q, eventId });
    await redis.set(
      `base:board:${mk}:${boardField(q)}`,
      JSON.stringify({ price: q.price, observedAt: batch.observedAt, sport: sportOf.get(q.providerEventId) }),
      'EX',
      600,
    );
  }
  await db.query(
    `INSERT INTO odds_polls (poll_id, provider, polled_at, sports, quotes_seen, changes_written) VALUES ($1, $2, $3, $4, $5, $6)`,
    [pollId, provider, batch.observedAt, sports, batch.quotes.length, changes],
  );
  return { quotes: batch.quotes.length, changes };
}

interface Payload {
  at: number;
  bodies: Map<string, string>;
}

interface Scenario {
  name: string;
  /** The scenario the goal is measured on (most prices change). */
  goal: boolean;
  sports: string[];
  payloads: Payload[];
}

interface Figures {
  polls: number;
  quotes: number;
  changes: number;
  ms: number;
}

/** Every payload of the scenario through runPoll under the provider name `name` (its own keys), timed. */
async function ingestAll(
  db: Pool,
  redis: Redis,
  name: string,
  sc: Scenario,
): Promise<{ figures: Figures; perPoll: number[] }> {
  const ctx = {
    db,
    redis,
    keys: ingestKeys(`bench-${name}:`),
    resolver: new EventResolver(db),
    memory: new LastKnownMemory(),
    provider: new PayloadProvider(name, sc.payloads),
  };
  const figures: Figures = { polls: 0, quotes: 0, changes: 0, ms: 0 };
  const perPoll: number[] = [];
  const t = performance.now();
  for (let i = 0; i < sc.payloads.length; i++) {
    const s = await runPoll(ctx, { pollId: `${name}:${i}`, sports: sc.sports, stalenessSeconds: 600 });
    figures.polls++;
    figures.quotes += s.quotesSeen;
    figures.changes += s.changesWritten;
    perPoll.push(s.changesWritten);
  }
  figures.ms = performance.now() - t;
  return { figures, perPoll };
}

/**
 * Whole polls against a raw COPY, interleaved: each round ingests the scenario afresh under its own provider
 * name, then raw-COPYs the rows it wrote, so each round's ratio compares two figures taken moments apart
 * (on a shared machine the load moves more between the start and the end of the run than within a round).
 */
async function interleavedRatios(db: Pool, redis: Redis, sc: Scenario, tag: string): Promise<number[]> {
  const ratios: number[] = [];
  for (let k = 1; k <= ROUNDS; k++) {
    const name = `round${k}-${tag}`;
    const { figures } = await ingestAll(db, redis, name, sc);
    const raw = await rawCopy(db, await storedRows(db, name), `raw-${name}`);
    ratios.push(figures.changes / figures.ms / (raw.rows / raw.ms));
  }
  return ratios;
}

async function runScenario(
  db: Pool,
  redis: Redis,
  sc: Scenario,
): Promise<{ ours: Figures; base: Figures; oursChangesInBasePolls: number; stored: Record<string, number> }> {
  const tag = sc.name.replace(/[^a-z0-9]+/g, '-');
  const oursName = `ours-${tag}`;
  const baseName = `baseline-${tag}`;
  await ensurePartitions(
    db,
    sc.payloads.map((p) => new Date(p.at).toISOString()),
  );

  const { figures: ours, perPoll: oursChanges } = await ingestAll(db, redis, oursName, sc);

  const resolver = new EventResolver(db);
  const base: Figures = { polls: 0, quotes: 0, changes: 0, ms: 0 };
  const t = performance.now();
  for (let i = 0; i < sc.payloads.length && (i === 0 || performance.now() - t < BASELINE_BUDGET_MS); i++) {
    const r = await baselinePoll(
      db,
      redis,
      resolver,
      baseName,
      `${baseName}:${i}`,
      parse(sc.payloads[i]!, sc.sports),
      sc.sports,
    );
    base.polls++;
    base.quotes += r.quotes;
    base.changes += r.changes;
  }
  base.ms = performance.now() - t;

  const { rows } = await db.query<{ provider: string; n: string }>(
    `SELECT provider, count(*) AS n FROM odds_quotes WHERE provider = ANY($1::text[]) GROUP BY provider`,
    [[oursName, baseName]],
  );
  const byName = Object.fromEntries(rows.map((r) => [r.provider, Number(r.n)]));
  const oursChangesInBasePolls = oursChanges.slice(0, base.polls).reduce((a, b) => a + b, 0);
  return {
    ours,
    base,
    oursChangesInBasePolls,
    stored: { ours: byName[oursName] ?? 0, baseline: byName[baseName] ?? 0 },
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const { config } = loadConfig();
  const dbUrl = await recreateDatabase(config.database.url, 'alphabet_bench');
  await migrate(dbUrl);
  const db = createPool(dbUrl, 8);
  const redisUrl = new URL(config.redis.url);
  redisUrl.pathname = '/14';
  const redis = createRedis(redisUrl.toString());
  // This bench's keys from earlier runs.
  await deleteKeys(redis, ['bench-*', 'base:*']);

  const scenarios: Scenario[] = [];
  // Steady polling: the simulated market, one model minute apart, four sports, American prices.
  const market = new SimulatedMarket({ seed: 42, speed: 60 });
  scenarios.push({
    name: 'simulated market',
    goal: false,
    sports: SPORTS,
    payloads: Array.from({ length: POLLS }, (_, i) => {
      const at = T0 + i * 1000;
      return {
        at,
        bodies: new Map(
          SPORTS.map((s) => [s, JSON.stringify(market.odds(s, at, { oddsFormat: 'american' }))]),
        ),
      };
    }),
  });
  // Large real payloads: the recorded NFL responses of The Odds API, in time order (most prices change between them).
  const dir = join(sharedDataDir(), 'the-odds-api', 'snapshots');
  if (existsSync(dir)) {
    const files = readdirSync(dir)
      .filter((f) => f.startsWith('nfl_') && f.endsWith('.json'))
      .sort((a, b) => a.split('_')[1]!.localeCompare(b.split('_')[1]!));
    scenarios.push({
      name: 'recorded NFL responses',
      goal: true,
      // The files' own sport: a payload answering another sport's request is refused (wrong_sport).
      sports: ['americanfootball_nfl'],
      payloads: files.map((f) => {
        const stamp = f.split('_')[1]!.replace('.json', '');
        const at = Date.parse(
          `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
        );
        return { at, bodies: new Map([['americanfootball_nfl', readFileSync(join(dir, f), 'utf8')]]) };
      }),
    });
  } else {
    process.stdout.write(`(skipping the recorded responses: ${dir} is absent)\n`);
  }

  // Warm-up (JIT, connections) on a throwaway provider.
  {
    const warm = scenarios[0]!.payloads.slice(0, 3);
    const ctx = {
      db,
      redis,
      keys: ingestKeys('bench-warm:'),
      resolver: new EventResolver(db),
      memory: new LastKnownMemory(),
      provider: new PayloadProvider('warmup', warm),
    };
    for (let i = 0; i < warm.length; i++)
      await runPoll(ctx, { pollId: `warm:${i}`, sports: SPORTS, stalenessSeconds: 600 });
  }

  const qps = (f: Figures) => Math.round(f.quotes / (f.ms / 1000));
  const line = (name: string, f: Figures) =>
    `  ${name.padEnd(9)} ${String(f.polls).padStart(3)} polls ${String(f.quotes).padStart(7)} quotes ${String(f.changes).padStart(7)} changes ${(f.ms / 1000).toFixed(2).padStart(7)} s ${String(qps(f)).padStart(8)} quotes/s ${(f.ms / f.polls).toFixed(1).padStart(7)} ms/poll`;
  let ok = true;
  for (const sc of scenarios) {
    const r = await runScenario(db, redis, sc);
    // Same payloads, same changes: the baseline's rows equal ours over the polls it got through.
    const same =
      r.stored.ours === r.ours.changes &&
      r.stored.baseline === r.base.changes &&
      r.base.changes === r.oursChangesInBasePolls;
    ok &&= same;
    process.stdout.write(
      [
        `${sc.name}: ${sc.payloads.length} polls`,
        line('ours', r.ours),
        line('baseline', r.base),
        `  ratio ${(qps(r.ours) / qps(r.base)).toFixed(1)}x (ours / row-by-row INSERT + per-key SET); changes written over the baseline's ${r.base.polls} polls: ${r.oursChangesInBasePolls} vs ${r.base.changes}${same ? '' : ' — MISMATCH'}`,
      ].join('\n') + '\n',
    );
    const tag = sc.name.replace(/[^a-z0-9]+/g, '-');
    const writers = await compareWriters(db, `ours-${tag}`, tag);
    const raw = writers['raw COPY']!;
    const rps = (f: { rows: number; ms: number }) => f.rows / (f.ms / 1000);
    const avgRows = r.ours.changes / r.ours.polls;
    process.stdout.write(
      [
        `  changed rows written (whole poll) ${Math.round(rps({ rows: r.ours.changes, ms: r.ours.ms }))}/s = ${(rps({ rows: r.ours.changes, ms: r.ours.ms }) / rps(raw)).toFixed(2)} × raw COPY (writer ${avgRows >= COPY_MIN_ROWS ? 'COPY' : 'INSERT'} at ${avgRows.toFixed(0)} rows/poll on average)`,
        ...Object.entries(writers).map(
          ([name, f]) =>
            `  history writer ${name.padEnd(8)} ${String(f.rows).padStart(7)} rows ${(f.ms / 1000).toFixed(2).padStart(6)} s ${String(Math.round(rps(f))).padStart(8)} rows/s = ${(rps(f) / rps(raw)).toFixed(2)} × raw COPY`,
        ),
        '',
      ].join('\n'),
    );
    const ratios = await interleavedRatios(db, redis, sc, tag);
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    process.stdout.write(
      `  whole poll / raw COPY, ${ROUNDS} interleaved rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${median.toFixed(2)}` +
        (sc.goal
          ? ` — THE GOAL's ratio (changed rows at ≥ 0.5 × raw COPY on this scenario): ${median >= 0.5 ? 'met' : 'not met'}\n\n`
          : " (not the goal's scenario: few changes per poll)\n\n"),
    );
  }
  process.stdout.write(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  await db.end();
  redis.disconnect();
  if (!ok) process.exitCode = 1;
}

await main();
