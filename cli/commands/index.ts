import type { Command } from 'commander';
import { registerArb } from './arb';
import { registerArbScan } from './arb-scan';
import { registerBacktest } from './backtest';
import { registerBankroll } from './bankroll';
import { registerBets } from './bets';
import { registerBoard } from './board';
import { registerCodecServer } from './codec-server';
import { registerConfig } from './config';
import { registerKelly } from './kelly';
import { registerOdds } from './odds';
import { registerPaper } from './paper';
import { registerPoll } from './poll';
import { registerRollout } from './rollout';
import { registerServe } from './serve';
import { registerStack } from './stack';
import { registerStart } from './start';
import { registerStrategy } from './strategy';
import { registerReport } from './report';
import { registerWorker } from './worker';

/** Each command group registers itself here; one module per group under cli/commands/. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerStack(program);
  registerCodecServer(program);
  registerServe(program);
  registerConfig(program);
  registerPoll(program);
  registerBoard(program);
  registerOdds(program);
  registerArb(program);
  registerArbScan(program);
  registerKelly(program);
  registerRollout(program);
  registerPaper(program);
  registerStrategy(program);
  registerBets(program);
  registerBankroll(program);
  registerBacktest(program);
  registerReport(program);
  registerWorker(program);
}
