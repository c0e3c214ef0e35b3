import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandOf, registerCommands } from '../../cli/commands';
import { compiledEntry, consoleBuildIsStale, SOURCE_DIRS, STAMP } from '../../bin/compiled.mjs';

const argv = (...words: string[]) => ['node', 'alphabet', ...words];
const subcommands = (program: Command, name: string) =>
  program.commands.find((c) => c.name() === name)!.commands.map((c) => c.name());

describe('CLI start-up: lazy commands', () => {
  it("lists every top-level command with its module's own description", async () => {
    const described: Record<string, string> = {};
    for (const name of Object.keys(COMMANDS)) {
      const real = new Command();
      for (const register of await COMMANDS[name]!.load()) register(real);
      for (const c of real.commands) described[c.name()] = c.description();
    }
    expect(described).toEqual(
      Object.fromEntries(Object.entries(COMMANDS).map(([name, c]) => [name, c.description])),
    );
  });

  it('registers only the module of the command being run; --help gets names and descriptions', async () => {
    const help = new Command();
    await registerCommands(help, argv('--help'));
    expect(help.commands.map((c) => c.name())).toEqual(Object.keys(COMMANDS));
    expect(help.commands.every((c) => c.commands.length === 0)).toBe(true);

    const odds = new Command();
    await registerCommands(odds, argv('odds', 'convert', '+150', '--from', 'american'));
    expect(subcommands(odds, 'odds')).toEqual(['convert', 'devig']);
    expect(subcommands(odds, 'bets')).toEqual([]);
    expect(subcommands(odds, 'arb')).toEqual([]);

    const arb = new Command();
    await registerCommands(arb, argv('help', 'arb'));
    expect(subcommands(arb, 'arb')).toEqual(['calc', 'scan']);
    expect(commandOf(argv('--json', 'nosuch'))).toBeNull();
  });
});

describe('CLI start-up: compiled or sources', () => {
  function checkout(): string {
    const root = mkdtempSync(join(tmpdir(), 'alphabet-compiled-'));
    for (const dir of SOURCE_DIRS) mkdirSync(join(root, dir, 'sub'), { recursive: true });
    writeFileSync(join(root, 'cli', 'main.ts'), '');
    writeFileSync(join(root, 'shared', 'sub', 'deep.ts'), '');
    return root;
  }
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  it('runs dist/ only when its build stamp is at least as new as every source', () => {
    const root = checkout();
    expect(compiledEntry(root)).toBeNull(); // never built
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', STAMP), '');
    at(join(root, 'cli', 'main.ts'), 1_000);
    at(join(root, 'shared', 'sub', 'deep.ts'), 1_000);
    at(join(root, 'dist', STAMP), 2_000);
    expect(compiledEntry(root)).toBe(join(root, 'dist', 'cli', 'main.js'));

    at(join(root, 'shared', 'sub', 'deep.ts'), 3_000); // edited after the build, however deep
    expect(compiledEntry(root)).toBeNull();
  });

  it('the console build is stale when missing or older than a console source; no console, nothing to build', () => {
    const root = checkout();
    expect(consoleBuildIsStale(root)).toBe(false); // no console sources
    mkdirSync(join(root, 'console', 'src', 'charts'), { recursive: true });
    mkdirSync(join(root, 'console', 'dist'));
    for (const f of ['index.html', 'vite.config.ts', 'src/charts/plot.ts', 'README.md'])
      writeFileSync(join(root, 'console', f), '');
    expect(consoleBuildIsStale(root)).toBe(true); // never built
    writeFileSync(join(root, 'console', 'dist', 'index.html'), '');
    for (const f of ['index.html', 'vite.config.ts', 'src/charts/plot.ts'])
      at(join(root, 'console', f), 1_000);
    at(join(root, 'console', 'dist', 'index.html'), 2_000);
    at(join(root, 'console', 'README.md'), 3_000); // not a build input
    expect(consoleBuildIsStale(root)).toBe(false);
    at(join(root, 'console', 'src', 'charts', 'plot.ts'), 3_000);
    expect(consoleBuildIsStale(root)).toBe(true);
  });
});
