import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { PROJECT_ROOT } from '../config/paths';
import { reportFailure } from './output';
import { registerCommands } from './commands';

const program = new Command()
  .name('alphabet')
  .description('Alpha-Bet operator CLI: the local stack, odds math, strategies, bets and reports')
  .version(packageVersion(), '-V, --version', 'print the version')
  .exitOverride()
  .configureOutput({
    // Commander's own usage errors become the one-line, exit-2 form every subcommand uses.
    outputError: (text, write) => write(`alphabet: ${text.replace(/^error: /, '').trim()}\n`),
  });

await registerCommands(program, process.argv);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportFailure(err);
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
