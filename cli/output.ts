import { CommanderError } from 'commander';
import { ConfigError } from '../config/load';
import { redisUrlOfFailure } from '../activities/infra/redis-failures';
import { MathError } from '../shared/math';
import { redactUrls } from '../shared/redact';

/** A bad argument or option: printed as one line naming it, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Math errors are bad arguments: one line naming the argument, exit status 2. */
export function asUsage<T>(argument: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof MathError) throw new UsageError(`${argument}: ${err.message}`);
    throw err;
  }
}

export interface OutputOptions {
  json?: boolean;
}

/** Print a command's result: JSON for machines with --json, the human rendering otherwise. */
export function emit<T>(result: T, options: OutputOptions, human: (r: T) => string): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(`${human(result)}\n`);
  }
}

/** Exit code and one-line message for anything a command throws. */
export function reportFailure(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? 0 : 2;
  }
  // Whatever failed (a driver, a URL parser), a connection URL's password is not printed.
  if (err instanceof UsageError || err instanceof ConfigError) {
    process.stderr.write(`alphabet: ${redactUrls(err.message)}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  // A Redis command's error does not name the server ("Reached the max retries per request limit").
  const redis = redisUrlOfFailure(err);
  const where = redis === undefined ? '' : `redis ${redis}: `;
  process.stderr.write(`alphabet: ${where}${redactUrls(message)}\n`);
  return 1;
}
