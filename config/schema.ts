import { z } from 'zod';
import { DecimalString } from '../shared/entities';

/** A fraction of the bankroll written as a decimal string in (0, 1]. */
const Fraction = DecimalString.refine((s) => Number(s) > 0 && Number(s) <= 1, {
  message: 'expected a fraction greater than 0 and at most 1, e.g. "0.02"',
});
const PositiveMoney = DecimalString.refine((s) => Number(s) > 0, {
  message: 'expected a positive amount written as a string, e.g. "10000"',
});
const HostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, { message: 'expected host:port, e.g. 127.0.0.1:7233' });
const Port = z.number().int().min(1).max(65535);
const Url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const TemporalConfig = z.strictObject({
  address: HostPort,
  namespace: z.string().min(1),
  /** Where operators open the Web UI (printed by the CLI). */
  uiUrl: Url(['http:', 'https:']),
  taskQueues: z.strictObject({
    ingestion: z.string().min(1),
    strategies: z.string().min(1),
    bets: z.string().min(1),
  }),
  tls: z.strictObject({
    enabled: z.boolean(),
    serverName: z.string().nullable(),
    /** Paths to PEM files; the key file is a secret on disk, never its content in config. */
    caPath: z.string().nullable(),
    certPath: z.string().nullable(),
    keyPath: z.string().nullable(),
  }),
});

export const StackConfig = z.strictObject({
  /** Folder for the dev server's SQLite file, pid files and logs (relative to the project root). */
  dataDir: z.string().min(1),
  devServer: z.strictObject({
    ip: z.string().min(1),
    port: Port,
    uiPort: Port,
    /** SQLite file name inside dataDir: workflow state survives a restart. */
    dbFile: z.string().min(1),
  }),
});

export const ProviderConfig = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'lower-case letters, digits, - and _' }),
  type: z.enum(['simulated', 'the-odds-api', 'replay']),
  enabled: z.boolean(),
  pollIntervalSeconds: z.number().positive(),
  sports: z.array(z.string().min(1)).min(1),
  /** Provider-specific options, validated by the adapter that reads them. */
  options: z.record(z.string(), z.unknown()).default({}),
});

export const RiskConfig = z.strictObject({
  bankroll: PositiveMoney,
  currency: z.string().length(3),
  perBetCapFraction: Fraction,
  dailyLossStopFraction: Fraction,
  maxEventExposureFraction: Fraction,
  maxSportExposureFraction: Fraction,
});

export const AlertsConfig = z.strictObject({
  channels: z.array(
    z.strictObject({
      name: z.string().min(1),
      type: z.enum(['console', 'webhook', 'email', 'sms']),
      enabled: z.boolean(),
      options: z.record(z.string(), z.unknown()).default({}),
    }),
  ),
});

export const AppConfig = z.strictObject({
  temporal: TemporalConfig,
  database: z.strictObject({
    url: Url(['postgres:', 'postgresql:']),
    poolSize: z.number().int().min(1).max(200),
  }),
  redis: z.strictObject({ url: Url(['redis:', 'rediss:']), keyPrefix: z.string() }),
  stack: StackConfig,
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) }),
  risk: RiskConfig,
  providers: z.array(ProviderConfig),
  alerts: AlertsConfig,
});
export type AppConfig = z.infer<typeof AppConfig>;

/**
 * Environment variables that override a config key. The names are the deployment contract:
 * docker-compose.yml and the README use exactly these (a test checks it).
 */
export const ENV_OVERRIDES = {
  TEMPORAL_ADDRESS: { path: 'temporal.address', type: 'string' },
  TEMPORAL_NAMESPACE: { path: 'temporal.namespace', type: 'string' },
  TEMPORAL_UI_URL: { path: 'temporal.uiUrl', type: 'string' },
  TEMPORAL_TLS: { path: 'temporal.tls.enabled', type: 'boolean' },
  TEMPORAL_TLS_SERVER_NAME: { path: 'temporal.tls.serverName', type: 'string' },
  TEMPORAL_TLS_CA: { path: 'temporal.tls.caPath', type: 'string' },
  TEMPORAL_TLS_CERT: { path: 'temporal.tls.certPath', type: 'string' },
  TEMPORAL_TLS_KEY: { path: 'temporal.tls.keyPath', type: 'string' },
  DATABASE_URL: { path: 'database.url', type: 'string' },
  DATABASE_POOL_SIZE: { path: 'database.poolSize', type: 'number' },
  REDIS_URL: { path: 'redis.url', type: 'string' },
  REDIS_KEY_PREFIX: { path: 'redis.keyPrefix', type: 'string' },
  ALPHABET_DATA_DIR: { path: 'stack.dataDir', type: 'string' },
  TEMPORAL_DEV_PORT: { path: 'stack.devServer.port', type: 'number' },
  TEMPORAL_DEV_UI_PORT: { path: 'stack.devServer.uiPort', type: 'number' },
  LOG_LEVEL: { path: 'log.level', type: 'string' },
  BANKROLL: { path: 'risk.bankroll', type: 'string' },
} as const satisfies Record<string, { path: string; type: 'string' | 'number' | 'boolean' }>;

/** Secrets come only from the environment; the config file may not hold them. */
export const SECRET_ENV = {
  TEMPORAL_API_KEY: 'Temporal Cloud API key',
  ODDS_API_KEY: 'The Odds API key',
  SMTP_USER: 'SMTP user name',
  SMTP_PASSWORD: 'SMTP password',
  TWILIO_ACCOUNT_SID: 'Twilio-compatible SMS account SID',
  TWILIO_AUTH_TOKEN: 'Twilio-compatible SMS auth token',
  WEBHOOK_SECRET: 'webhook signing secret',
} as const;
export type SecretName = keyof typeof SECRET_ENV;
export type Secrets = Partial<Record<SecretName, string>>;
