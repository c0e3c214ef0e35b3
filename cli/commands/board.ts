import type { Command } from 'commander';
import Decimal from 'decimal.js';
import { loadConfig } from '../../config/load';
import { createRedis } from '../../activities/infra/redis';
import { readBoard, type BoardEventView } from '../../activities/ingestion/board';
import { ingestKeys } from '../../activities/ingestion/keys';
import { emit } from '../output';

export function registerBoard(program: Command): void {
  program
    .command('board')
    .description('the current odds board from Redis, per event and line-aware market, with quote ages')
    .option('--event <id>', 'one event (canonical event id)')
    .option('--sport <key>', 'one sport, e.g. americanfootball_nfl')
    .option('--stale', 'include quotes past their staleness limit (marked stale)')
    .option('--json', 'machine-readable output (exact decimal prices)')
    .action(async (opts: { event?: string; sport?: string; stale?: boolean; json?: boolean }) => {
      const { config } = loadConfig();
      const redis = createRedis(config.redis.url, { maxRetries: 1 });
      try {
        const now = Date.now();
        const events = await readBoard(redis, ingestKeys(config.redis.keyPrefix), {
          ...(opts.event ? { eventId: opts.event } : {}),
          ...(opts.sport ? { sport: opts.sport } : {}),
          includeStale: opts.stale ?? false,
          now,
        });
        emit({ at: new Date(now).toISOString(), events }, opts, (r) => formatBoard(r.events, now));
      } finally {
        redis.disconnect();
      }
    });
}

function age(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

export function formatBoard(events: BoardEventView[], now: number): string {
  if (events.length === 0) return 'the board is empty (is a poller running? alphabet poll status)';
  const out: string[] = [];
  for (const ev of events) {
    const names = ev.participants.map((p) => `${p.name} (${p.role})`).join(' v ');
    const start = ev.startTime
      ? `${ev.startTime}, ${Date.parse(ev.startTime) > now ? `in ${age(Date.parse(ev.startTime) - now)}` : `${age(now - Date.parse(ev.startTime))} ago`}`
      : '?';
    out.push(`${ev.eventId}  ${ev.sport}  ${names}  starts ${start}  [${ev.status}]`);
    for (const m of ev.markets) {
      out.push(
        `  ${m.market.marketType}${m.market.line !== null ? ` ${m.market.line}` : ''}${m.market.period !== 'full' ? ` (${m.market.period})` : ''}`,
      );
      for (const q of m.quotes) {
        const price = new Decimal(q.price).toDecimalPlaces(3, Decimal.ROUND_DOWN).toFixed(3);
        const point =
          q.point === null
            ? ''
            : m.market.marketType === 'spreads' && !q.point.startsWith('-')
              ? ` +${q.point}`
              : ` ${q.point}`;
        const outcome = `${q.outcome}${point}`;
        out.push(
          `    ${outcome.padEnd(32)} ${q.bookmaker.padEnd(16)} ${price.padStart(9)}  age ${age(q.ageMs).padStart(7)}${q.stale ? '  STALE' : ''}`,
        );
      }
    }
  }
  out.push('(decimal odds, shown rounded down to 3 places; --json has them exact)');
  return out.join('\n');
}
