import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/paths';

/**
 * `npm run bench [-- name… [-- flag…]]`: runs every bench/*.bench.ts (or the named ones) in its own process,
 * so one benchmark's heap and JIT state never colour another's figures. Each prints its figures and its
 * ratio against a baseline measured in the same run. Flags after a second `--` go to each benchmark, e.g.
 * `npm run bench -- strategies -- --only "live board"` for the live board's sweeps alone.
 */
const dir = join(PROJECT_ROOT, 'bench');
const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const wanted = split < 0 ? argv : argv.slice(0, split);
const benchArgs = split < 0 ? [] : argv.slice(split + 1);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', join(dir, file), ...benchArgs],
    {
      stdio: 'inherit',
      cwd: PROJECT_ROOT,
    },
  );
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${file} exited with ${result.status ?? result.signal}\n`);
  }
}
process.exit(failed ? 1 : 0);
