import pino, { type DestinationStream, type Logger } from 'pino';
import type { Secrets } from '../../config/schema';
import { redactUrls } from '../../shared/redact';

export type { Logger };

// Field names that never reach a log line, wherever they appear.
const REDACT_PATHS = [
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.token',
  '*.authToken',
  'headers.authorization',
  '*.headers.authorization',
  'secrets',
  '*.secrets',
];

/**
 * Structured JSON logs. Besides the redacted field names, the finished line is scrubbed: any secret's
 * literal value (so a URL with a key in its query string cannot leak) and every URL's password. Scrubbing
 * the serialised line rather than the log object keeps Errors whole (a JSON round trip of the object turns
 * an Error into `{}`).
 */
export function createLogger(
  options: { level: string; name?: string; secrets?: Secrets },
  destination?: DestinationStream,
): Logger {
  const values = Object.values(options.secrets ?? {}).filter((v): v is string => !!v && v.length >= 4);
  // In the JSON line a secret with quotes or backslashes appears escaped: look for both spellings.
  const needles = [...new Set(values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]))];
  const scrub = (line: string): string =>
    redactUrls(needles.reduce((t, v) => t.split(v).join('[redacted]'), line));
  return pino(
    {
      name: options.name ?? 'alphabet',
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
}
