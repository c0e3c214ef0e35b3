import type { Command } from 'commander';
import { registerConfig } from './config';
import { registerStack } from './stack';
import { registerStart } from './start';

/** Each command group registers itself here; one module per group under cli/commands/. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerStack(program);
  registerConfig(program);
}
