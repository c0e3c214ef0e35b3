import type { Command } from 'commander';
import { registerArb } from './arb';
import { registerConfig } from './config';
import { registerKelly } from './kelly';
import { registerOdds } from './odds';
import { registerStack } from './stack';
import { registerStart } from './start';

/** Each command group registers itself here; one module per group under cli/commands/. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerStack(program);
  registerConfig(program);
  registerOdds(program);
  registerArb(program);
  registerKelly(program);
}
