import { parseDurationMs } from '../shared/duration';
import { UsageError } from './output';

/** "90s", "2m", "1h30m", "6h" → milliseconds; names the option and the value when it is not one. */
export function parseDuration(text: string, option: string): number {
  try {
    return parseDurationMs(text);
  } catch (err) {
    throw new UsageError(`${option}: ${(err as Error).message}`);
  }
}
