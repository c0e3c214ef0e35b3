import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../deps';
import { routeAlert, type Alert } from '../../shared/alerts';
import { createAlertChannels, type AlertChannel } from './channels';
import { classified } from '../bets/errors';

export type { AlertChannel } from './channels';
export { createAlertChannels } from './channels';

export interface PreparedAlert {
  /** Channels to deliver to, each with its own retry policy. */
  deliveries: {
    channel: string;
    retry: { maximumAttempts: number; initialIntervalMs: number; maximumIntervalMs: number };
  }[];
  /** Channels left out, and why (duplicate within the window, rate limit). */
  suppressed: { channel: string; why: string }[];
}

// Sliding-window limit per channel, idempotent per alert: a retried check of the same alert is not counted twice.
const RATE_LIMIT_LUA = `
local now = tonumber(ARGV[1]); local window = tonumber(ARGV[2]); local max = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= max then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 1`;

/** Alert routing (config), de-duplication and rate limits (Redis), and delivery per channel. */
export function createAlertActivities(deps: ActivityDeps) {
  const { config, redis, logger } = deps;
  const prefix = `${config.redis.keyPrefix}alert:`;
  let channels: Map<string, AlertChannel> | null = null;
  const channel = (name: string): AlertChannel | undefined => {
    channels ??= new Map(
      (deps.alertChannels ?? createAlertChannels(config, deps.secrets, logger, deps.redis)).map((c) => [
        c.name,
        c,
      ]),
    );
    return channels.get(name);
  };

  return classified({
    async prepareAlert(alert: Alert): Promise<PreparedAlert> {
      const enabled = new Set(config.alerts.channels.filter((c) => c.enabled).map((c) => c.name));
      const names = routeAlert(config.alerts.routes, enabled, alert.type, alert.severity);
      const out: PreparedAlert = { deliveries: [], suppressed: [] };
      if (names.length === 0) return out;
      const windowMs = config.alerts.dedupWindowSeconds * 1000;
      if (windowMs > 0) {
        const key = `${prefix}dedup:${alert.type}:${alert.subject}`;
        const first = await redis.set(key, alert.id, 'PX', windowMs, 'NX');
        const holder = first === 'OK' ? alert.id : await redis.get(key);
        if (holder !== null && holder !== alert.id) {
          for (const c of names) out.suppressed.push({ channel: c, why: `duplicate of ${holder}` });
          logger.info({ alertId: alert.id, duplicateOf: holder }, 'alert suppressed as a duplicate');
          return out;
        }
      }
      for (const name of names) {
        const c = config.alerts.channels.find((x) => x.name === name)!;
        if (c.rateLimit) {
          const allowed = await redis.eval(
            RATE_LIMIT_LUA,
            1,
            `${prefix}rate:${name}`,
            Date.now(),
            c.rateLimit.perSeconds * 1000,
            c.rateLimit.max,
            alert.id,
          );
          if (allowed !== 1) {
            out.suppressed.push({
              channel: name,
              why: `rate limit ${c.rateLimit.max} per ${c.rateLimit.perSeconds} s`,
            });
            logger.warn({ alertId: alert.id, channel: name }, 'alert dropped by the channel rate limit');
            continue;
          }
        }
        out.deliveries.push({
          channel: name,
          retry: {
            maximumAttempts: c.retry.maximumAttempts,
            initialIntervalMs: c.retry.initialIntervalSeconds * 1000,
            maximumIntervalMs: c.retry.maximumIntervalSeconds * 1000,
          },
        });
      }
      return out;
    },

    async deliverAlert(input: { channel: string; alert: Alert }): Promise<void> {
      const c = channel(input.channel);
      if (!c)
        throw ApplicationFailure.nonRetryable(`no enabled alert channel ${input.channel}`, 'AlertConfig');
      await c.send(input.alert);
    },
  });
}
