import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { RolloutConfig, RolloutGate } from '../shared/rollout';
import { StrategyRecord } from '../shared/strategies/registry';
import { providerOptionsSchema } from '../activities/providers/options';
import { ODDS_FORMATS } from '../shared/math';
import { AlertsConfig } from './schema-alerts';
import { DevServerDynamicConfig, SqlitePragmas } from './schema-dev-server';
import {
  Fraction,
  HostPort,
  NonNegativeMoney,
  Port,
  PositiveMoney,
  Seconds,
  Share,
  Url,
  addOptionIssues,
  uniqueNames,
} from './schema-primitives';

export { AlertChannelOptions, AlertSeverity, AlertsConfig } from './schema-alerts';

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
  tls: z
    .strictObject({
      enabled: z.boolean(),
      serverName: z.string().nullable(),
      /** Paths to PEM files; the key file is a secret on disk, never its content in config. */
      caPath: z.string().nullable(),
      certPath: z.string().nullable(),
      keyPath: z.string().nullable(),
    })
    .superRefine(refuseHalfTls),
  /**
   * Payloads (stakes, odds, accounts, operators) encrypted with AES-256-GCM before they reach Temporal;
   * keys come from ALPHABET_PAYLOAD_KEYS only. Off on the dev server; turn it on in production.
   */
  payloadEncryption: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** The remote codec endpoint the Web UI calls to show decrypted payloads (`alphabet codec-server`). */
      codecServer: z
        .strictObject({
          host: z.string().min(1).default('127.0.0.1'),
          port: Port.default(8888),
          /** Web UI origins allowed to call it from the browser (CORS). */
          corsOrigins: z
            .array(Url(['http:', 'https:']))
            .default(['http://127.0.0.1:8233', 'http://localhost:8233']),
        })
        .prefault({}),
    })
    .prefault({}),
});

/**
 * A client certificate needs its key and the other way round: half a pair would connect without the
 * certificate and fail far from its cause. Every named file must be readable now, not at first connect.
 */
function refuseHalfTls(
  tls: { caPath: string | null; certPath: string | null; keyPath: string | null },
  ctx: z.RefinementCtx,
): void {
  const { certPath, keyPath } = tls;
  if (Boolean(certPath) !== Boolean(keyPath)) {
    const [set, missing] = certPath ? ['certPath', 'keyPath'] : ['keyPath', 'certPath'];
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message:
        `temporal.tls.${set} (${TLS_ENV[set]}) is set but temporal.tls.${missing} (${TLS_ENV[missing]}) is not: ` +
        'a client certificate needs its private key; set both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY, or neither',
    });
    return;
  }
  for (const key of ['caPath', 'certPath', 'keyPath'] as const) {
    const path = tls[key];
    if (!path) continue;
    try {
      accessSync(path, constants.R_OK);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `cannot read ${path} (${TLS_ENV[key]}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      });
    }
  }
}
const TLS_ENV: Record<string, string> = {
  caPath: 'TEMPORAL_TLS_CA',
  certPath: 'TEMPORAL_TLS_CERT',
  keyPath: 'TEMPORAL_TLS_KEY',
};

export const StackConfig = z.strictObject({
  /** Folder for the dev server's SQLite file, pid files and logs (relative to the project root). */
  dataDir: z.string().min(1),
  devServer: z.strictObject({
    ip: z.string().min(1),
    port: Port,
    uiPort: Port,
    /** SQLite file name inside dataDir: workflow state survives a restart. */
    dbFile: z.string().min(1),
    /**
     * SQLite `synchronous` pragma, always in WAL mode. `normal` (default) syncs at checkpoints: a power cut
     * or OS crash may roll back the last commits, never corrupt the file; `full` syncs every commit.
     */
    sqliteSync: z.enum(['normal', 'full']),
    sqlitePragmas: SqlitePragmas,
    dynamicConfig: DevServerDynamicConfig,
  }),
  /**
   * Which Temporal `stack up` runs locally: `dev` (the CLI's single-process dev server, SQLite) or
   * `server` (Temporal's own server, persisted in the configured PostgreSQL: the production topology).
   */
  temporal: z.enum(['dev', 'server']).default('dev'),
  server: z
    .strictObject({
      ip: z.string().min(1).default('127.0.0.1'),
      /** Frontend gRPC port; the other services take the next eight ports (scripts/temporal-server.ts). */
      port: Port.default(7233),
      historyShards: z.number().int().min(1).max(16_384).default(4),
      /** Temporal's two databases, created in the PostgreSQL server of database.url. */
      databases: z
        .strictObject({
          temporal: z
            .string()
            .regex(/^[a-z_][a-z0-9_]*$/)
            .default('temporal'),
          visibility: z
            .string()
            .regex(/^[a-z_][a-z0-9_]*$/)
            .default('temporal_visibility'),
        })
        .prefault({}),
      /** Dynamic config file (relative to the project root); docker-compose.yml mounts the same one. */
      dynamicConfig: z.string().min(1).default('deploy/temporal/dynamicconfig/development-sql.yaml'),
    })
    .prefault({}),
  /**
   * Worker processes per task queue for `stack up --workers` (no value) and docker-compose.yml's
   * replicas (a test checks they agree).
   */
  workers: z
    .strictObject({
      ingestion: z.number().int().min(0).max(64).default(1),
      strategies: z.number().int().min(0).max(64).default(1),
      bets: z.number().int().min(0).max(64).default(2),
    })
    .prefault({}),
});

export const ProviderConfig = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'lower-case letters, digits, - and _' }),
    type: z.enum(['simulated', 'the-odds-api', 'replay']),
    enabled: z.boolean(),
    /** Below 60 s the poller loops inside one heartbeating activity (Temporal's advice for frequent polling). */
    pollIntervalSeconds: z.number().positive().max(86_400),
    sports: z
      .array(z.string().regex(/^[a-z0-9_]+$/, { message: 'a sport key such as americanfootball_nfl' }))
      .min(1),
    /** Board entries expire this long after their last refresh; default three poll intervals, at least 60 s. */
    stalenessSeconds: z.number().positive().optional(),
    /** Provider-specific options, validated by the provider type's own schema (activities/providers/options.ts). */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((provider, ctx) => {
    const parsed = providerOptionsSchema(provider.type).safeParse(provider.options);
    if (parsed.success) return;
    addOptionIssues(ctx, parsed.error, provider.type);
  });

const LedgerAccount = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_:-]*$/, { message: 'lower-case letters, digits, -, _ and :' });

export const RiskConfig = z.strictObject({
  bankroll: PositiveMoney,
  currency: z.string().length(3),
  perBetCapFraction: Fraction,
  dailyLossStopFraction: Fraction,
  maxEventExposureFraction: Fraction,
  maxSportExposureFraction: Fraction,
  /** Fractional Kelly when the strategy's parameters name none (`kellyFraction`). */
  defaultKellyFraction: Fraction.default('0.25'),
  /** Stakes are whole multiples of this (rounded down); payouts are rounded down to it too. */
  stakeUnit: PositiveMoney.default('0.01'),
  /** Below this stake we do not bet. */
  minStake: NonNegativeMoney.default('1'),
  /** IANA time zone whose calendar day the daily loss stop counts. */
  dayTimeZone: z.string().min(1).default('UTC'),
  /** Ledger accounts: paper bets draw on the paper account, manual and adapter bets on the live one. */
  accounts: z
    .strictObject({ paper: LedgerAccount.default('paper'), live: LedgerAccount.default('live') })
    .prefault({}),
});

const PlacementMode = z.enum(['paper', 'manual', 'adapter']);

/** How bets are re-quoted, placed, closed and settled (issue 6). */
export const PlacementConfig = z.strictObject({
  /** Mode for a strategy in `live` mode that `strategies` does not name (strategies in `paper` mode bet paper). */
  liveMode: PlacementMode.default('manual'),
  /** Per-strategy mode: `{ value-nfl: manual }`. */
  strategies: z.record(z.string(), PlacementMode).default({}),
  requote: z
    .strictObject({
      /** A board quote older than this is stale: the bet is skipped. */
      maxQuoteAgeSeconds: Seconds.default(60),
      /** Largest adverse relative price move accepted since detection, e.g. "0.02" = 2 %. */
      priceTolerance: Share.default('0.02'),
    })
    .prefault({}),
  paper: z
    .strictObject({
      /** Fill price = re-quoted price × (1 − slippage). */
      slippage: Share.default('0'),
      /** Share of paper bets the simulated book rejects (drawn from the idempotency key, not at random). */
      rejectionProbability: Share.default('0'),
      /** Most each book takes on one bet; `default` for books not named. */
      bookMaxStakes: z.record(z.string(), PositiveMoney).default({ default: '5000' }),
    })
    .prefault({}),
  manual: z
    .strictObject({
      /** How long an operator has to confirm or skip (never past the event's start). */
      confirmationDeadlineSeconds: Seconds.default(900),
    })
    .prefault({}),
  /** Books that take bets through an adapter: `{ examplebook: { baseUrl: http://… } }`. */
  adapters: z
    .record(
      z.string(),
      z.strictObject({ baseUrl: Url(['http:', 'https:']), timeoutSeconds: Seconds.default(10) }),
    )
    .default({}),
  closingLine: z
    .strictObject({
      /** Books whose devigged close is the fair line, first quoted wins. */
      sharpBookmakers: z.array(z.string().min(1)).default(['pinnacle']),
      devigMethod: z
        .enum(['multiplicative', 'additive', 'power', 'shin', 'odds-ratio', 'worst-case'])
        .default('multiplicative'),
    })
    .prefault({}),
  settlement: z
    .strictObject({
      /** Minutes from the start until results are expected, by sport key; `default` for the rest. */
      expectedDurationMinutes: z.record(z.string(), z.number().nonnegative()).default({ default: 180 }),
      pollInitialSeconds: Seconds.default(300),
      pollMaxSeconds: Seconds.default(1800),
      pollBackoff: z.number().min(1).default(2),
      /** Sport key prefixes whose head-to-head market has a draw (3-way); elsewhere a tie voids h2h bets. */
      threeWayH2hSports: z.array(z.string().min(1)).default(['soccer']),
    })
    .prefault({}),
});

/** How operators write prices by hand (`alphabet bets confirm --odds`); `--odds-format` overrides it. */
export const OperatorConfig = z.strictObject({
  /** decimal (2.5), american (+150, -110; an unsigned price is +) or fractional (6/4). */
  oddsFormat: z.enum(ODDS_FORMATS).default('decimal'),
});

/**
 * The operator HTTP API and console (`alphabet serve`, `npm start`). Any bind address but loopback
 * requires ALPHABET_API_TOKENS.
 */
export const ApiConfig = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: Port.default(8700),
});

/** Operator-started paper trading (alphabet paper start): defaults and the gate a session is judged by. */
export const PaperConfig = z.strictObject({
  /** Virtual bankroll when the operator does not give one. */
  defaultBankroll: z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal amount as a string, e.g. "1000"'),
  /** After the end, wait this long for open bets to settle before the report (0: report at once). */
  settleTimeoutSeconds: z.number().nonnegative(),
  /** How often a session re-reads its results while waiting (progress, breaches, bet limit). */
  progressIntervalSeconds: z.number().positive(),
  /** Where the worker writes session reports (relative to the project). */
  reportDir: z.string().min(1),
  /** Judged at the end; drawdown and void/limit breaches end a session early. */
  gate: RolloutGate,
});
export type PaperConfig = z.infer<typeof PaperConfig>;

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
  placement: PlacementConfig.prefault({}),
  operator: OperatorConfig.prefault({}),
  api: ApiConfig.prefault({}),
  providers: uniqueNames(ProviderConfig, 'provider'),
  alerts: AlertsConfig,
  rollout: RolloutConfig,
  paper: PaperConfig,
  /**
   * The live board of each strategy worker (issue 14): kept current from the change stream, swept
   * incrementally (only markets changed since a strategy's last sweep), with a full sweep at least every
   * fullSweepEverySeconds as a safety net. Off: every sweep reads the whole board from Redis.
   */
  liveBoard: z
    .strictObject({
      enabled: z.boolean().default(true),
      fullSweepEverySeconds: z.number().int().min(1).max(86_400).default(60),
    })
    .prefault({}),
  /**
   * Seed data for the strategies table (issue 5): each strategy's parameters are validated by its type's
   * zod schema (shared/strategies/registry.ts). Inserted once; after that the table is the source of truth
   * and `alphabet strategy set` changes it (every change recorded with who and when).
   */
  strategies: uniqueNames(StrategyRecord, 'strategy').default([]),
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
  TEMPORAL_PAYLOAD_ENCRYPTION: { path: 'temporal.payloadEncryption.enabled', type: 'boolean' },
  DATABASE_URL: { path: 'database.url', type: 'string' },
  DATABASE_POOL_SIZE: { path: 'database.poolSize', type: 'number' },
  REDIS_URL: { path: 'redis.url', type: 'string' },
  REDIS_KEY_PREFIX: { path: 'redis.keyPrefix', type: 'string' },
  ALPHABET_DATA_DIR: { path: 'stack.dataDir', type: 'string' },
  TEMPORAL_DEV_PORT: { path: 'stack.devServer.port', type: 'number' },
  TEMPORAL_DEV_UI_PORT: { path: 'stack.devServer.uiPort', type: 'number' },
  TEMPORAL_DEV_SQLITE_SYNC: { path: 'stack.devServer.sqliteSync', type: 'string' },
  ALPHABET_TEMPORAL: { path: 'stack.temporal', type: 'string' },
  TEMPORAL_SERVER_PORT: { path: 'stack.server.port', type: 'number' },
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
  BOOK_ADAPTER_TOKEN: 'bearer token sent to placement adapters (placement.adapters)',
  ALPHABET_PAYLOAD_KEYS: 'payload encryption keys, newest first: "k2:<base64 32 bytes>,k1:<base64>"',
  ALPHABET_API_TOKENS: 'operator API bearer tokens with their operator names: "alice:<token>,bob:<token>"',
} as const;
export type SecretName = keyof typeof SECRET_ENV;
export type Secrets = Partial<Record<SecretName, string>>;
