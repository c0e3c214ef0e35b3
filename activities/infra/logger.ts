import pino, { type DestinationStream, type Logger } from 'pino';
import type { Secrets } from '../../config/schema';

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
 * Structured JSON logs. Besides the redacted field names, any secret's literal value is scrubbed from
 * messages, so a URL with a key in its query string cannot leak either.
 */
export function createLogger(
  options: { level: string; name?: string; secrets?: Secrets },
  destination?: DestinationStream,
): Logger {
  const values = Object.values(options.secrets ?? {}).filter((v): v is string => !!v && v.length >= 4);
  const scrub = (text: string): string => values.reduce((t, v) => t.split(v).join('[redacted]'), text);
  return pino(
    {
      name: options.name ?? 'alphabet',
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>,
          );
        },
      },
      formatters: {
        log(object) {
          return values.length === 0
            ? object
            : (JSON.parse(scrub(JSON.stringify(object))) as Record<string, unknown>);
        },
      },
    },
    destination,
  );
}
