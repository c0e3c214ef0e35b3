import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from '../../shared/redact';
import { noteRedisFailure } from './redis-failures';

export type { Redis };

/** A client whose command errors can be traced to its server (redis-failures.ts). */
class AddressedRedis extends Redis {
  constructor(
    url: string,
    // ioredis types replyMapping per overload; only the default (legacy) is used here.
    options: Omit<RedisOptions, 'replyMapping'>,
    private readonly maskedUrl: string,
  ) {
    super(url, options);
  }

  override sendCommand(...[command, stream]: Parameters<Redis['sendCommand']>): unknown {
    // Wrapping reject rather than catching the promise keeps an unawaited command's failure unhandled.
    const reject = command.reject;
    command.reject = (err: Error) => {
      noteRedisFailure(err, this.maskedUrl);
      reject(err);
    };
    return super.sendCommand(command, stream);
  }
}

export function createRedis(
  url: string,
  options: { lazyConnect?: boolean; maxRetries?: number } = {},
): Redis {
  let redis: Redis;
  try {
    redis = new AddressedRedis(
      url,
      {
        lazyConnect: options.lazyConnect ?? false,
        maxRetriesPerRequest: options.maxRetries ?? 3,
        connectTimeout: 5_000,
        enableOfflineQueue: true,
      },
      redactUrl(url),
    );
  } catch (err) {
    // ioredis's TypeError carries the whole URL, password included, as `input`: not passed on.
    throw new Error(`redis.url ${redactUrl(url)}: ${(err as Error).message}`);
  }
  // Connection errors surface on the commands that need the connection; do not crash on the event.
  redis.on('error', () => undefined);
  return redis;
}
