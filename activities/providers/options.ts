import { z } from 'zod';
import { IsoTime, MarketType } from '../../shared/entities';
import { SimModelParams } from './simulated/params';

/**
 * Each provider type validates its own `options` (config/schema.ts applies these at load time, so
 * `alphabet config check` names the bad key and value). Pure zod: no I/O, safe to import anywhere.
 */

const HttpUrl = z.string().refine(
  (s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  },
  { message: 'expected an http:// or https:// URL' },
);

const Markets = z.array(MarketType).min(1).default(['h2h', 'spreads', 'totals']);
const OddsFormat = z.enum(['american', 'decimal']);

export const OddsApiOptions = z.strictObject({
  /** The Odds API host; point it elsewhere for a proxy or a recording. */
  baseUrl: HttpUrl.default('https://api.the-odds-api.com'),
  regions: z
    .array(z.enum(['us', 'us2', 'uk', 'eu', 'au']))
    .min(1)
    .default(['us']),
  markets: Markets,
  /** When set, these bookmaker keys are requested instead of regions (the API's rule). */
  bookmakers: z.array(z.string().min(1)).min(1).optional(),
  oddsFormat: OddsFormat.default('american'),
  /** Per request, connect to last byte. */
  timeoutSeconds: z.number().positive().max(120).default(10),
  /** Fetch /scores this often (they cost quota); null: never. */
  scoresIntervalSeconds: z.number().positive().nullable().default(null),
  scoresDaysFrom: z.number().int().min(1).max(3).default(1),
  /** The key comes from ODDS_API_KEY only; a keyless mirror can turn this off. */
  apiKeyRequired: z.boolean().default(true),
});
export type OddsApiOptions = z.infer<typeof OddsApiOptions>;

export const SimulatedOptions = z.strictObject({
  seed: z.number().int().default(42),
  /** Market clock speed-up: 60 means a simulated minute lasts a wall-clock second. */
  speed: z.number().positive().max(3600).default(60),
  host: z.string().min(1).default('127.0.0.1'),
  /** Loopback port of the embedded market's HTTP server (The Odds API v4 wire format). */
  port: z.number().int().min(1).max(65535).default(8650),
  oddsFormat: OddsFormat.default('american'),
  markets: Markets,
  timeoutSeconds: z.number().positive().max(120).default(5),
  scoresIntervalSeconds: z.number().positive().nullable().default(10),
  /** The market's calibration (margins, moves, lags, stale prices); see activities/providers/simulated/params.ts. */
  model: SimModelParams.optional(),
});
export type SimulatedOptions = z.infer<typeof SimulatedOptions>;

export const ReplayOptions = z.strictObject({
  /** line-changes: `<sport>_line_changes.csv.gz`; snapshots: recorded `/odds` responses. */
  source: z.enum(['line-changes', 'snapshots']).default('line-changes'),
  /** Folder holding `line-changes/` and `snapshots/`; default `../shared/data/the-odds-api`. */
  dataDir: z.string().min(1).optional(),
  /** line-changes: file prefixes (nfl, wnba); snapshots: file names. Default: every file of the configured sports. */
  files: z.array(z.string().min(1)).min(1).optional(),
  /** Recorded-time window [from, to). */
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  /** Recorded seconds per wall second; null plays one recorded snapshot per poll, as fast as polled. */
  speed: z.number().positive().nullable().default(null),
  /** Start from the book state recorded before `from` (written once, as the first poll). */
  prime: z.boolean().default(true),
});
export type ReplayOptions = z.infer<typeof ReplayOptions>;

export const PROVIDER_OPTION_SCHEMAS = {
  'the-odds-api': OddsApiOptions,
  simulated: SimulatedOptions,
  replay: ReplayOptions,
} as const;

export function providerOptionsSchema(type: keyof typeof PROVIDER_OPTION_SCHEMAS) {
  return PROVIDER_OPTION_SCHEMAS[type];
}
