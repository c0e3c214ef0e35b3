import { Redis } from 'ioredis';
import { redactUrl } from '../../shared/redact';

export type { Redis };

export function createRedis(
  url: string,
  options: { lazyConnect?: boolean; maxRetries?: number } = {},
): Redis {
  let redis: Redis;
  try {
    redis = new Redis(url, {
      lazyConnect: options.lazyConnect ?? false,
      maxRetriesPerRequest: options.maxRetries ?? 3,
      connectTimeout: 5_000,
      enableOfflineQueue: true,
    });
  } catch (err) {
    // ioredis's TypeError carries the whole URL, password included, as `input`: not passed on.
    throw new Error(`redis.url ${redactUrl(url)}: ${(err as Error).message}`);
  }
  // Connection errors surface on the commands that need the connection; do not crash on the event.
  redis.on('error', () => undefined);
  return redis;
}
