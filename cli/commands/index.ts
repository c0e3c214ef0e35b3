import type { Command } from 'commander';

type Register = (program: Command) => void;

interface CommandEntry {
  /** As the module's own `.description(…)` says (tests/unit/cli-commands.test.ts checks they agree). */
  description: string;
  /** The module(s) that register this top-level command, imported only when it runs. */
  load: () => Promise<Register[]>;
}

const start = async () => [(await import('./start')).registerStart];

/**
 * Every top-level command by name, in `alphabet --help` order. Only the module of the command being run is
 * imported (with its dependencies: Temporal, pg, Redis …), so `alphabet --help` or `alphabet odds` starts
 * without loading the rest.
 */
export const COMMANDS: Record<string, CommandEntry> = {
  start: {
    description:
      'bring the whole platform up on the embedded defaults, run a health check, keep running until Ctrl-C',
    load: start,
  },
  health: {
    description: 'run the health-check workflow against the running workers and print the result',
    load: start,
  },
  stack: {
    description: 'the local platform: Temporal dev server, PostgreSQL, Redis, migrations',
    load: async () => [(await import('./stack')).registerStack],
  },
  'codec-server': {
    description:
      "serve Temporal's remote codec (POST /decode, /encode) so the Web UI shows encrypted payloads decrypted",
    load: async () => [(await import('./codec-server')).registerCodecServer],
  },
  config: {
    description: 'validate and show the configuration',
    load: async () => [(await import('./config')).registerConfig],
  },
  poll: {
    description: 'the odds polling workflows, one per provider (workflow id odds-poll:<provider>)',
    load: async () => [(await import('./poll')).registerPoll],
  },
  board: {
    description: 'the current odds board from Redis, per event and line-aware market, with quote ages',
    load: async () => [(await import('./board')).registerBoard],
  },
  odds: {
    description: 'convert odds between formats and remove the bookmaker margin',
    load: async () => [(await import('./odds')).registerOdds],
  },
  arb: {
    description: 'arbitrage (sure-bet) calculations',
    load: async () => [(await import('./arb')).registerArb, (await import('./arb-scan')).registerArbScan],
  },
  kelly: {
    description:
      'Kelly stake fractions; several outcomes are treated as mutually exclusive results of one event',
    load: async () => [(await import('./kelly')).registerKelly],
  },
  rollout: {
    description: 'staged rollout of a strategy: backtest → paper → live at 0.25, 0.5, 1.0',
    load: async () => [(await import('./rollout')).registerRollout],
  },
  paper: {
    description: 'operator-started paper trading: a strategy on the live board with its own virtual bankroll',
    load: async () => [(await import('./paper')).registerPaper],
  },
  strategy: {
    description: 'strategies: list, status, pause, resume, set parameters, start',
    load: async () => [(await import('./strategy')).registerStrategy],
  },
  bets: {
    description: 'bets: list, show, and confirm or skip those awaiting an operator',
    load: async () => [(await import('./bets')).registerBets],
  },
  bankroll: {
    description: "balance, reserved, today's P&L and open exposure by event and sport, per ledger account",
    load: async () => [(await import('./bankroll')).registerBankroll],
  },
  backtest: {
    description:
      'replay history through a strategy (the live evaluation code), settle from results and measure',
    load: async () => [(await import('./backtest')).registerBacktest],
  },
  tune: {
    description: 'walk-forward tuning: choose strategy parameters on training data, report them on test data',
    load: async () => [(await import('./tune')).registerTune],
  },
  report: {
    description:
      'performance report: from saved backtest results (reports/*.json) or, with --db, from recorded bets',
    load: async () => [(await import('./report')).registerReport],
  },
  serve: {
    description: 'the operator HTTP API (OpenAPI at /api/openapi.json), live events and the web console',
    load: async () => [(await import('./serve')).registerServe],
  },
  worker: {
    description:
      'run a worker serving only the given task queues; SIGINT/SIGTERM drain it and exit (ALPHABET_WORKER_QUEUES when --queues is absent)',
    load: async () => [(await import('./worker')).registerWorker],
  },
};

/** The top-level command `argv` runs (`alphabet help <name>` included), or null for none or an unknown one. */
export function commandOf(argv: readonly string[]): string | null {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : null;
}

/**
 * Register the command `argv` runs with its real module, and every other one as a name and description
 * only (enough for the command list in `alphabet --help` and for "unknown command" suggestions).
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = commandOf(argv);
  if (name !== null) for (const register of await COMMANDS[name]!.load()) register(program);
  const registered = new Set(program.commands.map((c) => c.name()));
  for (const [other, { description }] of Object.entries(COMMANDS)) {
    if (!registered.has(other)) program.command(other).description(description);
  }
}
