import type { Client } from '@temporalio/client';
import type { LoadedConfig } from '../../config/load';
import { ProviderConfig } from '../../config/schema';
import { seedStrategies } from '../../activities/strategies/store';
import type { Pool } from '../../activities/infra/postgres';
import { startIngestion, type IngestionHandle } from '../../workflows/ingestion/client';
import { pollingWorkflowId } from '../../workflows/ingestion/messages';
import type { QueueRole } from '../../shared/queues';
import { startWorkers, terminateAll, testClient } from './platform';
import { freePort } from './ports';
import { QUICK_SETTLEMENT } from './bet-setup';

/**
 * The simulated market as a test's only provider, fast (a game lasts about a minute of wall time), with bet
 * lifecycles looking for results from the start every second so bets settle within the test.
 */
export async function useSimulatedMarket(
  loaded: LoadedConfig,
  provider: string,
  seed: number,
): Promise<void> {
  const c = loaded.config;
  c.placement.settlement = { ...c.placement.settlement, ...QUICK_SETTLEMENT };
  c.providers = [
    ProviderConfig.parse({
      name: provider,
      type: 'simulated',
      enabled: true,
      pollIntervalSeconds: 1,
      sports: ['americanfootball_nfl', 'basketball_nba', 'soccer_epl', 'icehockey_nhl'],
      options: { seed, speed: 120, port: await freePort(), scoresIntervalSeconds: 1 },
    }),
  ];
}

/** Every paper gate check off but the bet count: a session with one settled bet passes. */
export const OPEN_PAPER_GATE = {
  minDurationSeconds: 0,
  minBets: 1,
  minClvLowerBound: null,
  minYield: null,
  maxDrawdownFraction: null,
  maxVoidOrLimitRate: null,
};

/** A value strategy loose enough to bet several times a minute on the simulated market. */
export interface LooseValueStrategy {
  db: Pool;
  name: string;
  enabled: boolean;
  mode: 'backtest' | 'paper' | 'live';
  stakeMultiplier: string;
}

async function seedLooseValueStrategy({ db, name, ...row }: LooseValueStrategy): Promise<void> {
  await seedStrategies(db, [
    {
      name,
      type: 'value',
      ...row,
      parameters: {
        fairSource: 'sharp',
        sharpBooks: ['pinnacle'],
        devigMethod: 'multiplicative',
        minBooks: 2,
        minEdge: '0.01',
        maxOdds: '10',
        evCap: '0.5',
        fallbackIntervalMs: 2000,
      },
    },
  ]);
}

export interface SimulatedPlatform {
  client: Client;
  workers: Awaited<ReturnType<typeof startWorkers>>;
  ingestion: IngestionHandle;
  /** Terminate the poller (and these workflows), stop the workers and the market, close the client. */
  stop(workflowIds?: readonly string[]): Promise<void>;
}

/**
 * The loose value strategy seeded, workers on every task queue (or on `roles`, when other processes serve
 * the rest), a client, and the simulated market polled into the board, on the test dev server or the
 * Temporal at `address` (the workers follow loaded.config.temporal.address).
 */
export async function startSimulatedPlatform(
  loaded: LoadedConfig,
  provider: string,
  strategy: LooseValueStrategy,
  on: { roles?: readonly QueueRole[]; address?: string } = {},
): Promise<SimulatedPlatform> {
  await seedLooseValueStrategy(strategy);
  const workers = await startWorkers(loaded, on.roles);
  const client = await testClient(on.address);
  const ingestion = await startIngestion(loaded, client, { providers: [provider], chunkSeconds: 3 });
  return {
    client,
    workers,
    ingestion,
    async stop(workflowIds = []) {
      await terminateAll(client, [pollingWorkflowId(provider), ...workflowIds]);
      workers.shutdown();
      await workers.done;
      await ingestion.stop();
      await client.connection.close();
    },
  };
}
