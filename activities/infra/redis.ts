import { Redis } from 'ioredis';

export type { Redis };

export function createRedis(
  url: string,
  options: { lazyConnect?: boolean; maxRetries?: number } = {},
): Redis {
  const redis = new Redis(url, {
    lazyConnect: options.lazyConnect ?? false,
    maxRetriesPerRequest: options.maxRetries ?? 3,
    connectTimeout: 5_000,
    enableOfflineQueue: true,
  });
  // Connection errors surface on the commands that need the connection; do not crash on the event.
  redis.on('error', () => undefined);
  return redis;
}
