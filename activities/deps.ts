import type { Pool } from './infra/postgres';
import type { Redis } from './infra/redis';
import type { Logger } from './infra/logger';
import type { AppConfig, Secrets } from '../config/schema';
import type { QuoteLookup } from './bets/quotes';
import type { PlacementAdapter } from './bets/adapter';
import type { AlertChannel } from './alerts/channels';
import type { ProviderRegistry } from './providers/registry';
import type { BoardReader } from './strategies/board-reader';
import type { LiveBoard } from './strategies/live-board';

/** Everything an activity may touch, handed in by the worker (samples-typescript's factory style). */
export interface ActivityDeps {
  db: Pool;
  redis: Redis;
  config: AppConfig;
  secrets: Secrets;
  logger: Logger;
  /** Odds providers built from config.providers (the worker builds it; ingestion builds one when absent). */
  providers?: ProviderRegistry;
  /** The current board for re-quotes and closing lines; a Redis reader in ingestion's layout when absent. */
  quotes?: QuoteLookup;
  /** Bet placement adapters by bookmaker, besides those built from config.placement.adapters. */
  placementAdapters?: PlacementAdapter[];
  /** Alert channels (the worker builds them from config.alerts once); built on first use when absent. */
  alertChannels?: AlertChannel[];
  /** The board strategies sweep; a reader of ingestion's Redis layout when absent. */
  boardReader?: BoardReader;
  /** The strategies worker's live board (workers/worker.ts): sweeps take only what changed from it. */
  liveBoard?: LiveBoard;
}
