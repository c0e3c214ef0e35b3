// ioredis's command errors ("Reached the max retries per request limit", "Connection is closed.") do not
// say which server failed. The client that sent the command knows (createRedis): it notes each error it
// rejects a command with here, with its URL password-masked, for whoever reports the failure (the CLI's
// reportFailure). Kept apart from redis.ts so that reporting a failure does not load ioredis.

const failedAt = new WeakMap<Error, string>();

export function noteRedisFailure(err: Error, maskedUrl: string): void {
  failedAt.set(err, maskedUrl);
}

/** The password-masked URL of the Redis server a command failed on, when a createRedis client sent it. */
export function redisUrlOfFailure(err: unknown): string | undefined {
  return err instanceof Error ? failedAt.get(err) : undefined;
}
