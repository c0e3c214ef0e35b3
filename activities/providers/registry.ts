import { join } from 'node:path';
import type { z } from 'zod';
import type { AppConfig, ProviderConfig, Secrets } from '../../config/schema';
import { sharedDataDir } from '../../config/paths';
import { OddsApiOptions, ReplayOptions, SimulatedOptions } from './options';
import { ReplayProvider } from './replay';
import { SIM_SPORTS } from './simulated/model';
import { ensureSimulatedMarket, type SimulatedMarketHandle } from './simulated/server';
import { TheOddsApiProvider } from './the-odds-api';
import type { OddsProvider, ProviderCapabilities } from './types';

export type ProviderSettings = z.infer<typeof ProviderConfig>;

/** The provider instances the config asks for, by name. Built by the worker; activities look them up. */
export interface ProviderRegistry {
  get(name: string): OddsProvider;
  has(name: string): boolean;
  names(): string[];
  settings(name: string): ProviderSettings;
  close(): Promise<void>;
}

export class UnknownProviderError extends Error {
  override readonly name = 'UnknownProviderError';
}

/** A live odds feed: odds and results polled, no placement, nothing recorded. */
const LIVE_FEED = { odds: true, results: true, placement: false, recorded: false } as const;

/** What a provider can do, known from config alone (no network): the CLI and the workflow validator use it. */
export function describeProvider(p: ProviderSettings): ProviderCapabilities {
  switch (p.type) {
    case 'simulated':
      return {
        ...LIVE_FEED,
        markets: SimulatedOptions.parse(p.options).markets,
        sports: SIM_SPORTS.map((s) => s.key),
      };
    case 'the-odds-api':
      return { ...LIVE_FEED, markets: OddsApiOptions.parse(p.options).markets, sports: null };
    case 'replay':
      return {
        odds: true,
        results: false,
        placement: false,
        markets: ['h2h', 'spreads', 'totals'],
        sports: null,
        recorded: true,
      };
  }
}

/** How long a board entry lives without being refreshed: the provider's own setting, or three polls (≥ 60 s). */
export function stalenessSeconds(
  p: Pick<ProviderSettings, 'stalenessSeconds' | 'pollIntervalSeconds'>,
  intervalSeconds?: number,
): number {
  return p.stalenessSeconds ?? Math.max(60, Math.ceil(3 * (intervalSeconds ?? p.pollIntervalSeconds)));
}

/** How often the poller also fetches scores (null: never). */
export function resultsIntervalSeconds(p: ProviderSettings): number | null {
  if (p.type === 'simulated') return SimulatedOptions.parse(p.options).scoresIntervalSeconds;
  if (p.type === 'the-odds-api') return OddsApiOptions.parse(p.options).scoresIntervalSeconds;
  return null;
}

export function createProvider(
  p: ProviderSettings,
  secrets: Secrets,
  opts: { now?: () => number } = {},
): OddsProvider {
  switch (p.type) {
    case 'the-odds-api': {
      const o = OddsApiOptions.parse(p.options);
      return new TheOddsApiProvider({
        name: p.name,
        type: 'the-odds-api',
        baseUrl: o.baseUrl,
        regions: o.regions,
        markets: o.markets,
        bookmakers: o.bookmakers,
        oddsFormat: o.oddsFormat,
        timeoutSeconds: o.timeoutSeconds,
        scoresDaysFrom: o.scoresDaysFrom,
        apiKey: secrets.ODDS_API_KEY ?? null,
        apiKeyRequired: o.apiKeyRequired,
        sports: null,
      });
    }
    case 'simulated': {
      const o = SimulatedOptions.parse(p.options);
      return new SimulatedProvider(p.name, o);
    }
    case 'replay': {
      const o = ReplayOptions.parse(p.options);
      return new ReplayProvider({
        name: p.name,
        options: o,
        dataDir: o.dataDir ?? join(sharedDataDir(), 'the-odds-api'),
        sports: p.sports,
        ...(opts.now ? { now: opts.now } : {}),
      });
    }
  }
}

/**
 * The simulated market through the real adapter: The Odds API wire format over loopback HTTP. The market
 * server starts in this process on first use (or is found already serving on the configured port).
 */
export class SimulatedProvider extends TheOddsApiProvider {
  private market: Promise<SimulatedMarketHandle> | null = null;

  constructor(
    name: string,
    private readonly o: z.infer<typeof SimulatedOptions>,
  ) {
    super({
      name,
      type: 'simulated',
      baseUrl: `http://${o.host}:${o.port}`,
      regions: ['us'],
      markets: o.markets,
      oddsFormat: o.oddsFormat,
      timeoutSeconds: o.timeoutSeconds,
      scoresDaysFrom: 1,
      apiKey: null,
      apiKeyRequired: false,
      sports: SIM_SPORTS.map((s) => s.key),
      beforeRequest: () => this.ensureMarket(),
    });
  }

  private async ensureMarket(): Promise<void> {
    this.market ??= ensureSimulatedMarket({
      host: this.o.host,
      port: this.o.port,
      seed: this.o.seed,
      speed: this.o.speed,
      model: this.o.model,
    });
    try {
      await this.market;
    } catch (err) {
      this.market = null;
      throw err;
    }
  }

  async close(): Promise<void> {
    const m = this.market;
    this.market = null;
    if (m) await (await m.catch(() => null))?.close();
  }
}

export function createProviderRegistry(
  config: Pick<AppConfig, 'providers'>,
  secrets: Secrets,
): ProviderRegistry {
  const instances = new Map<string, OddsProvider>();
  const byName = new Map(config.providers.map((p) => [p.name, p]));
  const settings = (name: string): ProviderSettings => {
    const p = byName.get(name);
    if (!p)
      throw new UnknownProviderError(
        `no provider named "${name}" in the config (providers: ${[...byName.keys()].join(', ') || 'none'})`,
      );
    return p;
  };
  return {
    get(name) {
      let inst = instances.get(name);
      if (!inst) {
        inst = createProvider(settings(name), secrets);
        instances.set(name, inst);
      }
      return inst;
    },
    has: (name) => byName.has(name),
    names: () => [...byName.keys()],
    settings,
    async close() {
      const all = [...instances.values()];
      instances.clear();
      await Promise.all(all.map((p) => (p.close ? p.close().catch(() => undefined) : Promise.resolve())));
    },
  };
}
