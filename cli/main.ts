import { Command } from 'commander';
import { reportFailure } from './output';
import { registerCommands } from './commands';

const program = new Command()
  .name('alphabet')
  .description('Alpha-Bet operator CLI: the local stack, odds math, strategies, bets and reports')
  .exitOverride()
  .configureOutput({
    // Commander's own usage errors become the one-line, exit-2 form every subcommand uses.
    outputError: (text, write) => write(`alphabet: ${text.replace(/^error: /, '').trim()}\n`),
  });

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportFailure(err);
}
