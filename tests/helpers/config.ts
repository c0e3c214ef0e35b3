import { expect } from 'vitest';
import { ConfigError } from '../../config/load';

/** The ConfigError `fn` throws; the test fails if it throws something else or nothing. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
