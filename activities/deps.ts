import type { Pool } from './infra/postgres';
import type { Redis } from './infra/redis';
import type { Logger } from './infra/logger';
import type { AppConfig, Secrets } from '../config/schema';

/** Everything an activity may touch, handed in by the worker (samples-typescript's factory style). */
export interface ActivityDeps {
  db: Pool;
  redis: Redis;
  config: AppConfig;
  secrets: Secrets;
  logger: Logger;
}
